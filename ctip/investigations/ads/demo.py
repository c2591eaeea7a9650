"""Demo job advertisements: a few ads in several languages with the red flags of scam-compound
recruitment, naming the demo network's phone and accounts, and one ordinary ad. Invented."""

import datetime

from ctip.access.actors import COMMAND_LINE
from ctip.access.models import Agency
from ctip.investigations import services as core
from ctip.investigations.models import JobAd

from .extract import identifiers_in
from .rules import detect_language

MARK = "DEMO-ADS"
ADS = [
    (
        "Facebook",
        "Golden Fortune is hiring customer service staff in Sihanoukville! High salary $1,500 a "
        "month, no experience needed. Free flight ticket and visa. Age 18-30, can type English. "
        "Contact Telegram t.me/GoldJob_HR or call 012 345 678",
    ),
    (
        "Telegram",
        "高薪招聘客服，月薪8000元，无需经验，包机票包吃住，年龄18-35岁，会中文打字。"  # noqa: RUF001
        "电话 +86 138 0013 8000",
    ),
    (
        "Facebook",
        "ក្រុមហ៊ុនធំ ត្រូវការបុគ្គលិកបម្រើអតិថិជន ប្រាក់ខែខ្ពស់ ១៥០០ ដុល្លារ មិនត្រូវការបទពិសោធន៍ "
        "ចេញថ្លៃសំបុត្រយន្តហោះ អាយុ ១៨-៣០ ឆ្នាំ ចេះភាសាចិន ទាក់ទងតាមតេឡេក្រាម 097 888 1234",
    ),
    (
        "Facebook",
        "Tuyển nhân viên chăm sóc khách hàng tại Campuchia, lương cao 30 triệu, không cần kinh "
        "nghiệm, bao vé máy bay, tuổi 18-30, biết tiếng Trung. Liên hệ Zalo 0912 345 678",
    ),
    (
        "Job site",
        "Accountant wanted at a trading company in Phnom Penh. Bachelor degree in accounting, "
        "3 years experience. Salary $600. Apply to hr@example-trading.com.kh",
    ),
]


def demo_ads() -> int:
    """Record the demo ads kept by the national police (AHTJP); 0 if they exist already."""
    agency = Agency.objects.filter(code="AHTJP").first()
    if agency is None or JobAd.objects.filter(external_id__startswith=MARK).exists():
        return 0
    today = datetime.date.today()
    for number, (service, text) in enumerate(ADS):
        core.job_ad_record(
            actor=COMMAND_LINE,
            agency=agency,
            text=text,
            service=service,
            language=detect_language(text),
            seen_on=today - datetime.timedelta(days=7 * number + 3),
            identifiers=identifiers_in(text),
            external_id=f"{MARK}-{number}",
        )
    return len(ADS)
