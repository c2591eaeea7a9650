"""The referral life cycle: sending a referral (consent, who may refer) and moving it along."""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.consent import can_override_consent
from ctip.access.masking import can_read
from ctip.access.models import Agency
from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.casework.children import missing_steps
from ctip.registry.choices import ParticipantRole, ShareReason
from ctip.registry.models import Case, CaseShare, Participant
from ctip.registry.validation import Errors, check_choice

from ..choices import (
    OPEN_REFERRAL_STATUSES,
    ConsentBasis,
    ReferralStatus,
    Service,
    Side,
    Transition,
)
from ..models import (
    Referral,
)
from ..tallies import tally_moved, tally_sent
from .base import (
    MASKED,
    _audited_refusal,
    staff_agencies,
)
from .notices import referral_notify
from .offers import (
    agency_offers,
    deadline_days,
)


def _resolve_agency(errors: Errors, value: Agency | int | str | None) -> Agency | None:
    if isinstance(value, Agency):
        return value
    if value in (None, ""):
        errors.add("to_agency", _("Choose the agency to refer to."))
        return None
    lookup = {"pk": value} if isinstance(value, int) or str(value).isdigit() else {"code": value}
    agency = Agency.objects.filter(**lookup).first()
    if agency is None:
        errors.add("to_agency", _("There is no agency %(agency)s.") % {"agency": value})
    return agency


def _sender_agency(errors: Errors, actor: Any, from_agency: Agency | None) -> Agency | None:
    mine = staff_agencies(actor)
    if from_agency is not None:
        if from_agency.pk not in mine:
            errors.add(
                "from_agency",
                _("You do not work for %(agency)s, so you cannot refer on its behalf.")
                % {"agency": from_agency.code},
            )
        return from_agency
    if len(mine) == 1:
        return Agency.objects.get(pk=next(iter(mine)))
    if not mine:
        errors.add("from_agency", _("You hold no case-work role in any agency."))
    else:
        errors.add("from_agency", _("Choose which of your agencies sends the referral."))
    return None


def _may_override(actor: Any, case: Case) -> bool:
    """Who may pass on a victim's identity without consent: the registry's one rule (a
    supervisor of the case's owning agency, or a superuser), as for sharing a case."""
    return can_override_consent(actor, case.owning_agency_id)


def _victim_label(actor: Any, participant: Participant) -> str:
    """How a refusal names a victim: by name where the actor reads names in clear, else by the
    person's number (which the case page shows beside the masked name)."""
    person = participant.person
    if can_read(actor, person, "display_name", person.pk) and person.display_name:
        return _("%(name)s (person %(id)s)") % {"name": person.display_name, "id": person.pk}
    return _("person %(id)s") % {"id": person.pk}


def _lacks_consent(participant: Participant) -> bool:
    profile = getattr(participant, "victim_profile", None)
    return participant.role == ParticipantRole.VICTIM and not (
        profile is not None and profile.consent_to_share
    )


def _consent_basis(
    errors: Errors, actor: Any, participant: Participant, case: Case, shares: bool
) -> str:
    if not shares or participant.role != ParticipantRole.VICTIM:
        return ConsentBasis.NOT_NEEDED
    if not _lacks_consent(participant):
        return ConsentBasis.CONSENT
    if _may_override(actor, case):
        return ConsentBasis.OVERRIDE
    errors.add(
        "shares_identity",
        _(
            "%(victim)s has not consented to sharing their identity. Record the consent "
            "first, or ask a supervisor of the case's agency to send it."
        )
        % {"victim": _victim_label(actor, participant)},
    )
    return ConsentBasis.NOT_NEEDED


def _already_open_to(receiver: Agency, participant: Participant) -> bool:
    """Whether the receiver already reads this participant's part of the case: the case was
    shared with it outright, or an earlier referral sent it this participant."""
    share = CaseShare.objects.filter(case_id=participant.case_id, agency=receiver).first()
    if share is None:
        return False
    return (
        share.reason == ShareReason.SHARED or share.participants.filter(pk=participant.pk).exists()
    )


def _check_victim_part_consent(
    errors: Errors, actor: Any, participant: Participant, case: Case, receiver: Agency, shares: bool
) -> bool:
    """A referral opens the referred person's part of the case file to the receiver (their
    person record and victim profile, identity included), whatever the referral's own
    `shares_identity` says; nothing of the other victims. So it needs the referred victim's
    recorded consent, or a supervisor allowed to override. True when the override was used."""
    if not _lacks_consent(participant) or _already_open_to(receiver, participant):
        return False
    if _may_override(actor, case):
        return True
    if not shares:  # with shares_identity, _consent_basis has said it about the same victim
        errors.add(
            "case",
            _(
                "A referral gives %(agency)s the case file of %(victim)s, who has not "
                "consented to sharing their identity. Record the consent first, or ask a "
                "supervisor of the case's agency to send it."
            )
            % {"agency": receiver.code, "victim": _victim_label(actor, participant)},
        )
    return False


def _check_child_steps(errors: Errors, participant: Participant, service: str) -> None:
    """A child is referred for a durable solution only once the child's best interests were
    determined and a guardian appointed (decision 0150); other services do not wait."""
    missing = missing_steps(participant, purpose="referral", service=service)
    if missing:
        errors.add(
            "service",
            _("Person %(id)s is a child; before a referral for %(service)s, record: %(missing)s.")
            % {
                "id": participant.person_id,
                "missing": "; ".join(missing),
                "service": Service(service).label,
            },
        )


def referral_send(
    *,
    actor: Any,
    participant: Participant,
    to_agency: Agency | int | str | None,
    service: str,
    from_agency: Agency | None = None,
    shares_identity: bool = False,
    note: str = "",
    deadline_stamp: str | None = None,
) -> Referral:
    """Refer a person in a case to another agency for a service.

    The receiving agency gets access to the case through a CaseShare with reason 'referral'.
    """

    def work() -> Referral:
        errors = Errors()
        check_choice(errors, "service", service, Service.values)
        receiver = _resolve_agency(errors, to_agency)
        sender = _sender_agency(errors, actor, from_agency)
        case = Case.objects.select_for_update().get(pk=participant.case_id)
        # A referral passes the case on, as a share does: the owner's side only (Action.SHARE);
        # an agency that received the case by a share or a referral may not pass it on. Asked
        # first: an actor who may not refer learns nothing from the checks below (consent,
        # open referrals).
        if not restrict(Case.objects.filter(pk=case.pk), actor, Action.SHARE).exists():
            raise PermissionDenied(
                _(
                    "Only the agency that owns the case (or its supervisors) may refer from it; "
                    "a case received by a share or a referral cannot be passed on."
                )
            )
        if case.is_closed:
            errors.add("case", _("Case %(case)s is closed; reopen it to refer.") % {"case": case})
        if receiver is not None:
            if not receiver.is_active:
                errors.add(
                    "to_agency", _("%(agency)s is no longer active.") % {"agency": receiver.code}
                )
            elif service in Service.values and not agency_offers(agency=receiver, service=service):
                errors.add(
                    "to_agency",
                    _("%(agency)s does not offer %(service)s.")
                    % {"agency": receiver.code, "service": Service(service).label},
                )
            if sender is not None and receiver.pk == sender.pk:
                errors.add("to_agency", _("An agency cannot refer to itself."))
            if Referral.objects.filter(
                participant=participant,
                to_agency=receiver,
                service=service,
                status__in=OPEN_REFERRAL_STATUSES,
            ).exists():
                errors.add(
                    "service",
                    _("This person already has an open referral to %(agency)s for this service.")
                    % {"agency": receiver.code},
                )
        basis = _consent_basis(errors, actor, participant, case, shares_identity)
        part_override = receiver is not None and _check_victim_part_consent(
            errors, actor, participant, case, receiver, shares_identity
        )
        days_accept, days_complete, stamp = (
            deadline_days(service) if service in Service.values else (0, 0, "")
        )
        if deadline_stamp is not None and deadline_stamp != stamp:
            errors.add(
                "due_on",
                _(
                    "The deadline rules for this service changed after you opened the form; "
                    "check the new due dates and send again."
                ),
            )
        errors.raise_if_any()
        # Asked only of those who may refer: the answer says the person is a child.
        child_errors = Errors()
        if service in Service.values:
            _check_child_steps(child_errors, participant, service)
        child_errors.raise_if_any()
        assert receiver is not None and sender is not None
        now = timezone.now()
        today = timezone.localdate(now)
        referral = Referral.objects.create(
            case=case,
            participant=participant,
            from_agency=sender,
            to_agency=receiver,
            service=service,
            province_id=case.province_id,
            shares_identity=shares_identity,
            consent_basis=basis,
            note=note,
            sent_at=now,
            accept_due_on=today + datetime.timedelta(days=days_accept),
            due_on=today + datetime.timedelta(days=days_complete),
            deadline_stamp=stamp,
            sent_by=actor if getattr(actor, "pk", None) else None,
        )
        tally_sent(referral)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=referral,
            agency_code=sender.code,
            changes={
                "case": [None, case.reference],
                "participant": [None, participant.pk],
                "from_agency": [None, sender.code],
                "to_agency": [None, receiver.code],
                "service": [None, service],
                "status": [None, ReferralStatus.SENT],
                "shares_identity": [None, shares_identity],
                "consent_basis": [None, basis],
                "note": [None, MASKED if note else ""],
                "due_on": [None, referral.due_on.isoformat()],
            },
            detail={"consent_override": True}
            if basis == ConsentBasis.OVERRIDE or part_override
            else None,
        )
        if not _already_open_to(receiver, participant):
            share, _created = CaseShare.objects.get_or_create(
                case=case, agency=receiver, defaults={"reason": ShareReason.REFERRAL}
            )
            share.participants.add(participant)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=case,
                changes={"shared_with": [None, receiver.code]},
                detail={
                    "reason": ShareReason.REFERRAL,
                    "referral": referral.pk,
                    "participant": participant.pk,
                },
            )
        referral_notify(referral=referral)
        return referral

    return _audited_refusal(
        actor=actor,
        wanted="referral_send",
        object_type="registry.participant",
        object_id=participant.pk,
        work=work,
    )


# --- moving a referral along -----------------------------------------------------------------

# transition: (states it may start from, state it ends in, who may do it, timestamp field)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str, str]] = {
    Transition.ACCEPT: (
        frozenset({ReferralStatus.SENT}),
        ReferralStatus.ACCEPTED,
        Side.RECEIVER,
        "accepted_at",
    ),
    Transition.DECLINE: (
        frozenset({ReferralStatus.SENT}),
        ReferralStatus.DECLINED,
        Side.RECEIVER,
        "declined_at",
    ),
    Transition.START: (
        frozenset({ReferralStatus.ACCEPTED}),
        ReferralStatus.IN_PROGRESS,
        Side.RECEIVER,
        "started_at",
    ),
    Transition.COMPLETE: (
        frozenset({ReferralStatus.IN_PROGRESS}),
        ReferralStatus.COMPLETED,
        Side.RECEIVER,
        "completed_at",
    ),
    Transition.CLOSE: (
        frozenset(OPEN_REFERRAL_STATUSES),
        ReferralStatus.CLOSED,
        Side.SENDER,
        "closed_at",
    ),
}


def transition_side_agency(referral: Referral, transition: str) -> int:
    """The agency whose staff may make this transition."""
    side = TRANSITIONS[transition][2]
    return referral.to_agency_id if side == Side.RECEIVER else referral.from_agency_id


def _transition(
    *, actor: Any, referral: Referral, transition: str, reason: str = "", outcome: str = ""
) -> Referral:
    def work() -> Referral:
        locked = (
            Referral.objects.select_for_update()
            .select_related("case", "from_agency", "to_agency")
            .get(pk=referral.pk)
        )
        starts, ends, side, stamp_field = TRANSITIONS[transition]
        errors = Errors()
        if locked.case.is_closed:
            errors.add(
                "case",
                _("Case %(case)s is closed; its referrals cannot change.") % {"case": locked.case},
            )
        if locked.status not in starts:
            errors.add(
                "status",
                _("A referral that is %(status)s cannot be moved to %(target)s.")
                % {
                    "status": ReferralStatus(locked.status).label.lower(),
                    "target": ReferralStatus(ends).label.lower(),
                },
            )
        if transition == Transition.DECLINE and not reason.strip():
            errors.add("reason", _("Say why the referral is declined."))
        if transition == Transition.CLOSE and not reason.strip():
            errors.add("reason", _("Say why the referral is closed."))
        agency = locked.to_agency if side == Side.RECEIVER else locked.from_agency
        if agency.pk not in staff_agencies(actor):
            raise PermissionDenied(
                _("Only staff of %(agency)s (the %(side)s) may %(transition)s this referral.")
                % {
                    "agency": agency.code,
                    "side": Side(side).label,
                    "transition": Transition(transition).label,
                }
            )
        errors.raise_if_any()
        now = timezone.now()
        changes: dict[str, list[Any]] = {
            "status": [locked.status, ends],
            stamp_field: [None, now.isoformat()],
        }
        locked.status = ends
        setattr(locked, stamp_field, now)
        fields = ["status", stamp_field, "updated_at"]
        if transition == Transition.DECLINE:
            locked.decline_reason = reason.strip()
            fields.append("decline_reason")
            changes["decline_reason"] = ["", locked.decline_reason]
        if transition == Transition.CLOSE:
            locked.close_reason = reason.strip()
            fields.append("close_reason")
            changes["close_reason"] = ["", locked.close_reason]
        if transition == Transition.COMPLETE and outcome:
            locked.outcome = outcome
            fields.append("outcome")
            changes["outcome"] = ["", MASKED]
        locked.save(update_fields=fields)
        tally_moved(locked, before=changes["status"][0])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            agency_code=agency.code,
            changes=changes,
            detail={"transition": transition},
        )
        referral_notify(referral=locked)
        return locked

    result = _audited_refusal(
        actor=actor,
        wanted=f"referral_{transition}",
        object_type="referrals.referral",
        object_id=referral.pk,
        work=work,
    )
    referral.refresh_from_db()
    return result


def referral_accept(*, actor: Any, referral: Referral) -> Referral:
    """The receiving agency takes the referral on."""
    return _transition(actor=actor, referral=referral, transition=Transition.ACCEPT)


def referral_decline(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """The receiving agency turns the referral down, saying why."""
    return _transition(actor=actor, referral=referral, transition=Transition.DECLINE, reason=reason)


def referral_start(*, actor: Any, referral: Referral) -> Referral:
    """The receiving agency starts delivering the service."""
    return _transition(actor=actor, referral=referral, transition=Transition.START)


def referral_complete(*, actor: Any, referral: Referral, outcome: str = "") -> Referral:
    """The receiving agency has delivered the service."""
    return _transition(
        actor=actor, referral=referral, transition=Transition.COMPLETE, outcome=outcome
    )


def referral_close(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """The sending agency ends a referral that will not be completed (withdrawn, moot)."""
    return _transition(actor=actor, referral=referral, transition=Transition.CLOSE, reason=reason)


TRANSITION_SERVICES: dict[str, Callable[..., Referral]] = {
    Transition.ACCEPT: referral_accept,
    Transition.DECLINE: referral_decline,
    Transition.START: referral_start,
    Transition.COMPLETE: referral_complete,
    Transition.CLOSE: referral_close,
}
