"""`ctip demo-intake` gives a newcomer reports in several languages and states and a matter
that groups several reports, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from ctip.intake.models import Matter, Report, ReportAttachment, ReportMessage
from ctip.intake.services.reports import report_by_receipt

pytestmark = pytest.mark.django_db


def test_demo_intake(settings):
    settings.CTIP_INTAKE_POW_BITS = 8  # the demo solves the puzzle as a browser would
    call_command("demo_accounts", stdout=StringIO())
    out = StringIO()
    call_command("demo_intake", stdout=out)
    assert set(Report.objects.values_list("language", flat=True)) >= {
        "km",
        "en",
        "zh-hans",
        "vi",
        "th",
        "id",
    }
    assert set(Report.objects.values_list("channel", flat=True)) >= {"web", "hotline", "embassy"}
    assert {"no_script", "proof_of_work", "staff"} <= set(
        Report.objects.values_list("trust", flat=True)
    )
    statuses = set(Matter.objects.values_list("status", flat=True))
    assert statuses == {"assigned", "verification_ordered", "referred", "not_actionable"}
    assert max(m.reports.count() for m in Matter.objects.all()) == 5
    assert Report.objects.filter(matter__isnull=True).exists()  # some still in the queue
    assert ReportMessage.objects.count() == 2
    # The first report came with a photo, its follow-up with a PDF: both in the file store.
    files = ReportAttachment.objects.select_related("file").order_by("pk")
    assert [f.file.content_type for f in files] == ["image/jpeg", "application/pdf"]
    assert files[0].message is None and files[1].message is not None
    code = out.getvalue().split("receipt code ")[1].rstrip(".\n")
    assert report_by_receipt(code=code).messages.count() == 2
    call_command("demo_intake", stdout=StringIO())  # a second run adds nothing
    assert Report.objects.count() == 10
