"""Validation gaps found by probing the API: old dates, control and text-direction characters
in names, unbounded aliases. Each is refused naming its field, and nothing is written."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from ctip.api.services import token_issue
from ctip.registry.models import Case, Person

pytestmark = pytest.mark.django_db

NEW_CASE = {
    "kind": "forced_criminality",
    "source": "operation",
    "province": "KH-18",
    "opened_on": "2024-03-02",
    "summary": "Raid on an online-scam compound.",
}


@pytest.fixture
def api(make_member: Any) -> APIClient:
    client = APIClient()
    officer = make_member("case_officer", "PAHT-12")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=None, user=officer).key}")
    return client


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_opening_date_before_1900_is_refused(api: APIClient, day: str) -> None:
    answer = api.post("/api/v1/cases/", {**NEW_CASE, "opened_on": day}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"opened_on"}
    assert "1900" in answer.json()["opened_on"][0]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name_latin", "Sok\u202eahk"),  # right-to-left override
        ("family_name_latin", "Chan\u2066x"),  # isolate
        ("given_name_km", "\u179f\u17bb\u1781\u200f"),  # right-to-left mark
        ("family_name_latin", "Ch\u0001an"),  # C0 control
        ("family_name_latin", "Ch\u0085an"),  # C1 control (next line)
        ("family_name_latin", "Ch\nan"),  # a name is one line
    ],
)
def test_control_and_direction_characters_in_names_are_refused(
    api: APIClient, field: str, value: str
) -> None:
    answer = api.post("/api/v1/persons/", {field: value, "sex": "female"}, format="json")
    assert answer.status_code == 400, answer.json()
    assert set(answer.json()) == {field}
    assert "U+" in answer.json()[field][0]
    assert not Person.objects.exists()


def test_nul_in_a_name_is_refused(api: APIClient) -> None:
    answer = api.post("/api/v1/persons/", {"given_name_latin": "So\u0000kha"}, format="json")
    assert answer.status_code == 400
    assert "given_name_latin" in answer.json()["detail"]


@pytest.mark.parametrize(
    "aliases",
    [[f"alias {n}" for n in range(50_000)], ["x" * 101], ["Ok", "Bad\u202e"]],
    ids=["too-many", "too-long", "bidi"],
)
def test_aliases_are_bounded(api: APIClient, aliases: list[str]) -> None:
    answer = api.post(
        "/api/v1/persons/", {"given_name_latin": "Sokha", "aliases": aliases}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"aliases"}
    assert not Person.objects.exists()


def test_a_clean_khmer_name_with_aliases_is_accepted(api: APIClient) -> None:
    answer = api.post(
        "/api/v1/persons/",
        {"given_name_km": "\u179f\u17bb\u1781\u17b6", "aliases": ["Sokha", "Kha"]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
