"""Fixtures of the investigations tests: cases of three agencies in three provinces, an
investigator of the national police, case officers of two province police bureaus."""

import datetime
from typing import Any

import pytest

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry.services import case_create, participant_add, person_create


def open_case(actor: Any, agency: str, province: str, days_ago: int = 10) -> Any:
    return case_create(
        actor=actor,
        kind="forced_criminality",
        source="operation",
        owning_agency=Agency.objects.get(code=agency),
        province=Province.objects.get(code=province),
        opened_on=datetime.date.today() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def investigator(make_member: Any) -> Any:
    return make_member("investigator", "AHTJP", username="investigator")


@pytest.fixture
def officer_ahtjp(make_member: Any) -> Any:
    return make_member("case_officer", "AHTJP", username="officer-ahtjp")


@pytest.fixture
def officer_pp(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12", username="officer-pp")


@pytest.fixture
def officer_sr(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-17", username="officer-sr")


@pytest.fixture
def cases(
    investigator: Any, officer_ahtjp: Any, officer_pp: Any, officer_sr: Any
) -> dict[str, Any]:
    """Two cases of the national police (AHTJP: the investigator's agency) in Phnom Penh and
    Preah Sihanouk, one of the Phnom Penh police bureau, one of the Siem Reap bureau."""
    return {
        "own_1": open_case(officer_ahtjp, "AHTJP", "KH-12"),
        "own_2": open_case(officer_ahtjp, "AHTJP", "KH-18"),
        "pp": open_case(officer_pp, "PAHT-12", "KH-12"),
        "sr": open_case(officer_sr, "PAHT-17", "KH-17"),
    }


@pytest.fixture
def suspect(officer_ahtjp: Any, cases: dict[str, Any]) -> Any:
    person = person_create(
        actor=officer_ahtjp,
        given_name_latin="Dara",
        family_name_latin="Sok",
        sex="male",
        estimated_age=35,
        citizenships=["KHM"],
    )
    participant_add(actor=officer_ahtjp, case=cases["own_1"], person=person, role="suspect")
    return person
