"""The red flags of scam-compound recruitment, in each of the six languages."""

import pytest

from ctip.investigations.ads.rules import FLAGS, detect_language, flags, high_amounts

ADS = {
    "en": (
        "Customer service job in Cambodia! High salary $1,500/month, no experience needed. "
        "Free flight ticket and visa. Age 18-35, can type English. Contact Telegram @hr_golden88"
    ),
    # Chinese punctuation (full-width commas) as such ads are written.
    "zh": (
        "高薪招聘客服，月薪8000元，无需经验，"  # noqa: RUF001
        "包机票包吃住，年龄18-35岁，会中文打字。加微信 abc123"  # noqa: RUF001
    ),
    "vi": (
        "Tuyển nhân viên chăm sóc khách hàng tại Campuchia, lương cao 30 triệu, không cần kinh "
        "nghiệm, bao vé máy bay, tuổi 18-30, biết tiếng Trung. Liên hệ Zalo 0912345678"
    ),
    "th": (
        "รับสมัครแอดมิน ทำงานต่างประเทศ เงินเดือนสูง 50,000 บาท ไม่ต้องมีประสบการณ์ "
        "ออกค่าตั๋วเครื่องบินให้ อายุ 18-35 ปี พิมพ์ได้ แอดไลน์ @job_th"
    ),
    "id": (
        "Lowongan admin online di Kamboja, gaji tinggi $1200, tanpa pengalaman, tiket pesawat "
        "gratis, usia 18-30 tahun, bisa bahasa Inggris. Hubungi WA +62 812 3456 7890"
    ),
    "km": (
        "ក្រុមហ៊ុនធំ ត្រូវការបុគ្គលិកបម្រើអតិថិជន ប្រាក់ខែខ្ពស់ ១៥០០ ដុល្លារ មិនត្រូវការបទពិសោធន៍ "
        "ចេញថ្លៃសំបុត្រយន្តហោះ អាយុ ១៨-៣០ ឆ្នាំ ចេះភាសាចិន ទាក់ទងតាមតេឡេក្រាម"
    ),
}

# One phrase per flag that must appear among the reasons shown, per language.
REASONS = {
    "en": ["no experience needed", "free flight", "customer service", "@hr_golden88", "age 18-35"],
    "zh": ["无需经验", "包机票", "客服", "微信", "年龄18-35岁"],
    "vi": ["không cần kinh nghiệm", "bao vé máy bay", "chăm sóc khách hàng", "zalo", "tuổi 18-30"],
    "th": ["ไม่ต้องมีประสบการณ์", "ออกค่าตั๋วเครื่องบิน", "แอดมิน", "แอดไลน์", "อายุ 18-35"],
    "id": ["tanpa pengalaman", "tiket pesawat gratis", "admin online", "hubungi wa", "usia 18-30"],
    "km": ["មិនត្រូវការបទពិសោធន៍", "ចេញថ្លៃសំបុត្រយន្តហោះ", "បម្រើអតិថិជន", "តេឡេក្រាម", "អាយុ 18-30"],
}


@pytest.mark.parametrize("language", sorted(ADS))
def test_a_scam_advertisement_raises_every_flag_with_its_reasons(language: str) -> None:
    raised = {flag.code: flag for flag in flags(ADS[language])}
    assert set(raised) == set(FLAGS)
    for code, phrase in zip(FLAGS, REASONS[language], strict=True):
        assert phrase in raised[code].reasons, (code, raised[code].reasons)


@pytest.mark.parametrize("language", sorted(ADS))
def test_the_language_is_recognised(language: str) -> None:
    assert detect_language(ADS[language]) == language


def test_an_ordinary_advertisement_raises_nothing() -> None:
    ad = (
        "Accountant wanted at ABC Trading Co., Phnom Penh. Bachelor degree in accounting, 3 years "
        "experience. Salary $600. Apply to hr@abctrading.com.kh"
    )
    assert flags(ad) == []


def test_messaging_beside_a_formal_contact_is_not_messaging_only() -> None:
    ad = "Driver wanted. Call or Telegram 012 345 678, office address: St 51, Phnom Penh."
    assert "messaging_only" not in {flag.code for flag in flags(ad)}


def test_high_pay_without_easy_entry_is_not_flagged() -> None:
    ad = "Senior engineer, 10 years experience required, salary $3000."
    assert "high_pay_no_qualifications" not in {flag.code for flag in flags(ad)}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("pay $1,500 a month", True),
        ("pay $900 a month", False),
        ("15 triệu đ", False),  # 15 million dong is ordinary pay
        ("25 triệu đ", True),
        ("50,000 บาท", True),
        ("gaji rp 15 juta", False),  # the currency before the number is read as Rp only after it
        ("2k usd", True),
        ("月薪8000元", True),
    ],
)
def test_amounts_of_pay_are_read_with_their_currency(text: str, found: bool) -> None:
    assert bool(high_amounts(text.lower())) is found


def test_a_bare_number_range_is_not_an_age() -> None:
    assert flags("Call 012 18-25 today") == []


def test_hostile_text_is_read_in_bounded_time() -> None:
    ad = ("高薪" + "a" * 1000 + "1" * 50) * 1000
    raised = flags(ad)
    assert raised == []  # high pay alone, and only the first 20,000 characters are read
