"""Fixtures of the verification tests: officers of two agencies, supervisors, a verification
planned, visited with evidence, and submitted for sign-off."""

import datetime
from typing import Any

import pytest

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.verification import services


@pytest.fixture
def lead(make_member: Any) -> Any:
    """A case officer of the national anti-trafficking police (the verifying agency)."""
    return make_member("case_officer", "AHTJP", username="lead")


@pytest.fixture
def partner(make_member: Any) -> Any:
    """A case officer of the Preah Sihanouk province police, second agency on the team."""
    return make_member("case_officer", "PAHT-18", username="partner")


@pytest.fixture
def same_supervisor(make_member: Any) -> Any:
    return make_member("supervisor", "AHTJP", username="same-supervisor")


@pytest.fixture
def signer(make_member: Any) -> Any:
    """A supervisor of the national secretariat: another agency than the one that verified."""
    return make_member("supervisor", "NCCT", username="signer")


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


@pytest.fixture
def planned(lead: Any, partner: Any) -> Any:
    verification = services.verification_create(
        actor=lead,
        lead_agency=agency("AHTJP"),
        allegation="Workers held in a compound on the beach road; phones taken.",
        plan="Visit with the province police on Monday; interview workers away from guards.",
        planned_for=datetime.date.today(),
        province=Province.objects.get(code="KH-18"),
        place_code="1801",
        place_detail="Building C, beach road",
    )
    services.team_member_add(
        actor=lead, verification=verification, user=lead, agency=agency("AHTJP"), role="lead"
    )
    services.team_member_add(
        actor=lead, verification=verification, user=partner, agency=agency("PAHT-18")
    )
    return verification


@pytest.fixture
def visited(planned: Any, lead: Any) -> Any:
    services.visit_record(
        actor=lead,
        verification=planned,
        visited_on=datetime.date.today(),
        notes="Entered with the province police; spoke with twelve workers.",
    )
    services.found_person_add(
        actor=lead,
        verification=planned,
        role="victim",
        given_name_latin="Dara",
        family_name_latin="Sok",
        sex="male",
        estimated_age=24,
        citizenship="KHM",
    )
    services.found_person_add(
        actor=lead,
        verification=planned,
        role="suspect",
        given_name_latin="Wei",
        family_name_latin="Zhang",
        sex="male",
        citizenship="CHN",
    )
    return planned


def photo(gps: bool = False) -> bytes:
    """A small JPEG, with a GPS position in its EXIF when asked (as a phone writes it)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (40, 30), (200, 40, 40))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (11.0, 33.0, 0.0), 3: "E", 4: (104.0, 55.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def add_evidence(verification: Any, actor: Any) -> Any:
    return services.finding_add(
        actor=actor,
        verification=verification,
        kind="statement",
        description="Statement of a worker: passport kept by the manager, debt of 3,000 USD.",
        taken_on=datetime.date.today(),
        upload=b"The manager keeps our passports. We owe 3,000 USD.\n",
        file_name="statement.txt",
    )


@pytest.fixture
def submitted(visited: Any, lead: Any) -> Any:
    add_evidence(visited, lead)
    return services.verification_submit(
        actor=lead,
        verification=visited,
        outcome="substantiated",
        sign_off_agency=agency("NCCT"),
        note="Passports confiscated, debt bondage, guards at the gate.",
    )
