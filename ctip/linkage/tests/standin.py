"""A small stand-in for the matching engine, for tests of the Django side only.

Installed by conftest.py when ctip.linkage.engine has no model yet; it follows the engine's
interface (normalise, train/predict/cluster, score) with plain rules, so the app's tests
check the app's own behaviour: grouping, queue, masking, refusals.
"""

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from ctip.registry.names import name_parts, skeleton


@dataclass
class Pair:
    a: str
    b: str
    probability: float
    pattern: dict[str, Any] = field(default_factory=dict)


@dataclass
class Score:
    probability: float
    pattern: dict[str, Any]


@dataclass
class TrainedModel:
    labels: int = 0

    def to_json(self) -> str:
        return json.dumps({"standin": True, "labels": self.labels})

    @classmethod
    def from_json(cls, text: str) -> "TrainedModel":
        return cls(labels=json.loads(text)["labels"])


def normalise(row: dict[str, str]) -> dict[str, Any]:
    birth = row.get("birth_date", "")
    return {
        "record_id": row["record_id"],
        "source": row.get("source", ""),
        "names": sorted(
            {
                skeleton(p)
                for p in name_parts(
                    row.get("family_name", ""), row.get("given_name", ""), row.get("name_km", "")
                )
            }
            - {""}
        ),
        "birth_year": int(birth[:4]) if birth else None,
        "birth_date": birth if len(birth) == 10 else "",
        "sex": row.get("sex", ""),
        "document_index": row.get("document_number", ""),
    }


def score(model: TrainedModel, a: dict[str, Any], b: dict[str, Any]) -> Score:
    pattern: dict[str, Any] = {}
    names_a, names_b = set(a["names"]), set(b["names"])
    common = len(names_a & names_b)
    pattern["name"] = (
        -1
        if not (names_a and names_b)
        else ("exact" if names_a == names_b else ("close" if common else "else"))
    )
    if a["birth_date"] and b["birth_date"]:
        pattern["birth"] = "exact" if a["birth_date"] == b["birth_date"] else "else"
    elif a["birth_year"] and b["birth_year"]:
        pattern["birth"] = "close" if abs(a["birth_year"] - b["birth_year"]) <= 1 else "else"
    else:
        pattern["birth"] = -1
    pattern["sex"] = (
        -1 if not (a["sex"] and b["sex"]) else ("exact" if a["sex"] == b["sex"] else "else")
    )
    pattern["document"] = (
        -1
        if not (a["document_index"] and b["document_index"])
        else ("exact" if a["document_index"] == b["document_index"] else "else")
    )
    points = {"exact": 2.0, "close": 1.0, "else": -3.0, -1: 0.0}
    weight = points[pattern["name"]] * 1.5 + points[pattern["birth"]] + points[pattern["sex"]] * 0.5
    weight += 6.0 if pattern["document"] == "exact" else 0.0
    probability = 1 / (1 + 2 ** (-(weight - 2.5) * 2))
    return Score(probability=round(probability, 6), pattern=pattern)


def train(
    records: list[dict[str, Any]], *, labels: Any = (), backend: str = "duckdb"
) -> TrainedModel:
    return TrainedModel(labels=len(list(labels)))


def predict(model: TrainedModel, records: list[dict[str, Any]], *, threshold: float) -> list[Pair]:
    pairs = []
    for a, b in itertools.combinations(records, 2):
        result = score(model, a, b)
        if result.probability >= threshold:
            pairs.append(Pair(a["record_id"], b["record_id"], result.probability, result.pattern))
    return pairs


def cluster(pairs: list[Pair], *, threshold: float) -> list[list[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for pair in pairs:
        if pair.probability >= threshold:
            parent[find(pair.a)] = find(pair.b)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return [sorted(g) for g in groups.values()]
