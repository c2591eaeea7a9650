"""The registry's narrow path for a network's persons (decision 0703), from the attacker's
side: who may register a suspect in which case, with which role."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.audit.models import AuditEvent
from ctip.registry import services as registry
from ctip.registry.models import Person

pytestmark = pytest.mark.django_db
NAME = {"family_name_latin": "Wongsa", "given_name_latin": "Somchai"}


def test_an_investigator_registers_a_suspect_in_a_case_of_their_agency(
    investigator: Any, cases: Any
) -> None:
    participant = registry.network_person_register(
        actor=investigator, case=cases["own_1"], role="suspect", **NAME
    )
    registered_by = participant.person.registered_by
    assert registered_by is not None and registered_by.code == "AHTJP"
    assert participant.role == "suspect"
    assert AuditEvent.objects.filter(
        action="create", object_type="registry.person", actor_id=investigator.pk
    ).exists()


@pytest.mark.parametrize("role", ["victim", "witness", "guardian", "reporter"])
def test_never_a_victim_or_those_beside_one(investigator: Any, cases: Any, role: str) -> None:
    with pytest.raises(ValidationError) as refused:
        registry.network_person_register(actor=investigator, case=cases["own_1"], role=role, **NAME)
    assert "role" in refused.value.message_dict
    assert not Person.objects.filter(family_name_latin="Wongsa").exists()


def test_not_in_another_agencys_case_nor_by_other_roles(
    investigator: Any, make_member: Any, cases: Any
) -> None:
    with pytest.raises(PermissionDenied):
        registry.network_person_register(
            actor=investigator, case=cases["sr"], role="suspect", **NAME
        )
    assert AuditEvent.objects.filter(
        action="denied", actor_id=investigator.pk, object_id=str(cases["sr"].pk)
    ).exists()
    for role in ("analyst", "auditor", "linkage_reviewer"):
        with pytest.raises(PermissionDenied):
            registry.network_person_register(
                actor=make_member(role, "AHTJP"), case=cases["own_1"], role="suspect", **NAME
            )
    assert not Person.objects.filter(family_name_latin="Wongsa").exists()


def test_not_in_a_closed_case(investigator: Any, cases: Any) -> None:
    case = cases["own_1"]
    case.status, case.closed_on = "closed", case.opened_on
    case.save()
    with pytest.raises(PermissionDenied):
        registry.network_person_register(actor=investigator, case=case, role="suspect", **NAME)


def test_bad_fields_are_named_to_one_who_may_register_only(investigator: Any, cases: Any) -> None:
    # The right is asked first (as every registry write does): in another agency's case the
    # same bad field draws the same refusal as good fields.
    with pytest.raises(ValidationError) as refused:
        registry.network_person_register(
            actor=investigator, case=cases["own_1"], role="suspect", sex="robot", **NAME
        )
    assert "sex" in refused.value.message_dict
    refusals = []
    for extra in ({"sex": "robot"}, {}):
        with pytest.raises(PermissionDenied) as denied:
            registry.network_person_register(
                actor=investigator, case=cases["sr"], role="suspect", **extra, **NAME
            )
        refusals.append(str(denied.value))
    assert refusals[0] == refusals[1]
