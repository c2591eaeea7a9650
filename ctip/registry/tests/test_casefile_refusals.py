"""Case-file services ask permission first: one who may not change a case gets the same refusal,
audited, whatever the fields say, so that no field check tells them who takes part in the case,
whether a victim has a profile, when a proceeding was filed or which agency owns the case."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.models import Arrest, Case, Event, Participant, Person, Proceeding

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 10)
LONG_AGO = datetime.date(2000, 1, 1)  # before the case was opened and the proceeding filed
Attempt = Callable[[], Any]


def _denied(actor: Any, case: Any) -> list[dict[str, Any]]:
    return [
        event.detail
        for event in AuditEvent.objects.filter(
            actor_id=actor.pk, action="denied", object_type="registry.case", object_id=str(case.pk)
        )
    ]


def _stranger(officer: Any) -> Any:
    """A person of the same agency who takes no part in the case."""
    return services.person_create(
        actor=officer,
        registered_by=Agency.objects.get(code="PAHT-12"),
        family_name_latin="Keo",
        given_name_latin="Dara",
        sex="male",
    )


# Each entry: (an attempt whose fields an authorised officer would be told are wrong, in a way
# that says something about the case; the same attempt with fields that would pass).
def _event(x: Any) -> tuple[Attempt, Attempt]:
    def add(person: Any) -> Attempt:
        return lambda: services.event_add(
            actor=x.attacker, case=x.case, kind="rescue", occurred_on=DAY, persons=[person]
        )

    # Linking a person who takes no part is a field error: it told who takes part.
    return add(x.stranger), add(x.victim.person)


def _arrest(x: Any) -> tuple[Attempt, Attempt]:
    def add(agency: str) -> Attempt:
        return lambda: services.arrest_add(
            actor=x.attacker,
            case=x.case,
            person=x.suspect.person,
            arrested_on=DAY,
            agency=Agency.objects.get(code=agency),
        )

    return add("NGO-CWCC"), add("PAHT-12")


def _victim_profile(x: Any) -> tuple[Attempt, Attempt]:
    def save(participant: Any) -> Attempt:
        return lambda: services.victim_profile_save(
            actor=x.attacker, participant=participant, means_of_control=["DebtBondage"]
        )

    # "Only a victim has a victim profile" told the participant's role.
    return save(x.suspect), save(x.victim)


def _victim_profile_first(x: Any) -> tuple[Attempt, Attempt]:
    def create(participant: Any) -> Attempt:
        return lambda: services.victim_profile_create(
            actor=x.attacker,
            participant=participant,
            trafficking_status="ActualVictimOfTrafficking",
        )

    # "Already has a profile" told that the victim was identified as one.
    return create(x.victim), create(x.second_victim)


def _proceeding(x: Any) -> tuple[Attempt, Attempt]:
    def add(court: Any) -> Attempt:
        return lambda: services.proceeding_add(
            actor=x.attacker, case=x.case, filed_on=DAY, court=court
        )

    return add(Agency.objects.get(code="PAHT-12")), add(None)


def _proceeding_update(x: Any) -> tuple[Attempt, Attempt]:
    def update(**changes: Any) -> Attempt:
        return lambda: services.proceeding_update(
            actor=x.attacker, proceeding=x.proceeding, **changes
        )

    # A verdict dated before the filing is a field error: it told when the case went to court.
    return update(verdict_on=LONG_AGO), update(stage=x.proceeding.stage)


def _persons(x: Any) -> tuple[Attempt, Attempt]:
    def register(role: str) -> Attempt:
        return lambda: services.persons_register_in_case(
            actor=x.attacker, case=x.case, role=role, people=[{"family_name_latin": "Lim"}]
        )

    return register("suspect"), register("other")


def _person(x: Any) -> tuple[Attempt, Attempt]:
    def register(**names: Any) -> Attempt:
        return lambda: services.person_register_in_case(
            actor=x.attacker, case=x.case, role="other", **names
        )

    # With a name, person_create's refusal named the agency owning the case.
    return register(), register(family_name_latin="Lim")


def _participant(x: Any) -> tuple[Attempt, Attempt]:
    def add(person: Any) -> Attempt:
        return lambda: services.participant_add(
            actor=x.attacker, case=x.case, person=person, role="victim"
        )

    return add(x.victim.person), add(x.stranger)


def _network_add(x: Any) -> tuple[Attempt, Attempt]:
    def add(role: str) -> Attempt:
        return lambda: services.network_person_add(
            actor=x.attacker, case=x.case, person=x.suspect.person, role=role
        )

    # "Already has this role" told that the person is a suspect in the case.
    return add("suspect"), add("other")


def _network_register(x: Any) -> tuple[Attempt, Attempt]:
    def register(role: str) -> Attempt:
        return lambda: services.network_person_register(
            actor=x.attacker, case=x.case, role=role, family_name_latin="Lim"
        )

    return register("victim"), register("suspect")


def _case_update(x: Any) -> tuple[Attempt, Attempt]:
    def update(**changes: Any) -> Attempt:
        return lambda: services.case_update(actor=x.attacker, case=x.case, **changes)

    # "Use 'Close case'" told that the case is open.
    return update(status="closed"), update(summary="Changed.")


def _case_close(x: Any) -> tuple[Attempt, Attempt]:
    def close(closed_on: datetime.date) -> Attempt:
        return lambda: services.case_close(
            actor=x.attacker, case=x.case, closed_on=closed_on, reason="Done."
        )

    # A closing date before the opening is a field error: it bounded when the case was opened.
    return close(LONG_AGO), close(DAY)


def _case_reopen(x: Any) -> tuple[Attempt, Attempt]:
    # "The case is not closed" told the case's state.
    return (
        lambda: services.case_reopen(actor=x.attacker, case=x.case),
        lambda: services.case_reopen(actor=x.attacker, case=x.closed_case),
    )


SERVICES = {
    "event_add": _event,
    "arrest_add": _arrest,
    "victim_profile_save": _victim_profile,
    "victim_profile_create": _victim_profile_first,
    "proceeding_add": _proceeding,
    "proceeding_update": _proceeding_update,
    "persons_register_in_case": _persons,
    "person_register_in_case": _person,
    "participant_add": _participant,
    "network_person_add": _network_add,
    "network_person_register": _network_register,
    "case_update": _case_update,
    "case_close": _case_close,
    "case_reopen": _case_reopen,
}


class _Setting:
    """The case (a victim with a profile, a suspect, a proceeding) and the one attacking it."""

    def __init__(self, attacker: Any, officer: Any, supervisor: Any, victim: Any, suspect: Any):
        self.attacker, self.victim, self.suspect = attacker, victim, suspect
        self.case = victim.case
        self.stranger = _stranger(officer)
        self.second_victim = services.participant_add(
            actor=officer, case=self.case, person=_stranger(officer), role="victim"
        )
        self.proceeding = services.proceeding_add(
            actor=officer, case=self.case, filed_on=datetime.date(2024, 3, 20)
        )
        self.closed_case = services.case_create(
            actor=officer,
            kind="trafficking",
            source="hotline",
            owning_agency=self.case.owning_agency,
            province=self.case.province,
            opened_on=datetime.date(2024, 3, 1),
        )
        services.case_close(actor=supervisor, case=self.closed_case, reason="Done.")


def _counts() -> tuple[int, ...]:
    models = (Event, Arrest, Proceeding, Participant, Person)
    return tuple(model.objects.count() for model in models)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_one_who_may_not_change_the_case_gets_one_refusal_whatever_the_fields_say(
    service: str, outsider: Any, officer: Any, supervisor: Any, victim: Any, suspect: Any
):
    setting = _Setting(outsider, officer, supervisor, victim, suspect)
    telling, plain = SERVICES[service](setting)
    before, status = _counts(), setting.case.status
    refusals = []
    for attempt in (telling, plain):
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        refusals.append(str(refused.value))
    assert refusals[0] == refusals[1]
    assert "PAHT-12" not in refusals[0]
    assert _counts() == before
    assert Case.objects.get(pk=setting.case.pk).status == status
    cases = {setting.case.pk, setting.closed_case.pk}
    denied = AuditEvent.objects.filter(
        actor_id=outsider.pk,
        action="denied",
        object_type="registry.case",
        object_id__in=[str(pk) for pk in cases],
    )
    assert denied.count() == 2


def test_an_edit_of_a_closed_case_is_refused_and_audited(officer: Any, supervisor: Any, case: Any):
    services.case_close(actor=supervisor, case=case, closed_on=DAY, reason="Done.")
    case.refresh_from_db()
    for changes in ({"summary": "Changed."}, {"opened_on": datetime.date(2024, 4, 1)}):
        with pytest.raises(PermissionDenied, match="closed"):
            services.case_update(actor=officer, case=case, **changes)
    denied = _denied(officer, case)
    assert len(denied) == 2
    assert all(detail.get("refused") == "case closed" for detail in denied)
