"""The offline screening form: listed and served by the OpenRosa endpoint, submissions recorded
once, refusals told to the phone; the shipped XForm matches the indicators."""

import base64
import datetime
from typing import Any

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctip.access.services import device_token_issue
from ctip.exchange.models import ImportBatch
from ctip.screening.choices import INDICATOR_CODES
from ctip.screening.field import FORM_ID, FORM_PATH, question_in
from ctip.screening.models import Screening

pytestmark = pytest.mark.django_db


def basic(username: str, secret: str) -> dict[str, str]:
    value = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {value}"}


def instance(operation: int, number: int, decision: str = "identified", uid: str = "uuid:1") -> str:
    answers = "".join(
        f"<{code}>{'yes' if code in ('deception', 'forced_criminality') else 'no'}</{code}>"
        for code in INDICATOR_CODES
    )
    return (
        f'<data id="{FORM_ID}"><operation>{operation}</operation><number>{number}</number>'
        f"<interviewed_on>{datetime.date.today().isoformat()}</interviewed_on>"
        f"<language>zh</language><interpreter>yes</interpreter><indicators>{answers}</indicators>"
        f"<decision>{decision}</decision><reasons>Forced to scam</reasons><consent>yes</consent>"
        f"<meta><instanceID>{uid}</instanceID></meta></data>"
    )


def submit(client: Any, xml: str, credentials: dict[str, str]) -> Any:
    upload = SimpleUploadedFile("submission.xml", xml.encode(), content_type="text/xml")
    return client.post(
        reverse("exchange:openrosa-submission"), {"xml_submission_file": upload}, **credentials
    )


def test_the_shipped_xform_asks_every_indicator() -> None:
    root = ElementTree.fromstring(FORM_PATH.read_bytes())
    xml = FORM_PATH.read_text(encoding="utf-8")
    assert f'id="{FORM_ID}"' in xml
    for code in INDICATOR_CODES:
        assert f"<{code}/>" in xml
    assert 'lang="Khmer (km)"' in xml and 'lang="Chinese (zh)"' in xml
    assert root is not None


def test_questions_in_the_persons_language() -> None:
    assert "passport" in question_in("documents_confiscated", "en")
    assert question_in("documents_confiscated", "zh").startswith("是否")
    assert question_in("documents_confiscated", "km") != question_in("documents_confiscated", "en")


def test_form_list_offers_both_forms(client: Any, police: Any) -> None:
    _token, secret = device_token_issue(actor=None, user=police, name="Phone 1")
    body = client.get(reverse("exchange:openrosa-form-list"), **basic("police18", secret)).content
    assert b"<formID>htcds</formID>" in body and FORM_ID.encode() in body
    form = client.get(
        reverse("exchange:openrosa-form", args=[FORM_ID]), **basic("police18", secret)
    )
    assert form.status_code == 200 and FORM_ID.encode() in form.content


def test_a_submission_records_the_screening_once(
    client: Any, police: Any, found: list[Any]
) -> None:
    _token, secret = device_token_issue(actor=None, user=police, name="Phone 1")
    xml = instance(found[1].operation_id, found[1].number)
    first = submit(client, xml, basic("police18", secret))
    assert first.status_code == 201, first.content
    again = submit(client, xml, basic("police18", secret))
    assert again.status_code == 201
    screening = Screening.objects.get()
    assert screening.submission_id == "uuid:1" and screening.interpreter
    assert screening.indicators == ["deception", "forced_criminality"]
    found[1].refresh_from_db()
    assert found[1].decision == "identified" and found[1].consent_to_embassy
    assert ImportBatch.objects.count() == 0  # not an HTCDS import


def test_a_submission_for_someone_elses_operation_looks_unknown(
    client: Any, outsider: Any, found: list[Any]
) -> None:
    _token, secret = device_token_issue(actor=None, user=outsider, name="Phone 2")
    mine = submit(client, instance(found[0].operation_id, 1, uid="u2"), basic("police12", secret))
    unknown = submit(client, instance(99999, 1, uid="u3"), basic("police12", secret))
    assert mine.status_code == unknown.status_code == 400
    assert b"No such" in mine.content and b"No such" in unknown.content
    assert Screening.objects.count() == 0


def test_a_contradicting_submission_is_refused_with_its_reason(
    client: Any, police: Any, found: list[Any]
) -> None:
    _token, secret = device_token_issue(actor=None, user=police, name="Phone 1")
    xml = (
        instance(found[0].operation_id, 1, decision="presumed")
        .replace("<deception>yes</deception>", "<deception>no</deception>")
        .replace(
            "<forced_criminality>yes</forced_criminality>",
            "<forced_criminality>no</forced_criminality>",
        )
    )
    response = submit(client, xml, basic("police18", secret))
    assert response.status_code == 400 and b"answers" in response.content
