"""The person indicators, counted from the indicator rows; rates per 100,000 people."""

from typing import Any

from django.db.models import (
    BooleanField,
    F,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as DjCase

from ctip.registry.models import Case

from ..choices import AGE_BANDS, NO_PRISON, SENTENCE_BANDS, UNKNOWN
from ..periods import Period
from .counting import (
    AGE_GROUPS,
    Firsts,
    Periods,
    _count_first,
    _cubes_from_rows,
    _in_periods,
    _province_codes,
    _scoped,
)
from .cube import Cube
from .dimensions import _in, nationality_group_of


def _rows(source: str, cases: QuerySet[Case], periods: Periods) -> QuerySet[Any]:
    """The source's rows dated in the periods, of the cases the actor may aggregate."""
    from ..models import IndicatorRow

    rows = IndicatorRow.objects.filter(_in_periods("day", periods), source=source)
    return _scoped(rows, cases)


def _count_rows(
    firsts: "Firsts",
    dims: tuple[str, ...],
    cases: QuerySet[Case],
    rows: QuerySet[Any],
    periods: Periods,
) -> list[tuple[Any, ...]]:
    """_count_first over indicator rows. Over every case, each row already knows whether it
    is its person's first in its half-year and in its year (rows.indicator_rows_refresh
    ranks them), so the count is a plain grouping; over part of the cases the first row
    among those is found when counting."""
    names = (*firsts.person, *firsts.order, *firsts.values)
    columns = {n: F(ROW_NAMES.get(n, n)) for n in names}
    if cases.query.has_filters():
        return _count_first(firsts, dims, firsts.rows(rows, "day", periods, **columns))
    first = DjCase(
        *[
            When(day__range=_in(p), then=F("first_in_half" if p.half else "first_in_year"))
            for p in periods
        ],
        default=Value(False),
        output_field=BooleanField(),
    )
    return _count_first(
        firsts, dims, firsts.rows(rows, "day", periods, first=first, **columns), ranked=True
    )


# Firsts' names for the row columns that are named otherwise in IndicatorRow.
ROW_NAMES = {"person": "person_id", "id": "row_id", "province": "province_id"}


def _with_nationality_group(sex: str, nationality: str, *rest: str) -> tuple[str, ...]:
    return (sex, nationality_group_of(nationality), nationality, *rest)


ARREST_FIRSTS = Firsts(
    person=("person",), order=("day", "id"), values=("sex", "nationality", "province", "case_kind")
)


def arrests_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    rows = _count_rows(
        ARREST_FIRSTS, ARREST_FIRSTS.values, cases, _rows("arrests", cases, periods), periods
    )
    return _cubes_from_rows(
        rows,
        periods,
        ("sex", "nationality_group", "nationality", "province", "case_kind"),
        _with_nationality_group,
        codes={2: _province_codes()},
    )


SUSPECT_FIRSTS = Firsts(
    person=("person",), order=("day", "id"), values=("sex", "nationality", "case_kind")
)


def suspects_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    rows = _count_rows(
        SUSPECT_FIRSTS, SUSPECT_FIRSTS.values, cases, _rows("suspects", cases, periods), periods
    )
    return _cubes_from_rows(
        rows,
        periods,
        ("sex", "nationality_group", "nationality", "case_kind"),
        _with_nationality_group,
    )


VICTIM_DIMS = ("sex", "age_group", "age_band", "nationality", "exploitation", "province")
VICTIM_FIRSTS = Firsts(
    person=("person",),
    order=("day", "id"),
    values=("sex", "age", "nationality", "exploitation", "province"),
    bands={"age_group": ("age", AGE_GROUPS, UNKNOWN), "age_band": ("age", AGE_BANDS, UNKNOWN)},
)


def _victim_cubes(source: str, cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    rows = _count_rows(VICTIM_FIRSTS, VICTIM_DIMS, cases, _rows(source, cases, periods), periods)
    return _cubes_from_rows(rows, periods, VICTIM_DIMS, codes={5: _province_codes()})


def victims_identified_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    return _victim_cubes("victims_identified", cases, periods)


def victims_rescued_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    return _victim_cubes("victims_rescued", cases, periods)


def victims_referred_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    return _victim_cubes("victims_referred", cases, periods)


DEFENDANT_BANDS = {"sentence": ("months", SENTENCE_BANDS, NO_PRISON)}
DEFENDANT_FIRSTS = Firsts(
    person=("person", "unnamed"),
    order=("day", "id"),
    values=("sex", "case_kind", "province", "months"),
    bands=DEFENDANT_BANDS,
)


def _defendant_cubes(
    source: str, cases: QuerySet[Case], periods: Periods, dims: tuple[str, ...]
) -> dict[Period, Cube]:
    rows = _count_rows(DEFENDANT_FIRSTS, dims, cases, _rows(source, cases, periods), periods)
    codes = {dims.index("province"): _province_codes()} if "province" in dims else None
    return _cubes_from_rows(rows, periods, dims, codes=codes)


def prosecutions_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    return _defendant_cubes("prosecutions", cases, periods, ("sex", "case_kind", "province"))


def convictions_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    dims = ("sex", "case_kind", "province", "sentence")
    return _defendant_cubes("convictions", cases, periods, dims)


def prison_sentences_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    return _defendant_cubes("prison_sentences", cases, periods, ("sentence", "case_kind"))


def victims_per_100k_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    """Victims identified per 100,000 residents (2019 census), per province and nationally."""
    identified = victims_identified_query(cases, periods)
    return {p: rates_per_100k(cube) for p, cube in identified.items()}


def _populations() -> dict[str, int]:
    """Province code -> 2019 census population, from the cached reference rows."""
    from ctip.reference.selectors import province_list

    return {p.code: p.population_2019 for p in province_list() if p.population_2019}


def rates_per_100k(victims_identified: Cube) -> Cube:
    victims = victims_identified.by("province")
    populations = _populations()
    cells: dict[tuple[str, ...], float] = {}
    for code, population in populations.items():
        if not population:
            continue
        cells[(code,)] = round(victims.get(code, 0) * 100000 / population, 2)
    # The national rate divides the national count by the national population; the province
    # rates do not add up to it.
    return Cube(("province",), cells, overall=national_rate_per_100k(victims_identified.total))


def national_rate_per_100k(victims_total: float) -> float:
    population = sum(_populations().values())
    return round(victims_total * 100000 / population, 2) if population else 0.0
