"""Screening pages and API: the grid, the upload through the exchange import, the interview,
the non-punishment refusal on page and API, masking from the attacker's side."""

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from ctip.access.masking import MASK
from ctip.access.testing import verified_login
from ctip.exchange.models import ImportBatch
from ctip.screening.models import FoundPerson, Operation

from .conftest import screen

pytestmark = pytest.mark.django_db


def test_grid_registers_typed_rows_and_skips_blank_ones(
    client: Any, police: Any, operation: Any
) -> None:
    verified_login(client, police)
    url = reverse("screening:found-grid", args=[operation.pk])
    assert client.get(url).status_code == 200
    data = {
        "count": "25",
        "r0-family_name": "Li", "r0-given_name": "Wei", "r0-nationality": "CHN", "r0-sex": "male",
        "r3-family_name": "Tran", "r3-age": "17", "r3-age_is_apparent": "on", "r3-sex": "female",
        "r3-nationality": "VNM", "r5-sex": "unknown", "r5-document_held": "none",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(FoundPerson.objects.values_list("nationality", "age_is_apparent")) == [
        ("CHN", False),
        ("VNM", True),
    ]


def test_grid_keeps_what_was_typed_and_names_the_bad_row(
    client: Any, police: Any, operation: Any
) -> None:
    verified_login(client, police)
    url = reverse("screening:found-grid", args=[operation.pk])
    data = {"count": "25", "r0-family_name": "Li", "r2-family_name": "Kim", "r2-age": "300"}
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Kim"' in body and 'value="Li"' in body and "between 0 and 120" in body
    assert FoundPerson.objects.count() == 0


def _sheet(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_goes_through_the_exchange_import(client: Any, police: Any, operation: Any) -> None:
    verified_login(client, police)
    content = _sheet(
        [
            ["No", "prs_SecondName", "prs_FirstName", "Sex", "Age", "Nationality", "Language"],
            [7, "Nguyen", "Van Nam", "male", 22, "VNM", "vi"],
            [8, "Santoso", "Budi", "male", 30, "IDN", "id"],
        ]
    )
    upload = SimpleUploadedFile("raid.xlsx", content)
    response = client.post(reverse("screening:found-upload", args=[operation.pk]), {"file": upload})
    assert response.status_code == 302
    assert list(FoundPerson.objects.values_list("number", "nationality")) == [
        (7, "VNM"),
        (8, "IDN"),
    ]
    batch = ImportBatch.objects.get()
    assert batch.status == "applied" and batch.result["persons_found"] == 2


def test_upload_with_a_bad_row_registers_nobody_and_reports_it(
    client: Any, police: Any, operation: Any
) -> None:
    verified_login(client, police)
    content = _sheet([["family_name", "age"], ["A", 20], ["B", "old"]])
    response = client.post(
        reverse("screening:found-upload", args=[operation.pk]),
        {"file": SimpleUploadedFile("raid.xlsx", content)},
    )
    assert response.status_code == 200 and "Row 3, age" in response.content.decode()
    assert FoundPerson.objects.count() == 0
    assert ImportBatch.objects.get().status == "failed"


def test_a_file_that_is_not_a_spreadsheet_is_refused(
    client: Any, police: Any, operation: Any
) -> None:
    verified_login(client, police)
    upload = SimpleUploadedFile("raid.xlsx", b"MZ\x90\x00 not a workbook")
    response = client.post(reverse("screening:found-upload", args=[operation.pk]), {"file": upload})
    assert response.status_code == 200 and FoundPerson.objects.count() == 0


def test_interview_page_records_the_decision(client: Any, police: Any, found: list[Any]) -> None:
    verified_login(client, police)
    url = reverse("screening:found-detail", args=[found[1].pk])
    page = client.get(url)
    assert "是否有人拿走" in page.content.decode()  # the question in the person's language
    data = {f"a_{code}": "no" for code in ("deception", "debt_bondage")}
    data.update(
        {
            "interviewed_on": found[1].operation.conducted_on.isoformat(),
            "language": "zh",
            "decision": "presumed",
            "reasons": "Passport taken",
            "a_documents_confiscated": "yes",
        }
    )
    from ctip.screening.choices import INDICATOR_CODES

    for code in INDICATOR_CODES:
        data.setdefault(f"a_{code}", "unknown")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    found[1].refresh_from_db()
    assert found[1].decision == "presumed"


def test_suspect_refused_on_the_page_with_the_reason(
    client: Any, police: Any, found: list[Any]
) -> None:
    screen(police, found[0])
    verified_login(client, police)
    response = client.post(reverse("screening:mark-suspect", args=[found[0].pk]), follow=True)
    assert "non-punishment" in response.content.decode()


def test_api_refuses_suspect_for_a_victim_and_masks_identity(
    police: Any, found: list[Any], make_member: Any
) -> None:
    screen(police, found[0])
    api = APIClient()
    api.force_authenticate(police)
    refused = api.post(f"/api/v1/persons-found/{found[0].pk}/suspect/")
    assert refused.status_code == 400 and "non-punishment" in str(refused.json())
    registry = api.post(
        "/api/v1/participants/",
        {"case": found[0].operation.case_id, "person": found[0].person_id, "role": "suspect"},
        format="json",
    )
    assert registry.status_code == 400 and "role" in registry.json()
    assert (
        api.get(f"/api/v1/persons-found/{found[0].pk}/").json()["person"]["family_name_latin"]
        == "Nguyen"
    )
    ngo = make_member("ngo_partner", "DOSVY-18", username="ngo18")
    api.force_authenticate(ngo)
    seen = api.get(f"/api/v1/persons-found/{found[0].pk}/").json()
    assert seen["person"]["family_name_latin"] == MASK


def test_api_hides_other_agencies_operations_like_unknown_ones(
    outsider: Any, found: list[Any]
) -> None:
    api = APIClient()
    api.force_authenticate(outsider)
    theirs = api.get(f"/api/v1/persons-found/{found[0].pk}/")
    unknown = api.get("/api/v1/persons-found/999999/")
    assert theirs.status_code == unknown.status_code == 404
    assert api.get("/api/v1/operations/").json()["results"] == []
    listing = api.get("/api/v1/persons-found/", {"operation": found[0].operation_id})
    assert listing.status_code == 400


def test_api_registers_many_and_screens(police: Any, operation: Any) -> None:
    api = APIClient()
    api.force_authenticate(police)
    rows = [
        {"family_name": f"Person {i}", "nationality": "THA", "language": "th"} for i in range(30)
    ]
    made = api.post(
        "/api/v1/persons-found/", {"operation": operation.pk, "rows": rows}, format="json"
    )
    assert made.status_code == 201 and len(made.json()) == 30
    bad = api.post(
        "/api/v1/persons-found/",
        {"operation": operation.pk, "rows": [{"family_name": "X", "age": 500}]},
        format="json",
    )
    assert bad.status_code == 400 and "row 1: age" in bad.json()
    first = made.json()[0]["id"]
    screened = api.post(
        f"/api/v1/persons-found/{first}/screen/",
        {
            "interviewed_on": operation.conducted_on.isoformat(),
            "language": "th",
            "answers": {"deception": "yes"},
            "decision": "identified",
            "reasons": "Deceived",
            "consent_to_embassy": True,
        },
        format="json",
    )
    assert screened.status_code == 201, screened.json()
    assert Operation.objects.get().found.get(pk=first).decision == "identified"


def test_schema_lists_the_endpoints(police: Any) -> None:
    api = APIClient()
    api.force_authenticate(police)
    schema = api.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).content.decode()
    assert "/api/v1/persons-found/{id}/screen/" in schema and "/api/v1/operations/" in schema


def test_api_list_answers_format_json_as_the_other_lists(police: Any, found: list[Any]) -> None:
    api = APIClient()
    api.force_authenticate(police)
    query = {"operation": found[0].operation_id}
    plain = api.get("/api/v1/persons-found/", query)
    negotiated = api.get("/api/v1/persons-found/", {**query, "format": "json"})
    assert plain.status_code == negotiated.status_code == 200
    assert negotiated.json() == plain.json() and len(plain.json()) == len(found)
