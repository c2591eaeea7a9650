"""A victim's care plan: planning a service, and sending a planned service as a referral."""

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
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Case, Participant
from ctip.registry.validation import Errors, check_choice

from ..choices import Service
from ..models import CarePlanItem, Referral
from .base import MASKED, _audited_refusal
from .lifecycle import referral_send

GOAL_MAX = 2000


def care_plan_item_add(
    *,
    actor: Any,
    participant: Participant,
    service: str,
    goal: str,
    due_on: datetime.date | None = None,
) -> CarePlanItem:
    """Plan a service for a victim: which, to reach what, by when."""

    def work() -> CarePlanItem:
        # Who may change the case is asked first: one who may not learns nothing from the
        # checks below (the person's role in the case, for one).
        case = participant.case
        if not restrict(Case.objects.filter(pk=case.pk), actor, Action.CHANGE).exists():
            raise PermissionDenied(_("You may not change this case."))
        errors = Errors()
        if participant.role != ParticipantRole.VICTIM:
            errors.add("participant", _("A care plan is for a victim."))
        check_choice(errors, "service", service, Service.values)
        text = (goal or "").strip()
        if not text:
            errors.add("goal", _("Say what the service should achieve."))
        elif len(text) > GOAL_MAX:
            errors.add("goal", _("At most %(n)s characters.") % {"n": GOAL_MAX})
        if due_on is not None and due_on < timezone.localdate():
            errors.add("due_on", _("The date %(date)s has passed.") % {"date": due_on})
        errors.raise_if_any()
        if case.is_closed:
            raise PermissionDenied(_("The case is closed; reopen it to add to it."))
        item = CarePlanItem.objects.create(
            participant=participant,
            service=service,
            goal=text,
            due_on=due_on,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=item,
            changes={
                "participant": [None, participant.pk],
                "service": [None, service],
                "goal": [None, MASKED],
                "due_on": [None, due_on.isoformat() if due_on else None],
            },
        )
        return item

    return _audited_refusal(
        actor=actor,
        wanted="care_plan_item_add",
        object_type="registry.participant",
        object_id=participant.pk,
        work=work,
    )


def care_plan_refer(
    *,
    actor: Any,
    item: CarePlanItem,
    to_agency: Agency | int | str | None,
    from_agency: Agency | None = None,
    shares_identity: bool = False,
    note: str = "",
    deadline_stamp: str | None = None,
) -> Referral:
    """Send a planned service as a referral of its victim (referral_send decides everything a
    referral needs: that victim's consent, a child's steps, who may refer); the plan then
    shows the referral's state. A service already referred is not sent twice."""

    def work() -> Referral:
        locked = CarePlanItem.objects.select_for_update().get(pk=item.pk)
        if locked.referral_id is not None:
            raise PermissionDenied(_("This service of the care plan was already referred."))
        referral = referral_send(
            actor=actor,
            participant=locked.participant,
            to_agency=to_agency,
            service=locked.service,
            from_agency=from_agency,
            shares_identity=shares_identity,
            note=note,
            deadline_stamp=deadline_stamp,
        )
        locked.referral = referral
        locked.save(update_fields=["referral"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"referral": [None, referral.pk]},
        )
        item.referral = referral
        return referral

    return _audited_refusal(
        actor=actor,
        wanted="care_plan_refer",
        object_type="referrals.careplanitem",
        object_id=item.pk,
        work=work,
    )
