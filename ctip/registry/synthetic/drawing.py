"""What the generator draws from and draws: weighted choices, reference ids, a case's story."""

from __future__ import annotations

import bisect
import dataclasses
import random
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.reference.models import Country, Province

from ..bulk import TABLES

YEARS = 8
DEFAULT_BATCH_SIZE = 10_000
MAX_VICTIMS = 30
MAX_SUSPECTS = 8
# From this many cases on, PostgreSQL loads rows first and checks keys and builds indexes after.
BULK_LOAD_CASES = 50_000


# --- drawing -------------------------------------------------------------------------------


class Weighted:
    """Draw items with given weights from one uniform number (cheaper than random.choices)."""

    def __init__(self, weights: Mapping[Any, float] | Iterable[tuple[Any, float]]) -> None:
        pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
        self.items = [item for item, _weight in pairs]
        total, self.cumulative = 0.0, []
        for _item, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def geometric(rng: random.Random, mean: float, most: int) -> int:
    """0, 1, 2 ... up to `most`, with about the given mean: extra victims or suspects."""
    if mean <= 0:
        return 0
    p, n = mean / (1 + mean), 0
    while rng.random() < p and n < most:
        n += 1
    return n


# --- reference data the generator needs ---------------------------------------------------


@dataclasses.dataclass
class Reference:
    """Ids of the loaded provinces, countries and agencies, keyed the way the generator thinks."""

    province_ids: dict[int, int]
    province_names: dict[int, str]
    province_population: dict[int, int]
    country_ids: dict[str, int]
    agency_ids: dict[str, int]

    @classmethod
    def load(cls) -> Reference:
        provinces = list(Province.objects.values_list("code", "id", "name_en", "population_2019"))
        agencies = dict(Agency.objects.filter(is_active=True).values_list("code", "id"))
        missing = [
            code
            for code in ("AHTJP", "NCCT", "PAHT-12", "PCCT-12", "DOSVY-12", "COURT-12")
            if code not in agencies
        ]
        if len(provinces) < 25 or missing:
            raise ValidationError(
                {
                    "reference": _(
                        "Reference data and agencies are not loaded; run `ctip load-reference` "
                        "first."
                    )
                }
            )
        number = {code: int(code.split("-")[1]) for code, *_rest in provinces}
        return cls(
            province_ids={number[code]: pk for code, pk, _n, _p in provinces},
            province_names={number[code]: name for code, _pk, name, _p in provinces},
            province_population={number[code]: pop or 100_000 for code, _pk, _n, pop in provinces},
            country_ids=dict(Country.objects.values_list("alpha3", "id")),
            agency_ids=agencies,
        )


# --- one batch of cases --------------------------------------------------------------------


@dataclasses.dataclass
class Identity:
    """What the generator remembers of a person so that the same person can turn up again."""

    person_id: int
    nationality: str
    female: bool
    family: int
    given: int
    dob: int | None  # ordinal
    birth_year: int
    role: str
    phone: str = ""
    address: str = ""
    document: tuple[str, str, str] | None = None  # kind, number, country


class PersonPool:
    """The persons of a batch that may turn up again, all of them and by (province,
    half-year) of being recorded: a victim rescued by the police is sheltered by the social
    affairs ministry and followed by an NGO in the same place within weeks, so most records
    of one person come close together; some come years later, elsewhere."""

    def __init__(self) -> None:
        self.everyone: list[Identity] = []
        self.near: dict[tuple[int, int], list[Identity]] = {}

    def __len__(self) -> int:
        return len(self.everyone)

    @staticmethod
    def key(province: int, ordinal: int) -> tuple[int, int]:
        # Half-years counted from day 1: 182-day blocks, close enough and cheap.
        return province, ordinal // 182

    def add(self, identity: Identity, province: int, ordinal: int) -> None:
        self.everyone.append(identity)
        self.near.setdefault(self.key(province, ordinal), []).append(identity)

    def pick(
        self, rng: random.Random, province: int, ordinal: int, near_share: float
    ) -> tuple[Identity, bool]:
        """Someone recorded before: near in place and time with probability `near_share`
        (when there is anyone), else anyone; and whether the pick is near."""
        near = self.near.get(self.key(province, ordinal))
        if near and rng.random() < near_share:
            return near[int(rng.random() * len(near))], True
        return self.everyone[int(rng.random() * len(self.everyone))], False


@dataclasses.dataclass
class Batch:
    """Rows of one batch, per table key, and how many persons recur with small differences."""

    rows: dict[str, list[tuple[Any, ...]]] = dataclasses.field(
        default_factory=lambda: {table.key: [] for table in TABLES}
    )
    recurring: int = 0
    reused: int = 0
    # Filled by worker processes for PostgreSQL: COPY text and row counts instead of rows.
    text: dict[str, bytes] = dataclasses.field(default_factory=dict)
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class CaseStory:
    """What one generated case is about: drawn first, then its records follow from it."""

    case_id: int
    kind: str
    industry: str
    province: int
    opened: int  # ordinals, like every date below
    owner: int
    source: str
    exploitation: int
    transit: int
    recruitment: int
    rescue: int | None
    abroad: str  # the country of exploitation when abroad, else ""
    closed_on: int | None
    status: str
    reason: str

    @property
    def identified(self) -> int:
        """Victims count as identified on the rescue, else on the day the case opened."""
        return self.rescue or self.opened


@dataclasses.dataclass
class CasePeople:
    """The persons of one case: victims (person id, age, minor, nationality), suspects
    (person id, nationality) and others (person id, role)."""

    victims: list[tuple[int, int, bool, str]] = dataclasses.field(default_factory=list)
    suspects: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    others: list[tuple[int, str]] = dataclasses.field(default_factory=list)
