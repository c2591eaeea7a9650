"""Writes to cases: open, change, close, reopen and share (with the identity-share check)."""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.consent import can_override_consent
from ctip.access.models import Agency
from ctip.access.policies import can_create_in
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Province

from ..choices import (
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    ParticipantRole,
    ShareReason,
)
from ..models import (
    Case,
    CaseShare,
    Participant,
)
from ..validation import (
    Errors,
    check_choice,
    check_not_future,
    check_order,
)
from .base import _created, _diff, _require, _save_changes, case_reference

# --- cases ---------------------------------------------------------------------------------


def _validate_case(errors: Errors, data: dict[str, Any]) -> None:
    if "kind" in data:
        check_choice(errors, "kind", data["kind"], CaseKind.values)
    if "source" in data:
        check_choice(errors, "source", data["source"], CaseSource.values)
    if "status" in data:
        check_choice(errors, "status", data["status"], CaseStatus.values)
    if "opened_on" in data:
        check_not_future(errors, "opened_on", data["opened_on"])


@audited_atomic
def case_create(
    *,
    actor: Any,
    kind: str,
    source: str,
    owning_agency: Agency,
    province: Province,
    opened_on: datetime.date,
    summary: str = "",
    status: str = CaseStatus.ACTIVE,
    external_id: str | None = None,
) -> Case:
    """Register a new case owned by an agency the actor works for."""
    errors = Errors()
    _validate_case(
        errors, {"kind": kind, "source": source, "status": status, "opened_on": opened_on}
    )
    if status in CLOSED_STATUSES:
        errors.add("status", _("A new case cannot start closed; close it after registering it."))
    errors.raise_if_any()
    if not can_create_in(actor, owning_agency.pk):
        raise refusal(
            PermissionDenied(
                _("You may not register cases for %(agency)s.") % {"agency": owning_agency.code}
            ),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="registry.case",
            detail={"wanted": "create", "owning_agency": owning_agency.code},
        )
    case = Case(
        reference=f"pending-{uuid.uuid4().hex[:24]}",
        kind=kind,
        source=source,
        status=status,
        owning_agency=owning_agency,
        province=province,
        opened_on=opened_on,
        summary=summary,
        external_id=external_id,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    case.full_clean(exclude=["reference"])
    case.save()
    case.reference = case_reference(case.pk, opened_on)
    case.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        changes=_created(
            case,
            [
                "reference",
                "kind",
                "source",
                "status",
                "owning_agency",
                "province",
                "opened_on",
                "summary",
            ],
        ),
    )
    return case


CASE_EDITABLE = ("kind", "source", "province", "opened_on", "summary", "status")


@audited_atomic
def case_update(*, actor: Any, case: Case, **changes: Any) -> Case:
    """Change a case's editable fields; closing goes through case_close."""
    # Asked first: one who may not change the case learns nothing from the checks below
    # (opened_on is checked against the closing date).
    _require(actor, case, Action.CHANGE)
    if case.is_closed:
        raise refusal(
            PermissionDenied(_("A closed case cannot be edited; reopen it first.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "change", "refused": "case closed"},
        )
    unknown = set(changes) - set(CASE_EDITABLE)
    if unknown:  # e.g. owning_agency: moving a case is not an edit; refused and audited
        raise refusal(
            ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)}),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "change", "fields": sorted(unknown)},
        )
    errors = Errors()
    _validate_case(errors, changes)
    if changes.get("status") in CLOSED_STATUSES and not case.is_closed:
        errors.add("status", _("Use 'Close case' to close a case."))
    if "opened_on" in changes:
        check_order(
            errors, "opened_on", changes["opened_on"], case.closed_on or changes["opened_on"]
        )
    errors.raise_if_any()
    _save_changes(actor=actor, instance=case, changes=changes)
    return case


@audited_atomic
def case_close(
    *,
    actor: Any,
    case: Case,
    status: str = CaseStatus.CLOSED,
    closed_on: datetime.date | None = None,
    reason: str = "",
) -> Case:
    """Close a case (HTCDS: closed, or closed-referred). Needs a supervisor of the case."""
    # Asked first: the checks below would tell one who may not close the case whether it is
    # closed and when it was opened.
    _require(actor, case, Action.CLOSE)
    closed_on = closed_on or timezone.localdate()
    errors = Errors()
    check_choice(errors, "status", status, sorted(CLOSED_STATUSES))
    check_not_future(errors, "closed_on", closed_on)
    check_order(errors, "closed_on", case.opened_on, closed_on)
    if not reason.strip():
        errors.add("reason", _("Say why the case is closed."))
    if case.is_closed:
        errors.add("status", _("The case is already closed."))
    errors.raise_if_any()
    diff = _diff(case, {"status": status, "closed_on": closed_on, "closure_reason": reason})
    case.status, case.closed_on, case.closure_reason = status, closed_on, reason
    case.save(update_fields=["status", "closed_on", "closure_reason", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CLOSE, obj=case, changes=diff)
    return case


@audited_atomic
def case_reopen(*, actor: Any, case: Case) -> Case:
    """Reopen a closed case for follow-up."""
    # Asked first: whether the case is closed is the case's to tell.
    _require(actor, case, Action.CLOSE)
    if not case.is_closed:
        raise PermissionDenied(_("The case is not closed."))
    diff = _diff(case, {"status": CaseStatus.FOLLOW_UP, "closed_on": None})
    case.status, case.closed_on = CaseStatus.FOLLOW_UP, None
    case.save(update_fields=["status", "closed_on", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, changes=diff)
    return case


def victims_without_consent(case: Case) -> list[Participant]:
    """Victims of the case whose consent to share their identity is not recorded."""
    return [
        p
        for p in Participant.objects.filter(case=case, role=ParticipantRole.VICTIM).select_related(
            "victim_profile"
        )
        if not getattr(getattr(p, "victim_profile", None), "consent_to_share", False)
    ]


def identity_share_check(
    *, actor: Any, case: Case, agency: Agency, override_reason: str = "", purpose: str = "share"
) -> bool:
    """Refuse to pass victims' identities to another agency without consent or an override.

    Every service that shares or refers a case calls this first (referrals, exchange). True:
    every victim consented. False: some did not, and a supervisor overrode with a reason
    (audited as consent_override). Otherwise it raises (ValidationError naming
    `override_reason`, or PermissionDenied), and the refusal is audited.
    """
    lacking = victims_without_consent(case)
    if not lacking:
        return True
    detail = {
        "wanted": purpose,
        "agency": agency.code,
        "victims_without_consent": [p.pk for p in lacking],
    }
    if not can_override_consent(actor, case.owning_agency_id):
        raise refusal(
            PermissionDenied(
                _(
                    "A victim in this case has not consented to sharing their identity; only a "
                    "supervisor may override."
                )
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail=detail,
        )
    if len(override_reason.strip()) < 10:
        raise refusal(
            ValidationError(
                {
                    "override_reason": _(
                        "A victim has not consented to sharing their identity. To share anyway, "
                        "say why (at least 10 characters)."
                    )
                }
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail=detail,
        )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_OVERRIDE,
        obj=case,
        detail={**detail, "reason": override_reason.strip()[:500]},
    )
    return False


@audited_atomic
def case_share(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    reason: str = "shared",
    override_reason: str = "",
) -> CaseShare:
    """Let another agency see the case, victims' identities included: consent or override.

    Only the owning agency (its supervisors above it, its province committee) may share; an
    agency that only received the case by a share or referral may not pass it on.
    """
    _require(actor, case, Action.SHARE)
    existing = CaseShare.objects.filter(case=case, agency=agency).first()
    # A referral opened only the referred persons' part; sharing outright opens the rest.
    if existing is not None and (existing.reason == reason or reason == ShareReason.REFERRAL):
        return existing
    identity_share_check(
        actor=actor, case=case, agency=agency, override_reason=override_reason, purpose=reason
    )
    if existing is not None:
        existing.reason = reason
        existing.save(update_fields=["reason"])
        share = existing
    else:
        share = CaseShare.objects.create(case=case, agency=agency, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"shared_with": [None, agency.code]},
        detail={"reason": reason},
    )
    return share
