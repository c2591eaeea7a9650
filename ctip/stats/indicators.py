"""The indicator catalogue: one definition per indicator, its counting rule and its query.

Every query receives a case queryset already narrowed to what the acting user may aggregate
(see selectors.aggregate_cases) and one or more periods, and returns a Cube per period: counts
per combination of the indicator's disaggregations, counted in the database. Cases are counted
from the case table; person indicators from the indicator rows (stats.IndicatorRow, read from
the registry's joins by ROW_SOURCES whenever a case changes, decision 0306). Person indicators
count each person once per period; the person's attributes are taken from their first
qualifying record in the period, so that each person falls in exactly one cell of every
breakdown and margins always add up.
"""

import datetime
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models import Case as DjCase
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractMonth,
    ExtractYear,
    Greatest,
    NullIf,
)
from django.db.models.lookups import Contains, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from ctip.registry.choices import EventKind, ParticipantRole, Verdict
from ctip.registry.models import Arrest, Case, Event, Participant, Proceeding

from .choices import ADULT_AGE, AGE_BANDS, NO_PRISON, SENTENCE_BANDS, UNKNOWN
from .periods import Period

NOT_A_VICTIM = "NotAVictimOfTrafficking"
NATIONAL = "KHM"


@dataclass
class Cube:
    """Counts per cell; a cell is a tuple of values, one per dimension, in `dims` order."""

    dims: tuple[str, ...]
    cells: dict[tuple[str, ...], float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.cells.values())

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


# --- helpers that turn one record into dimension values -----------------------------------


def _citizenship_text(path: str) -> Cast:
    return Cast(path, TextField())


def nationality_expr(path: str) -> DjCase:
    """In SQL, so no JSON is decoded row by row: Cambodian when "KHM" is among the
    citizenships, else the first one listed, else unknown."""
    return DjCase(
        When(Contains(_citizenship_text(path), '"KHM"'), then=Value(NATIONAL)),
        default=Coalesce(KeyTextTransform("0", path), Value(UNKNOWN)),
        output_field=CharField(),
    )


def nationality_group_of(nationality: str) -> str:
    if nationality == UNKNOWN:
        return UNKNOWN
    return "national" if nationality == NATIONAL else "foreign"


def first_code_expr(path: str) -> Coalesce:
    """The first code of a JSON list column, or unknown."""
    return Coalesce(KeyTextTransform("0", path), Value(UNKNOWN), output_field=CharField())


# The age and sentence rules in Python: the queries band in SQL (_age_expr, AGE_GROUPS,
# _count_first's bands), and a test checks every band edge against these.


def age_at(
    day: datetime.date, birth_year: int | None, fallback_age: int | None = None
) -> int | None:
    """Age in whole years in the year of `day` (the registry keeps the year of birth)."""
    if birth_year:
        return max(0, day.year - birth_year)
    return fallback_age


def age_group_of(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    return "minor" if age < ADULT_AGE else "adult"


def age_band_of(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return UNKNOWN


def sentence_band_of(months: int | None) -> str:
    if not months:
        return NO_PRISON
    for label, low, high in SENTENCE_BANDS:
        if low <= months <= high:
            return label
    return NO_PRISON


def _in(period: Period) -> tuple[datetime.date, datetime.date]:
    return (period.start, period.end)


# --- queries ---------------------------------------------------------------------------------
#
# Each query computes its indicator for several periods at once (the report compares a period
# with the one before and with the same period a year earlier): the rows of every period are
# read in one statement, labelled with their period, and counted in the database. A person is
# counted once per period by numbering their rows in the period (ROW_NUMBER() OVER (PARTITION BY
# period, person ORDER BY date, id)) and keeping the first, whose values give the person's
# cell; banded values (age, sentence) are banded after that, on the first rows only. Only the
# counts per cell leave the database. The periods of one call must not overlap (see
# Indicator.cubes, which splits overlapping ones).

Periods = tuple[Period, ...]
Bands = tuple[tuple[str, int, int], ...]
PERIOD = "st_period"
FIRST = "st_first"
# age_group_of() as bands: every age below ADULT_AGE is a minor.
AGE_GROUPS: Bands = (("minor", -(2**31), ADULT_AGE - 1), ("adult", ADULT_AGE, 2**31 - 1))


def _scoped(queryset: QuerySet[Any], cases: QuerySet[Case], path: str = "case") -> QuerySet[Any]:
    """Narrow a queryset to the cases the actor may aggregate. An actor who may aggregate over
    every case gets an unfiltered case queryset; the semi-join on every case id would then
    select nothing away and only cost a scan of the case table, so it is left out."""
    if cases.query.has_filters():
        return queryset.filter(**{f"{path}__in": cases})
    return queryset


def _in_periods(date_field: str, periods: Periods) -> Q:
    """Rows dated in any of the periods: one range when they follow each other without a gap
    (a report's period, the one before and the one a year before usually do), so the
    database reads one stretch of its date index (index-only where the index covers the
    columns); else an OR of plain ranges."""
    ordered = sorted(periods, key=lambda p: p.start)
    if all(
        later.start == earlier.end + datetime.timedelta(days=1)
        for earlier, later in itertools.pairwise(ordered)
    ):
        return Q(**{f"{date_field}__range": (ordered[0].start, ordered[-1].end)})
    q = Q()
    for period in periods:
        q |= Q(**{f"{date_field}__range": _in(period)})
    return q


def _period_label(date_field: str, periods: Periods) -> DjCase:
    """The position of the row's period in `periods` (an integer sorts faster than a label)."""
    return DjCase(
        *[When(**{f"{date_field}__range": _in(p)}, then=Value(i)) for i, p in enumerate(periods)],
        output_field=IntegerField(),
    )


def _province_codes() -> dict[Any, str]:
    """Province id -> code: the queries group by id and leave the join to the names here."""
    from ctip.reference.selectors import province_list

    return {province.pk: province.code for province in province_list()}


def _agency_codes() -> dict[Any, str]:
    """Agency id -> code for every agency, inactive ones too (old cases keep their owner)."""
    from ctip.access.models import Agency
    from ctip.reference.selectors import cached_reference

    return cached_reference("agency-codes", lambda: dict(Agency.objects.values_list("id", "code")))


@contextmanager
def analytic_session(using: str = "default") -> Iterator[None]:
    """A transaction with PostgreSQL settings for the statistics' large read-only queries,
    for that transaction only: no JIT (compiling the expressions cost 0.2-0.5 s per query at a
    million cases, more than it saved), enough memory to sort a period's rows in memory, and a
    random page cost for a database read from memory or SSD. Inside an outer transaction the
    settings last until that transaction ends. The bench's baseline query runs under them too.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SET LOCAL random_page_cost = 1.1")
                cursor.execute("SET LOCAL enable_sort = off")
        yield


def _age_expr(day: str, birth_year: str, fallback_age: str) -> DjCase:
    """age_at() in SQL: from the year of birth when known, else the recorded age."""
    return DjCase(
        When(
            **{f"{birth_year}__gt": 0},
            then=Greatest(ExtractYear(day) - F(birth_year), Value(0)),
        ),
        default=F(fallback_age),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Firsts:
    """What _count_first reads from each row: who (person), which row is first (order, by
    date then id), and the values that make the cell. Every value is a column of the rows
    unless it is in `bands`: {dimension: (column, bands, default)}, computed from a column."""

    person: tuple[str, ...]
    order: tuple[str, ...]
    values: tuple[str, ...]
    bands: dict[str, tuple[str, Bands, str]] = field(default_factory=dict)

    def rows(
        self,
        queryset: QuerySet[Any],
        date_field: str,
        periods: Periods,
        first: Any = None,
        **columns: Any,
    ) -> QuerySet[Any]:
        """The queryset as rows for _count_first: period position first, then the columns, each
        given as an expression (named once for every part of a union, in the same order).
        `first`, when given, says whether the row is its person's first in its period (then
        _count_first needs no ranking of its own)."""
        names = (*self.person, *self.order, *self.values)
        if set(columns) != set(names):
            raise ValueError(f"columns {sorted(columns)} do not match {names}")
        named = {f"st_{n}": columns[n] for n in names}
        if first is not None:
            named[FIRST] = first
        return (
            queryset.annotate(**{PERIOD: _period_label(date_field, periods)})
            .annotate(**named)
            .order_by()
            .values(PERIOD, *named)
        )


def _count_first(
    firsts: Firsts, dims: tuple[str, ...], *parts: QuerySet[Any], ranked: bool = False
) -> list[tuple[Any, ...]]:
    """Count each person once per period, in the cell of their first row in the period.

    `parts` are querysets from Firsts.rows (several are read as one UNION ALL). `ranked`: the
    rows carry their first-in-period flag (Firsts.rows' `first`), so the ranking is skipped.
    Returns rows (period position, *dims values, count)."""
    connection = connections[parts[0].db]
    qn = connection.ops.quote_name
    sqls: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = part.query.sql_with_params()
        sqls.append(sql)
        params.extend(part_params)
    # Grouping sorts the first rows by every dimension; on PostgreSQL text compared byte by
    # byte (COLLATE "C", same equality) sorts several times faster than by the locale.
    as_bytes = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    annotations = parts[0].query.annotations
    select: list[str] = [qn(PERIOD)]
    select_params: list[Any] = []
    for dim in dims:
        if dim in firsts.bands:
            column, bands, default = firsts.bands[dim]
            whens = " ".join(f"WHEN {qn('st_' + column)} BETWEEN %s AND %s THEN %s" for _ in bands)
            select.append(f"(CASE {whens} ELSE %s END){as_bytes}")
            for label, low, high in bands:
                select_params += [low, high, label]
            select_params.append(default)
        elif isinstance(annotations[f"st_{dim}"].output_field, CharField | TextField):
            select.append(f"{qn(f'st_{dim}')}{as_bytes}")
        else:
            select.append(qn(f"st_{dim}"))
    partition = ", ".join(qn(c) for c in (PERIOD, *[f"st_{p}" for p in firsts.person]))
    order = ", ".join(qn(f"st_{o}") for o in firsts.order)
    positions = ", ".join(str(i + 1) for i in range(len(select)))
    union = " UNION ALL ".join(sqls)
    if ranked:
        sql = f"SELECT {', '.join(select)}, COUNT(*) FROM ({union}) firsts WHERE {qn(FIRST)}"
    else:
        sql = (
            f"SELECT {', '.join(select)}, COUNT(*) FROM ("
            f"SELECT u.*, ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {order}) "
            f"AS st_rank FROM ({union}) u) firsts WHERE st_rank = 1"
        )
    sql += f" GROUP BY {positions}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *params])
        return list(cursor.fetchall())


def _cubes_from_rows(
    rows: Iterable[tuple[Any, ...]],
    periods: Periods,
    dims: tuple[str, ...],
    to_cell: Callable[..., tuple[str, ...]] | None = None,
    codes: dict[int, dict[Any, str]] | None = None,
) -> dict[Period, Cube]:
    """Rows (period position, *values, count) -> one Cube per period. `codes` turns the value
    at a position (a province or agency id) into its code."""
    counts = [Counter[tuple[str, ...]]() for _ in periods]
    for position, *values, n in rows:
        for i, lookup in (codes or {}).items():
            values[i] = lookup.get(values[i])
        cell = to_cell(*values) if to_cell else tuple(values)
        counts[position][cell] += n
    return {p: Cube(dims, dict(counts[i])) for i, p in enumerate(periods)}


def cases_query(cases: QuerySet[Case], periods: Periods) -> dict[Period, Cube]:
    rows = (
        cases.filter(_in_periods("opened_on", periods))
        .annotate(**{PERIOD: _period_label("opened_on", periods)})
        .values_list(PERIOD, "kind", "status", "province_id", "owning_agency_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _cubes_from_rows(
        rows,
        periods,
        ("kind", "status", "province", "agency"),
        codes={2: _province_codes(), 3: _agency_codes()},
    )


# --- indicator rows: what each person indicator counts, read once from the registry ----------
#
# A person indicator counts records (arrests, victim participations, rescue links, proceedings)
# whose values come from four or five of the registry's largest tables. Joining them for every
# report cost seconds at a million cases; instead each record is read once into one narrow
# table, stats.IndicatorRow, when its case changes (decision 0306), and the indicators count
# from there. The sources below are those joins, each giving the row's columns (ROW_COLUMNS);
# services.indicator_rows_refresh writes them. Who counts once per period is decided when
# counting (_count_first), so the rows serve every actor's scope alike.

ROW_COLUMNS = (
    "case_id",
    "day",
    "year",
    "half",
    "row_id",
    "person_id",
    "unnamed",
    "sex",
    "nationality",
    "age",
    "exploitation",
    "province_id",
    "case_kind",
    "months",
)
# Each column is cast to its type: a bare NULL, or a CASE with a NULL default, would reach
# PostgreSQL as text.
_COLUMN_TYPES = {
    "case_id": BigIntegerField,
    "day": DateField,
    "year": IntegerField,
    "half": IntegerField,
    "row_id": BigIntegerField,
    "person_id": BigIntegerField,
    "unnamed": BigIntegerField,
    "age": IntegerField,
    "province_id": BigIntegerField,
    "months": IntegerField,
}


def _source(queryset: QuerySet[Any], **columns: Any) -> QuerySet[Any]:
    """The queryset's rows as ROW_COLUMNS (named r_<column>); columns not given are NULL.
    The year and half-year are the day's, kept for ranking each person's rows per period."""
    day = columns["day"]
    columns["year"] = ExtractYear(day)
    columns["half"] = DjCase(
        When(LessThanOrEqual(ExtractMonth(day), 6), then=Value(1)), default=Value(2)
    )
    named = {
        f"r_{name}": Cast(columns.get(name, Value(None)), _COLUMN_TYPES.get(name, TextField)())
        for name in ROW_COLUMNS
    }
    return queryset.annotate(**named).order_by().values(*named)


def _arrest_source() -> QuerySet[Any]:
    return _source(
        Arrest.objects.all(),
        case_id=F("case_id"),
        day=F("arrested_on"),
        row_id=F("id"),
        person_id=F("person_id"),
        sex=F("person__sex"),
        nationality=nationality_expr("person__citizenships"),
        province_id=Coalesce("province_id", "case__province_id"),
        case_kind=F("case__kind"),
    )


def _suspect_source() -> QuerySet[Any]:
    return _source(
        Participant.objects.filter(role=ParticipantRole.SUSPECT),
        case_id=F("case_id"),
        day=F("case__opened_on"),
        row_id=F("id"),
        person_id=F("person_id"),
        sex=F("person__sex"),
        nationality=nationality_expr("person__citizenships"),
        case_kind=F("case__kind"),
    )


def _victims(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """Participants in the victim role not marked 'not a victim' (no profile: a victim)."""
    return (
        queryset.filter(role=ParticipantRole.VICTIM)
        .alias(st_status=Coalesce("victim_profile__trafficking_status", Value("")))
        .exclude(st_status=NOT_A_VICTIM)
    )


def _victim_columns(day: str, profile: str) -> dict[str, Any]:
    """The victim's cell values; `day` is the row's date, `profile` the path to the profile."""
    return {
        "day": F(day),
        "sex": F("person__sex"),
        "age": _age_expr(day, "person__birth_year", f"{profile}__age_when_trafficked"),
        "nationality": nationality_expr("person__citizenships"),
        "exploitation": first_code_expr(f"{profile}__exploitation_types"),
    }


def _identified_source() -> QuerySet[Any]:
    # Dated by identified_on, else by the case's opening date.
    victims = _victims(Participant.objects.all()).annotate(
        st_day=Coalesce("victim_profile__identified_on", "case__opened_on")
    )
    return _source(
        victims,
        case_id=F("case_id"),
        row_id=F("id"),
        person_id=F("person_id"),
        province_id=F("case__province_id"),
        **_victim_columns("st_day", "victim_profile"),
    )


def _event_victim_source(kind: str) -> QuerySet[Any]:
    """Victims linked to events of one kind: a link counts when the linked person is a victim
    in the event's own case (one participation at most: a person has a role once per case)."""
    links: QuerySet[Any] = (
        Event.persons.through.objects.annotate(
            victim=FilteredRelation(
                "person__participations",
                condition=Q(
                    person__participations__role=ParticipantRole.VICTIM,
                    person__participations__case_id=F("event__case_id"),
                ),
            )
        )
        .filter(event__kind=kind)
        .filter(Q(victim__isnull=False))  # Q: the type checker does not see the relation
        .alias(st_status=Coalesce("victim__victim_profile__trafficking_status", Value("")))
        .exclude(Q(st_status=NOT_A_VICTIM))
    )
    return _source(
        links,
        case_id=F("event__case_id"),
        row_id=F("event_id"),
        person_id=F("person_id"),
        province_id=Coalesce("event__province_id", "event__case__province_id"),
        **_victim_columns("event__occurred_on", "victim__victim_profile"),
    )


def _defendant_source(proceedings: QuerySet[Proceeding], day: str) -> QuerySet[Any]:
    # A defendant is a person; an unnamed defendant counts once per proceeding: `unnamed` is
    # the proceeding's id only when no defendant is named.
    return _source(
        proceedings.filter(**{f"{day}__isnull": False}),
        case_id=F("case_id"),
        day=F(day),
        row_id=F("id"),
        person_id=F("defendant_id"),
        unnamed=DjCase(When(defendant__isnull=True, then=F("id")), default=Value(None)),
        sex=Coalesce(NullIf("defendant__sex", Value("")), Value(UNKNOWN)),
        case_kind=F("case__kind"),
        province_id=F("case__province_id"),
        months=F("sentence_months"),
    )


# source name -> (its rows, the path from a row to its case id); the names are stored in
# IndicatorRow.source.
ROW_SOURCES: dict[str, tuple[Callable[[], QuerySet[Any]], str]] = {
    "arrests": (_arrest_source, "case_id"),
    "suspects": (_suspect_source, "case_id"),
    "victims_identified": (_identified_source, "case_id"),
    "victims_rescued": (lambda: _event_victim_source(EventKind.RESCUE), "event__case_id"),
    "victims_referred": (lambda: _event_victim_source(EventKind.REFERRAL), "event__case_id"),
    "prosecutions": (
        lambda: _defendant_source(Proceeding.objects.all(), "filed_on"),
        "case_id",
    ),
    "convictions": (
        lambda: _defendant_source(
            Proceeding.objects.filter(verdict=Verdict.CONVICTED), "verdict_on"
        ),
        "case_id",
    ),
    # Its own rows: a person's first prison sentence need not be their first conviction.
    "prison_sentences": (
        lambda: _defendant_source(
            Proceeding.objects.filter(verdict=Verdict.CONVICTED, sentence_months__gt=0),
            "verdict_on",
        ),
        "case_id",
    ),
}


def _rows(source: str, cases: QuerySet[Case], periods: Periods) -> QuerySet[Any]:
    """The source's rows dated in the periods, of the cases the actor may aggregate."""
    from .models import IndicatorRow

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
    is its person's first in its half-year and in its year (services.indicator_rows_refresh
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
    return Cube(("province",), cells)


def national_rate_per_100k(victims_total: float) -> float:
    population = sum(_populations().values())
    return round(victims_total * 100000 / population, 2) if population else 0.0


CATALOGUE: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator(
            "cases",
            "Cases registered",
            "ករណីដែលបានចុះបញ្ជី",
            "cases",
            ("kind", "status", "province", "agency"),
            "Each case once, in the period its opening date (the date it was registered) falls "
            "in. Status is the status today. Province and agency are the case's own.",
            cases_query,
        ),
        Indicator(
            "arrests",
            "Persons arrested",
            "ជនសង្ស័យដែលត្រូវបានចាប់ខ្លួន",
            "persons",
            ("sex", "nationality_group", "nationality", "province", "case_kind"),
            "Each person arrested once per period, however many arrests, by the arrest date. "
            "Foreign: no Cambodian citizenship recorded (dual nationals count as nationals). "
            "Province of the arrest, else of the case. Attributes from the first arrest.",
            arrests_query,
        ),
        Indicator(
            "suspects",
            "Suspects in cases registered",
            "ជនសង្ស័យក្នុងករណីដែលបានចុះបញ្ជី",
            "persons",
            ("sex", "nationality_group", "nationality", "case_kind"),
            "Each person once per period who is a suspect in at least one case registered in "
            "the period; the case kind is that of their first such case.",
            suspects_query,
        ),
        Indicator(
            "victims_identified",
            "Victims identified",
            "ជនរងគ្រោះដែលត្រូវបានកំណត់អត្តសញ្ញាណ",
            "persons",
            VICTIM_DIMS,
            "Each person once per period who is a victim in a case (not marked 'not a victim'), "
            "by the date identified, or the case's opening date when that is not recorded. Age "
            "in the year of identification (from the year of birth, else the age when "
            "trafficked); minors are under 18; CTDC age bands. Nationality: Cambodian when "
            "among the citizenships, else the first listed. Form of exploitation: the first "
            "recorded. Province of the case.",
            victims_identified_query,
        ),
        Indicator(
            "victims_rescued",
            "Victims rescued",
            "ជនរងគ្រោះដែលត្រូវបានជួយសង្គ្រោះ",
            "persons",
            VICTIM_DIMS,
            "Each victim once per period however many rescues, by the date of the rescue event "
            "they are linked to; a victim rescued twice in the period counts once, with the "
            "attributes of the first rescue. Province of the rescue, else of the case. Age "
            "and nationality as for victims identified.",
            victims_rescued_query,
        ),
        Indicator(
            "victims_referred",
            "Victims referred to services",
            "ជនរងគ្រោះដែលត្រូវបានបញ្ជូនទៅសេវា",
            "persons",
            VICTIM_DIMS,
            "Each victim once per period who is linked to a referral event dated in the "
            "period, however many referrals.",
            victims_referred_query,
        ),
        Indicator(
            "prosecutions",
            "Defendants prosecuted",
            "ជនជាប់ចោទដែលត្រូវបានចោទប្រកាន់នៅតុលាការ",
            "persons",
            ("sex", "case_kind", "province"),
            "Each defendant once per period with a court proceeding filed in the period; a "
            "proceeding without a named defendant counts as one defendant.",
            prosecutions_query,
        ),
        Indicator(
            "convictions",
            "Defendants convicted",
            "ជនជាប់ចោទដែលត្រូវបានផ្តន្ទាទោស",
            "persons",
            ("sex", "case_kind", "province", "sentence"),
            "Each defendant once per period with a conviction dated (verdict date) in the "
            "period; sentence band from the first such conviction.",
            convictions_query,
        ),
        Indicator(
            "prison_sentences",
            "Defendants sentenced to prison",
            "ជនជាប់ចោទដែលត្រូវបានកាត់ទោសឱ្យជាប់ពន្ធនាគារ",
            "persons",
            ("sentence", "case_kind"),
            "Each defendant once per period convicted in the period with a prison term of at "
            "least one month, by length of the term.",
            prison_sentences_query,
        ),
        Indicator(
            "victims_per_100k",
            "Victims identified per 100,000 population (SDG 16.2.2)",
            "ជនរងគ្រោះដែលត្រូវបានកំណត់អត្តសញ្ញាណ ក្នុងប្រជាជន ១០០.០០០ នាក់ (SDG 16.2.2)",
            "per 100,000 population",
            ("province",),
            "Victims identified (as above) divided by the 2019 census population, times "
            "100,000; the national rate divides the national count by the national "
            "population. Not additive: the province rates do not sum to the national rate.",
            victims_per_100k_query,
            derived=True,
        ),
    )
}


def indicator(indicator_id: str, field: str = "indicator") -> Indicator:
    """The catalogue entry, or a ValidationError naming the field."""
    from django.core.exceptions import ValidationError

    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise ValidationError(
            {field: _("Unknown indicator %(value)r.") % {"value": indicator_id}}
        ) from None


__all__ = ["CATALOGUE", "Cube", "Indicator", "indicator"]
