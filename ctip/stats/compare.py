"""Change between two periods' counts, with an exact confidence interval and a verdict.

Two counts X (this period) and Y (the comparison period) are treated as independent Poisson
counts. Conditional on X + Y = n, X is Binomial(n, p) with p = r / (1 + r), where r is the
ratio of the two underlying rates; the Clopper-Pearson interval for p (scipy's exact binomial
test) maps to an exact interval for r. This is the standard conditional test for the ratio
of two Poisson counts (e.g. Ulm 1990; Fay 2010).
"""

import math
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_lazy
from scipy.stats import binomtest

LEVEL = 0.95

# Whole sentences, so that each reads right in every language; the item is named beside it.
VERDICTS = {
    "none": gettext_lazy("Nothing was recorded in either period."),
    "same": gettext_lazy("The same number was recorded in both periods."),
    "up": gettext_lazy("More were recorded; the change is within normal variation."),
    "down": gettext_lazy("Fewer were recorded; the change is within normal variation."),
    "up_significant": gettext_lazy(
        "More were recorded; the rise is larger than chance variation explains."
    ),
    "down_significant": gettext_lazy(
        "Fewer were recorded; the fall is larger than chance variation explains."
    ),
}


@dataclass(frozen=True)
class Change:
    """This period against one comparison period."""

    current: int
    baseline: int
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    change_pct: float | None
    p_value: float | None
    direction: str  # "up", "down", "same"
    significant: bool
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("ratio", "ratio_low", "ratio_high", "change_pct", "p_value"):
            value = data[key]
            if value is not None:
                data[key] = None if math.isinf(value) else round(value, 4)
        return data


def _to_ratio(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)


def compare_counts(current: float, baseline: float, level: float = LEVEL) -> Change:
    """The change from `baseline` to `current` with an exact `level` interval for the ratio.

    The verdict is a whole sentence that does not name what was counted: a name spliced into a
    translated sentence reads wrong in Khmer, so reports name the item in its own column.
    """
    x, y = int(current), int(baseline)
    n = x + y
    if n == 0:
        return Change(
            0, 0, None, None, None, None, None, "same", False, str(VERDICTS["none"])
        )  # fmt: skip
    test = binomtest(x, n, 0.5)
    interval = test.proportion_ci(confidence_level=level, method="exact")
    low, high = _to_ratio(interval.low), _to_ratio(interval.high)
    ratio = x / y if y else math.inf
    change_pct = (x - y) * 100 / y if y else None
    direction = "up" if x > y else "down" if x < y else "same"
    significant = low > 1 or high < 1
    if direction == "same":
        verdict = VERDICTS["same"]
    else:
        verdict = VERDICTS[f"{direction}_significant" if significant else direction]
    return Change(
        x,
        y,
        ratio,
        low,
        high,
        change_pct,
        float(test.pvalue),
        direction,
        significant,
        str(verdict),
    )
