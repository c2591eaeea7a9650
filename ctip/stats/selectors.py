"""Every read of the statistics app. Each takes the acting user and scopes what it aggregates.

The aggregate rule (decision 0300): analysts, members of the national secretariat and
superusers may aggregate over every case; anyone else with record rights aggregates over the
cases the record policy (ctip.access.policies.case_q) lets them see; everyone else — the
public included — gets only published releases. Aggregates never return rows.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind, Role
from ctip.access.policies import RECORD_ROLES, actor_scope, case_q
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Case, Participant
from ctip.registry.selectors import person_counting_key

from .choices import ReleaseStatus
from .indicators import CATALOGUE, NOT_A_VICTIM, Cube, analytic_session, indicator, rates_per_100k
from .ledger import privacy_budget_spent, tables_digest, total_privacy_budget
from .models import PrivacyLedgerEntry, Release
from .mse import estimate_population, table_from_rows
from .periods import Period, parse_period
from .rows import indicator_rows_refresh


def may_aggregate_all(actor: Any) -> bool:
    """Analysts, secretariat staff and superusers see aggregates over every case."""
    scope = actor_scope(actor)
    if scope.is_superuser or scope.roles.get(Role.ANALYST):
        return True
    return any(kind == AgencyKind.SECRETARIAT for kind in scope.agency_kinds.values())


def aggregate_case_q(actor: Any) -> Q:
    """The cases whose figures the actor may see in aggregate."""
    if may_aggregate_all(actor):
        return Q()
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to see statistics other than published releases."))
    return case_q(actor, Action.VIEW)


def aggregate_cases_refreshing_rows(*, actor: Any) -> QuerySet[Case]:
    """The case queryset every indicator query starts from. It writes: cases changed since the
    indicator rows were last read are read again first, so every count is current (decision
    0306); the rows are derived data, and a refusal comes before any write."""
    cases = Case.objects.filter(aggregate_case_q(actor))  # refused before any write
    indicator_rows_refresh()
    return cases


def may_see_statistics(actor: Any) -> bool:
    if may_aggregate_all(actor):
        return True
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor_scope(actor).agencies_with(RECORD_ROLES))


def indicator_cube(*, actor: Any, indicator_id: str, period: Period) -> Cube:
    """One indicator for one period, over the cases the actor may aggregate."""
    cases = aggregate_cases_refreshing_rows(actor=actor)
    with analytic_session():
        return indicator(indicator_id).query(cases, period)


@dataclass
class PeriodFigures:
    """Every indicator of the catalogue for one period."""

    period: Period
    cubes: dict[str, Cube]

    def total(self, indicator_id: str) -> float:
        return self.cubes[indicator_id].total


def period_figures(
    *, actor: Any, period: Period, indicator_ids: tuple[str, ...] | None = None
) -> PeriodFigures:
    """All (or some) indicators for a period, sharing one scoped case queryset."""
    return periods_figures(actor=actor, wanted={period: indicator_ids})[period]


def periods_figures(
    *, actor: Any, wanted: dict[Period, tuple[str, ...] | None]
) -> dict[Period, PeriodFigures]:
    """Indicators for several periods (None: every indicator). An indicator wanted for
    several periods is computed for all of them in one pass (Indicator.cubes)."""
    cases = aggregate_cases_refreshing_rows(actor=actor)
    periods_of: dict[str, list[Period]] = {}
    for period, ids in wanted.items():
        for i in ids or tuple(CATALOGUE):
            periods_of.setdefault(indicator(i).id, []).append(period)
    computed: dict[str, dict[Period, Cube]] = {}
    with analytic_session():
        for i in CATALOGUE:  # catalogue order, which the reports keep
            if i not in periods_of:
                continue
            identified = computed.get("victims_identified", {})
            if i == "victims_per_100k" and all(p in identified for p in periods_of[i]):
                computed[i] = {p: rates_per_100k(identified[p]) for p in periods_of[i]}
            else:
                computed[i] = CATALOGUE[i].cubes(cases, periods_of[i])
    return {
        period: PeriodFigures(
            period,
            {i: computed[i][period] for i in (ids or tuple(CATALOGUE))},
        )
        for period, ids in wanted.items()
    }


def registry_capture_table(*, actor: Any, period: Period, max_lists: int = 6) -> Any:
    """A capture-history table from the registry for multiple systems estimation.

    Each list is a kind of agency (police units, NGOs, ministries, province committees, ...)
    that owns a case in which the person is a victim registered in the period; a person is
    "caught" by every kind of agency that recorded them. It counts identities (the linkage
    app's grouping of records of one human being), so one victim recorded by the police and
    by an NGO is one person caught by two lists. Only those who may aggregate over every case
    may build it, since a partial view would make every list look smaller than it is.
    """
    if not may_aggregate_all(actor):
        raise PermissionDenied(_("Only analysts estimate from the whole registry."))
    rows = (
        Participant.objects.filter(
            case__in=aggregate_cases_refreshing_rows(actor=actor),
            role=ParticipantRole.VICTIM,
            case__opened_on__range=(period.start, period.end),
        )
        .exclude(victim_profile__trafficking_status=NOT_A_VICTIM)
        # One human being recorded by several agencies is one capture history, not several.
        .annotate(st_who=person_counting_key("person_id"))
        .values_list("st_who", "case__owning_agency__kind")
        .distinct()
    )
    caught: dict[int, set[str]] = {}
    for person_id, kind in rows:
        caught.setdefault(person_id, set()).add(kind)
    sizes: dict[str, int] = {}
    for kinds in caught.values():
        for kind in kinds:
            sizes[kind] = sizes.get(kind, 0) + 1
    lists = sorted(sizes, key=lambda k: -sizes[k])[:max_lists]
    if len(lists) < 2:
        raise ValidationError({"period": _("Fewer than two kinds of agency recorded victims.")})
    patterns: dict[tuple[int, ...], int] = {}
    for kinds in caught.values():
        key = tuple(int(name in kinds) for name in lists)
        if any(key):
            patterns[key] = patterns.get(key, 0) + 1
    return table_from_rows(lists, list(patterns.items()))


# The page answers while the analyst waits, and every bootstrap replicate repeats the whole
# model search over 2^k - 1 cells. Stepwise selection runs 1,000 replicates of five or six
# lists in a few seconds (docs/benchmarks.md); BIC over every model fits 1,024 models per
# replicate for five lists, about a minute per 1,000 replicates. So the page draws fewer
# replicates as lists grow and for BIC; the command line draws as many as it is asked for.
PAGE_BOOTSTRAP_LIMITS = {
    "stepwise": {7: 500, 8: 200, 9: 50},
    "bic": {4: 500, 5: 100, 6: 50, 7: 20},
}
PAGE_BOOTSTRAP_MAX = 1000


def page_bootstrap_limit(lists: int, method: str = "stepwise") -> int:
    """The most bootstrap replicates the dark-figure page draws for a table of `lists` lists."""
    limits = PAGE_BOOTSTRAP_LIMITS["stepwise" if method == "stepwise" else "bic"]
    if lists < min(limits):
        return PAGE_BOOTSTRAP_MAX
    return limits.get(lists, 0)


def dark_figure(
    *,
    actor: Any,
    period: Period | str | None = None,
    table: Any = None,
    method: str = "stepwise",
    bootstrap: int = 1000,
    seed: int = 2024,
    interval: str = "bca",
    for_page: bool = False,
) -> dict[str, Any]:
    """Multiple systems estimation of the total number of victims, known and unknown.

    Exactly one source: a period (the registry's capture table, see registry_capture_table)
    or an uploaded capture table. Analysts and secretariat staff only, whichever the source:
    the figure is theirs to publish or not. Reading the registry is audited as an export of
    aggregates, like a report. `for_page` caps the replicates (page_bootstrap_limit).
    """
    if (period is None) == (table is None):
        raise TypeError("dark_figure takes a period or a table, not both or neither")
    if not may_aggregate_all(actor):
        raise PermissionDenied(_("Only analysts and secretariat staff estimate the dark figure."))
    if isinstance(period, str):
        period = parse_period(period)
    if period is not None:
        table = registry_capture_table(actor=actor, period=period)
    replicates = (
        min(bootstrap, page_bootstrap_limit(len(table.lists), method)) if for_page else bootstrap
    )
    try:
        estimate = estimate_population(
            table, method=method, bootstrap=replicates, seed=seed, interval=interval
        )
    except ValidationError as error:
        if period is None:
            raise
        # The estimator blames "the file"; from the registry the period is what was given.
        raise ValidationError(
            {("period" if key == "file" else key): m for key, m in error.message_dict.items()}
        ) from error
    result = estimate.as_dict()
    result.update(
        source="registry" if period is not None else "file",
        period=period.label if period is not None else None,
        list_sizes=table.sizes,
        unknown=round(estimate.estimate - estimate.observed, 1),
        bootstrap_requested=bootstrap,
    )
    if period is not None:
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="stats.mse",
            object_id=f"registry:{period.label}",
            detail={
                "aggregates_only": True,
                "method": method,
                "interval": interval,
                "bootstrap": replicates,
                "lists": table.lists,
            },
        )
    return result


def published_releases() -> QuerySet[Any]:
    """Published releases: public, read by anyone, no actor needed (they hold no rows)."""
    return Release.objects.filter(status=ReleaseStatus.PUBLISHED).order_by("-period")


def published_release(*, pk: int) -> Any:
    """One published release, refused if its tables no longer match their digest."""
    release = published_releases().filter(pk=pk).first()
    if release is None:
        raise Http404(_("No such release."))
    if tables_digest(release.tables) != release.digest:
        raise PermissionDenied(_("This release fails its integrity check."))
    return release


def may_sign_off_releases(actor: Any) -> bool:
    """Supervisors of the secretariat (and superusers) sign off and publish releases."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return True
    supervised = scope.roles.get(Role.SUPERVISOR, frozenset())
    return any(scope.agency_kinds.get(a) == AgencyKind.SECRETARIAT for a in supervised)


def _require_release_staff(actor: Any) -> None:
    if not may_aggregate_all(actor):
        raise PermissionDenied(_("Only analysts and secretariat staff manage releases."))


def release_list(*, actor: Any) -> QuerySet[Any]:
    """Every release, drafts (unpublished tables) included: release staff only."""
    _require_release_staff(actor)
    return Release.objects.all()


def release_get(*, actor: Any, pk: Any) -> Any:
    """One release for release staff to sign off or publish."""
    release = release_list(actor=actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if release is None:
        raise Http404(_("No such release."))
    return release


def privacy_ledger(*, actor: Any) -> dict[str, Any]:
    """The privacy budget: total, spent, remaining and every entry."""
    if not may_aggregate_all(actor):
        raise PermissionDenied(_("Only analysts and secretariat staff see the ledger."))
    spent = privacy_budget_spent()
    return {
        "total": total_privacy_budget(),
        "spent": spent,
        "remaining": total_privacy_budget() - spent,
        "entries": list(
            PrivacyLedgerEntry.objects.select_related("release").values(
                "release_id", "release__period", "epsilon", "spent_at"
            )
        ),
    }
