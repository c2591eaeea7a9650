"""A small world for access tests: one actor per role, and a case file per relation to them.

Relations, seen from the actor's agency: own (it owns the case), other_agency (another
agency in the same province owns it), other_province (an agency elsewhere owns it), shared
(owned elsewhere, shared with the actor's agency) and referred (owned elsewhere, its victim
referred to it: the agency reads the victim's part of the case and changes nothing). Each
case has a victim with a profile, a suspect who was arrested and is a defendant in a
proceeding, and an event, so that every URL that takes a record has one per relation.
Built through the services, like real data.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from ctip.access.choices import Role
from ctip.access.models import Agency, Membership, User
from ctip.reference.models import Province
from ctip.registry import services

ROLES = [r.value for r in Role]
RELATIONS = ["own", "other_agency", "other_province", "shared", "referred"]
# The agency each role works in; the cases are laid out around it.
HOME = {role: "PAHT-12" for role in ROLES} | {Role.NGO_PARTNER: "NGO-CWCC"}
OTHER_AGENCY = {"PAHT-12": "DOSVY-12", "NGO-CWCC": "NGO-CHABDAI"}
OTHER_PROVINCE = "PAHT-2"
PASSWORD = "a-long-test-password"


@dataclass
class CaseRecords:
    """One case and the records in it."""

    case: Any
    victim: Any  # the victim's Person
    participant: Any  # the victim's Participant (with a profile)
    profile: Any
    suspect: Any  # the suspect's Person
    event: Any
    arrest: Any
    proceeding: Any


@dataclass
class World:
    root: User
    actors: dict[str, User] = field(default_factory=dict)
    records: dict[tuple[str, str], CaseRecords] = field(default_factory=dict)

    def at(self, role: str, relation: str) -> CaseRecords:
        return self.records[(HOME[role], relation)]

    def case(self, role: str, relation: str) -> Any:
        return self.at(role, relation).case

    def victim(self, role: str, relation: str) -> Any:
        return self.at(role, relation).victim


def _person(root: User, owner: Agency, given: str, n: int) -> Any:
    return services.person_create(
        actor=root,
        registered_by=owner,
        given_name_latin=f"{given}{n}",
        family_name_latin="Chhoeun",
        phone=f"+855 12 000 {n:03d}",
        date_of_birth=datetime.date(2001, 5, 17),
    )


def _case(root: User, owner: Agency, n: int, consent: bool) -> CaseRecords:
    province = owner.province or Province.objects.get(code="KH-12")
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n)
    case = services.case_create(
        actor=root,
        kind="trafficking",
        source="operation",
        owning_agency=owner,
        province=province,
        opened_on=day,
        summary=f"Summary of case {n}",
    )
    person = _person(root, owner, "Sreyneang", n)
    victim = services.participant_add(actor=root, case=case, person=person, role="victim")
    profile = services.victim_profile_save(
        actor=root,
        participant=victim,
        trafficking_status="ActualVictimOfTrafficking",
        consent_to_share=consent,
        testimony=f"Testimony {n}: what happened.",
    )
    suspect = _person(root, owner, "Vannak", n)
    services.participant_add(actor=root, case=case, person=suspect, role="suspect")
    event = services.event_add(actor=root, case=case, kind="recruitment", occurred_on=day)
    # The national anti-trafficking police make the arrest whoever owns the case: the owner
    # may be a social affairs department or an NGO, which make no arrests.
    police = Agency.objects.get(code="AHTJP")
    arrest = services.arrest_add(
        actor=root, case=case, person=suspect, arrested_on=day, agency=police
    )
    proceeding = services.proceeding_add(actor=root, case=case, filed_on=day, defendant=suspect)
    return CaseRecords(case, person, victim, profile, suspect, event, arrest, proceeding)


def build_world(
    roles: list[str] | None = None, consent: bool = True, with_cases: bool = True
) -> World:
    root = User.objects.create_superuser(username="root-setup", password=PASSWORD)
    world = World(root=root)
    n = 0
    for role in roles or ROLES:
        user = User.objects.create_user(username=f"{role}-user", password=PASSWORD)
        Membership.objects.create(user=user, agency=Agency.objects.get(code=HOME[role]), role=role)
        world.actors[role] = user
    homes = sorted({HOME[role] for role in roles or ROLES}) if with_cases else []
    for home_code in homes:
        home = Agency.objects.get(code=home_code)
        owners = {
            "own": home,
            "other_agency": Agency.objects.get(code=OTHER_AGENCY[home_code]),
            "other_province": Agency.objects.get(code=OTHER_PROVINCE),
            "shared": Agency.objects.get(code=OTHER_PROVINCE),
            "referred": Agency.objects.get(code=OTHER_PROVINCE),
        }
        for relation in RELATIONS:
            n += 1
            records = _case(root, owners[relation], n, consent)
            if relation in ("shared", "referred"):
                share = services.case_share(
                    actor=root,
                    case=records.case,
                    agency=home,
                    reason="shared" if relation == "shared" else "referral",
                    override_reason="" if consent else "Test world: override for set-up",
                )
                if relation == "referred":
                    # What a referral of the victim opens: that victim's part of the case.
                    share.participants.add(records.participant)
            world.records[(home_code, relation)] = records
    return world
