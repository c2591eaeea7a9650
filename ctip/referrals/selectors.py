"""Every read of the referrals app. Each takes the acting user and scopes through the policy."""

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind, Role
from ctip.access.masking import MASK, Sensitivity, can_read
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.reference.models import Province
from ctip.registry.choices import EventKind, ParticipantRole
from ctip.registry.models import Case, Event, Participant
from ctip.registry.selectors import (
    PageLink,
    PageLinks,
    case_record_get,
    permission_read_with,
    person_cases,
)

from .choices import (
    PATHWAY_GAP_DAYS,
    SERVING_STATUSES,
    ConsentBasis,
    ReferralStatus,
    Service,
    TaskStatus,
)
from .models import (
    AgencyService,
    ExchangePackage,
    KindService,
    Referral,
    ReferralDurationMonthStat,
    ReferralDurationStat,
    ReferralMonthStat,
    ServiceDeadline,
    Task,
)
from .services import (
    TRANSITIONS,
    deadline_days,
    deadline_of_rule,
    exchange_package_refusal,
    staff_agencies,
    transition_side_agency,
)
from .tallies import median_from_buckets, sum_histograms

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
    referral: Referral = case_record_get(
        actor=actor,
        model=Referral,
        pk=pk,
        related=("case", "from_agency", "to_agency", "participant__person", "province"),
        not_found=_("No such referral."),
    )
    return referral


# Referrals whose receiver reads the shared identity: sent and not turned down or withdrawn.
IDENTITY_READING_STATUSES = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.COMPLETED,
)


def shared_identities(actor: Any) -> set[tuple[str, str, str]]:
    """The persons whose identity was passed to the actor's agencies by a referral that shares
    it (with the victim's consent or a supervisor's override): the receiver reads them in
    clear, as masking's standing grants (registered in ReferralsConfig.ready), instead of
    revealing each person one by one. A declined or closed referral opens nothing."""
    agencies = staff_agencies(actor)
    if not agencies:
        return set()
    persons = (
        Referral.objects.filter(
            to_agency_id__in=sorted(agencies),
            shares_identity=True,
            consent_basis__in=(ConsentBasis.CONSENT, ConsentBasis.OVERRIDE),
            status__in=IDENTITY_READING_STATUSES,
        )
        .values_list("participant__person_id", flat=True)
        .distinct()
    )
    return {("registry.person", str(pk), Sensitivity.IDENTITY) for pk in persons}


def referral_for_action(*, actor: Any, pk: int, wanted: str) -> Referral:
    """A referral the actor may see, fetched to act on it (a transition, an exchange package).
    Unknown and hidden answer alike (404); reaching for a hidden one is audited as a denial
    naming what was wanted. The action itself is audited by its service."""
    referral: Referral = case_record_get(
        actor=actor,
        model=Referral,
        pk=pk,
        related=("case", "from_agency", "to_agency", "participant__person", "province"),
        not_found=_("No such referral."),
        audit_view=False,
        wanted=wanted,
    )
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


def services_by_agency() -> dict[int, list[str]]:
    """agency id -> the services it offers, for the send form's agency list."""
    offers: dict[int, list[str]] = {}
    for service in Service.values:
        for agency_id in agencies_offering(service=service).values_list("pk", flat=True):
            offers.setdefault(agency_id, []).append(service)
    return offers


def referral_deadline_preview(*, service: str) -> dict[str, Any]:
    """Due dates a referral sent today would get, and the rule version the form carries."""
    accept, complete, stamp = deadline_days(service)
    today = timezone.localdate()
    return {
        "accept_due_on": today + datetime.timedelta(days=accept),
        "due_on": today + datetime.timedelta(days=complete),
        "deadline_stamp": stamp,
    }


def send_form_deadlines() -> tuple[list[ServiceDeadline | None], dict[str, str]]:
    """The deadline rule of each service (None where it has none) for the send form's table,
    and the version stamp of each that the form carries, all in one query."""
    rules = {rule.service: rule for rule in ServiceDeadline.objects.all()}
    stamps = {
        service: deadline_of_rule(service, rules.get(service))[2] for service in Service.values
    }
    return [rules.get(service) for service in Service.values], stamps


def may_refer_from(*, actor: Any, cases: list[Case], action: str = Action.SHARE) -> set[int]:
    """Of these cases, the ids the actor may send referrals from (Action.SHARE: the owner's
    side) or add tasks to (Action.CHANGE): open cases, and only if the actor holds a case-work
    role (the services' own rules)."""
    open_cases = [case for case in cases if not case.is_closed]
    if not open_cases or not staff_agencies(actor):
        return set()
    # The case page's case was read with its permissions (registry.selectors.case_get):
    # use them rather than ask again; ask in one query for the others (the person page).
    read_with = {case.pk: permission_read_with(case, action) for case in open_cases}
    known = {pk: may for pk, may in read_with.items() if may is not None}
    unknown = sorted({case.pk for case in open_cases} - set(known))
    allowed = {pk for pk, may in known.items() if may}
    if unknown:
        allowed |= set(
            restrict(Case.objects.filter(pk__in=unknown), actor, action).values_list(
                "pk", flat=True
            )
        )
    return allowed


def registry_page_links(
    *, actor: Any, cases: list[Case], participants: list[Participant], links: PageLinks
) -> None:
    """The referral work offered on the registry's case and person pages (registered in
    ReferralsConfig.ready): a victim's pathway and a referral for them, and a case task.
    Links show only where the acting user may follow them."""
    acting = may_refer_from(actor=actor, cases=cases, action=Action.CHANGE)
    referring = may_refer_from(actor=actor, cases=cases)
    for case_id in sorted(acting):
        links.add_case(
            case_id,
            PageLink(
                _("Add a task"), reverse("referrals:task-create", args=[case_id]), "task-create"
            ),
        )
    for participant in participants:
        if participant.role != ParticipantRole.VICTIM:
            continue
        links.add_participant(
            participant.pk,
            PageLink(
                _("Service pathway"),
                reverse("referrals:pathway", args=[participant.pk]),
                "pathway",
            ),
        )
        if participant.case_id in referring:
            links.add_participant(
                participant.pk,
                PageLink(
                    _("Send a referral"),
                    reverse("referrals:send", args=[participant.pk]),
                    "referral-send",
                ),
            )


# --- tasks and the overdue work ---------------------------------------------------------------


def task_queryset(*, actor: Any) -> QuerySet[Task]:
    return restrict(Task.objects.all(), actor).select_related(
        "case", "owner_agency", "assigned_to", "referral"
    )


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
    # The registry's own read of a person's roles, with each case's owner loaded.
    roles = person_cases(actor=actor, person=participant.person)[::-1]
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
    package: ExchangePackage = case_record_get(
        actor=actor,
        model=ExchangePackage,
        pk=pk,
        related=("referral__case", "referral__from_agency", "referral__to_agency"),
        not_found=_("No such exchange package."),
    )
    return package


# The HTCDS keys of an exchange package that carry the person's identity, with the registry
# field each copies: a reader sees them exactly as they would see that field of the person.
PACKAGE_IDENTITY_KEYS = {
    "per_GivenName": "given_name_latin",
    "per_FamilyName": "family_name_latin",
    "per_GivenNameLocal": "given_name_km",
    "per_FamilyNameLocal": "family_name_km",
    "per_Aliases": "aliases",
    "per_BirthDate": "date_of_birth",
    "per_IdentityDocuments": "date_of_birth",  # document numbers: identity, like the rest
}


def exchange_payload(*, actor: Any, package: ExchangePackage) -> dict[str, Any]:
    """The package's HTCDS record as this actor may read it: identity keys masked (•••) for
    a reader who sees the person masked elsewhere (an NGO partner without a reveal), as on
    the person's own page. Every surface of a package (page, API, JSON, PDF) reads this."""
    record = dict(package.payload)
    person_id = (
        Participant.objects.filter(pk=package.referral.participant_id)
        .values_list("person_id", flat=True)
        .first()
    )
    for key, field_name in PACKAGE_IDENTITY_KEYS.items():
        value = record.get(key)
        if value in (None, "", []) or can_read(actor, "registry.person", field_name, person_id):
            continue
        if key == "per_IdentityDocuments":
            record[key] = [{**doc, "number": MASK} for doc in value]
        else:
            record[key] = MASK
    return record


def may_prepare_exchange(*, actor: Any, referral: Referral) -> bool:
    """Whether the referral page offers to prepare an exchange package: exactly when
    services.exchange_package_create would not refuse it."""
    return exchange_package_refusal(actor=actor, referral=referral) is None


EXPORT_FORMATS = ("json", "pdf")


def exchange_package_export(*, actor: Any, package: ExchangePackage, fmt: str) -> bytes:
    """The package as a file to hand over (its HTCDS record as JSON, or the PDF summary);
    every export is an audit event, whoever asks for it."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "pdf":
        from .exchange_pdf import render_pdf  # loads WeasyPrint only when a PDF is asked for

        content = render_pdf(package, exchange_payload(actor=actor, package=package))
    else:
        record = exchange_payload(actor=actor, package=package)
        content = json.dumps(record, ensure_ascii=False, indent=2).encode()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=package,
        detail={"format": fmt, "fields": package.fields_shared},
    )
    return content


# --- the coordination dashboard --------------------------------------------------------------


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
