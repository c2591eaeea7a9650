"""Counting in the database for several periods at once: period labels, firsts, the case query."""

import datetime
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.db.models import Case as DjCase
from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import (
    ExtractYear,
    Greatest,
)

from ctip.registry.models import Case

from ..choices import ADULT_AGE
from ..periods import Period
from .cube import Cube
from .dimensions import _in

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
