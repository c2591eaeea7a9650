"""The matching engine as the Django side uses it: one place that names its functions.

The engine (ctip.linkage.engine) knows nothing of Django; this module is the seam between
the two, so that the app's services and selectors read one small interface. The engine is
imported on first use, not at module load: it loads Splink (about half a second), which
every web worker and command would otherwise pay at start-up for pages that never match.
"""

import functools
from collections.abc import Iterable
from typing import Any


def normalise(row: dict[str, Any]) -> dict[str, Any]:
    from .engine.records import normalise as engine_normalise

    return engine_normalise(row)


def record_table(rows: Iterable[dict[str, Any]]) -> Any:
    """Person rows (normalise() input, e.g. a generator over a registry cursor) normalised and
    gathered into the engine's columnar table a batch at a time: no list of every record."""
    from .engine.model import record_table as engine_record_table
    from .engine.records import normalise as engine_normalise

    return engine_record_table(engine_normalise(row) for row in rows)


def train(records: Any, *, labels: Any = (), backend: str = "duckdb") -> Any:
    from .engine.model import train as engine_train

    return engine_train(records, labels=labels, backend=backend)


def predict(model: Any, records: Any, *, threshold: float) -> list[Any]:
    from .engine.model import predict as engine_predict

    return engine_predict(model, records, threshold=threshold)


def cluster(pairs: list[Any], *, threshold: float) -> list[list[str]]:
    from .engine.model import cluster as engine_cluster

    return engine_cluster(pairs, threshold=threshold)


def pair(a: str, b: str, probability: float) -> Any:
    from .engine.model import Pair

    return Pair(a, b, probability, {})


def score(model: Any, a: dict[str, Any], b: dict[str, Any]) -> Any:
    from .engine.scoring import score as engine_score

    return engine_score(model, a, b)


@functools.lru_cache(maxsize=2)
def model_from_json(key: int, parameters: str) -> Any:
    """A stored model, parsed once per process (key: the stored model's id)."""
    from .engine.model import TrainedModel

    return TrainedModel.from_json(parameters)
