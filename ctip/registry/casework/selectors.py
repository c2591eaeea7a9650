"""Reads of case management, each through the access rule: notes (masked by their level),
follow-ups, transfers, the caseworkers a case may have, the actor's follow-ups due, victims'
needs and risk assessments (masked like notes) and child protection steps."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.masking import MASK, clearances
from ctip.access.models import User
from ctip.access.policies import RECORD_ROLES, restrict
from ctip.access.selectors import agency_staff

from ..choices import FollowUpStatus
from ..models import Case, Participant
from ..selectors import case_record_get
from .children import is_child, missing_steps
from .models import CaseNote, CaseTransfer, ChildProtection, FollowUp, NeedsAssessment


def caseworker_choices(*, case: Case) -> list[User]:
    """Staff of the owning agency who may carry the case."""
    return agency_staff(agency_ids=[case.owning_agency_id], roles=RECORD_ROLES)


def case_notes(*, actor: Any, case: Case) -> list[CaseNote]:
    """The case's notes, newest first; `shown` is the text, or the mask where the note's level
    is above the actor's clearance (the note's existence and date are not hidden)."""
    cleared = clearances(actor)
    notes = list(
        restrict(CaseNote.objects.filter(case=case), actor).select_related(
            "author", "participant__person"
        )
    )
    for note in notes:
        readable = not note.sensitivity or note.sensitivity in cleared
        note.shown = note.text if readable else MASK
    return notes


def case_follow_ups(*, actor: Any, case: Case) -> list[FollowUp]:
    return list(
        restrict(FollowUp.objects.filter(case=case), actor).select_related(
            "caseworker", "participant__person"
        )
    )


def follow_up_get(*, actor: Any, pk: int, case: Case) -> FollowUp:
    follow_up: FollowUp = case_record_get(
        actor=actor,
        model=FollowUp,
        pk=pk,
        related=("case",),
        not_found=_("No such follow-up."),
        case=case,
    )
    return follow_up


def case_transfers(*, actor: Any, case: Case) -> list[CaseTransfer]:
    return list(
        restrict(CaseTransfer.objects.filter(case=case), actor).select_related(
            "from_agency", "to_agency", "transferred_by"
        )
    )


def follow_ups_due(*, actor: Any, within_days: int = 7, limit: int = 10) -> list[FollowUp]:
    """The actor's planned follow-ups due within a week (or overdue), for the home page."""
    until = timezone.localdate() + datetime.timedelta(days=within_days)
    return list(
        restrict(FollowUp.objects.all(), actor)
        .filter(caseworker_id=actor.pk, status=FollowUpStatus.PLANNED, due_on__lte=until)
        .select_related("case")
        .order_by("due_on", "id")[:limit]
    )


def _mask_assessments(actor: Any, assessments: list[NeedsAssessment]) -> list[NeedsAssessment]:
    cleared = clearances(actor)
    for assessment in assessments:
        assessment.readable = not assessment.sensitivity or assessment.sensitivity in cleared
    return assessments


def case_assessments(*, actor: Any, case: Case) -> dict[int, NeedsAssessment]:
    """The current (newest) assessment of each victim of the case the actor sees, by
    participant id; `readable` says whether the actor may read its content."""
    rows = _mask_assessments(
        actor,
        list(
            restrict(NeedsAssessment.objects.filter(participant__case=case), actor)
            .select_related("assessed_by")
            .order_by("participant_id", "-version")
        ),
    )
    current: dict[int, NeedsAssessment] = {}
    for row in rows:
        current.setdefault(row.participant_id, row)
    return current


def assessment_history(*, actor: Any, participant: Participant) -> list[NeedsAssessment]:
    """Every version of the victim's assessment the actor may see, newest first."""
    return _mask_assessments(
        actor,
        list(
            restrict(NeedsAssessment.objects.filter(participant=participant), actor)
            .select_related("assessed_by")
            .order_by("-version")
        ),
    )


def case_child_steps(
    *, actor: Any, case: Case, participants: list[Participant]
) -> list[dict[str, Any]]:
    """For each child victim among `participants` (those the actor sees): the recorded steps
    (None if none) and what a transfer would still need."""
    children = [p for p in participants if is_child(p)]
    if not children:
        return []
    steps = {
        s.participant_id: s
        for s in restrict(
            ChildProtection.objects.filter(participant__in=children), actor
        ).select_related("guardian_agency")
    }
    rows = []
    for child in children:
        child_steps = steps.get(child.pk)
        # missing_steps reads the relation; give it the row the actor may see.
        child.child_protection = child_steps  # type: ignore[attr-defined]
        rows.append(
            {
                "participant": child,
                "steps": child_steps,
                "missing": missing_steps(child, purpose="transfer"),
            }
        )
    return rows
