"""The committee's coordination figures, from the running tallies."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import AgencyKind, Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.reference.models import Province

from ..choices import (
    ReferralStatus,
)
from ..models import (
    Referral,
    ReferralDurationMonthStat,
    ReferralDurationStat,
    ReferralMonthStat,
)
from ..tallies import median_from_buckets, sum_histograms
from .referrals import (
    overdue_q,
)


def may_see_coordination(actor: Any) -> bool:
    """Secretariat staff, analysts and administrators see the committee-wide aggregates."""
    scope = actor_scope(actor)
    if scope.is_superuser or scope.has_role(Role.ANALYST):
        return True
    return any(kind == AgencyKind.SECRETARIAT for kind in scope.agency_kinds.values())


@dataclass
class CoordinationFilters:
    sent_from: datetime.date | None = None
    sent_to: datetime.date | None = None
    province: int | None = None
    service: str = ""


@dataclass
class CoordinationFigures:
    """The committee's referral figures; medians are in hours, to the tallies' resolution."""

    total: int
    by_status: dict[str, int]
    acceptance_rate: float | None
    median_hours_to_accept: float | None
    median_hours_to_complete: float | None
    overdue: int
    by_agency: list[dict[str, Any]]
    by_service: list[dict[str, Any]]
    by_province: list[dict[str, Any]]
    months: tuple[datetime.date | None, datetime.date | None]


def _month_range(filters: CoordinationFilters) -> tuple[datetime.date | None, datetime.date | None]:
    start = filters.sent_from.replace(day=1) if filters.sent_from else None
    end = filters.sent_to.replace(day=1) if filters.sent_to else None
    return start, end


def _rate(accepted: int, declined: int) -> float | None:
    return round(accepted / (accepted + declined), 3) if accepted + declined else None


def coordination_figures(
    *, actor: Any, filters: CoordinationFilters | None = None, today: datetime.date | None = None
) -> CoordinationFigures:
    """Referrals by agency, service and province: counts, acceptance rate, median time to accept
    and to complete, overdue counts. Aggregates only; no person appears.

    Counts and medians come from the running tallies (whole months sent; see decision 0500);
    overdue counts are read live from the open referrals, which partial indexes keep cheap.
    """
    if not may_see_coordination(actor):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="referrals.coordination",
            detail={"wanted": "view"},
        )
        raise PermissionDenied(_("The coordination dashboard is for the secretariat and analysts."))
    filters = filters or CoordinationFilters()
    today = today or timezone.localdate()
    start, end = _month_range(filters)
    scope = Q()
    if start:
        scope &= Q(month__gte=start)
    if end:
        scope &= Q(month__lte=end)
    if filters.province:
        scope &= Q(province_id=filters.province)
    if filters.service:
        scope &= Q(service=filters.service)
    rows = list(
        ReferralMonthStat.objects.filter(scope)
        .values("to_agency_id", "service", "province_id", "status")
        .annotate(n=Sum("referrals"), acc=Sum("accepted"))
        .order_by()
    )
    live = Referral.objects.filter(overdue_q(today))
    if start:
        live = live.filter(sent_at__gte=_day_start(start))
    if end:
        live = live.filter(sent_at__lt=_day_start(_next_month(end)))
    if filters.province:
        live = live.filter(province_id=filters.province)
    if filters.service:
        live = live.filter(service=filters.service)
    overdue_rows = list(
        live.values("to_agency_id", "service", "province_id").annotate(n=Count("id")).order_by()
    )
    agencies = dict(Agency.objects.values_list("id", "code"))
    provinces = dict(Province.objects.values_list("id", "name_en"))
    groups: dict[str, dict[Any, dict[str, Any]]] = {"agency": {}, "service": {}, "province": {}}

    def cell(dimension: str, key: Any) -> dict[str, Any]:
        return groups[dimension].setdefault(
            key,
            {"total": 0, "accepted": 0, "declined": 0, "completed": 0, "overdue": 0},
        )

    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        keys = (
            ("agency", agencies.get(row["to_agency_id"], "")),
            ("service", row["service"]),
            ("province", provinces.get(row["province_id"], "")),
        )
        for dimension, key in keys:
            target = cell(dimension, key)
            target["total"] += row["n"]
            target["accepted"] += row["acc"]
            if row["status"] == ReferralStatus.DECLINED:
                target["declined"] += row["n"]
            if row["status"] == ReferralStatus.COMPLETED:
                target["completed"] += row["n"]
    overdue = 0
    for late in overdue_rows:
        overdue += late["n"]
        cell("agency", agencies.get(late["to_agency_id"], ""))["overdue"] += late["n"]
        cell("service", late["service"])["overdue"] += late["n"]
        cell("province", provinces.get(late["province_id"], ""))["overdue"] += late["n"]

    def table(dimension: str, label: str) -> list[dict[str, Any]]:
        result = []
        for key in sorted(groups[dimension], key=str):
            values = groups[dimension][key]
            result.append(
                {
                    label: key,
                    **values,
                    "acceptance_rate": _rate(values["accepted"], values["declined"]),
                }
            )
        return result

    # Histograms (lists of bucket counts) summed here. Narrowed to a service or a province,
    # the per-(month, service, province) rows; otherwise each month's total, a few dozen rows
    # (docs/benchmarks.md, "Referral dashboards").
    histograms: QuerySet[Any]
    if filters.province or filters.service:
        histograms = ReferralDurationStat.objects.filter(scope)
    else:
        histograms = ReferralDurationMonthStat.objects.filter(scope)
    by_measure: dict[str, list[list[int]]] = {"accept": [], "complete": []}
    for measure, counts in histograms.order_by().values_list("measure", "counts"):
        by_measure.setdefault(measure, []).append(counts)
    durations = {
        measure: {b: n for b, n in enumerate(sum_histograms(lists)) if n}
        for measure, lists in by_measure.items()
    }
    accepted = sum(row["acc"] for row in rows)
    figures = CoordinationFigures(
        total=sum(by_status.values()),
        by_status=by_status,
        acceptance_rate=_rate(accepted, by_status.get(ReferralStatus.DECLINED, 0)),
        median_hours_to_accept=median_from_buckets(durations["accept"]),
        median_hours_to_complete=median_from_buckets(durations["complete"]),
        overdue=overdue,
        by_agency=table("agency", "agency"),
        by_service=table("service", "service"),
        by_province=table("province", "province"),
        months=(start, end),
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="referrals.coordination",
        detail={"filters": {k: str(v) for k, v in vars(filters).items() if v}},
    )
    return figures


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
