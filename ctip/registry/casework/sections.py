"""The case management section of the case page (registered in RegistryConfig.ready)."""

from typing import Any

from ctip.access.choices import Action

from ..choices import ParticipantRole
from ..hooks import PageSection, case_section_provider
from ..models import Case, Participant
from ..selectors import case_can
from .selectors import (
    case_assessments,
    case_child_steps,
    case_follow_ups,
    case_notes,
    case_transfers,
)


def casework_section(
    *, actor: Any, case: Case, participants: list[Participant], can_change: bool
) -> PageSection:
    return PageSection(
        template="registry/_casework.html",
        context={
            "case": case,
            "notes": case_notes(actor=actor, case=case),
            "follow_ups": case_follow_ups(actor=actor, case=case),
            "transfers": case_transfers(actor=actor, case=case),
            "victims": _victims(actor, case, participants),
            "children": case_child_steps(actor=actor, case=case, participants=participants),
            "can_change": can_change,
            "can_transfer": can_change and case_can(actor=actor, case=case, action=Action.SHARE),
        },
    )


def _victims(actor: Any, case: Case, participants: list[Participant]) -> list[dict[str, Any]]:
    """Each victim the actor sees, with the current assessment (None if not assessed)."""
    current = case_assessments(actor=actor, case=case)
    return [
        {"participant": p, "assessment": current.get(p.pk)}
        for p in participants
        if p.role == ParticipantRole.VICTIM
    ]


def register_sections() -> None:
    case_section_provider(casework_section)
