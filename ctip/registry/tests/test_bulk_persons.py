"""Registering many persons in one case at once: the same checks as one by one, nothing
written when one row is wrong, identity encrypted, documents found by their number, one
audit event, refused for those who may not register in the case."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.models import IdentityDocument, Participant, Person
from ctip.registry.names import document_number_index

from .conftest import make_case

pytestmark = pytest.mark.django_db


def test_many_persons_in_one_call(officer: Any) -> None:
    case = make_case(officer)
    before = AuditEvent.objects.count()
    made = services.persons_register_in_case(
        actor=officer,
        case=case,
        role="other",
        people=[
            {"family_name_latin": "Nguyen", "sex": "male", "estimated_age": 24,
             "citizenships": ["VNM"], "document_kind": "passport", "document_number": "C 123"},
            {"given_name_latin": "Dewi", "sex": "female", "citizenships": ["IDN"]},
        ],
    )  # fmt: skip
    assert [p.role for p in made] == ["other", "other"]
    nguyen = Person.objects.get(pk=made[0].person_id)
    assert nguyen.family_name_latin == "Nguyen" and nguyen.birth_year is not None
    assert nguyen.name_keys  # search keys computed, as person_create does
    document = IdentityDocument.objects.get(person=nguyen)
    assert document.number_index == document_number_index("C123")
    assert AuditEvent.objects.count() == before + 1
    assert Participant.objects.filter(case=case).count() == 2


def test_one_wrong_row_writes_nothing(officer: Any) -> None:
    case = make_case(officer)
    with pytest.raises(ValidationError) as error:
        services.persons_register_in_case(
            actor=officer,
            case=case,
            role="other",
            people=[{"family_name_latin": "A"}, {"sex": "x", "estimated_age": 130}],
        )
    assert set(error.value.message_dict) == {
        "row 2: sex",
        "row 2: estimated_age",
        "row 2: family_name_latin",
    }
    assert Person.objects.count() == 0


def test_refused_outside_the_case(officer: Any, outsider: Any) -> None:
    case = make_case(officer)
    with pytest.raises(PermissionDenied):
        services.persons_register_in_case(
            actor=outsider, case=case, role="other", people=[{"family_name_latin": "A"}]
        )
    with pytest.raises(ValidationError):
        services.persons_register_in_case(
            actor=officer, case=case, role="suspect", people=[{"family_name_latin": "A"}]
        )
    assert Person.objects.count() == 0
