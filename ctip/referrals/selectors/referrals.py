"""Reads of referrals: lists, one referral, what the actor may do with it, offers, deadlines
and the links on the registry's pages."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.masking import Sensitivity
from ctip.access.models import Agency
from ctip.access.policies import restrict
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Case, Participant
from ctip.registry.selectors import (
    PageLink,
    PageLinks,
    case_record_get,
    permission_read_with,
)

from ..choices import (
    SERVING_STATUSES,
    ConsentBasis,
    ReferralStatus,
    Service,
)
from ..models import (
    AgencyService,
    KindService,
    Referral,
    ServiceDeadline,
)
from ..services import (
    TRANSITIONS,
    deadline_days,
    deadline_of_rule,
    staff_agencies,
    transition_side_agency,
)


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
