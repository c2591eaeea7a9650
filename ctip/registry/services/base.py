"""What every registry write shares: the case reference, the access check, audit diffs."""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.masking import MASK, is_sensitive
from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, refusal

from ..fields import EncryptedTextField
from ..models import (
    Case,
)

# Fields whose values never enter the audit trail: a diff says only that they changed.
# Encrypted fields and every field the sensitivity registry (access.masking) lists.
MASKED_IN_AUDIT = MASK


def case_reference(case_id: int, opened_on: datetime.date) -> str:
    """The human-readable reference: year opened and a zero-padded serial, e.g. CT-2024-0001234."""
    return f"CT-{opened_on.year}-{case_id:07d}"


def _require(actor: Any, case: Case, action: str) -> None:
    """Refuse, and audit the refusal, when the actor may not do this to the case."""
    if not restrict(Case.objects.filter(pk=case.pk), actor, action).exists():
        raise refusal(
            PermissionDenied(_("You may not %(action)s this case.") % {"action": action}),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": action},
        )


def _require_open(actor: Any, case: Case, wanted: str = Action.CHANGE) -> None:
    """Refuse, and audit the refusal as any other, an addition to a closed case. Asked after
    _require: only one who may change the case learns that it is closed."""
    if case.is_closed:
        raise refusal(
            PermissionDenied(_("The case is closed; reopen it to add to it.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": wanted, "refused": "case closed"},
        )


def _audit_value(instance: Model, field: str, value: Any) -> Any:
    model_field = instance._meta.get_field(field)
    if isinstance(model_field, EncryptedTextField) or is_sensitive(instance, field):
        return MASKED_IN_AUDIT if value not in (None, "", []) else value
    if isinstance(value, datetime.date | Model):
        return str(value.pk if isinstance(value, Model) else value)
    return value


def _diff(instance: Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level before/after, with encrypted fields masked."""
    diff = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        if old != new:
            diff[field] = [_audit_value(instance, field, old), _audit_value(instance, field, new)]
    return diff


def _save_changes(
    *,
    actor: Any,
    instance: Model,
    changes: dict[str, Any],
    prepare: Callable[[Any], None] | None = None,
) -> None:
    """Set the changes, validate and save the record, and audit what differed (no event when
    nothing did). `prepare` derives what the changes imply (search keys) before validation."""
    diff = _diff(instance, changes)
    for field, value in changes.items():
        setattr(instance, field, value)
    if prepare is not None:
        prepare(instance)
    instance.full_clean()
    instance.save()
    if diff:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=instance, changes=diff)


def _created(instance: Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    return {f: [None, _audit_value(instance, f, getattr(instance, f))] for f in fields}
