"""What the verification app's writes share: text checks, the team rule, the audited refusal."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.audit.choices import AuditAction
from ctip.audit.services import refusal
from ctip.registry.validation import Errors, text_problem

from ..models import TeamMember, Verification
from ..selectors import may_change

# Lengths of what officers write: long enough for a page of notes, bounded for the database.
LONG_TEXT = 4000
SHORT_TEXT = 600


def check_words(
    errors: Errors,
    field: str,
    value: str,
    *,
    required: bool = False,
    limit: int = LONG_TEXT,
    message: str = "",
) -> str:
    """Clean free text: stripped, required when asked, bounded, no control characters."""
    value = (value or "").strip()
    if required and not value:
        errors.add(field, message or _("This field is required."))
    elif len(value) > limit:
        errors.add(field, _("Keep this under %(limit)d characters.") % {"limit": limit})
    elif value and (problem := text_problem(value, multiline=True)):
        errors.add(field, problem)
    return value


def denied(actor: Any, verification: Verification | None, wanted: str, message: str) -> Exception:
    """A PermissionDenied that audited_atomic records after the rollback."""
    return refusal(
        PermissionDenied(message),
        actor=actor,
        action=AuditAction.DENIED,
        object_type="verification.verification",
        object_id=verification.pk if verification is not None else "",
        detail={"wanted": wanted},
    )


def require_change(actor: Any, verification: Verification, wanted: str) -> None:
    """The team may change a verification until it is submitted for sign-off."""
    if not may_change(actor, verification):
        if verification.status not in ("planned", "visited"):
            message = _("This verification was submitted for sign-off; it can no longer change.")
        else:
            message = _("Only the verifying agency and the officers on the team may change this.")
        raise denied(actor, verification, wanted, message)


def _is_within(agency: Agency, unit: Agency) -> bool:
    """Whether `agency` is the unit or one of its sub-units (the tree is a few levels deep)."""
    seen: set[int] = set()
    current: Agency | None = agency
    while current is not None and current.pk not in seen:
        if current.pk == unit.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def team_problems(verification: Verification, members: list[TeamMember] | None = None) -> list[str]:
    """Why the team cannot verify yet: officers of at least two agencies, and, when the
    allegation concerns officials, at least one officer from outside the unit concerned."""
    if members is None:
        members = list(verification.team.select_related("agency", "agency__parent"))
    problems: list[str] = []
    agencies = {m.agency_id: m.agency for m in members}
    if len(agencies) < 2:
        problems.append(
            _("The team needs officers of at least two agencies; it has officers of %(n)d.")
            % {"n": len(agencies)}
        )
    unit = verification.unit_concerned
    if verification.concerns_officials and unit is not None:
        outsiders = [a for a in agencies.values() if not _is_within(a, unit)]
        if not outsiders:
            problems.append(
                _(
                    "The allegation concerns officials of %(unit)s: at least one officer on the "
                    "team must come from another unit."
                )
                % {"unit": unit.code}
            )
    return problems
