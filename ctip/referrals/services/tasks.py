"""Tasks on a case and a referral's own notes: adding them (and finishing tasks)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Case
from ctip.registry.validation import Errors, check_choice, check_text

from ..choices import (
    SERVING_STATUSES,
    Service,
    TaskStatus,
)
from ..models import (
    Referral,
    ReferralNote,
    Task,
)
from .base import (
    MASKED,
    _audited_refusal,
    staff_agencies,
)
from .offers import (
    deadline_days,
)


def may_add_task(
    *, actor: Any, case: Case, owner_agency_id: int, referral: Referral | None = None
) -> bool:
    """The case's owner side adds tasks to the case and its referrals; the agency a referral
    was sent to adds tasks, its own, to that referral while it serves the person (decision
    0510). No one else, whatever else of the case a referral opened to them."""
    if owner_agency_id not in staff_agencies(actor):
        return False
    if restrict(Case.objects.filter(pk=case.pk), actor, Action.CHANGE).exists():
        return True
    if referral is None:
        return False
    current = Referral.objects.filter(pk=referral.pk).values_list("to_agency_id", "status").first()
    if current is None:
        return False
    to_agency_id, status = current
    return to_agency_id == owner_agency_id and status in SERVING_STATUSES


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
        if owner_agency.pk not in staff_agencies(actor):
            errors.add(
                "owner_agency",
                _("You can only create tasks for an agency you work for."),
            )
        errors.raise_if_any()
        # The checks above concern the actor and the input alone; those below tell about the
        # case (closed, its referrals), so who may not add to it is refused first.
        if not may_add_task(
            actor=actor, case=case, owner_agency_id=owner_agency.pk, referral=referral
        ):
            raise PermissionDenied(_("You may not add tasks to this case."))
        if case.is_closed:
            errors.add(
                "case", _("Case %(case)s is closed; reopen it to add tasks.") % {"case": case}
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


REFERRAL_NOTE_MAX = 5000


def referral_note_side(*, actor: Any, referral: Referral) -> Agency | None:
    """The agency the actor writes a referral note for: the receiver's when the actor works
    there, else the sender's when the actor is on the case's owner side; None for anyone else
    (another receiver of the same victim included). Decision 0510."""
    if referral.to_agency_id in staff_agencies(actor):
        return referral.to_agency
    if staff_agencies(actor) and (
        restrict(Case.objects.filter(pk=referral.case_id), actor, Action.CHANGE).exists()
    ):
        return referral.from_agency
    return None


def referral_note_add(*, actor: Any, referral: Referral, text: str) -> ReferralNote:
    """Write a note on a referral, for the side the actor works on."""

    def work() -> ReferralNote:
        errors = Errors()
        body = text.strip()
        if not body:
            errors.add("text", _("Write the note."))
        elif len(body) > REFERRAL_NOTE_MAX:
            errors.add("text", _("At most %(n)s characters.") % {"n": REFERRAL_NOTE_MAX})
        else:
            check_text(errors, "text", body)
        errors.raise_if_any()
        agency = referral_note_side(actor=actor, referral=referral)
        if agency is None:
            raise PermissionDenied(_("You may not write notes on this referral."))
        note = ReferralNote.objects.create(
            referral=referral,
            text=body,
            agency=agency,
            author=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=note,
            changes={
                "referral": [None, referral.pk],
                "agency": [None, agency.code],
                "text": [None, MASKED],
            },
        )
        return note

    return _audited_refusal(
        actor=actor,
        wanted="referral_note_add",
        object_type="referrals.referral",
        object_id=referral.pk,
        work=work,
    )
