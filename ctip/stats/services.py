"""Every write of the statistics app: releases, and the indicator rows the counts read."""

import hashlib
import json
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .choices import Protection, ReleaseStatus
from .disclosure import Grid, K, allocate_epsilon, private_tables, suppress
from .indicators import Cube
from .models import PrivacyLedgerEntry, Release
from .periods import parse_period
from .selectors import may_aggregate_all, may_sign_off_releases, period_figures

# (table id, indicator, row dimension, column dimension or None)
PUBLIC_TABLES: tuple[tuple[str, str, str, str | None], ...] = (
    ("cases_by_kind", "cases", "kind", None),
    ("cases_by_province", "cases", "province", None),
    ("arrests_by_nationality", "arrests", "nationality_group", None),
    ("victims_identified_by_sex_and_age", "victims_identified", "sex", "age_group"),
    ("victims_identified_by_exploitation", "victims_identified", "exploitation", None),
    ("victims_identified_by_province", "victims_identified", "province", None),
    ("victims_rescued_by_sex_and_age", "victims_rescued", "sex", "age_group"),
    ("convictions_by_kind", "convictions", "case_kind", None),
)


def total_privacy_budget() -> float:
    """The total ε all releases together may spend (CTIP_DP_TOTAL_EPSILON, default 4)."""
    return float(getattr(settings, "CTIP_DP_TOTAL_EPSILON", 4.0))


def privacy_budget_spent() -> float:
    return float(PrivacyLedgerEntry.objects.aggregate(total=Sum("epsilon"))["total"] or 0.0)


def tables_digest(tables: list[dict[str, Any]]) -> str:
    canonical = json.dumps(tables, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def dimension_domain(dim: str) -> list[str]:
    """Every value a public table shows for a dimension, fixed in advance: which rows appear
    must not depend on the data, or the table layout itself would disclose (and would break
    differential privacy)."""
    from ctip.reference.selectors import province_list, vocabulary_codes
    from ctip.registry.choices import CaseKind, Sex

    from .choices import UNKNOWN

    domains = {
        "kind": list(CaseKind.values),
        "case_kind": list(CaseKind.values),
        "sex": list(Sex.values),
        "age_group": ["minor", "adult", UNKNOWN],
        "nationality_group": ["national", "foreign", UNKNOWN],
        "province": sorted(province.code for province in province_list()),
        "exploitation": [*sorted(vocabulary_codes("exploitation_type")), UNKNOWN],
    }
    return domains[dim]


def _grid(cube: Cube, rows: str, cols: str | None) -> Grid:
    row_keys = dimension_domain(rows)
    if cols is None:
        by = cube.by(rows)
        return Grid.from_cells(row_keys, ["count"], np.array([[by.get(k, 0)] for k in row_keys]))
    cells = cube.margin(rows, cols)
    col_keys = dimension_domain(cols)
    grid = np.array([[cells.get((r, c), 0) for c in col_keys] for r in row_keys])
    return Grid.from_cells(row_keys, col_keys, grid)


def _published(grid: Grid, hidden: np.ndarray | None) -> list[list[int | None]]:
    return [
        [
            None if hidden is not None and hidden[r, c] else int(grid.m[r, c])
            for c in range(grid.m.shape[1])
        ]
        for r in range(grid.m.shape[0])
    ]


def _private_grids(grids: list[Grid], epsilon: float) -> list[Grid]:
    """The tables under ε-DP: ε split over all tables (√cells), and the tables of one
    indicator (margins of one cube) estimated together so they agree; margins are the sums
    of the published non-negative integer cells (post-processing)."""
    inner = [g.m[: len(g.row_keys), : len(g.col_keys)] for g in grids]
    budgets = allocate_epsilon([c.size for c in inner], epsilon)
    grids = list(grids)
    for indicator_id in dict.fromkeys(t[1] for t in PUBLIC_TABLES):
        # Tables with no cells (an empty domain) have nothing to measure and are kept.
        members = [i for i, t in enumerate(PUBLIC_TABLES) if t[1] == indicator_id and inner[i].size]
        dims = [tuple(d for d in PUBLIC_TABLES[i][2:] if d is not None) for i in members]
        cells = [
            inner[i] if len(ds) == 2 else inner[i][:, 0]
            for i, ds in zip(members, dims, strict=True)
        ]
        if not members:
            continue
        estimated = private_tables(cells, dims, [budgets[i] for i in members])
        for i, table in zip(members, estimated, strict=True):
            g = grids[i]
            grids[i] = Grid.from_cells(g.row_keys, g.col_keys, table.reshape(inner[i].shape))
    return grids


def build_public_tables(
    *, actor: Any, period: str, protection: str, epsilon: float | None, k: int = K
) -> list[dict[str, Any]]:
    """The release's tables, protected. Margins are part of each table (last row/column)."""
    figures = period_figures(
        actor=actor,
        period=parse_period(period),
        indicator_ids=tuple({t[1] for t in PUBLIC_TABLES}),
    )
    tables = []
    grids = [_grid(figures.cubes[t[1]], t[2], t[3]) for t in PUBLIC_TABLES]
    if protection != Protection.SUPPRESSION:
        grids = _private_grids(grids, epsilon or 0)
    for (table_id, indicator_id, rows, cols), grid in zip(PUBLIC_TABLES, grids, strict=True):
        if protection == Protection.SUPPRESSION:
            hidden = suppress(grid, k)
            values = _published(grid, hidden)
        else:
            values = _published(grid, None)
        tables.append(
            {
                "id": table_id,
                "indicator": indicator_id,
                "rows": rows,
                "columns": cols,
                "row_keys": [*grid.row_keys, "total"],
                "column_keys": grid.col_keys
                + (["total"] if grid.m.shape[1] > len(grid.col_keys) else []),
                "values": values,
            }
        )
    return tables


def _check_release_input(period: str, protection: str, epsilon: float | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        parse_period(period)
    except ValidationError as error:
        errors.update(error.message_dict)
    if protection not in Protection.values:
        errors["protection"] = [_("Unknown protection %(p)r.") % {"p": protection}]
    if protection == Protection.DIFFERENTIAL_PRIVACY:
        if epsilon is None or not isinstance(epsilon, int | float) or not epsilon > 0:
            errors["epsilon"] = [_("Epsilon must be a number above 0.")]
        else:
            remaining = total_privacy_budget() - privacy_budget_spent()
            if epsilon > remaining + 1e-12:
                errors["epsilon"] = [
                    _("Epsilon %(e)g is beyond the remaining privacy budget (%(r)g).")
                    % {"e": epsilon, "r": remaining}
                ]
    elif epsilon is not None:
        errors["epsilon"] = [_("Epsilon applies only to differential privacy.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def release_create(
    *, actor: Any, period: str, protection: str, epsilon: float | None = None, notes: str = ""
) -> Release:
    """Prepare a draft release. A DP release spends its ε now, in the same transaction."""
    if not may_aggregate_all(actor) or getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Only analysts and secretariat staff prepare releases."))
    # Lock the ledger so two releases cannot both spend the last of the budget.
    list(PrivacyLedgerEntry.objects.select_for_update().values_list("id", flat=True))
    _check_release_input(period, protection, epsilon)
    label = parse_period(period).label
    tables = build_public_tables(actor=actor, period=label, protection=protection, epsilon=epsilon)
    release = Release.objects.create(
        period=label,
        protection=protection,
        epsilon=epsilon,
        min_cell=K,
        tables=tables,
        digest=tables_digest(tables),
        notes=notes,
        created_by=actor,
    )
    if protection == Protection.DIFFERENTIAL_PRIVACY and epsilon is not None:
        PrivacyLedgerEntry.objects.create(release=release, epsilon=epsilon, spent_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=release,
        changes={
            "period": [None, label],
            "protection": [None, protection],
            "epsilon": [None, epsilon],
        },
    )
    return release


@transaction.atomic
def release_sign_off(*, actor: Any, release: Release) -> Release:
    """A secretariat supervisor, not the preparer, reviews and signs off a draft."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft can be signed off.")})
    if not may_sign_off_releases(actor):
        raise PermissionDenied(_("Only a supervisor of the secretariat signs off releases."))
    if release.created_by_id == actor.pk:
        raise PermissionDenied(_("The person who prepared a release cannot sign it off."))
    release.status = ReleaseStatus.SIGNED_OFF
    release.signed_off_by = actor
    release.signed_off_at = timezone.now()
    release.save(update_fields=["status", "signed_off_by", "signed_off_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=release,
        changes={"status": [ReleaseStatus.DRAFT, ReleaseStatus.SIGNED_OFF]},
    )
    return release


@transaction.atomic
def release_publish(*, actor: Any, release: Release) -> Release:
    """Publish a signed-off release; from now on nothing changes it."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.SIGNED_OFF:
        raise ValidationError({"status": _("Only a signed-off release can be published.")})
    if not may_sign_off_releases(actor):
        raise PermissionDenied(_("Only a supervisor of the secretariat publishes releases."))
    if Release.objects.filter(period=release.period, status=ReleaseStatus.PUBLISHED).exists():
        raise ValidationError({"period": _("This period already has a published release.")})
    if tables_digest(release.tables) != release.digest:
        raise ValidationError({"tables": _("The tables changed after preparation.")})
    release.status = ReleaseStatus.PUBLISHED
    release.published_at = timezone.now()
    release.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=release,
        changes={"status": [ReleaseStatus.SIGNED_OFF, ReleaseStatus.PUBLISHED]},
    )
    return release


# --- indicator rows (decision 0306) ------------------------------------------------------------

# Above this share of all cases marked, reading every case again in one pass is faster than
# reading the marked ones through their ids.
FULL_REFRESH_SHARE = 0.2


def cases_mark_stale(cases: Any) -> None:
    """Mark cases for recounting: a queryset of cases (set-based, for bulk writers) or ids.
    Runs in the caller's transaction, so the mark commits or rolls back with the change. A
    case already marked gets a new mark id (see StaleCase)."""
    from django.db import connection

    from ctip.registry.models import Case

    from .models import StaleCase

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
    from ctip.registry.models import Case, Participant, Person, Proceeding, VictimProfile

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
    from django.db import connection

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
    from django.db import connection

    from .indicators import ROW_COLUMNS
    from .models import IndicatorRow

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
    from django.db import connection

    from .models import IndicatorRow

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
    from django.db import connection

    from .indicators import ROW_SOURCES
    from .models import IndicatorRow

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
    from django.db.models import Q

    from .indicators import ROW_SOURCES
    from .models import IndicatorRow

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
    from ctip.registry.models import Case

    from .models import StaleCase

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
