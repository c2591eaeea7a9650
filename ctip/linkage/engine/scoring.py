"""Score one pair of normalised records in pure Python with a trained model's m/u parameters.

This is the registration check's scorer: no database, a few microseconds a pair. It finds
each comparison's level with the same conditions the Splink SQL uses (comparisons.py) and
adds the same log2 Bayes factors and term-frequency adjustments Splink does, so a pair gets
the probability Splink's predict() gives it (the tests compare the two).
"""

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from ctip.linkage.engine.comparisons import COMPARISON_BY_NAME, TF_SOURCE, Comparison
from ctip.linkage.engine.model import TrainedModel


@dataclasses.dataclass(frozen=True)
class Score:
    probability: float
    pattern: dict[str, str]
    match_weight: float


@dataclasses.dataclass(frozen=True)
class _Level:
    label: str
    weight: float  # log2(m/u); 0 for the null level
    log2_u: float | None  # set where the level has a term-frequency adjustment
    tf_column: str | None
    tf_weight: float
    tf_minimum_u: float


def _compile(model: TrainedModel) -> tuple[float, list[tuple[Comparison, list[_Level]]]]:
    cached = getattr(model, "_compiled", None)
    if cached is not None:
        return cached
    prior = model.probability_two_random_records_match
    compiled = []
    for spec in model.settings["comparisons"]:
        comparison = COMPARISON_BY_NAME[spec["output_column_name"]]
        levels = []
        for level in spec["comparison_levels"]:
            if level.get("is_null_level"):
                levels.append(_Level(level["label_for_charts"], 0.0, None, None, 0.0, 0.0))
                continue
            m, u = level["m_probability"], level["u_probability"]
            tf_column = level.get("tf_adjustment_column")
            levels.append(
                _Level(
                    level["label_for_charts"],
                    math.log2(m / u),
                    math.log2(u) if tf_column else None,
                    tf_column,
                    float(level.get("tf_adjustment_weight", 1.0)),
                    float(level.get("tf_minimum_u_value", 0.0)),
                )
            )
        compiled.append((comparison, levels))
    result = (math.log2(prior / (1 - prior)), compiled)
    object.__setattr__(model, "_compiled", result)
    return result


def score(model: TrainedModel, a: Mapping[str, Any], b: Mapping[str, Any]) -> Score:
    """Probability that normalised records a and b are the same person, with the evidence."""
    weight, compiled = _compile(model)
    pattern = {}
    for comparison, levels in compiled:
        level = levels[comparison.level_of(a, b)]
        pattern[comparison.name] = level.label
        weight += level.weight
        if level.tf_column is not None and level.log2_u is not None:
            table = model.term_frequencies.get(level.tf_column, {})
            column = TF_SOURCE.get(level.tf_column, level.tf_column)
            left = table.get(a.get(column) or "")
            right = table.get(b.get(column) or "")
            if left is not None or right is not None:
                frequency = max(x for x in (left, right, level.tf_minimum_u) if x is not None)
                weight += level.tf_weight * (level.log2_u - math.log2(frequency))
    if weight > 1000:
        probability = 1.0
    elif weight < -1000:
        probability = 0.0
    else:
        odds = 2.0**weight
        probability = odds / (1 + odds)
    return Score(probability, pattern, weight)
