"""Writes of case management: assign a caseworker, write notes, plan and record follow-up
visits, transfer a case to another agency, assess a victim's needs and risks, record a child's
protection steps. Each validated, in one transaction, audited."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
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

from ..choices import (
    FollowUpKind,
    FollowUpStatus,
    GuardianRelationship,
    NeedArea,
    NeedLevel,
    NoteSensitivity,
    ParticipantRole,
    RiskLevel,
    ShareReason,
)
from ..models import Case, CaseShare, Participant
from ..services.base import MASKED_IN_AUDIT, _require, _require_open
from ..services.cases import identity_share_check
from ..validation import Errors, check_choice
from .children import is_child, missing_steps
from .models import CaseNote, CaseTransfer, ChildProtection, FollowUp, NeedsAssessment
from .selectors import caseworker_choices

NOTE_MAX = 5000
OUTCOME_MAX = 5000
REASON_MAX = 500
AREA_NOTE_MAX = 2000
CHILD_TEXT_MAX = 5000
GUARDIAN_NAME_MAX = 200


def _case_url(case: Case) -> str:
    return reverse("registry:case-detail", args=[case.pk])


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
    # Asked first: one who may not change the case learns nothing from the checks below.
    _require(actor, case, Action.CHANGE)
    errors = Errors()
    text = text.strip()
    if not text:
        errors.add("text", _("Write the note."))
    elif len(text) > NOTE_MAX:
        errors.add("text", _("At most %(n)s characters.") % {"n": NOTE_MAX})
    check_choice(errors, "sensitivity", sensitivity, NoteSensitivity.values)
    _check_participant(errors, case, participant)
    errors.raise_if_any()
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
    # Asked first: one who may not change the case learns nothing from the checks below.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
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
    # Asked first: one who may not change the case learns nothing from the checks below.
    _require(actor, follow_up.case, Action.CHANGE)
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
    # Only the owner's side passes a case on, as for sharing; asked first, so that one who may
    # not transfer learns nothing from the checks below (who owns the case, its children).
    _require(actor, case, Action.SHARE)
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
    # Asked only of those who may transfer: the answer names the case's children.
    _check_children_for_transfer(errors, case)
    errors.raise_if_any()
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


def _check_children_for_transfer(errors: Errors, case: Case) -> None:
    """A transfer hands a child's care to another agency: the child's best interests must have
    been assessed and a guardian appointed first (decision 0150)."""
    victims = Participant.objects.filter(case=case, role=ParticipantRole.VICTIM).select_related(
        "person", "victim_profile", "child_protection"
    )
    for victim in victims:
        missing = missing_steps(victim, purpose="transfer")
        if missing:
            errors.add(
                "__all__",
                _("Person %(id)s is a child; before the case is transferred, record: %(missing)s.")
                % {"id": victim.person_id, "missing": "; ".join(missing)},
            )


def _text(errors: Errors, field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors.add(field, _("At most %(n)s characters.") % {"n": limit})
    return value


def _not_future(errors: Errors, field: str, value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors.add(field, _("The date %(date)s is in the future.") % {"date": value})


@audited_atomic
def assessment_record(
    *,
    actor: Any,
    participant: Participant,
    needs: dict[str, dict[str, str]],
    risk_level: str,
    risk_reasons: str,
    sensitivity: str = NoteSensitivity.HEALTH,
) -> NeedsAssessment:
    """Record a new version of the victim's needs and risk assessment: per area (NeedArea) a
    level (NeedLevel) and a note; a risk level and its reasons. Earlier versions are kept."""
    # Asked first: one who may not change the case learns nothing from the checks below.
    case = participant.case
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    errors = Errors()
    if participant.role != ParticipantRole.VICTIM:
        errors.add("participant", _("Only a victim's needs are assessed here."))
    cleaned: dict[str, dict[str, str]] = {}
    for area, entry in (needs or {}).items():
        if area not in NeedArea.values:
            errors.add("needs", _("%(value)r is not an allowed value.") % {"value": area})
            continue
        level = (entry or {}).get("level") or NeedLevel.UNKNOWN
        check_choice(errors, f"{area}_level", level, NeedLevel.values)
        note = _text(errors, f"{area}_note", (entry or {}).get("note", ""), AREA_NOTE_MAX)
        cleaned[area] = {"level": level, "note": note}
    for area in NeedArea.values:
        cleaned.setdefault(area, {"level": NeedLevel.UNKNOWN, "note": ""})
    check_choice(errors, "risk_level", risk_level, RiskLevel.values)
    reasons = _text(errors, "risk_reasons", risk_reasons, AREA_NOTE_MAX)
    if not reasons:
        errors.add("risk_reasons", _("Say why the risk is at this level."))
    check_choice(errors, "sensitivity", sensitivity, NoteSensitivity.values)
    errors.raise_if_any()
    # The victim's row is locked so that two officers saving at once get versions n and n+1.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    latest = NeedsAssessment.objects.filter(participant=participant).order_by("-version").first()
    assessment = NeedsAssessment.objects.create(
        participant=participant,
        version=(latest.version + 1) if latest else 1,
        needs=cleaned,
        risk_level=risk_level,
        risk_reasons=reasons,
        sensitivity=sensitivity,
        assessed_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        changes={
            "participant": [None, participant.pk],
            "version": [None, assessment.version],
            "risk_level": [latest.risk_level if latest else None, risk_level],
            "needs": [None, MASKED_IN_AUDIT],
            "risk_reasons": [None, MASKED_IN_AUDIT],
            "sensitivity": [None, sensitivity],
        },
    )
    return assessment


CHILD_TEXTS = ("assessment", "determination", "guardian_name")


@audited_atomic
def child_steps_save(
    *,
    actor: Any,
    participant: Participant,
    assessed_on: datetime.date | None = None,
    assessment: str = "",
    determined_on: datetime.date | None = None,
    determination: str = "",
    guardian_name: str = "",
    guardian_relationship: str = "",
    guardian_agency: Agency | None = None,
    guardian_appointed_on: datetime.date | None = None,
) -> ChildProtection:
    """Record a child victim's best-interest assessment and determination and the guardian
    appointed for the child (each part may come later; each given part must be whole)."""
    # Asked first: one who may not change the case learns nothing from the checks below.
    case = participant.case
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    errors = Errors()
    if not is_child(participant):
        errors.add(
            "participant",
            _("Person %(id)s is not a child victim; these steps are for children.")
            % {"id": participant.person_id},
        )
    assessment = _text(errors, "assessment", assessment, CHILD_TEXT_MAX)
    determination = _text(errors, "determination", determination, CHILD_TEXT_MAX)
    guardian_name = _text(errors, "guardian_name", guardian_name, GUARDIAN_NAME_MAX)
    for date_field, text_field, value, text in (
        ("assessed_on", "assessment", assessed_on, assessment),
        ("determined_on", "determination", determined_on, determination),
    ):
        _not_future(errors, date_field, value)
        if text and value is None:
            errors.add(date_field, _("Give the date."))
        if value is not None and not text:
            errors.add(text_field, _("Write what was found."))
    if determination and not assessment:
        errors.add("determination", _("A determination follows an assessment: record it first."))
    _not_future(errors, "guardian_appointed_on", guardian_appointed_on)
    if guardian_relationship:
        check_choice(
            errors, "guardian_relationship", guardian_relationship, GuardianRelationship.values
        )
    if guardian_name and not guardian_relationship:
        errors.add("guardian_relationship", _("Say who the guardian is to the child."))
    if (guardian_relationship or guardian_agency or guardian_appointed_on) and not guardian_name:
        errors.add("guardian_name", _("Give the guardian's name."))
    if guardian_agency is not None and not guardian_agency.is_active:
        errors.add(
            "guardian_agency",
            _("%(agency)s is no longer active.") % {"agency": guardian_agency.code},
        )
    errors.raise_if_any()
    steps = ChildProtection.objects.filter(participant=participant).first()
    created = steps is None
    if steps is None:
        steps = ChildProtection(participant=participant)
    before = {
        "assessed_on": steps.assessed_on,
        "determined_on": steps.determined_on,
        "guardian_relationship": steps.guardian_relationship,
        "guardian_agency": steps.guardian_agency.code if steps.guardian_agency else None,
        "guardian_appointed_on": steps.guardian_appointed_on,
    }
    old_texts = {name: getattr(steps, name) for name in CHILD_TEXTS}
    steps.assessed_on, steps.assessment = assessed_on, assessment
    steps.determined_on, steps.determination = determined_on, determination
    steps.guardian_name, steps.guardian_relationship = guardian_name, guardian_relationship
    steps.guardian_agency, steps.guardian_appointed_on = guardian_agency, guardian_appointed_on
    steps.updated_by = actor if getattr(actor, "pk", None) else None
    steps.save()
    after = {
        "assessed_on": assessed_on,
        "determined_on": determined_on,
        "guardian_relationship": guardian_relationship,
        "guardian_agency": guardian_agency.code if guardian_agency else None,
        "guardian_appointed_on": guardian_appointed_on,
    }
    changes: dict[str, Any] = {
        name: [_iso(before[name]), _iso(after[name])]
        for name in after
        if before[name] != after[name]
    }
    for name in CHILD_TEXTS:
        if old_texts[name] != getattr(steps, name):
            new = getattr(steps, name)
            changes[name] = [
                MASKED_IN_AUDIT if old_texts[name] else "",
                MASKED_IN_AUDIT if new else "",
            ]
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=steps,
        changes=changes,
        detail={"participant": participant.pk},
    )
    return steps


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value
