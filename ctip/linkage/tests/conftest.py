"""Fixtures of the linkage tests: the engine (or its stand-in until the engine lands),
reviewers, and persons registered by two agencies through the registry's services."""

import importlib.util
from typing import Any

import pytest

from ctip.linkage import engine_api


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
