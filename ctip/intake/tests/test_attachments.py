"""Files sent by a reporter with the public form and the follow-up: type by content, metadata
stripped, sealed, a neutral name, bounded before any work, all-or-nothing with the report, and
read only by those who may open the report (from the attacker's side)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.intake import services
from ctip.intake.models import RateWindow, Report, ReportAttachment, ReportMessage
from ctip.registry.files.selectors import stored_file_open
from ctip.registry.models import StoredFile
from ctip.registry.tests.test_files import jpeg_with_gps, pdf_with_metadata

pytestmark = pytest.mark.django_db

TYPED = "Twelve workers locked in the blue building"


def upload(name: str, data: bytes, kind: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


def send(client, files, lang: str = "en", what: str = TYPED):
    return client.post(
        f"/report/{lang}/",
        {
            "what": what,
            "child_involved": "unknown",
            "danger_now": "unknown",
            "send": "1",
            "file": files,
        },
    )


def receipt_of(response) -> str:
    match = re.search(r'id="receipt-code">([\d ]+)<', response.content.decode())
    assert match, response.content[:300]
    return match.group(1)


def test_a_report_with_a_photo_and_a_pdf_keeps_them_clean_sealed_and_unnamed(client):
    response = send(
        client,
        [
            upload("IMG_Sokha_Chan_0612.jpg", jpeg_with_gps()),
            upload("statement by Dara.pdf", pdf_with_metadata(), "application/pdf"),
        ],
    )
    assert response.status_code == 200 and receipt_of(response)
    report = Report.objects.get()
    attachments = list(report.attachments.select_related("file"))
    assert len(attachments) == 2 and all(a.message is None for a in attachments)
    photo, pdf = (a.file for a in attachments)
    assert photo.content_type == "image/jpeg" and pdf.content_type == "application/pdf"
    # The names the reporter's phone gave are gone: they can name a person.
    assert photo.name == f"{report.reference}-1.jpg" and pdf.name == f"{report.reference}-2.pdf"
    assert photo.uploaded_by is None and photo.agency is None
    raw = bytes(StoredFile.objects.filter(pk=photo.pk).values_list("content", flat=True).get())
    assert not raw.startswith(b"\xff\xd8") and b"PhoneCam" not in raw  # sealed, not readable
    # The store's audit events name the report's files, never anyone who sent them.
    events = AuditEvent.objects.filter(object_type="intake.reportattachment")
    assert events.count() == 2 and all(e.actor_id is None for e in events)


def test_what_the_files_hold_once_stored_has_no_camera_gps_or_author(client, make_member, settings):
    settings.CTIP_REQUIRE_OTP = False
    send(
        client,
        [
            upload("a.jpg", jpeg_with_gps()),
            upload("b.pdf", pdf_with_metadata(), "application/pdf"),
        ],
    )
    officer = make_member("intake_officer", "AHTJP")
    photo, pdf = (a.file for a in ReportAttachment.objects.select_related("file"))
    data = stored_file_open(actor=officer, pk=photo.pk).data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and not image.getexif() and b"PhoneCam" not in data
    assert b"secret comment" not in data
    document = stored_file_open(actor=officer, pk=pdf.pk).data
    assert b"Officer Dara" not in document and b"app.alert" not in document


def test_a_file_that_is_not_what_its_name_says_refuses_the_report_and_keeps_the_text(client):
    response = send(client, [upload("photo.jpg", b"<html><script>alert(1)</script>\x00\x01")])
    html = response.content.decode()
    assert response.status_code == 200
    assert "This kind of file is not accepted" in html
    assert TYPED in html  # nothing lost of what was typed
    assert Report.objects.count() == 0 and StoredFile.objects.count() == 0
    assert ReportAttachment.objects.count() == 0


def test_too_many_files_or_too_large_a_file_is_refused_before_any_is_read(client, settings):
    settings.CTIP_INTAKE_FILES_PER_MESSAGE = 2
    html = send(client, [upload(f"{n}.jpg", jpeg_with_gps()) for n in range(3)]).content.decode()
    assert "Send at most 2 files at a time." in html and TYPED in html
    settings.CTIP_FILE_MAX_BYTES = 1024 * 1024
    big = upload("big.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 10))
    html = send(client, [big]).content.decode()
    assert "A file is larger than 1 MB." in html
    assert Report.objects.count() == 0 and StoredFile.objects.count() == 0
    # Nothing was decoded: the global file allowance was not even taken.
    assert not RateWindow.objects.filter(scope="files").exists()


def test_a_body_larger_than_its_files_may_be_is_refused_unread(client, settings):
    settings.CTIP_INTAKE_FILES_PER_MESSAGE = 1
    settings.CTIP_FILE_MAX_BYTES = 1024 * 1024
    body = b"x" * (3 * 1024 * 1024)
    response = client.generic(
        "POST", "/report/en/", body, content_type="multipart/form-data; boundary=zz"
    )
    assert response.status_code == 413
    assert "The files are too large" in response.content.decode()
    assert response.cookies == {}
    assert Report.objects.count() == 0


def test_hostile_files_count_against_the_global_allowance_even_when_refused(client, settings):
    settings.CTIP_INTAKE_FILES_PER_MINUTE = 2
    for _try in range(2):
        bad = [upload("x.jpg", b"\xff\xd8\xff\xe0broken jpeg")]
        assert "cannot be read" in send(client, bad).content.decode()
    html = send(client, [upload("a.jpg", jpeg_with_gps())]).content.decode()
    assert "wait a minute" in html and TYPED in html
    assert Report.objects.count() == 0


def test_the_reporter_adds_files_with_a_later_message(client, settings):
    code = receipt_of(send(client, []))
    report = Report.objects.get()
    assert report.attachments.count() == 0
    response = client.post(
        "/report/en/follow-up/",
        {"code": code, "body": "Here is the gate.", "file": [upload("gate.jpg", jpeg_with_gps())]},
    )
    html = response.content.decode()
    assert "Your message was sent." in html
    assert "You sent 1 file" in html
    message = ReportMessage.objects.get()
    attachment = ReportAttachment.objects.get()
    assert attachment.message == message and attachment.report == report
    # A bad file refuses the message too, and keeps what was written.
    response = client.post(
        "/report/en/follow-up/",
        {"code": code, "body": "And the list.", "file": [upload("list.pdf", b"%PDF-1.4 junk")]},
    )
    html = response.content.decode()
    assert "The PDF cannot be read" in html and "And the list." in html
    assert ReportMessage.objects.count() == 1 and ReportAttachment.objects.count() == 1


def test_a_report_holds_a_bounded_number_of_files(settings):
    settings.CTIP_INTAKE_FILES_PER_REPORT = 2
    data = services.ReportInput(what="Held")
    sent = services.report_submit_public(
        data=data, language="en", uploads=[jpeg_with_gps(), jpeg_with_gps()]
    )
    with pytest.raises(Exception) as refused:
        services.report_reply_public(report=sent.report, body="More", uploads=[jpeg_with_gps()])
    assert "at most 2 files" in str(refused.value)


def test_staff_read_the_files_where_they_read_the_report_and_no_one_else(
    client, make_member, settings
):
    settings.CTIP_REQUIRE_OTP = False
    sent = services.report_submit_public(
        data=services.ReportInput(what="Held"), language="km", uploads=[jpeg_with_gps()]
    )
    report = sent.report
    stored = report.attachments.get().file
    officer = make_member("intake_officer", "AHTJP")
    client.force_login(officer)
    page = client.get(f"/intake/reports/{report.pk}/").content.decode()
    assert stored.name in page
    href = re.search(r'href="([^"]*)">' + re.escape(stored.name), page).group(1)
    answer = client.get(href)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="registry.storedfile"
    ).exists()
    # Another agency's officer, and a supervisor of an agency the matter is not assigned to:
    # the same 404 as for a file that does not exist, audited.
    for role, agency in (("case_officer", "PAHT-12"), ("supervisor", "PCCT-20")):
        client.force_login(make_member(role, agency))
        assert client.get(href).status_code == 404
        assert client.get(href.replace(str(stored.pk), "999999")).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="registry.storedfile"
    ).exists()
    # Once the matter is assigned to that committee, its supervisor reads the file.
    matter = services.matter_create(actor=officer, reports=[report], title="x")
    from ctip.access.models import Agency

    services.matter_assign(actor=officer, matter=matter, agency=Agency.objects.get(code="PCCT-20"))
    client.force_login(make_member("supervisor", "PCCT-20"))
    assert client.get(href).status_code == 200
    page = client.get(f"/intake/matters/{matter.pk}/").content.decode()
    assert f'href="/intake/reports/{report.pk}/">1</a>' in page


def test_a_refused_file_is_explained_in_the_reporters_language(client):
    html = send(client, [upload("photo.jpg", b"<html>not a photo</html>\x00")], lang="th").content
    text = html.decode()
    assert "ไม่รับไฟล์ประเภทนี้" in text and "This kind of file" not in text
    assert TYPED in text


def test_the_public_words_list_every_refusal_of_the_file_store():
    import ast
    from pathlib import Path

    from ctip.intake.public_words import FILE_STORE_REFUSALS
    from ctip.registry.files import content

    tree = ast.parse(Path(content.__file__).read_text())
    said = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert said and said == set(FILE_STORE_REFUSALS)
