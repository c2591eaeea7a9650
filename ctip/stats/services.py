"""Every write of the statistics app but the indicator rows (rows.py): releases, their tables."""

from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.reference.selectors import province_list, vocabulary_codes
from ctip.registry.choices import CaseKind, Sex

from .choices import UNKNOWN, Protection, ReleaseStatus
from .disclosure import Grid, K, allocate_epsilon, private_tables, suppress
from .indicators import Cube
from .ledger import privacy_budget_spent, tables_digest, total_privacy_budget
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


def dimension_domain(dim: str) -> list[str]:
    """Every value a public table shows for a dimension, fixed in advance: which rows appear
    must not depend on the data, or the table layout itself would disclose (and would break
    differential privacy)."""
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
