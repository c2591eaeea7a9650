"""Who is a child, and which child protection steps must be on record before a child's case is
passed on (decision 0150): read by the transfer here and by the referrals app's sending."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ParticipantRole
from ..models import Participant, Person

ADULT_AGE = 18
# Referrals for a durable solution decide where and with whom the child will live: the
# referrals app's service codes (the registry sits below it and can only name them).
DURABLE_SERVICES = frozenset({"repatriation", "reintegration"})


def current_age(person: Person, today: datetime.date | None = None) -> int | None:
    """The person's age today: from the date of birth, else the estimated age carried forward
    from when it was recorded, else the year of birth; None when nothing is known."""
    today = today or timezone.localdate()
    if person.date_of_birth:
        born = person.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if person.estimated_age is not None:
        recorded = person.age_recorded_on or person.created_at.date()
        return person.estimated_age + max(0, (today - recorded).days // 365)
    if person.birth_year:
        return today.year - person.birth_year
    return None


def is_child(participant: Participant, today: datetime.date | None = None) -> bool:
    """A victim under 18 today. With no age known, a victim trafficked as a child is treated
    as one (the presumption of minority: in doubt, the child's protections apply)."""
    if participant.role != ParticipantRole.VICTIM:
        return False
    age = current_age(participant.person, today)
    if age is not None:
        return age < ADULT_AGE
    profile = getattr(participant, "victim_profile", None)
    trafficked_at = getattr(profile, "age_when_trafficked", None)
    return trafficked_at is not None and trafficked_at < ADULT_AGE


def steps_of(participant: Participant) -> Any:
    return getattr(participant, "child_protection", None)


def missing_steps(participant: Participant, *, purpose: str, service: str = "") -> list[str]:
    """What must still be recorded for this child before the case is transferred ("transfer")
    or the child referred ("referral", for `service`); empty for adults and where nothing is
    required (decision 0150)."""
    if not is_child(participant):
        return []
    steps = steps_of(participant)
    has = {
        "assessment": steps is not None and steps.has_assessment,
        "determination": steps is not None and steps.has_determination,
        "guardian": steps is not None and steps.has_guardian,
    }
    if purpose == "transfer":
        needed = ["assessment", "guardian"]
    elif service in DURABLE_SERVICES:
        needed = ["assessment", "determination", "guardian"]
    else:
        needed = []
    words = {
        "assessment": _("a best-interest assessment"),
        "determination": _("a best-interest determination"),
        "guardian": _("an appointed guardian"),
    }
    return [str(words[step]) for step in needed if not has[step]]
