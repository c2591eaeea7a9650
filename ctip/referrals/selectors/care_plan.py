"""Reads of victims' care plans: the case page's care plan section (registered in
ReferralsConfig.ready) and one planned service, each through the access rule."""

from typing import Any

from django.utils.translation import gettext as _

from ctip.access.policies import restrict
from ctip.registry.choices import ParticipantRole
from ctip.registry.hooks import PageSection
from ctip.registry.models import Case, Participant
from ctip.registry.selectors import case_record_get

from ..models import CarePlanItem
from .referrals import may_refer_from, referral_queryset


def care_plan_section(
    *, actor: Any, case: Case, participants: list[Participant], can_change: bool
) -> PageSection | None:
    """Each victim's planned services and, for those referred, the referral's state (where the
    actor may see that referral); links to plan and to refer where the actor may."""
    victims = [p for p in participants if p.role == ParticipantRole.VICTIM]
    if not victims:
        return None
    items = list(
        restrict(CarePlanItem.objects.filter(participant__in=victims), actor).select_related(
            "referral__to_agency", "created_by"
        )
    )
    seen_referrals = set(
        referral_queryset(actor=actor)
        .filter(pk__in=[i.referral_id for i in items if i.referral_id])
        .values_list("pk", flat=True)
    )
    by_victim: dict[int, list[CarePlanItem]] = {}
    for item in items:
        item.referral_seen = item.referral_id in seen_referrals  # type: ignore[attr-defined]
        by_victim.setdefault(item.participant_id, []).append(item)
    may_refer = case.pk in may_refer_from(actor=actor, cases=[case])
    return PageSection(
        template="referrals/_care_plan.html",
        context={
            "case": case,
            "plans": [{"participant": v, "items": by_victim.get(v.pk, [])} for v in victims],
            "can_plan": can_change and not case.is_closed,
            "can_refer": may_refer,
        },
    )


def care_plan_item_get(*, actor: Any, pk: int) -> CarePlanItem:
    """One planned service of a victim the actor may see (unknown and forbidden alike)."""
    item: CarePlanItem = case_record_get(
        actor=actor,
        model=CarePlanItem,
        pk=pk,
        related=("participant__case", "participant__person", "referral"),
        not_found=_("No such service in a care plan."),
    )
    return item
