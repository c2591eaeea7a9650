"""Fixtures for the registry page tests: officers of two agencies and a case built by services."""

import datetime
from typing import Any

import pytest

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry import services


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12")


@pytest.fixture
def supervisor(make_member: Any) -> Any:
    return make_member("supervisor", "PAHT-12")


@pytest.fixture
def outsider(make_member: Any) -> Any:
    """A case officer of another province's police: sees none of PAHT-12's cases."""
    return make_member("case_officer", "PAHT-1")


def make_case(actor: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "kind": "sexual_exploitation",
        "source": "hotline",
        "owning_agency": Agency.objects.get(code="PAHT-12"),
        "province": Province.objects.get(code="KH-12"),
        "opened_on": datetime.date(2024, 3, 5),
        "summary": "Two girls promised restaurant work were held in a karaoke bar.",
    }
    fields.update(overrides)
    return services.case_create(actor=actor, **fields)


@pytest.fixture
def case(officer: Any) -> Any:
    return make_case(officer)


@pytest.fixture
def victim(officer: Any, case: Any) -> Any:
    """A victim with a profile, in the case."""
    person = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin="Chan",
        given_name_latin="Sokha",
        family_name_km="ចាន់",
        given_name_km="សុខា",
        sex="female",
        estimated_age=16,
    )
    participant = services.participant_add(actor=officer, case=case, person=person, role="victim")
    services.victim_profile_save(
        actor=officer,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        means_of_control=["DebtBondage"],
    )
    return participant


@pytest.fixture
def suspect(officer: Any, case: Any) -> Any:
    person = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin="Meas",
        given_name_latin="Vuthy",
        sex="male",
        date_of_birth=datetime.date(1985, 6, 1),
    )
    services.document_add(actor=officer, person=person, kind="national_id", number="0101-2345-67")
    return services.participant_add(actor=officer, case=case, person=person, role="suspect")
