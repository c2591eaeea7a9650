"""Every write of the referrals app: sending and moving referrals, tasks, deadlines, service
offers and exchange packages. Each is validated, runs in one transaction and is audited;
a refused attempt changes nothing and leaves a 'denied' audit event saying why."""

import datetime
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind
from ctip.access.consent import can_override_consent
from ctip.access.masking import can_read
from ctip.access.models import Agency
from ctip.access.policies import RECORD_ROLES, actor_scope, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import ParticipantRole, ShareReason
from ctip.registry.models import Case, CaseShare, Participant
from ctip.registry.validation import Errors, check_choice, check_not_future

from .choices import (
    DEFAULT_DEADLINES,
    OPEN_REFERRAL_STATUSES,
    ConsentBasis,
    ExchangeStatus,
    ReferralStatus,
    Service,
    Side,
    TaskStatus,
    Transition,
)
from .models import (
    AgencyService,
    ExchangePackage,
    ExchangeUpdate,
    KindService,
    Referral,
    ServiceDeadline,
    Task,
)
from .tallies import tally_moved, tally_sent

MASKED = "•••"

T = TypeVar("T")


def _refusal_message(exc: Exception) -> Any:
    if isinstance(exc, ValidationError):
        return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return {"__all__": [str(exc)]}


def _audited_refusal(
    *, actor: Any, wanted: str, object_type: str, object_id: Any, work: Callable[[], T]
) -> T:
    """Run `work` in its own transaction; if it is refused, roll it back and then audit the
    refusal outside it, so that the attempt is on record while nothing else changed."""
    try:
        with transaction.atomic():
            return work()
    except (ValidationError, PermissionDenied) as exc:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type=object_type,
            object_id=object_id or "",
            detail={"wanted": wanted, "refused": _refusal_message(exc)},
        )
        raise


def staff_agencies(actor: Any) -> frozenset[int]:
    """Agencies in which the actor holds a case-work role (officer, supervisor, NGO partner)."""
    return actor_scope(actor).agencies_with(RECORD_ROLES)


# --- what agencies offer, and deadlines --------------------------------------------------


def agency_offers(*, agency: Agency, service: str) -> bool:
    """Whether the agency offers the service: its own setting, else its kind's default."""
    own = (
        AgencyService.objects.filter(agency=agency, service=service)
        .values_list("offered", flat=True)
        .first()
    )
    if own is not None:
        return own
    return KindService.objects.filter(kind=agency.kind, service=service).exists()


def deadline_days(service: str) -> tuple[int, int, str]:
    """(days to accept, days to complete, version stamp) for a service.

    The stamp changes whenever an administrator edits the rule, so that a form filled in under
    the old rule can be told apart from one filled in under the new.
    """
    return deadline_of_rule(service, ServiceDeadline.objects.filter(service=service).first())


def deadline_of_rule(service: str, rule: ServiceDeadline | None) -> tuple[int, int, str]:
    """deadline_days from a rule already read (None: the service has no rule of its own)."""
    if rule is None:
        accept, complete = DEFAULT_DEADLINES.get(service, (7, 90))
        return accept, complete, "default"
    return rule.days_to_accept, rule.days_to_complete, rule.updated_at.isoformat()


@transaction.atomic
def service_deadline_set(
    *, actor: Any, service: str, days_to_accept: int, days_to_complete: int
) -> ServiceDeadline:
    """Set the default deadlines of a service (administrators, through the admin site)."""
    errors = Errors()
    check_choice(errors, "service", service, Service.values)
    if days_to_accept < 0:
        errors.add("days_to_accept", _("Give a number of days of 0 or more."))
    if days_to_complete < days_to_accept:
        errors.add(
            "days_to_complete", _("The time to complete cannot be shorter than the time to accept.")
        )
    errors.raise_if_any()
    rule = ServiceDeadline.objects.filter(service=service).first()
    before = [rule.days_to_accept, rule.days_to_complete] if rule else None
    rule, _created = ServiceDeadline.objects.update_or_create(
        service=service,
        defaults={"days_to_accept": days_to_accept, "days_to_complete": days_to_complete},
    )
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=rule,
        changes={"deadlines": [before, [days_to_accept, days_to_complete]]},
    )
    return rule


@transaction.atomic
def agency_service_set(*, actor: Any, agency: Agency, service: str, offered: bool) -> AgencyService:
    """Say whether one agency offers one service, overriding its kind's default."""
    errors = Errors()
    check_choice(errors, "service", service, Service.values)
    errors.raise_if_any()
    before = agency_offers(agency=agency, service=service)
    offer, _created = AgencyService.objects.update_or_create(
        agency=agency, service=service, defaults={"offered": offered}
    )
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=offer,
        changes={"offered": [before, offered]},
        detail={"agency": agency.code, "service": service},
    )
    return offer


# --- sending a referral --------------------------------------------------------------------


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
        # A referral passes the case on, as a share does: the owner's side only (Action.SHARE);
        # an agency that received the case by a share or a referral may not pass it on.
        if not restrict(Case.objects.filter(pk=case.pk), actor, Action.SHARE).exists():
            raise PermissionDenied(
                _(
                    "Only the agency that owns the case (or its supervisors) may refer from it; "
                    "a case received by a share or a referral cannot be passed on."
                )
            )
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


# --- tasks -----------------------------------------------------------------------------------


def task_create(
    *,
    actor: Any,
    case: Case,
    title: str,
    owner_agency: Agency,
    service: str = "",
    due_on: datetime.date | None = None,
    assigned_to: Any = None,
    referral: Referral | None = None,
) -> Task:
    """Add a task to a case; without a due date it takes the service's default deadline."""

    def work() -> Task:
        errors = Errors()
        if not title.strip():
            errors.add("title", _("Give the task a title."))
        if service:
            check_choice(errors, "service", service, Service.values)
        if due_on is None and not service:
            errors.add("due_on", _("Give a due date or a service whose deadline applies."))
        if case.is_closed:
            errors.add(
                "case", _("Case %(case)s is closed; reopen it to add tasks.") % {"case": case}
            )
        if owner_agency.pk not in staff_agencies(actor):
            errors.add(
                "owner_agency",
                _("You can only create tasks for an agency you work for."),
            )
        if referral is not None and referral.case_id != case.pk:
            errors.add("referral", _("The referral belongs to another case."))
        if (
            assigned_to is not None
            and not assigned_to.memberships.filter(agency=owner_agency, is_active=True).exists()
        ):
            errors.add(
                "assigned_to",
                _("%(user)s does not work for %(agency)s.")
                % {"user": assigned_to, "agency": owner_agency.code},
            )
        errors.raise_if_any()
        if not restrict(Case.objects.filter(pk=case.pk), actor, Action.CHANGE).exists():
            raise PermissionDenied(_("You may not add tasks to this case."))
        due = due_on
        if due is None:
            due = timezone.localdate() + datetime.timedelta(days=deadline_days(service)[1])
        task = Task.objects.create(
            case=case,
            referral=referral,
            title=title.strip(),
            service=service,
            owner_agency=owner_agency,
            assigned_to=assigned_to,
            due_on=due,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=task,
            changes={
                "case": [None, case.reference],
                "title": [None, task.title],
                "owner_agency": [None, owner_agency.code],
                "due_on": [None, due.isoformat()],
            },
        )
        return task

    return _audited_refusal(
        actor=actor, wanted="task_create", object_type="registry.case", object_id=case.pk, work=work
    )


def _task_finish(*, actor: Any, task: Task, status: str) -> Task:
    def work() -> Task:
        locked = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
        errors = Errors()
        if locked.status != TaskStatus.OPEN:
            errors.add(
                "status",
                _("The task is already %(status)s.")
                % {"status": TaskStatus(locked.status).label.lower()},
            )
        if locked.case.is_closed:
            errors.add("case", _("The case is closed."))
        if locked.owner_agency_id not in staff_agencies(actor) and locked.assigned_to_id != getattr(
            actor, "pk", None
        ):
            raise PermissionDenied(_("Only the owner agency's staff may finish this task."))
        errors.raise_if_any()
        locked.status = status
        locked.done_at = timezone.now()
        locked.save(update_fields=["status", "done_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": [TaskStatus.OPEN, status]},
        )
        return locked

    result = _audited_refusal(
        actor=actor,
        wanted=f"task_{status}",
        object_type="referrals.task",
        object_id=task.pk,
        work=work,
    )
    task.refresh_from_db()
    return result


def task_complete(*, actor: Any, task: Task) -> Task:
    return _task_finish(actor=actor, task=task, status=TaskStatus.DONE)


def task_cancel(*, actor: Any, task: Task) -> Task:
    return _task_finish(actor=actor, task=task, status=TaskStatus.CANCELLED)


# --- cross-border exchange -------------------------------------------------------------------


def _age_on(person: Any, day: datetime.date) -> int | None:
    if person.date_of_birth:
        dob = person.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    if person.estimated_age is not None:
        recorded = person.age_recorded_on or day
        return person.estimated_age + (day.year - recorded.year)
    return None


def htcds_record(referral: Referral) -> tuple[dict[str, Any], list[str]]:
    """The HTCDS-style record of a referral's person, with identity only where consented.

    Returns the record and the list of identifying fields it carries, for the audit trail.
    """
    participant = referral.participant
    person = participant.person
    profile = getattr(participant, "victim_profile", None)
    today = timezone.localdate()
    record: dict[str, Any] = {
        "cas_CaseReference": referral.case.reference,
        "cas_CaseType": referral.case.kind,
        "per_RoleInProcess": participant.role,
        "per_Gender": person.gender or person.sex,
        "per_Age": _age_on(person, today),
        "per_Citizenship": list(person.citizenships or []),
        "per_Languages": list(person.languages or []),
        "ref_Service": referral.service,
        "ref_FromAgency": referral.from_agency.code,
        "ref_ToAgency": referral.to_agency.code,
        "ref_SentDate": timezone.localdate(referral.sent_at).isoformat(),
        "ref_DueDate": referral.due_on.isoformat(),
    }
    if profile is not None:
        record.update(
            {
                "vic_TraffickingStatus": profile.trafficking_status,
                "vic_ExploitationType": list(profile.exploitation_types or []),
                "vic_IdentifiedDate": profile.identified_on.isoformat()
                if profile.identified_on
                else None,
                "vic_ConsentToShare": profile.consent_to_share,
            }
        )
    identity: list[str] = []
    birth: Any = person.date_of_birth  # a date: the encrypted field decrypts to one
    if referral.shares_identity and referral.consent_basis in (
        ConsentBasis.CONSENT,
        ConsentBasis.OVERRIDE,
    ):
        identity_fields = {
            "per_GivenName": person.given_name_latin,
            "per_FamilyName": person.family_name_latin,
            "per_GivenNameLocal": person.given_name_km,
            "per_FamilyNameLocal": person.family_name_km,
            "per_Aliases": list(person.aliases or []),
            "per_BirthDate": birth.isoformat() if birth else None,
            "per_IdentityDocuments": [
                {
                    "type": doc.kind,
                    "number": doc.number,
                    "issuingCountry": doc.issuing_country.alpha3 if doc.issuing_country else None,
                }
                for doc in person.documents.select_related("issuing_country")
            ],
        }
        for key, value in identity_fields.items():
            if value not in (None, "", []):
                record[key] = value
                identity.append(key)
    return record, identity


def exchange_package_refusal(*, actor: Any, referral: Referral) -> Exception | None:
    """Why exchange_package_create would refuse this referral's package, or None: the one
    rule, asked by the service and by the page that offers the button."""
    if referral.from_agency_id not in staff_agencies(actor):
        return PermissionDenied(_("Only the sending agency prepares the exchange package."))
    errors = Errors()
    if referral.service != Service.REPATRIATION:
        errors.add("service", _("Only a repatriation referral has an exchange package."))
    if referral.to_agency.kind != AgencyKind.FOREIGN_PARTNER:
        errors.add("to_agency", _("Exchange packages go to foreign partner agencies only."))
    if referral.status in (ReferralStatus.DECLINED, ReferralStatus.CLOSED):
        errors.add("status", _("The referral is no longer open."))
    if referral.case.is_closed:
        errors.add("case", _("The case is closed."))
    if ExchangePackage.objects.filter(referral=referral).exists():
        errors.add("referral", _("This referral already has an exchange package."))
    return ValidationError(errors.by_field) if errors.by_field else None


def exchange_package_create(*, actor: Any, referral: Referral) -> ExchangePackage:
    """Prepare the exchange package of a repatriation referral to a foreign partner."""

    def work() -> ExchangePackage:
        locked = (
            Referral.objects.select_for_update()
            .select_related("case", "from_agency", "to_agency", "participant__person")
            .get(pk=referral.pk)
        )
        refused = exchange_package_refusal(actor=actor, referral=locked)
        if refused is not None:
            raise refused
        payload, identity = htcds_record(locked)
        package = ExchangePackage.objects.create(
            referral=locked,
            payload=cast(Any, payload),  # an encrypted JSON field: it stores the dict
            fields_shared=sorted(payload),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=package,
            agency_code=locked.from_agency.code,
            detail={
                "referral": locked.pk,
                "to_agency": locked.to_agency.code,
                "fields": sorted(payload),
                "identity_fields": identity,
                "consent_basis": locked.consent_basis,
            },
        )
        return package

    return _audited_refusal(
        actor=actor,
        wanted="exchange_package_create",
        object_type="referrals.referral",
        object_id=referral.pk,
        work=work,
    )


def exchange_update_add(
    *,
    actor: Any,
    package: ExchangePackage,
    status: str,
    occurred_on: datetime.date,
    note: str = "",
) -> ExchangeUpdate:
    """Record, by hand, what the partner reported about the repatriation."""

    def work() -> ExchangeUpdate:
        locked = (
            ExchangePackage.objects.select_for_update()
            .select_related("referral__case", "referral__from_agency")
            .get(pk=package.pk)
        )
        errors = Errors()
        check_choice(errors, "status", status, ExchangeStatus.values)
        check_not_future(errors, "occurred_on", occurred_on)
        if occurred_on < timezone.localdate(locked.referral.sent_at):
            errors.add("occurred_on", _("The update cannot be older than the referral."))
        if locked.status == ExchangeStatus.CANCELLED:
            errors.add("status", _("The exchange was cancelled; no further updates."))
        if locked.referral.from_agency_id not in staff_agencies(actor):
            raise PermissionDenied(_("Only the sending agency records the partner's updates."))
        errors.raise_if_any()
        update = ExchangeUpdate.objects.create(
            package=locked,
            status=status,
            occurred_on=occurred_on,
            note=note,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": [before, status], "note": [None, MASKED if note else ""]},
            detail={"occurred_on": occurred_on.isoformat()},
        )
        return update

    result = _audited_refusal(
        actor=actor,
        wanted="exchange_update_add",
        object_type="referrals.exchangepackage",
        object_id=package.pk,
        work=work,
    )
    package.refresh_from_db()
    return result
