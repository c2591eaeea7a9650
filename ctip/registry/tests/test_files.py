"""The file store: type by content, metadata stripped, sealed at rest, read only by those who
may see the record the file is attached to (from the attacker's side)."""

import datetime
import io
import re
import zlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from PIL import Image

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.referrals.services import referral_send
from ctip.registry import services
from ctip.registry.crypto import reset_keyring
from ctip.registry.files.content import clean_file
from ctip.registry.files.selectors import case_attachments, stored_file_open
from ctip.registry.files.services import (
    case_attachment_add,
    person_attachment_add,
    stored_file_create,
)
from ctip.registry.models import StoredFile

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    """A photo carrying a camera model and GPS position in its EXIF, as phones write them."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 9"  # Model
    exif[0x0131] = "CamSoft 1.0"  # Software
    gps = {1: "N", 2: (11.0, 33.0, 20.0), 3: "E", 4: (104.0, 55.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Officer Dara")
    info.add_text("Location", "Poipet 13.65N 102.56E")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Officer Dara", "/Producer": "ScanApp GPS 11.55N"})
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = script
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_photo_loses_exif_and_gps_and_stays_a_jpeg() -> None:
    original = jpeg_with_gps()
    assert b"PhoneCam 9" in original
    clean = clean_file(original)
    assert clean.content_type == "image/jpeg"
    assert b"PhoneCam 9" not in clean.data and b"secret comment" not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif()
    assert "exif" not in image.info


def test_png_text_chunks_are_dropped_and_transparency_kept() -> None:
    clean = clean_file(png_with_text())
    assert b"Officer Dara" not in clean.data and b"Poipet" not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.mode == "RGBA" and image.getpixel((0, 0)) == (0, 0, 255, 128)


def test_pdf_loses_author_producer_and_script() -> None:
    from pypdf import PdfReader

    original = pdf_with_metadata()
    assert b"Officer Dara" in original
    clean = clean_file(original)
    assert clean.content_type == "application/pdf"
    assert b"Officer Dara" not in clean.data and b"ScanApp" not in clean.data
    assert b"app.alert" not in clean.data
    reader = PdfReader(io.BytesIO(clean.data))
    assert len(reader.pages) == 1
    assert not reader.metadata


def test_type_is_told_by_content_not_name() -> None:
    # An executable (ELF header) called photo.jpg is refused; a text file is accepted.
    with pytest.raises(ValidationError) as refused:
        clean_file(b"\x7fELF\x02\x01\x01" + b"\x00" * 100)
    assert "file" in refused.value.message_dict
    assert clean_file("ឈ្មោះ Sokha\n".encode()).content_type == "text/plain"
    # HTML is text too, but a NUL byte or a binary blob is not.
    with pytest.raises(ValidationError):
        clean_file(b"abc\x00def")
    # A ZIP (an office file, an archive) is not accepted.
    with pytest.raises(ValidationError):
        clean_file(b"PK\x03\x04" + b"\x00" * 100)


def test_damaged_picture_is_refused_with_the_field_named() -> None:
    damaged = jpeg_with_gps()[:200]
    with pytest.raises(ValidationError) as refused:
        clean_file(damaged)
    assert refused.value.message_dict["file"]


@override_settings(CTIP_FILE_MAX_BYTES=1000)
def test_size_limit() -> None:
    with pytest.raises(ValidationError) as refused:
        clean_file(b"a" * 1001)
    assert "larger" in refused.value.message_dict["file"][0]


def test_decompression_bomb_is_refused_from_its_header() -> None:
    # A PNG whose header claims 100,000 x 100,000 pixels: a few hundred bytes that would
    # unpack to 30 GB. Refused before a pixel is decoded.
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(ValidationError) as refused:
        clean_file(bomb)
    assert "too large" in refused.value.message_dict["file"][0]


def test_encrypted_pdf_is_refused() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError) as refused:
        clean_file(out.getvalue())
    assert "password" in refused.value.message_dict["file"][0]


def test_stored_bytes_are_sealed(officer: Any, case: Any) -> None:
    attachment = case_attachment_add(
        actor=officer, case=case, upload=b"Testimony of the victim: Sokha.\n", name="notes.txt"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content, name FROM registry_storedfile WHERE id = %s", [attachment.file_id]
        )
        raw, name = cursor.fetchone()
    assert b"Sokha" not in bytes(raw)
    assert "notes" not in name
    opened = stored_file_open(actor=officer, pk=attachment.file_id)
    assert opened.data == b"Testimony of the victim: Sokha.\n"
    assert opened.record.name == "notes.txt"
    assert AuditEvent.objects.filter(
        action="view", object_type="registry.storedfile", object_id=str(attachment.file_id)
    ).exists()


def test_file_name_is_cleaned(officer: Any, case: Any) -> None:
    attachment = case_attachment_add(
        actor=officer, case=case, upload=b"x\n", name="..\\..\\etc/evil\u202egpj.exe"
    )
    assert attachment.file.name == "evilgpj.exe"


def test_another_agencys_file_answers_like_an_unknown_one(
    officer: Any, outsider: Any, case: Any, client: Any
) -> None:
    attachment = case_attachment_add(actor=officer, case=case, upload=jpeg_with_gps(), name="a.jpg")
    client.force_login(outsider)
    hidden = client.get(f"/files/{attachment.file_id}/")
    unknown = client.get(f"/files/{attachment.file_id + 1000}/")
    assert hidden.status_code == unknown.status_code == 404

    # The same page, but for the address itself (the language switch returns to it) and
    # the form's CSRF token.
    def page(response: Any, pk: int) -> str:
        text = response.content.decode().replace(f"/files/{pk}/", "/files/N/")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(hidden, attachment.file_id) == page(unknown, attachment.file_id + 1000)
    assert AuditEvent.objects.filter(
        action="denied", object_type="registry.storedfile", object_id=str(attachment.file_id)
    ).exists()
    client.force_login(officer)
    shown = client.get(f"/files/{attachment.file_id}/")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in shown["Content-Security-Policy"]
    assert b"PhoneCam" not in shown.content


def test_outsider_cannot_attach(outsider: Any, case: Any) -> None:
    with pytest.raises(PermissionDenied):
        case_attachment_add(actor=outsider, case=case, upload=b"x\n", name="x.txt")
    assert not StoredFile.objects.exists()
    assert AuditEvent.objects.filter(action="denied", object_type="registry.case").exists()


def test_refused_file_changes_nothing(officer: Any, case: Any) -> None:
    with pytest.raises(ValidationError):
        case_attachment_add(actor=officer, case=case, upload=b"\x00\x01\x02", name="x.bin")
    assert not StoredFile.objects.exists()


def test_file_of_unknown_purpose_is_readable_by_nobody(officer: Any) -> None:
    stored = StoredFile.objects.create(
        purpose="nobody.registered", name="x", content_type="text/plain", size=1, content=b""
    )
    from django.http import Http404

    with pytest.raises(Http404):
        stored_file_open(actor=officer, pk=stored.pk)
    with pytest.raises(ValueError):
        stored_file_create(actor=officer, purpose="nobody.registered", upload=b"x\n", name="x")


def test_referral_receiver_sees_the_referred_victims_files_only(
    officer: Any, make_member: Any, case: Any, victim: Any
) -> None:
    social = make_member("case_officer", "DOSVY-12")
    services.victim_profile_save(
        actor=officer,
        participant=victim,
        consent_to_share=True,
        consent_recorded_on=datetime.date(2024, 3, 6),
    )
    about_victim = case_attachment_add(
        actor=officer, case=case, upload=b"medical note\n", name="m.txt", participant=victim
    )
    whole_case = case_attachment_add(actor=officer, case=case, upload=b"plan\n", name="p.txt")
    referral_send(
        actor=officer,
        participant=victim,
        to_agency=Agency.objects.get(code="DOSVY-12"),
        service="shelter",
    )
    seen = {a.pk for a in case_attachments(actor=social, case=case)}
    assert seen == {about_victim.pk}
    assert stored_file_open(actor=social, pk=about_victim.file_id).data == b"medical note\n"
    from django.http import Http404

    with pytest.raises(Http404):
        stored_file_open(actor=social, pk=whole_case.file_id)
    # Read-only: the receiver may not attach to the police case.
    with pytest.raises(PermissionDenied):
        case_attachment_add(actor=social, case=case, upload=b"x\n", name="x.txt")


def test_person_attachment_follows_the_persons_visibility(
    officer: Any, outsider: Any, victim: Any
) -> None:
    attachment = person_attachment_add(
        actor=officer, person=victim.person, upload=png_with_text(), name="id.png"
    )
    assert stored_file_open(actor=officer, pk=attachment.file_id).record.content_type == "image/png"
    from django.http import Http404

    with pytest.raises(Http404):
        stored_file_open(actor=outsider, pk=attachment.file_id)
    with pytest.raises(PermissionDenied):
        person_attachment_add(actor=outsider, person=victim.person, upload=b"x\n", name="x")


def test_rotation_reseals_files(officer: Any, case: Any, settings: Any) -> None:
    from ctip.registry.crypto import is_current_sealed

    attachment = case_attachment_add(actor=officer, case=case, upload=b"keep me\n", name="k.txt")
    old_keys = list(settings.CTIP_FIELD_KEYS)
    from cryptography.fernet import Fernet

    settings.CTIP_FIELD_KEYS = [Fernet.generate_key().decode(), *old_keys]
    reset_keyring()
    try:
        assert services.keys_check()["registry.storedfile.content"] == 1
        counts = services.keys_rotate(actor=None)
        assert counts["registry.storedfile.content"] == 1
        raw = StoredFile.objects.values_list("content", flat=True).get(pk=attachment.file_id)
        assert is_current_sealed(bytes(raw))
        assert stored_file_open(actor=officer, pk=attachment.file_id).data == b"keep me\n"
    finally:
        settings.CTIP_FIELD_KEYS = old_keys
        reset_keyring()


def test_attach_from_the_case_page_and_see_it_listed(
    officer: Any, case: Any, victim: Any, client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/")
    assert f"/cases/{case.pk}/files/add/" in page.content.decode()
    form = client.get(f"/cases/{case.pk}/files/add/")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    upload = SimpleUploadedFile("rescue.jpg", jpeg_with_gps(), content_type="image/jpeg")
    sent = client.post(
        f"/cases/{case.pk}/files/add/",
        {"file": upload, "description": "Photo at the rescue", "participant": victim.pk},
    )
    assert sent.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "rescue.jpg" in page and "Photo at the rescue" in page
    # A file that is not what it claims: the form says so next to the file field.
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 64, content_type="image/jpeg")
    refused = client.post(f"/cases/{case.pk}/files/add/", {"file": fake})
    assert refused.status_code == 200
    assert "This kind of file is not accepted" in refused.content.decode()
    assert StoredFile.objects.count() == 1


def test_outsider_gets_no_attach_page(outsider: Any, case: Any, client: Any) -> None:
    client.force_login(outsider)
    assert client.get(f"/cases/{case.pk}/files/add/").status_code == 404
