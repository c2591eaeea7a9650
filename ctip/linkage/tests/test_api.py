"""The possible-matches endpoint: scoped, masked, counting what the caller may not see."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from ctip.access.masking import MASK
from ctip.linkage import services

from .conftest import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("trained")]
URL = "/api/v1/possible-matches/"
SOKHA = {
    "family_name_latin": "Chan",
    "given_name_latin": "Sokha",
    "sex": "female",
    "date_of_birth": "2008-05-17",
}


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_not_ready_before_a_run(police: Any) -> None:
    register(police, "PAHT-12", "KH-12")
    answer = client_for(police).post(URL, SOKHA, format="json")
    assert answer.status_code == 200
    assert answer.json() == {"ready": False, "matches": [], "not_visible": 0}


def test_matches_are_scoped_and_masked(police: Any, other_police: Any, make_member: Any) -> None:
    first = register(police, "PAHT-12", "KH-12")
    register(other_police, "PAHT-1", "KH-1", given_name_latin="Sokhar")
    services.linkage_run()
    body = client_for(police).post(URL, SOKHA, format="json").json()
    assert body["ready"] is True
    assert [m["person"]["id"] for m in body["matches"]] == [first.pk]
    assert body["not_visible"] == 1
    match = body["matches"][0]
    assert 0 < match["probability"] <= 1
    assert {
        "field": "birth",
        "name": "Date of birth",
        "agreement": "agree",
        "words": "the same date",
    } in (match["evidence"])
    # An NGO partner of the same agency sees the record, names masked (no identity clearance).
    partner = make_member("ngo_partner", "PAHT-12")
    body = client_for(partner).post(URL, SOKHA, format="json").json()
    assert body["matches"][0]["person"]["family_name_latin"] == MASK


def test_bad_input_names_the_field(police: Any) -> None:
    answer = client_for(police).post(
        URL, {**SOKHA, "date_of_birth": "17/05/2008", "x": 1}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"date_of_birth", "x"}
    answer = client_for(police).post(URL, {**SOKHA, "case": 999999}, format="json")
    assert answer.status_code == 400 and "case" in answer.json()


def test_hostile_names_cost_bounded_time(police: Any, other_police: Any) -> None:
    register(police, "PAHT-12", "KH-12")
    services.linkage_run()
    long_name = " ".join(f"w{i}" * 30 for i in range(5000))
    answer = client_for(police).post(URL, {"given_name_latin": long_name}, format="json")
    assert answer.status_code == 200
