"""Fixtures of the screening tests: a raid by the Preah Sihanouk police, officers on both sides."""

import datetime
from typing import Any

import pytest

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.screening import services


@pytest.fixture
def police(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-18", username="police18")


@pytest.fixture
def outsider(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12", username="police12")


@pytest.fixture
def operation(police: Any) -> Any:
    return services.operation_create(
        actor=police,
        kind="raid",
        name="Compound raid, Otres",
        conducted_on=datetime.date.today() - datetime.timedelta(days=3),
        province=Province.objects.get(code="KH-18"),
        place="Building C",
        lead_agency=Agency.objects.get(code="PAHT-18"),
        agencies=[Agency.objects.get(code="DOSVY-18")],
    )


ROWS = [
    {"family_name": "Nguyen", "given_name": "Van Minh", "sex": "male", "age": "24",
     "nationality": "VNM", "language": "vi", "document_held": "passport",
     "document_number": "C1234567"},
    {"family_name": "Wang", "given_name": "Lei", "sex": "m", "age": "31", "nationality": "chn",
     "language": "zh"},
    {"family_name": "Santoso", "given_name": "Dewi", "sex": "female", "age": "19",
     "age_is_apparent": "yes", "nationality": "Indonesia", "language": "id"},
]  # fmt: skip


@pytest.fixture
def found(police: Any, operation: Any) -> list[Any]:
    return services.found_persons_add(
        actor=police, operation=operation, rows=[dict(r) for r in ROWS]
    )


YES = {"deception": "yes", "documents_confiscated": "yes", "forced_criminality": "yes"}


def screen(actor: Any, found: Any, decision: str = "identified", **extra: Any) -> Any:
    args: dict[str, Any] = {
        "interviewed_on": datetime.date.today(),
        "language": "vi",
        "answers": dict(YES),
        "decision": decision,
        "reasons": "Deceived, passport taken, forced to scam.",
        "consent_to_embassy": True,
    }
    args.update(extra)
    return services.screening_record(actor=actor, found=found, **args)
