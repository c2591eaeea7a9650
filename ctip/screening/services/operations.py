"""Operations: recording a raid, rescue or interception, and who may change one."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.access.policies import can_create_in, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Province
from ctip.registry import services as registry
from ctip.registry.choices import CaseKind, CaseSource
from ctip.registry.models import Case
from ctip.registry.validation import Errors, check_choice, check_not_future

from ..choices import (
    OperationKind,
)
from ..models import Operation

# --- operations ---------------------------------------------------------------------------


@audited_atomic
def operation_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    conducted_on: datetime.date,
    province: Province,
    place: str,
    lead_agency: Agency,
    agencies: Iterable[Agency] = (),
    case_kind: str = CaseKind.FORCED_CRIMINALITY,
) -> Operation:
    """Record an operation and open its case (source "operation") owned by the lead agency;
    the other agencies taking part get the case shared with them."""
    errors = Errors()
    check_choice(errors, "kind", kind, OperationKind.values)
    check_choice(errors, "case_kind", case_kind, CaseKind.values)
    check_not_future(errors, "conducted_on", conducted_on)
    if not name.strip():
        errors.add("name", _("This field is required."))
    if not place.strip():
        errors.add("place", _("This field is required."))
    others = [a for a in agencies if a.pk != lead_agency.pk]
    errors.raise_if_any()
    if not can_create_in(actor, lead_agency.pk):
        raise refusal(
            PermissionDenied(
                _("You may not record operations for %(agency)s.") % {"agency": lead_agency.code}
            ),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="screening.operation",
            detail={"wanted": "create", "lead_agency": lead_agency.code},
        )
    case = registry.case_create(
        actor=actor,
        kind=case_kind,
        source=CaseSource.OPERATION,
        owning_agency=lead_agency,
        province=province,
        opened_on=conducted_on,
        summary=name.strip(),
    )
    operation = Operation.objects.create(
        case=case,
        kind=kind,
        name=name.strip(),
        conducted_on=conducted_on,
        province=province,
        place=place.strip(),
        lead_agency=lead_agency,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    operation.agencies.set(others)
    for agency in others:
        # A new case has no victims yet: sharing it needs no consent.
        registry.case_share(actor=actor, case=case, agency=agency)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=operation,
        changes={
            "kind": [None, kind],
            "name": [None, operation.name],
            "conducted_on": [None, conducted_on.isoformat()],
            "lead_agency": [None, lead_agency.code],
            "agencies": [None, sorted(a.code for a in others)],
            "case": [None, case.reference],
        },
    )
    return operation


def require_operation_change(actor: Any, operation: Operation) -> None:
    """Refuse, audited, unless the actor may add to the operation's case."""
    if not restrict(Case.objects.filter(pk=operation.case_id), actor, Action.CHANGE).exists():
        raise refusal(
            PermissionDenied(_("You may not add to this operation.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=operation,
            detail={"wanted": "change"},
        )
    if operation.case.is_closed:
        raise PermissionDenied(_("The operation's case is closed; reopen it to add to it."))
