"""Fixtures of the referrals tests: a police case with a victim, and staff on both sides."""

import datetime
from typing import Any

import pytest

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry.casework.services import child_steps_save
from ctip.registry.services import case_create, participant_add, person_create, victim_profile_save


@pytest.fixture
def police(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12", username="police")


@pytest.fixture
def social(make_member: Any) -> Any:
    return make_member("case_officer", "DOSVY-12", username="social")


@pytest.fixture
def victim(police: Any) -> Any:
    """A victim participant in a case opened by the Phnom Penh anti-trafficking police."""
    case = case_create(
        actor=police,
        kind="trafficking",
        source="operation",
        owning_agency=Agency.objects.get(code="PAHT-12"),
        province=Province.objects.get(code="KH-12"),
        opened_on=datetime.date.today() - datetime.timedelta(days=10),
    )
    person = person_create(
        actor=police,
        given_name_latin="Sophea",
        family_name_latin="Chan",
        sex="female",
        estimated_age=17,
        citizenships=["KHM"],
    )
    participant = participant_add(actor=police, case=case, person=person, role="victim")
    victim_profile_save(
        actor=police,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        identified_on=datetime.date.today() - datetime.timedelta(days=10),
        # A referral opens the case file to the receiver, which needs the victim's consent.
        consent_to_share=True,
    )
    # A child (17): her best interests were determined and a guardian appointed, so that any
    # service may be referred (decision 0150); test_care_plan.py tests a child without them.
    child_steps_save(
        actor=police,
        participant=participant,
        assessed_on=datetime.date.today() - datetime.timedelta(days=9),
        assessment="Safe with her aunt; wants to go home.",
        determined_on=datetime.date.today() - datetime.timedelta(days=8),
        determination="Return to her aunt in Kampot, with follow-up visits.",
        guardian_name="Chan Dara",
        guardian_relationship="relative",
    )
    participant.refresh_from_db()
    return participant


@pytest.fixture
def unconsented_victim(victim: Any, police: Any) -> Any:
    """The same victim, with no consent to share their identity on record."""
    victim_profile_save(actor=police, participant=victim, consent_to_share=False)
    victim.refresh_from_db()
    return victim
