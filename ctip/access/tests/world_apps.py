"""Objects of the referrals and statistics apps in the access-test world, per relation.

Kept apart from world.py so that both can change without stepping on each other. Built on
first use (only the rules that need them pay for them) and cached on the world. Everything is
made through the services, by staff of the agency that would really do it.

Per home agency and relation (own, other_agency, other_province, shared, referred; see
world.py) there is:
- a referral on the relation's case: from the case's owner to a foreign partner
  (repatriation), except for "referred", where the owner refers the victim to the home agency;
- an exchange package on a repatriation referral of that case;
- an open task on the case, owned by the case's owner agency;
- a referral in service (accepted) on which the home agency may add tasks: for "referred",
  a second referral of the victim to the home agency, accepted by it; otherwise the first.
And one published statistics release (small-cell suppression) for the public pages.
"""

from dataclasses import dataclass, field
from typing import Any

from ctip.access.models import Agency, Membership, User
from ctip.referrals import services as referrals
from ctip.referrals.choices import Service
from ctip.registry.models import Participant

from .world import PASSWORD, RELATIONS, World

FOREIGN_PARTNER = "FP-THA"
SECRETARIAT = "NCCT"
# A service each home agency offers, for the referral it receives.
RECEIVED_SERVICE = {"PAHT-12": "investigation", "NGO-CWCC": "legal_aid"}


@dataclass
class AppObjects:
    referrals: dict[tuple[str, str], Any] = field(default_factory=dict)
    packages: dict[tuple[str, str], Any] = field(default_factory=dict)
    tasks: dict[tuple[str, str], Any] = field(default_factory=dict)
    serving: dict[tuple[str, str], Any] = field(default_factory=dict)


def _staff(agency: Agency) -> User:
    """A case officer of the agency, to act on its behalf while setting up."""
    user, created = User.objects.get_or_create(username=f"setup-{agency.code.lower()}")
    if created:
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, agency=agency, role="case_officer")
    return user


def victim_participant(world: World, home: str, relation: str) -> Participant:
    return Participant.objects.get(case=world.records[(home, relation)].case, role="victim")


def app_objects(world: World) -> AppObjects:
    """Referrals, exchange packages and tasks around every case of the world (built once)."""
    cached = getattr(world, "_app_objects", None)
    if cached is not None:
        return cached
    objects = AppObjects()
    partner = Agency.objects.get(code=FOREIGN_PARTNER)
    for home, relation in sorted(world.records):
        case = world.records[(home, relation)].case
        owner = case.owning_agency
        sender = _staff(owner)
        victim = victim_participant(world, home, relation)
        repatriation = referrals.referral_send(
            actor=sender,
            participant=victim,
            to_agency=partner,
            service="repatriation",
            from_agency=owner,
        )
        objects.packages[(home, relation)] = referrals.exchange_package_create(
            actor=sender, referral=repatriation
        )
        if relation == "referred":
            objects.referrals[(home, relation)] = referrals.referral_send(
                actor=sender,
                participant=victim,
                to_agency=Agency.objects.get(code=home),
                service=RECEIVED_SERVICE[home],
                from_agency=owner,
            )
            # A second referral, accepted, stays in service whatever the transition rules
            # do to the first: the receiver adds tasks to it (decision 0510).
            receiver = Agency.objects.get(code=home)
            second = next(
                service
                for service in sorted(Service.values)
                if service != RECEIVED_SERVICE[home]
                and referrals.agency_offers(agency=receiver, service=service)
            )
            serving = referrals.referral_send(
                actor=sender,
                participant=victim,
                to_agency=receiver,
                service=second,
                from_agency=owner,
            )
            objects.serving[(home, relation)] = referrals.referral_accept(
                actor=_staff(receiver), referral=serving
            )
        else:
            objects.referrals[(home, relation)] = repatriation
            objects.serving[(home, relation)] = repatriation
        objects.tasks[(home, relation)] = referrals.task_create(
            actor=sender,
            case=case,
            title=f"Follow up case {case.pk}",
            owner_agency=owner,
            service="repatriation",
        )
    world._app_objects = objects  # type: ignore[attr-defined]
    return objects


def published_release(world: World) -> Any:
    """One release prepared by an analyst, signed off and published by the secretariat."""
    cached = getattr(world, "_release", None)
    if cached is not None:
        return cached
    from ctip.stats import services as stats

    analyst = User.objects.create_user(username="setup-analyst", password=PASSWORD)
    Membership.objects.create(
        user=analyst, agency=Agency.objects.get(code=SECRETARIAT), role="analyst"
    )
    supervisor = User.objects.create_user(username="setup-secretariat", password=PASSWORD)
    Membership.objects.create(
        user=supervisor, agency=Agency.objects.get(code=SECRETARIAT), role="supervisor"
    )
    release = stats.release_create(actor=analyst, period="2024H1", protection="suppression")
    stats.release_sign_off(actor=supervisor, release=release)
    release = stats.release_publish(actor=supervisor, release=release)
    world._release = release  # type: ignore[attr-defined]
    return release


__all__ = ["RELATIONS", "app_objects", "published_release", "victim_participant"]
