"""Reads of tasks and the overdue work: task lists and the owner's and supervisor's
dashboard."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, restrict
from ctip.registry.selectors import (
    case_record_get,
)

from ..choices import (
    SERVING_STATUSES,
    ReferralStatus,
    TaskStatus,
)
from ..models import (
    Referral,
    ReferralNote,
    Task,
)
from ..services import (
    may_add_task,
    referral_note_side,
    staff_agencies,
)


def task_queryset(*, actor: Any) -> QuerySet[Task]:
    return restrict(Task.objects.all(), actor).select_related(
        "case", "owner_agency", "assigned_to", "referral"
    )


def referral_task_owners(*, actor: Any, referral: Referral) -> QuerySet[Agency]:
    """The agencies the actor may add a task to this referral for (the task's owner): on the
    owner's side of the case, the actor's own agencies; as its receiver while it serves the
    person, the receiving agency. Empty where the actor may add none (decision 0510)."""
    mine = sorted(staff_agencies(actor))
    allowed = [
        pk
        for pk in mine
        if may_add_task(actor=actor, case=referral.case, owner_agency_id=pk, referral=referral)
    ]
    return Agency.objects.filter(pk__in=allowed).order_by("code")


def referral_notes(*, actor: Any, referral: Referral) -> QuerySet[ReferralNote]:
    """The referral's notes the actor reads: its sending side and its receiver (decision
    0510), not another agency that a referral of the same victim opened the case to."""
    return (
        restrict(ReferralNote.objects.filter(referral=referral), actor)
        .select_related("agency", "author")
        .order_by("created_at", "id")
    )


def may_write_referral_note(*, actor: Any, referral: Referral) -> bool:
    return referral_note_side(actor=actor, referral=referral) is not None


def task_get(*, actor: Any, pk: int) -> Task:
    task: Task = case_record_get(
        actor=actor,
        model=Task,
        pk=pk,
        related=("case", "owner_agency", "assigned_to", "referral"),
        not_found=_("No such task."),
        audit_view=False,
    )
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


# What the work lists, the digest and the API read of a referral.
WORK_LIST_FIELDS = (
    "service",
    "status",
    "sent_at",
    "accept_due_on",
    "due_on",
    "case__reference",
    "from_agency__code",
    "to_agency__code",
)


def _in_one_query(querysets: list[QuerySet[Any]]) -> list[Any]:
    """The rows of several ordered and limited querysets. On PostgreSQL one UNION ALL, each
    branch walking its own index in date order and stopping at its limit; SQLite cannot order
    or limit inside a UNION, so there each runs on its own."""
    if connection.features.supports_slicing_ordering_in_compound:
        first, *rest = querysets
        return list(first.union(*rest, all=True))
    return [row for queryset in querysets for row in queryset]


def _work_for(
    agencies: frozenset[int], *, user: Any = None, today: datetime.date, soon_days: int, limit: int
) -> WorkList:
    """Overdue and soon-due work in two queries, one for referrals and one for tasks.

    A referral is due by `accept_due_on` while sent and by `due_on` while being served; each
    has a partial index in date order (migration 0004), so every branch below reads its
    first `limit` rows from an index instead of sorting every open referral of the agencies.
    """
    ids = sorted(agencies)
    soon = today + datetime.timedelta(days=soon_days)
    serving = sorted(SERVING_STATUSES)
    # No person is loaded: the work list names cases and services, never people. Only the
    # columns the lists show are read: building up to 800 full rows with their case and two
    # agencies (and decrypting notes nobody shows) cost more than the query.
    referrals = (
        Referral.objects.select_related("case", "from_agency", "to_agency")
        .only(*WORK_LIST_FIELDS)
        .filter(to_agency_id__in=ids)
    )
    sent = referrals.filter(status=ReferralStatus.SENT).order_by("accept_due_on", "id")
    served = referrals.filter(status__in=serving).order_by("due_on", "id")
    found = _in_one_query(
        [
            sent.filter(accept_due_on__lt=today)[:limit],
            served.filter(due_on__lt=today)[:limit],
            sent.filter(accept_due_on__range=(today, soon))[:limit],
            served.filter(due_on__range=(today, soon))[:limit],
        ]
    )
    found.sort(key=lambda r: (r.deadline, r.pk))
    owned = Q(owner_agency_id__in=ids)
    if user is not None:
        owned |= Q(assigned_to=user)
    tasks = (
        Task.objects.select_related("case", "owner_agency", "assigned_to")
        .filter(owned, status=TaskStatus.OPEN)
        .order_by("due_on", "id")
    )
    due_tasks = _in_one_query(
        [tasks.filter(due_on__lt=today)[:limit], tasks.filter(due_on__range=(today, soon))[:limit]]
    )
    due_tasks.sort(key=lambda t: (t.due_on, t.pk))
    return WorkList(
        overdue_referrals=[r for r in found if r.deadline < today][:limit],
        overdue_tasks=[t for t in due_tasks if t.due_on < today][:limit],
        due_soon_referrals=[r for r in found if r.deadline >= today][:limit],
        due_soon_tasks=[t for t in due_tasks if t.due_on >= today][:limit],
    )


@dataclass
class Dashboard:
    """The actor's own overdue work, and, for a supervisor, that of the agencies they oversee."""

    own: WorkList
    supervised: WorkList | None
    today: datetime.date


def own_work(
    *, actor: Any, today: datetime.date | None = None, soon_days: int = 3, limit: int = 200
) -> WorkList:
    """What is overdue or due soon for the actor's own agencies (the dashboard's `own` half,
    for pages that show no supervised agencies' work: it costs their queries nothing)."""
    today = today or timezone.localdate()
    return _work_for(
        staff_agencies(actor), user=actor, today=today, soon_days=soon_days, limit=limit
    )


def work_dashboard(
    *, actor: Any, today: datetime.date | None = None, soon_days: int = 3, limit: int = 200
) -> Dashboard:
    """What is overdue or due soon for the actor (owner) and for the agencies they supervise.

    A referral belongs to the receiving agency: it owes the acceptance and the service.
    """
    today = today or timezone.localdate()
    own = own_work(actor=actor, today=today, soon_days=soon_days, limit=limit)
    supervised_ids = _supervised_agencies(actor)
    supervised = (
        _work_for(supervised_ids, today=today, soon_days=soon_days, limit=limit)
        if supervised_ids
        else None
    )
    return Dashboard(own=own, supervised=supervised, today=today)
