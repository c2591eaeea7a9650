"""Fixtures of the linkage app's tests: a trained model, reviewers, and persons registered by
two agencies through the registry's services."""

import datetime
from typing import Any

import pytest

from ctip.linkage import engine_api
from ctip.registry import services as registry
from ctip.registry.models import Person
from ctip.registry.tests.helpers import new_case, new_person


@pytest.fixture(scope="session")
def population_model() -> Any:
    """A model trained once on the engine's seeded population with known duplicates: a few
    test records would not train one (the engine's own tests measure training)."""
    from ctip.linkage.engine import model, synthetic

    rows, _truth = synthetic.records(600, seed=7)
    return model.train([engine_api.normalise(row) for row in rows])


@pytest.fixture
def trained(monkeypatch: Any, population_model: Any) -> dict[str, Any]:
    """Runs train on the registry as always, but get the population's parameters; what the
    run passed to training (its labels) is recorded for the tests."""
    seen: dict[str, Any] = {}

    def train(records: Any, *, labels: Any = (), backend: str = "duckdb") -> Any:
        from ctip.linkage.engine import model

        seen["records"] = model.record_table(records).to_pylist()
        seen["labels"] = list(labels)
        seen["backend"] = backend
        return population_model

    monkeypatch.setattr(engine_api, "train", train)
    return seen


@pytest.fixture
def reviewer(make_member: Any) -> Any:
    return make_member("linkage_reviewer", "NCCT")


@pytest.fixture
def police(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12")


@pytest.fixture
def other_police(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-1")


def register(actor: Any, agency: str, province: str, **fields: Any) -> Person:
    case = new_case(actor, agency_code=agency, province_code=province)
    person = new_person(actor, **fields)
    registry.participant_add(actor=actor, case=case, person=person, role="victim")
    return person


def snapshot(person: Person) -> dict[str, Any]:
    fresh = Person.objects.get(pk=person.pk)
    return {f.name: getattr(fresh, f.name) for f in Person._meta.concrete_fields if f.name != "id"}


@pytest.fixture
def three(police: Any, other_police: Any) -> tuple[Person, Person, Person]:
    """Sokha Chan recorded twice (two agencies, romanised differently), and someone else."""
    first = register(police, "PAHT-12", "KH-12")
    second = register(
        other_police,
        "PAHT-1",
        "KH-1",
        family_name_latin="Chan",
        given_name_latin="Sokhar",
        family_name_km="",
        given_name_km="",
    )
    other = register(
        police,
        "PAHT-12",
        "KH-12",
        family_name_latin="Meas",
        given_name_latin="Vuthy",
        family_name_km="",
        given_name_km="",
        sex="male",
        date_of_birth=datetime.date(1985, 6, 1),
    )
    return first, second, other
