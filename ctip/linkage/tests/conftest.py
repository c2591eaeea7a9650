"""Fixtures of the linkage tests: the engine (or its stand-in until the engine lands),
reviewers, and persons registered by two agencies through the registry's services."""

import datetime
import importlib.util
from typing import Any

import pytest

from ctip.linkage import engine_api
from ctip.registry import services as registry
from ctip.registry.models import Person
from ctip.registry.tests.helpers import new_case, new_person


def _engine_ready() -> bool:
    return importlib.util.find_spec("ctip.linkage.engine.model") is not None


@pytest.fixture(autouse=True)
def engine(monkeypatch: Any) -> Any:
    """The real engine when present; else the stand-in, patched into the app's seam."""
    if _engine_ready():
        return engine_api
    from . import standin

    monkeypatch.setattr(engine_api, "normalise", standin.normalise)
    monkeypatch.setattr(engine_api, "train", lambda r, **kw: standin.train(r, **kw))
    monkeypatch.setattr(engine_api, "predict", standin.predict)
    monkeypatch.setattr(engine_api, "cluster", standin.cluster)
    monkeypatch.setattr(engine_api, "pair", lambda a, b, p: standin.Pair(a, b, p))
    monkeypatch.setattr(engine_api, "score", standin.score)
    monkeypatch.setattr(
        engine_api, "model_from_json", lambda key, text: standin.TrainedModel.from_json(text)
    )
    return standin


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
