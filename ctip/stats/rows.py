"""Upkeep of the indicator rows (decision 0306): cases marked stale on write, recounted on read."""

import json
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q

from ctip.registry.models import Case, Participant, Person, Proceeding, VictimProfile

from .indicators import ROW_COLUMNS, ROW_SOURCES
from .models import IndicatorRow, StaleCase

# Above this share of all cases marked, reading every case again in one pass is faster than
# reading the marked ones through their ids.
FULL_REFRESH_SHARE = 0.2


def cases_mark_stale(cases: Any) -> None:
    """Mark cases for recounting: a queryset of cases (set-based, for bulk writers) or ids.
    Runs in the caller's transaction, so the mark commits or rolls back with the change. A
    case already marked gets a new mark id (see StaleCase)."""
    qn = connection.ops.quote_name
    table = qn(StaleCase._meta.db_table)
    params: list[Any]
    if isinstance(cases, models.QuerySet):
        assert cases.model is Case
        sql, sql_params = cases.order_by().values("id").distinct().query.sql_with_params()
        select, params = f"SELECT s.{qn('id')} FROM ({sql}) s WHERE true", list(sql_params)
    else:
        ids = sorted({int(pk) for pk in cases if pk is not None})
        if not ids:
            return
        if connection.vendor == "postgresql":  # one statement for a whole import chunk
            select, params = "SELECT unnest(%s::bigint[])", [ids]
        else:
            select = "SELECT value FROM json_each(%s)"
            params = [json.dumps(ids)]
    if connection.vendor == "postgresql":
        statement = (
            f"INSERT INTO {table} ({qn('case_id')}) {select} ON CONFLICT ({qn('case_id')}) "
            f"DO UPDATE SET {qn('id')} = nextval(pg_get_serial_sequence('{table}', 'id'))"
        )
    else:  # SQLite: REPLACE deletes the old mark and inserts one with a new id
        statement = f"INSERT OR REPLACE INTO {table} ({qn('case_id')}) {select}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def case_ids_of(instance: models.Model) -> list[int]:
    """The cases whose indicator rows a registry record feeds (for the model signals)."""
    if isinstance(instance, Case):
        return [instance.pk]
    if isinstance(instance, VictimProfile):
        return list(
            Participant.objects.filter(pk=instance.participant_id).values_list("case_id", flat=True)
        )
    if isinstance(instance, Person):
        # A person's sex, year of birth and citizenships are in every row they are counted in.
        found = set(instance.participations.values_list("case_id", flat=True))
        found |= set(instance.arrests.values_list("case_id", flat=True))
        found |= set(instance.events.values_list("case_id", flat=True))
        found |= set(
            Proceeding.objects.filter(defendant=instance).values_list("case_id", flat=True)
        )
        return sorted(found)
    return [instance.case_id]  # type: ignore[attr-defined]


# Any constant: PostgreSQL's advisory lock that lets one recount run at a time.
REFRESH_LOCK = 7_306_0306


def _one_refresh_at_a_time() -> None:
    """Recounts wait for each other (PostgreSQL; SQLite has one writer at a time anyway).
    Writers do not wait: a recount deletes only the marks it read (StaleCase)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])


# The ranking of a person's rows: by date, then record id, per source and person (an unnamed
# defendant is a person of their own, told by `unnamed`), within a half-year or a year.
_PERSON = "source, person_id, unnamed"
_ORDER = "ORDER BY day, row_id"
RANK_HALF = f"ROW_NUMBER() OVER (PARTITION BY {_PERSON}, year, half {_ORDER})"
RANK_YEAR = f"ROW_NUMBER() OVER (PARTITION BY {_PERSON}, year {_ORDER})"
REFRESH_CHUNK = 2000


def _insert_rows(source: str, rows: Any, *, ranked: bool) -> None:
    """INSERT ... SELECT: the source's rows go from the registry's tables to the indicator
    rows inside the database, never through Python; in date order, so that a period's rows
    lie together on disk and a count reads a few pages instead of all of them. `ranked`: the
    rows are all of the source's, so each row's first-in-period flags are computed here."""
    qn = connection.ops.quote_name
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(qn(c) for c in ("source", *ROW_COLUMNS, "first_in_half", "first_in_year"))
    selected = ", ".join(qn(c) for c in ROW_COLUMNS)
    renamed = ", ".join(f"s.{qn('r_' + c)} AS {qn(c)}" for c in ROW_COLUMNS)
    flags = f"{RANK_HALF} = 1, {RANK_YEAR} = 1" if ranked else "false, false"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(IndicatorRow._meta.db_table)} ({columns}) "
            f"SELECT source, {selected}, {flags} FROM "
            f"(SELECT %s AS source, {renamed} FROM ({sql}) s) r ORDER BY day",
            [source, *params],
        )


def _rank(rows: Any) -> None:
    """Set the first-in-period flags of `rows` (a queryset of indicator rows holding every row
    of each person concerned) by ranking them among themselves."""
    table = connection.ops.quote_name(IndicatorRow._meta.db_table)
    sql, params = rows.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET first_in_half = (w.rank_half = 1), "
            f"first_in_year = (w.rank_year = 1) FROM ("
            f"SELECT id, {RANK_HALF} AS rank_half, {RANK_YEAR} AS rank_year FROM {table} "
            f"WHERE id IN ({sql})) w WHERE {table}.id = w.id",
            params,
        )


def _refresh_all() -> None:

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {IndicatorRow._meta.db_table}")
    else:
        IndicatorRow.objects.all().delete()
    for source, (rows, _case_path) in ROW_SOURCES.items():
        _insert_rows(source, rows(), ranked=True)


def _refresh_cases(case_ids: list[int]) -> None:
    """Read the rows of these cases again, then rank anew every row of each person who had or
    has a row in them (their first row in a period may have moved into or out of them)."""

    def persons() -> set[int]:
        rows = IndicatorRow.objects.filter(case_id__in=case_ids, person_id__isnull=False)
        return {pk for pk in rows.values_list("person_id", flat=True).distinct() if pk}

    concerned = persons()
    IndicatorRow.objects.filter(case_id__in=case_ids).delete()
    for source, (rows, case_path) in ROW_SOURCES.items():
        _insert_rows(source, rows().filter(**{f"{case_path}__in": case_ids}), ranked=False)
    concerned |= persons()
    _rank(IndicatorRow.objects.filter(Q(case_id__in=case_ids) | Q(person_id__in=concerned)))


def indicator_rows_refresh(*, everything: bool = False) -> int:
    """Read again the indicator rows of every case marked stale (or of every case), in one
    transaction; returns how many cases were marked. Statistics call it before counting."""
    if not everything and not StaleCase.objects.exists():
        return 0  # the common case, without taking the lock
    with transaction.atomic():
        _one_refresh_at_a_time()
        marks = list(StaleCase.objects.order_by("case_id").values_list("id", "case_id"))
        if not everything and not marks:
            return 0
        if everything or len(marks) > FULL_REFRESH_SHARE * max(Case.objects.count(), 1):
            _refresh_all()
        else:
            ids = [case_id for _mark, case_id in marks]
            for start in range(0, len(ids), REFRESH_CHUNK):
                _refresh_cases(ids[start : start + REFRESH_CHUNK])
        # Only the marks read above: one committed meanwhile was not read, and a case marked
        # again meanwhile has a new mark id, so both stay for the next recount.
        read = [mark for mark, _case_id in marks]
        for start in range(0, len(read), 5000):
            StaleCase.objects.filter(id__in=read[start : start + 5000]).delete()
    return len(marks)
