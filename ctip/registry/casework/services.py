"""Writes of case management: assign a caseworker, write notes, plan and record follow-up
visits, transfer a case to another agency. Each validated, in one transaction, audited."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ctip.access.choices import Action, NotificationKind
from ctip.access.models import Agency, User
from ctip.access.policies import RECORD_ROLES
from ctip.access.selectors import agency_staff
from ctip.access.services import notification_send
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal

from ..choices import FollowUpKind, FollowUpStatus, NoteSensitivity, ShareReason
from ..models import Case, CaseShare, Participant
from ..services.base import MASKED_IN_AUDIT, _require
from ..services.cases import identity_share_check
from ..validation import Errors, check_choice
from .models import CaseNote, CaseTransfer, FollowUp
from .selectors import caseworker_choices

NOTE_MAX = 5000
OUTCOME_MAX = 5000
REASON_MAX = 500


def _case_url(case: Case) -> str:
    return reverse("registry:case-detail", args=[case.pk])


def _open(case: Case) -> None:
    if case.is_closed:
        raise PermissionDenied(_("The case is closed; reopen it to add to it."))


def _check_participant(errors: Errors, case: Case, participant: Participant | None) -> None:
    if participant is not None and participant.case_id != case.pk:
        errors.add("participant", _("This person is not in this case."))


@audited_atomic
def case_assign(*, actor: Any, case: Case, caseworker: User | None) -> Case:
    """Give the case to a caseworker of its owning agency (None: nobody), and tell them."""
    _require(actor, case, Action.CHANGE)
    if caseworker is not None and caseworker not in caseworker_choices(case=case):
        raise ValidationError(
            {
                "caseworker": [
                    _("The caseworker must be staff of %(agency)s.")
                    % {"agency": case.owning_agency.code}
                ]
            }
        )
    before = case.assigned_to_id
    if before == (caseworker.pk if caseworker else None):
        return case
    case.assigned_to = caseworker
    case.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"assigned_to": [before, caseworker.pk if caseworker else None]},
    )
    if caseworker is not None and caseworker.pk != getattr(actor, "pk", None):
        notification_send(
            recipients=[caseworker],
            kind=NotificationKind.ASSIGNMENT,
            text=gettext_noop("Case %(case)s was assigned to you."),
            params={"case": case.reference},
            url=_case_url(case),
        )
    return case


@audited_atomic
def case_note_add(
    *,
    actor: Any,
    case: Case,
    text: str,
    sensitivity: str = NoteSensitivity.ORDINARY,
    participant: Participant | None = None,
) -> CaseNote:
    """Write a note on the case; a sensitive one is read only by roles cleared for its level."""
    errors = Errors()
    text = text.strip()
    if not text:
        errors.add("text", _("Write the note."))
    elif len(text) > NOTE_MAX:
        errors.add("text", _("At most %(n)s characters.") % {"n": NOTE_MAX})
    check_choice(errors, "sensitivity", sensitivity, NoteSensitivity.values)
    _check_participant(errors, case, participant)
    errors.raise_if_any()
    _require(actor, case, Action.CHANGE)
    note = CaseNote.objects.create(
        case=case,
        participant=participant,
        text=text,
        sensitivity=sensitivity,
        author=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=note,
        changes={
            "case": [None, case.reference],
            "text": [None, MASKED_IN_AUDIT],
            "sensitivity": [None, sensitivity],
        },
    )
    return note


@audited_atomic
def follow_up_plan(
    *,
    actor: Any,
    case: Case,
    kind: str,
    due_on: datetime.date,
    participant: Participant | None = None,
    caseworker: User | None = None,
) -> FollowUp:
    """Plan a follow-up visit or call; the caseworker (or the case's) is told."""
    errors = Errors()
    check_choice(errors, "kind", kind, FollowUpKind.values)
    _check_participant(errors, case, participant)
    if due_on < case.opened_on:
        errors.add("due_on", _("The visit cannot be before the case was opened."))
    caseworker = caseworker or case.assigned_to
    if caseworker is not None and caseworker not in caseworker_choices(case=case):
        errors.add(
            "caseworker",
            _("The caseworker must be staff of %(agency)s.") % {"agency": case.owning_agency.code},
        )
    errors.raise_if_any()
    _require(actor, case, Action.CHANGE)
    _open(case)
    follow_up = FollowUp.objects.create(
        case=case, participant=participant, kind=kind, due_on=due_on, caseworker=caseworker
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=follow_up,
        changes={
            "case": [None, case.reference],
            "kind": [None, kind],
            "due_on": [None, str(due_on)],
        },
    )
    if caseworker is not None and caseworker.pk != getattr(actor, "pk", None):
        notification_send(
            recipients=[caseworker],
            kind=NotificationKind.FOLLOW_UP,
            text=gettext_noop("A follow-up in case %(case)s is due on %(date)s."),
            params={"case": case.reference, "date": due_on.isoformat()},
            url=_case_url(case),
        )
    return follow_up


@audited_atomic
def follow_up_record(
    *,
    actor: Any,
    follow_up: FollowUp,
    status: str,
    done_on: datetime.date | None = None,
    outcome: str = "",
) -> FollowUp:
    """Record how a planned follow-up went: done (when, what was found) or missed."""
    errors = Errors()
    check_choice(errors, "status", status, [FollowUpStatus.DONE, FollowUpStatus.MISSED])
    outcome = outcome.strip()
    if len(outcome) > OUTCOME_MAX:
        errors.add("outcome", _("At most %(n)s characters.") % {"n": OUTCOME_MAX})
    if status == FollowUpStatus.DONE and done_on is None:
        errors.add("done_on", _("Say when the visit took place."))
    if done_on is not None and done_on > timezone.localdate():
        errors.add("done_on", _("The date %(date)s is in the future.") % {"date": done_on})
    if follow_up.status != FollowUpStatus.PLANNED:
        errors.add("status", _("This follow-up was already recorded."))
    errors.raise_if_any()
    _require(actor, follow_up.case, Action.CHANGE)
    before = follow_up.status
    follow_up.status, follow_up.done_on, follow_up.outcome = status, done_on, outcome
    follow_up.save(update_fields=["status", "done_on", "outcome"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=follow_up,
        changes={
            "status": [before, status],
            "outcome": [None, MASKED_IN_AUDIT if outcome else ""],
        },
    )
    return follow_up


@audited_atomic
def case_transfer(
    *, actor: Any, case: Case, to_agency: Agency, reason: str, override_reason: str = ""
) -> CaseTransfer:
    """Hand the case to another agency, which owns it from now on; the former owner keeps
    reading and adding to it (a direct share). Victims' identities go with it, so their
    consent is checked as for any share (a supervisor may override, saying why)."""
    errors = Errors()
    reason = reason.strip()
    if not reason:
        errors.add("reason", _("Say why the case is transferred."))
    elif len(reason) > REASON_MAX:
        errors.add("reason", _("At most %(n)s characters.") % {"n": REASON_MAX})
    if not to_agency.is_active:
        errors.add("to_agency", _("%(agency)s is no longer active.") % {"agency": to_agency.code})
    elif to_agency.pk == case.owning_agency_id:
        errors.add(
            "to_agency", _("The case already belongs to %(agency)s.") % {"agency": to_agency.code}
        )
    errors.raise_if_any()
    # Only the owner's side passes a case on, as for sharing.
    _require(actor, case, Action.SHARE)
    consented = identity_share_check(
        actor=actor,
        case=case,
        agency=to_agency,
        override_reason=override_reason,
        purpose="transfer",
    )
    if not agency_staff(agency_ids=[to_agency.pk], roles=RECORD_ROLES):
        raise refusal(
            ValidationError(
                {
                    "to_agency": [
                        _("%(agency)s has no staff to take the case.") % {"agency": to_agency.code}
                    ]
                }
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "transfer"},
        )
    former = case.owning_agency
    transfer = CaseTransfer.objects.create(
        case=case,
        from_agency=former,
        to_agency=to_agency,
        reason=reason,
        consent_override=not consented,
        transferred_by=actor if getattr(actor, "pk", None) else None,
    )
    CaseShare.objects.filter(case=case, agency=to_agency).delete()
    CaseShare.objects.update_or_create(
        case=case, agency=former, defaults={"reason": ShareReason.SHARED}
    )
    case.owning_agency = to_agency
    case.assigned_to = None
    case.save(update_fields=["owning_agency", "assigned_to", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"owning_agency": [former.code, to_agency.code]},
        detail={"transfer": transfer.pk, "consent_override": not consented},
    )
    notification_send(
        recipients=agency_staff(agency_ids=[to_agency.pk]),
        kind=NotificationKind.TRANSFER,
        text=gettext_noop("Case %(case)s was transferred to your agency by %(agency)s."),
        params={"case": case.reference, "agency": former.code},
        url=_case_url(case),
    )
    return transfer
