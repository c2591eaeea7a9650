"""Every read of the referrals app. Each takes the acting user and scopes through the policy."""

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind, Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import EventKind, ParticipantRole
from ctip.registry.models import Event, Participant

from .choices import (
    PATHWAY_GAP_DAYS,
    SERVING_STATUSES,
    ReferralStatus,
    Service,
    TaskStatus,
)
from .models import AgencyService, ExchangePackage, KindService, Referral, Task
from .services import TRANSITIONS, deadline_days, staff_agencies, transition_side_agency

# --- referrals -------------------------------------------------------------------------------


def referral_queryset(*, actor: Any, action: str = Action.VIEW) -> QuerySet[Referral]:
    """Referrals on cases the actor may see."""
    return restrict(Referral.objects.all(), actor, action).select_related(
        "case", "from_agency", "to_agency", "participant__person", "province"
    )


@dataclass
class ReferralFilters:
    """What the referral lists can be narrowed by."""

    box: str = "all"  # inbox: sent to my agencies; outbox: sent by them; all: every visible one
    status: str = ""
    service: str = ""
    overdue: bool = False


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Referrals past their deadline: not accepted in time, or not completed in time."""
    return Q(**{f"{prefix}status": ReferralStatus.SENT, f"{prefix}accept_due_on__lt": today}) | Q(
        **{f"{prefix}status__in": sorted(SERVING_STATUSES), f"{prefix}due_on__lt": today}
    )


def referral_list(*, actor: Any, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    filters = filters or ReferralFilters()
    queryset = referral_queryset(actor=actor)
    mine = sorted(staff_agencies(actor))
    if filters.box == "inbox":
        queryset = queryset.filter(to_agency_id__in=mine)
    elif filters.box == "outbox":
        queryset = queryset.filter(from_agency_id__in=mine)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.service:
        queryset = queryset.filter(service=filters.service)
    if filters.overdue:
        queryset = queryset.filter(overdue_q(timezone.localdate()))
    return queryset.order_by("-sent_at", "-id")


def referral_get(*, actor: Any, pk: int) -> Referral:
    """One referral the actor may see; the read is audited."""
    referral = referral_queryset(actor=actor).filter(pk=pk).first()
    if referral is None:
        if Referral.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="referrals.referral",
                object_id=pk,
                detail={"wanted": "view"},
            )
        raise Http404(_("No such referral."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=referral)
    return referral


def referral_transitions(*, actor: Any, referral: Referral) -> list[str]:
    """The transitions the actor may make now (to show only the buttons that will work)."""
    if referral.case.is_closed:
        return []
    mine = staff_agencies(actor)
    return [
        name
        for name, (starts, _end, _side, _stamp) in TRANSITIONS.items()
        if referral.status in starts and transition_side_agency(referral, name) in mine
    ]


def is_overdue(referral: Referral, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    if referral.status == ReferralStatus.SENT:
        return referral.accept_due_on < today
    return referral.status in SERVING_STATUSES and referral.due_on < today


def services_offered(*, agency: Agency) -> list[str]:
    """The services an agency offers: its kind's defaults with its own settings applied."""
    offered = set(KindService.objects.filter(kind=agency.kind).values_list("service", flat=True))
    for service, is_offered in AgencyService.objects.filter(agency=agency).values_list(
        "service", "offered"
    ):
        if is_offered:
            offered.add(service)
        else:
            offered.discard(service)
    return [s for s in Service.values if s in offered]


def agencies_offering(*, service: str) -> QuerySet[Agency]:
    """Active agencies that offer a service, for the 'refer to' pick-list."""
    kinds = KindService.objects.filter(service=service).values_list("kind", flat=True)
    on = AgencyService.objects.filter(service=service, offered=True).values_list(
        "agency_id", flat=True
    )
    off = AgencyService.objects.filter(service=service, offered=False).values_list(
        "agency_id", flat=True
    )
    return (
        Agency.objects.filter(is_active=True)
        .filter((Q(kind__in=kinds) & ~Q(pk__in=off)) | Q(pk__in=on))
        .order_by("code")
    )


def referral_deadline_preview(*, service: str) -> dict[str, Any]:
    """Due dates a referral sent today would get, and the rule version the form carries."""
    accept, complete, stamp = deadline_days(service)
    today = timezone.localdate()
    return {
        "accept_due_on": today + datetime.timedelta(days=accept),
        "due_on": today + datetime.timedelta(days=complete),
        "deadline_stamp": stamp,
    }


# --- tasks and the overdue work ---------------------------------------------------------------


def task_queryset(*, actor: Any) -> QuerySet[Task]:
    return restrict(Task.objects.all(), actor).select_related(
        "case", "owner_agency", "assigned_to", "referral"
    )


def task_get(*, actor: Any, pk: int) -> Task:
    task = task_queryset(actor=actor).filter(pk=pk).first()
    if task is None:
        raise Http404(_("No such task."))
    return task


def task_list(
    *, actor: Any, mine_only: bool = True, status: str = TaskStatus.OPEN
) -> QuerySet[Task]:
    queryset = task_queryset(actor=actor)
    if mine_only:
        queryset = queryset.filter(
            Q(owner_agency_id__in=sorted(staff_agencies(actor))) | Q(assigned_to=actor)
        )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("due_on", "id")


@dataclass
class WorkList:
    """Overdue and soon-due referrals and tasks for one set of agencies."""

    overdue_referrals: list[Referral] = field(default_factory=list)
    overdue_tasks: list[Task] = field(default_factory=list)
    due_soon_referrals: list[Referral] = field(default_factory=list)
    due_soon_tasks: list[Task] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return len(self.overdue_referrals) + len(self.overdue_tasks)

    @property
    def due_soon_count(self) -> int:
        return len(self.due_soon_referrals) + len(self.due_soon_tasks)

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue_referrals
            or self.overdue_tasks
            or self.due_soon_referrals
            or self.due_soon_tasks
        )


def _supervised_agencies(actor: Any) -> frozenset[int]:
    scope = actor_scope(actor)
    found: set[int] = set()
    for agency_id in scope.roles.get(Role.SUPERVISOR, frozenset()):
        found |= scope.subtree.get(agency_id, frozenset({agency_id}))
    return frozenset(found)


def _work_for(
    agencies: frozenset[int], *, user: Any = None, today: datetime.date, soon_days: int, limit: int
) -> WorkList:
    ids = sorted(agencies)
    soon = today + datetime.timedelta(days=soon_days)
    referrals = Referral.objects.select_related(
        "case", "from_agency", "to_agency", "participant__person"
    ).filter(to_agency_id__in=ids)
    due_soon = Q(status=ReferralStatus.SENT, accept_due_on__range=(today, soon)) | Q(
        status__in=sorted(SERVING_STATUSES), due_on__range=(today, soon)
    )
    owned = Q(owner_agency_id__in=ids)
    if user is not None:
        owned |= Q(assigned_to=user)
    tasks = (
        Task.objects.select_related("case", "owner_agency", "assigned_to")
        .filter(owned, status=TaskStatus.OPEN)
        .order_by("due_on", "id")
    )
    return WorkList(
        overdue_referrals=list(referrals.filter(overdue_q(today)).order_by("due_on")[:limit]),
        overdue_tasks=list(tasks.filter(due_on__lt=today)[:limit]),
        due_soon_referrals=list(referrals.filter(due_soon).order_by("due_on")[:limit]),
        due_soon_tasks=list(tasks.filter(due_on__range=(today, soon))[:limit]),
    )


@dataclass
class Dashboard:
    """The actor's own overdue work, and, for a supervisor, that of the agencies they oversee."""

    own: WorkList
    supervised: WorkList | None
    today: datetime.date


def work_dashboard(
    *, actor: Any, today: datetime.date | None = None, soon_days: int = 3, limit: int = 200
) -> Dashboard:
    """What is overdue or due soon for the actor (owner) and for the agencies they supervise.

    A referral belongs to the receiving agency: it owes the acceptance and the service.
    """
    today = today or timezone.localdate()
    own = _work_for(
        staff_agencies(actor), user=actor, today=today, soon_days=soon_days, limit=limit
    )
    supervised_ids = _supervised_agencies(actor)
    supervised = (
        _work_for(supervised_ids, today=today, soon_days=soon_days, limit=limit)
        if supervised_ids
        else None
    )
    return Dashboard(own=own, supervised=supervised, today=today)


# --- the victim's service pathway ----------------------------------------------------------


@dataclass
class PathwayEntry:
    """One dated step on a victim's pathway."""

    day: datetime.date
    kind: str  # identification, rescue, referral_<transition>, task_done
    label: str
    agency: str = ""
    referral: Referral | None = None


@dataclass
class Gap:
    """A stretch of at least PATHWAY_GAP_DAYS days in which no agency served the victim."""

    start: datetime.date
    end: datetime.date
    ongoing: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class Pathway:
    participant: Participant
    entries: list[PathwayEntry]
    referrals: list[Referral]
    gaps: list[Gap]
    start: datetime.date
    end: datetime.date
    finished: bool


def _local(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def find_gaps(
    start: datetime.date,
    end: datetime.date,
    served: list[tuple[datetime.date, datetime.date]],
    min_days: int = PATHWAY_GAP_DAYS,
    ongoing_end: bool = True,
) -> list[Gap]:
    """Stretches of at least `min_days` between start and end not covered by any interval."""
    gaps: list[Gap] = []
    cursor = start
    for begin, finish in sorted(served):
        if begin > cursor and (begin - cursor).days >= min_days:
            gaps.append(Gap(cursor, begin, ongoing=False))
        cursor = max(cursor, finish)
    if end > cursor and (end - cursor).days >= min_days:
        gaps.append(Gap(cursor, end, ongoing=ongoing_end))
    return gaps


def pathway(*, actor: Any, participant_id: int, today: datetime.date | None = None) -> Pathway:
    """Every referral and service a victim received, across agencies and cases the actor may
    see, from identification to reintegration, with the gaps in service flagged."""
    today = today or timezone.localdate()
    participant = (
        restrict(Participant.objects.all(), actor)
        .select_related("person", "case", "victim_profile")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None:
        if Participant.objects.filter(pk=participant_id).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.participant",
                object_id=participant_id,
                detail={"wanted": "pathway"},
            )
        raise Http404(_("No such person in a case you may see."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=participant, detail={"page": "pathway"})
    roles = list(
        restrict(Participant.objects.filter(person_id=participant.person_id), actor)
        .select_related("case", "victim_profile")
        .order_by("case__opened_on")
    )
    entries: list[PathwayEntry] = []
    starts: list[datetime.date] = []
    for role in roles:
        profile = getattr(role, "victim_profile", None)
        identified = (profile.identified_on if profile else None) or role.case.opened_on
        starts.append(identified)
        entries.append(
            PathwayEntry(
                identified,
                "identification",
                _("Identified in case %(case)s as %(role)s")
                % {"case": role.case.reference, "role": ParticipantRole(role.role).label.lower()},
                role.case.owning_agency.code if role.case.owning_agency_id else "",
            )
        )
    case_ids = [role.case_id for role in roles]
    for event in (
        Event.objects.filter(case_id__in=case_ids, kind=EventKind.RESCUE)
        .filter(Q(persons=participant.person_id) | Q(persons__isnull=True))
        .distinct()
    ):
        entries.append(PathwayEntry(event.occurred_on, "rescue", _("Rescued")))
    referrals = list(
        restrict(Referral.objects.filter(participant__in=[r.pk for r in roles]), actor)
        .select_related("from_agency", "to_agency", "case")
        .order_by("sent_at")
    )
    served: list[tuple[datetime.date, datetime.date]] = []
    finished = False
    stamps = (
        ("sent_at", _("%(service)s: referred by %(from)s to %(to)s")),
        ("accepted_at", _("%(service)s: accepted by %(to)s")),
        ("declined_at", _("%(service)s: declined by %(to)s")),
        ("started_at", _("%(service)s: started by %(to)s")),
        ("completed_at", _("%(service)s: completed by %(to)s")),
        ("closed_at", _("%(service)s: closed by %(from)s")),
    )
    for referral in referrals:
        names = {
            "service": Service(referral.service).label,
            "from": referral.from_agency.code,
            "to": referral.to_agency.code,
        }
        for stamp, text in stamps:
            moment = getattr(referral, stamp)
            if moment:
                entries.append(
                    PathwayEntry(
                        _local(moment) or today,
                        f"referral_{stamp.removesuffix('_at')}",
                        text % names,
                        referral.to_agency.code,
                        referral,
                    )
                )
        began = _local(referral.accepted_at)
        if began is not None:
            ended = (
                _local(referral.completed_at)
                or _local(referral.closed_at)
                or (today if referral.status in SERVING_STATUSES else began)
            )
            served.append((began, ended))
        if (
            referral.service == Service.REINTEGRATION
            and referral.status == ReferralStatus.COMPLETED
        ):
            finished = True
    for task in Task.objects.filter(
        referral__in=referrals, status=TaskStatus.DONE, done_at__isnull=False
    ).select_related("owner_agency"):
        entries.append(
            PathwayEntry(
                _local(task.done_at) or today, "task_done", task.title, task.owner_agency.code
            )
        )
    start = min(starts) if starts else today
    end = today
    if finished:
        end = max(finish for _b, finish in served) if served else today
    entries.sort(key=lambda e: (e.day, e.kind != "identification"))
    return Pathway(
        participant=participant,
        entries=entries,
        referrals=referrals,
        gaps=find_gaps(start, end, served, ongoing_end=not finished),
        start=start,
        end=end,
        finished=finished,
    )


# --- exchange --------------------------------------------------------------------------------


def exchange_package_get(*, actor: Any, pk: int) -> ExchangePackage:
    package = (
        restrict(ExchangePackage.objects.all(), actor)
        .select_related("referral__case", "referral__from_agency", "referral__to_agency")
        .filter(pk=pk)
        .first()
    )
    if package is None:
        raise Http404(_("No such exchange package."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=package)
    return package


# --- the coordination dashboard --------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's exact median; SQLite has none, so there the selector computes it in Python."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


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


def _epoch_hours(end: str, start: str) -> Any:
    if connection.vendor == "postgresql":
        from django.db.models.functions import Extract

        return (
            Extract(ExpressionWrapper(F(end) - F(start), output_field=DurationField()), "epoch")
            / 3600.0
        )
    return None


def _median_hours(queryset: QuerySet[Referral], end: str) -> float | None:
    """Median hours from sending to `end`, over the referrals that reached it."""
    reached = queryset.filter(**{f"{end}__isnull": False})
    if connection.vendor == "postgresql":
        value = reached.aggregate(m=Median(_epoch_hours(end, "sent_at")))["m"]
        return round(float(value), 1) if value is not None else None
    durations = [
        (stop - sent).total_seconds() / 3600 for sent, stop in reached.values_list("sent_at", end)
    ]
    return round(statistics.median(durations), 1) if durations else None


@dataclass
class CoordinationFigures:
    total: int
    by_status: dict[str, int]
    acceptance_rate: float | None
    median_hours_to_accept: float | None
    median_hours_to_complete: float | None
    overdue: int
    by_agency: list[dict[str, Any]]
    by_service: list[dict[str, Any]]
    by_province: list[dict[str, Any]]


def _group(queryset: QuerySet[Referral], key: str, today: datetime.date) -> list[dict[str, Any]]:
    rows = (
        queryset.values(key)
        .annotate(
            total=Count("id"),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            declined=Count("id", filter=Q(status=ReferralStatus.DECLINED)),
            completed=Count("id", filter=Q(status=ReferralStatus.COMPLETED)),
            overdue=Count("id", filter=overdue_q(today)),
        )
        .order_by(key)
    )
    result = []
    for row in rows:
        decided = row["accepted"] + row["declined"]
        row["acceptance_rate"] = round(row["accepted"] / decided, 3) if decided else None
        result.append(row)
    return result


def coordination_figures(
    *, actor: Any, filters: CoordinationFilters | None = None, today: datetime.date | None = None
) -> CoordinationFigures:
    """Referrals by agency, service and province: counts, acceptance rate, median time to accept
    and to complete, overdue counts. Aggregates only; no person appears."""
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
    queryset = Referral.objects.all()
    if filters.sent_from:
        queryset = queryset.filter(sent_at__date__gte=filters.sent_from)
    if filters.sent_to:
        queryset = queryset.filter(sent_at__date__lte=filters.sent_to)
    if filters.province:
        queryset = queryset.filter(province_id=filters.province)
    if filters.service:
        queryset = queryset.filter(service=filters.service)
    by_status = dict(
        queryset.values_list("status")
        .annotate(n=Count("id"))
        .order_by("status")
        .values_list("status", "n")
    )
    total = sum(by_status.values())
    accepted = queryset.filter(accepted_at__isnull=False).count()
    declined = by_status.get(ReferralStatus.DECLINED, 0)
    agencies = dict(Agency.objects.values_list("id", "code"))
    by_agency = _group(queryset, "to_agency", today)
    for row in by_agency:
        row["agency"] = agencies.get(row["to_agency"], "")
    by_province = _group(queryset, "province__name_en", today)
    figures = CoordinationFigures(
        total=total,
        by_status=by_status,
        acceptance_rate=round(accepted / (accepted + declined), 3) if accepted + declined else None,
        median_hours_to_accept=_median_hours(queryset, "accepted_at"),
        median_hours_to_complete=_median_hours(queryset, "completed_at"),
        overdue=queryset.filter(overdue_q(today)).count(),
        by_agency=by_agency,
        by_service=_group(queryset, "service", today),
        by_province=by_province,
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="referrals.coordination",
        detail={"filters": {k: str(v) for k, v in vars(filters).items() if v}},
    )
    return figures
