"""Test data for the statistics tests, written through the registry's services only."""

import datetime
from typing import Any

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry import services
from ctip.registry.choices import EventKind, ParticipantRole
from ctip.registry.models import Case, Person


class Registry:
    """Small helpers over the registry services, bound to one acting officer."""

    def __init__(self, actor: Any, agency_code: str = "AHTJP") -> None:
        self.actor = actor
        self.agency = Agency.objects.get(code=agency_code)

    def case(
        self, opened_on: datetime.date, kind: str = "trafficking", province: str = "KH-12"
    ) -> Case:
        return services.case_create(
            actor=self.actor,
            kind=kind,
            source="operation",
            owning_agency=self.agency,
            province=Province.objects.get(code=province),
            opened_on=opened_on,
        )

    def person(
        self,
        sex: str = "female",
        born: int | None = 2000,
        citizenships: list[str] | None = None,
        name: str = "Test",
    ) -> Person:
        return services.person_create(
            actor=self.actor,
            registered_by=self.agency,
            family_name_latin=name,
            sex=sex,
            date_of_birth=datetime.date(born, 6, 1) if born else None,
            citizenships=["KHM"] if citizenships is None else citizenships,
        )

    def victim(self, case: Case, person: Person, **profile: Any) -> None:
        participant = services.participant_add(
            actor=self.actor, case=case, person=person, role=ParticipantRole.VICTIM
        )
        profile.setdefault("trafficking_status", "ActualVictimOfTrafficking")
        services.victim_profile_save(actor=self.actor, participant=participant, **profile)

    def rescue(self, case: Case, day: datetime.date, *persons: Person) -> None:
        services.event_add(
            actor=self.actor, case=case, kind=EventKind.RESCUE, occurred_on=day, persons=persons
        )

    def arrest(self, case: Case, person: Person, day: datetime.date) -> None:
        services.arrest_add(
            actor=self.actor, case=case, person=person, arrested_on=day, agency=self.agency
        )
