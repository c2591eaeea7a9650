"""What an indicator is and what it returns: the Indicator definition and the Cube of counts."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import (
    QuerySet,
)

from ctip.registry.models import Case

from ..periods import Period

NOT_A_VICTIM = "NotAVictimOfTrafficking"
NATIONAL = "KHM"


@dataclass
class Cube:
    """Counts per cell; a cell is a tuple of values, one per dimension, in `dims` order.

    `overall` is the figure over every cell for an indicator whose cells do not add up (a
    median, a rate): the sum of per-channel medians means nothing, so such an indicator
    computes its overall figure itself and `total` returns it.
    """

    dims: tuple[str, ...]
    cells: dict[tuple[str, ...], float] = field(default_factory=dict)
    overall: float | None = None

    @property
    def total(self) -> float:
        return self.overall if self.overall is not None else sum(self.cells.values())

    def margin(self, *dims: str) -> dict[tuple[str, ...], float]:
        """Sum over every dimension not named: margin("sex") -> {("female",): 12, ...}."""
        index = [self.dims.index(d) for d in dims]
        out: dict[tuple[str, ...], float] = {}
        for cell, value in self.cells.items():
            key = tuple(cell[i] for i in index)
            out[key] = out.get(key, 0) + value
        return dict(sorted(out.items()))

    def by(self, dim: str) -> dict[str, float]:
        return {key[0]: value for key, value in self.margin(dim).items()}


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it counts, in which unit, broken down by what, and how."""

    id: str
    name_en: str
    name_km: str
    unit: str
    disaggregations: tuple[str, ...]
    counting_rule: str
    # Computes the indicator for several non-overlapping periods in one pass.
    compute: Callable[[QuerySet[Case], tuple[Period, ...]], dict[Period, Cube]]
    derived: bool = False

    def query(self, cases: QuerySet[Case], period: Period) -> Cube:
        """The indicator for one period."""
        return self.compute(cases, (period,))[period]

    def cubes(self, cases: QuerySet[Case], periods: Iterable[Period]) -> dict[Period, Cube]:
        """The indicator for each period, one query for every group of periods that do not
        overlap (a half-year, the one before and the same one a year earlier: one query)."""
        groups: list[list[Period]] = []
        for period in dict.fromkeys(periods):
            group = next((g for g in groups if not any(_overlap(period, o) for o in g)), None)
            if group is None:
                groups.append([period])
            else:
                group.append(period)
        out: dict[Period, Cube] = {}
        for group in groups:
            out.update(self.compute(cases, tuple(group)))
        return out


def _overlap(a: Period, b: Period) -> bool:
    return a.start <= b.end and b.start <= a.end
