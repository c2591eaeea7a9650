"""The non-punishment principle: a victim of an operation is never its suspect."""

from typing import Any

from django.utils.translation import gettext as _

from ctip.audit.services import audited_atomic
from ctip.registry import services as registry
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Arrest, Case, Participant, Person

from ..choices import (
    VICTIM_DECISIONS,
    Decision,
)
from ..models import FoundPerson
from .operations import require_operation_change

# --- the non-punishment principle ---------------------------------------------------------


def is_suspect_in(case_id: int, person_id: int) -> bool:
    return (
        Participant.objects.filter(
            case_id=case_id, person_id=person_id, role=ParticipantRole.SUSPECT
        ).exists()
        or Arrest.objects.filter(case_id=case_id, person_id=person_id).exists()
    )


def non_punishment_refusal(*, case: Case, person: Person, role: str) -> str | None:
    """The registry asks this before recording a role (registry.hooks.role_check_provider):
    an identified or presumed victim of an operation is never its suspect."""
    if role != ParticipantRole.SUSPECT:
        return None
    found = (
        FoundPerson.objects.filter(
            operation__case_id=case.pk, person_id=person.pk, decision__in=VICTIM_DECISIONS
        )
        .only("decision", "number")
        .first()
    )
    if found is None:
        return None
    return _(
        "Person #%(number)d was screened as %(decision)s in this operation. Under the "
        "non-punishment principle a victim of trafficking is not recorded as a suspect for "
        "what they were made to do; record the decision again after a new screening if it "
        "was wrong."
    ) % {"number": found.number, "decision": Decision(found.decision).label.lower()}


@audited_atomic
def found_person_mark_suspect(*, actor: Any, found: FoundPerson) -> Participant:
    """Record a person found as a suspect in the operation's case (the registry refuses it
    for an identified or presumed victim, naming the rule)."""
    require_operation_change(actor, found.operation)
    return registry.participant_add(
        actor=actor,
        case=found.operation.case,
        person=found.person,
        role=ParticipantRole.SUSPECT,
    )
