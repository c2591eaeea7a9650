"""`ctip demo-intake`: public reports in several languages and states, hotline records, a
matter grouping reports about one phone number, assignments and outcomes, files sent with a
report and with a follow-up (for `make demo`)."""

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from ctip.access.models import Agency, User
from ctip.intake import services
from ctip.intake.models import Report
from ctip.intake.proof import issue_challenge, solve
from ctip.intake.receipts import format_receipt_code
from ctip.reference import gazetteer

# Synthetic reports (no real people, places chosen from the gazetteer, invented numbers).
PUBLIC: list[tuple[str, str, dict[str, Any]]] = [
    (
        "km",
        "មនុស្សប្រហែល ៤០ នាក់ត្រូវបានឃុំក្នុងអគារមួយ ហើយត្រូវបង្ខំឱ្យធ្វើការបោកប្រាស់តាមអនឡាញ។",
        {"phones": ["012 345 678"], "people_count": 40, "danger_now": "yes"},
    ),
    (
        "zh-hans",
        "我哥哥在西港的一个园区里，护照被没收，不让离开，每天被逼着诈骗。",  # noqa: RUF001
        {"phones": ["+855 12 345 678"], "accounts": ["@jobs_sihanouk_88"], "people_count": 200},
    ),
    (
        "vi",
        "Em gái tôi được hứa việc làm ở Campuchia nhưng bị giữ lại và bị đánh.",
        {"accounts": ["t.me/jobs_sihanouk_88"], "child_involved": "no", "danger_now": "yes"},
    ),
    (
        "th",
        "มีคนไทยหลายคนถูกกักขังในอาคารริมทะเล ถูกบังคับให้หลอกลวงทางออนไลน์",
        {"websites": ["https://easy-jobs-kh.example"], "people_count": 15},
    ),
    (
        "id",
        "Saudara saya ditahan di sebuah kompleks dan harus membayar utang untuk keluar.",
        {"phones": ["0123456789"], "when": "sejak Maret"},
    ),
    (
        "en",
        "A 15-year-old girl is working at a karaoke bar and cannot leave.",
        {"child_involved": "yes"},
    ),
    (
        "km",
        "ក្មេងៗត្រូវបានប្រើឱ្យសុំទាននៅផ្សារ ហើយមនុស្សពេញវ័យយកលុយទាំងអស់។",
        {"child_involved": "yes", "when": "រៀងរាល់ថ្ងៃ"},
    ),
]
HOTLINE: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "hotline",
        "km",
        "ម្ដាយម្នាក់ហៅមកថា កូនប្រុសរបស់គាត់ត្រូវបានឃុំនៅបាវិត។",
        {"phones": ["097 111 2222"], "danger_now": "unknown"},
    ),
    (
        "facebook",
        "en",
        "Message to the page: job offer in a casino, passport kept by the boss.",
        {"accounts": ["facebook.com/easy.jobs.kh"]},
    ),
    (
        "embassy",
        "zh-hans",
        "大使馆转来：三名中国公民在园区内求救。",  # noqa: RUF001
        {"phones": ["+855 12 345 678"], "people_count": 3, "danger_now": "yes"},
    ),
]


def demo_photo() -> bytes:
    """A drawn 'photo' of a building, with a camera and GPS position in its EXIF as a phone
    writes them: the file store strips them (the demo shows the stored copy has none)."""
    image = Image.new("RGB", (480, 320), (150, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 80, 360, 300), fill=(90, 90, 110))
    for row in range(4):
        for col in range(5):
            x, y = 140 + col * 44, 100 + row * 48
            draw.rectangle((x, y, x + 24, y + 28), fill=(230, 220, 140))
    exif = Image.Exif()
    exif[0x0110] = "DemoPhone 3"
    exif[0x8825] = {1: "N", 2: (10.0, 37.0, 0.0), 3: "E", 4: (103.0, 31.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def demo_pdf() -> bytes:
    """A one-page PDF with an author in its document information (stripped when stored)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "Demo reporter", "/Title": "Job offer (demo)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Command(BaseCommand):
    help = "Add demo public reports, hotline records and triaged matters (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Report.objects.exists():
            self.stdout.write("Intake demo: reports exist already; nothing added.")
            return
        officer = User.objects.filter(username="ahtjp.intake").first()
        if officer is None:
            raise CommandError("Run `ctip demo-accounts` first (ahtjp.intake).")
        village = self._village("18")
        receipts = []
        reports = []
        for n, (lang, what, extra) in enumerate(PUBLIC):
            # Most came from browsers that solved the proof of work; one without JavaScript.
            challenge = issue_challenge()
            solution = solve(challenge.token, challenge.difficulty) if n != 4 else ""
            sent = services.report_submit_public(
                data=services.ReportInput(what=what, place_code=village if n < 3 else "", **extra),
                language=lang,
                challenge=challenge.token if solution else "",
                solution=solution,
                # The first report comes with a photo of the building.
                uploads=[demo_photo()] if n == 0 else [],
            )
            receipts.append(sent.receipt_code)
            reports.append(sent.report)
        for channel, lang, what, extra in HOTLINE:
            reports.append(
                services.report_record(
                    actor=officer,
                    channel=channel,
                    language=lang,
                    data=services.ReportInput(what=what, **extra),
                ).report
            )
        # One compound named by five reports (the same phone, account or village): one matter.
        grouped = [reports[i] for i in (0, 1, 2, 4, 9)]
        matter = services.matter_create(
            actor=officer, reports=grouped[:1], title="Compound on the coast road (demo)"
        )
        for report in grouped[1:]:
            services.report_group(actor=officer, report=report, matter=matter)
        services.matter_assign(
            actor=officer, matter=matter, agency=Agency.objects.get(code="PCCT-18")
        )
        services.report_message_staff(
            actor=officer, report=reports[0], body="Thank you. Which floor are people held on?"
        )
        services.report_reply_public(
            report=reports[0],
            body="The fourth floor, at the back. Here is the job offer they sent.",
            uploads=[demo_pdf()],
        )
        verified = services.matter_create(actor=officer, reports=[reports[5]], title="Karaoke bar")
        services.matter_decide(actor=officer, matter=verified, outcome="verification_ordered")
        referred = services.matter_create(actor=officer, reports=[reports[3]])
        services.matter_decide(
            actor=officer,
            matter=referred,
            outcome="referred",
            referred_to="Royal Thai Police, Anti-Trafficking Division",
        )
        closed = services.matter_create(actor=officer, reports=[reports[8]])
        services.matter_decide(
            actor=officer, matter=closed, outcome="not_actionable", reason="insufficient"
        )
        self.stdout.write(
            f"Intake demo: {len(reports)} reports, 4 matters (one grouping {len(grouped)} "
            "reports; the first has a photo and a PDF). Follow up the first public report at "
            "/report/km/follow-up/ with the "
            f"receipt code {format_receipt_code(receipts[0])}."
        )

    def _village(self, province: str) -> str:
        district = gazetteer.children(province)[0]
        commune = gazetteer.children(district.code)[0]
        return gazetteer.children(commune.code)[0].code
