"""What every investigations write checks: who may record; notes, dates, names, aliases."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audited_atomic, refusal
from ctip.registry.models import Case
from ctip.registry.validation import Errors, check_text, text_problem

from ..selectors import may_change_case

# At most this many open cases are alerted per new use: an identifier shared by hundreds of
# cases (a compound's address) is a known hub, not news to each of them.
ALERT_LIMIT = 50
MAX_NOTE = 1000
MAX_AD_TEXT = 20_000
MAX_ALIASES = 20
# The file store's purpose of job-ad screenshots (readable with the ad: apps.py).
SCREENSHOT_PURPOSE = "investigations.jobad"


def require_change(actor: Any, case: Case) -> None:
    """Refuse (and audit) a write in a case the actor may not change for investigations."""
    if not may_change_case(actor, case):
        raise refusal(
            PermissionDenied(_("You may not record in this case.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "investigations change"},
        )


def check_note(errors: Errors, field: str, note: str) -> None:
    if len(note) > MAX_NOTE:
        errors.add(field, _("At most %(n)d characters.") % {"n": MAX_NOTE})
    problem = text_problem(note, multiline=True)
    if problem:
        errors.add(field, problem)


def check_date(errors: Errors, field: str, value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors.add(field, _("The date is in the future."))


def check_name(errors: Errors, field: str, value: str, limit: int = 300) -> None:
    if not (value or "").strip():
        errors.add(field, _("This field is required."))
    elif len(value) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit})
    else:
        check_text(errors, field, value)


def check_other_names(errors: Errors, field: str, aliases: Iterable[str]) -> list[str]:
    """Other names of an organisation, cleaned. Not the registry's check_aliases: company
    names run to 300 characters where a person's alias stops at 100."""
    cleaned = [" ".join(str(a).split()) for a in aliases if str(a).strip()]
    if len(cleaned) > MAX_ALIASES:
        errors.add(field, _("At most %(n)d other names.") % {"n": MAX_ALIASES})
    for alias in cleaned:
        if len(alias) > 300:
            errors.add(field, _("At most %(n)d characters.") % {"n": 300})
        elif problem := text_problem(alias):
            errors.add(field, problem)
    return cleaned


def acting_agency(actor: Any) -> Agency | None:
    scope = actor_scope(actor)
    agency_ids = sorted(scope.agencies_with(frozenset(scope.roles)))
    return Agency.objects.filter(pk__in=agency_ids[:1]).first()


def require_investigation_role(actor: Any) -> None:
    scope = actor_scope(actor)
    if not scope.has_role(Role.INVESTIGATOR, Role.CASE_OFFICER, Role.SUPERVISOR):
        raise refusal(
            PermissionDenied(_("You may not record organisations or compounds.")),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="investigations.organisation",
        )


@audited_atomic
def may_record(actor: Any, case: Case) -> bool:
    """Whether the case page offers its forms (the services decide again)."""
    return may_change_case(actor, case)
