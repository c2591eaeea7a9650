"""What the layout and the home page show an actor: menu entries and the work of each role."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.access.policies import RECORD_ROLES, actor_scope
from ctip.access.selectors import can_register_somewhere
from ctip.audit.readable import describe
from ctip.audit.selectors import can_read_trail, recent_sensitive_events
from ctip.intake.selectors import may_use_intake
from ctip.investigations.selectors import is_investigator
from ctip.linkage.services import may_review
from ctip.referrals.choices import ReferralStatus
from ctip.referrals.selectors import (
    ReferralFilters,
    may_see_coordination,
    own_work,
    referral_list,
)
from ctip.referrals.services import staff_agencies
from ctip.registry.casework.selectors import follow_ups_due
from ctip.registry.choices import CLOSED_STATUSES
from ctip.registry.selectors import CaseFilters, case_list
from ctip.screening.selectors import may_record_operations
from ctip.stats.choices import ReleaseStatus
from ctip.stats.periods import last_complete_half
from ctip.stats.selectors import (
    may_aggregate_all,
    may_see_statistics,
    may_sign_off_releases,
    release_list,
)
from ctip.verification.selectors import may_use_verifications


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the main menu: its label, where it leads, and the path prefix it marks."""

    label: Any
    url: str
    prefix: str


def may_do_case_work(actor: Any) -> bool:
    """Officers, supervisors and NGO partners work on cases (administrators may too)."""
    scope = actor_scope(actor)
    return scope.is_superuser or bool(scope.agencies_with(RECORD_ROLES))


def menu_entries(*, actor: Any) -> list[MenuEntry]:
    """The main menu: only what the actor's roles may open, each page's own rule deciding.

    Each entry asks the same function its page asks before it refuses, so the menu never
    offers a page that answers "not allowed", and never hides one the actor may use.
    """
    if actor is None or not actor.is_authenticated:
        return []
    entries: list[MenuEntry] = []

    def add(label: Any, name: str, prefix: str = "", query: str = "") -> None:
        url = reverse(name)
        entries.append(MenuEntry(label, url + query, prefix or url))

    case_work = may_do_case_work(actor)
    if case_work:
        add(_("Cases"), "registry:case-list", "/cases/")
        add(_("Find a person"), "registry:person-search")
    if case_work and may_record_operations(actor):
        add(_("Operations"), "screening:operation-list", "/operations/")
    if staff_agencies(actor):
        add(_("Referrals"), "referrals:list", query="?box=inbox")
    elif may_see_coordination(actor):
        add(_("Coordination"), "referrals:coordination", "/referrals/")
    if may_see_statistics(actor):
        add(_("Statistics"), "stats:dashboard", "/stats/$")
    if may_aggregate_all(actor):
        add(_("Dark figure"), "stats:mse")
        add(_("Releases"), "stats:releases")
    if can_register_somewhere(actor=actor):
        add(_("Import"), "exchange:import-list", "/exchange/$")
    if case_work:
        add(_("Export"), "exchange:export")
    if can_read_trail(actor):
        add(_("Audit trail"), "audit:event-list")
    if may_review(actor):
        add(_("Review queue"), "linkage:queue", "/linkage/")
    if may_use_intake(actor):
        add(_("Intake"), "intake:queue", "/intake/")
    if may_use_verifications(actor):
        add(_("Verifications"), "verification:list", "/verification/")
    if is_investigator(actor):
        # Case officers reach the same pages from their cases ("Identifiers and connections").
        add(_("Investigations"), "investigations:home", "/investigations/")
    return entries


def current_entry(entries: list[MenuEntry], path: str) -> MenuEntry | None:
    """The entry the page belongs to: the longest prefix that matches ("$" means exactly)."""
    best: MenuEntry | None = None
    for entry in entries:
        prefix = entry.prefix
        hit = path == prefix[:-1] if prefix.endswith("$") else path.startswith(prefix)
        if hit and (best is None or len(prefix) > len(best.prefix)):
            best = entry
    return best


@dataclass
class Home:
    """The home page's sections; a section is None unless one of the actor's roles uses it."""

    today: datetime.date
    my_cases: list[Any] | None = None
    follow_ups: list[Any] | None = None
    can_register: bool = False
    incoming: list[Any] | None = None
    work: Any = None
    statistics: bool = False
    last_half: str = ""
    last_half_name: str = ""
    estimates: bool = False
    releases_waiting: list[Any] | None = None
    may_sign_off: bool = False
    sensitive_access: list[Any] | None = None
    coordination: bool = False


def home(*, actor: Any, limit: int = 10) -> Home:
    """Each of the actor's roles contributes its day's work to the home page (the main menu,
    which the layout's context processor lists, is not listed again here)."""
    page = Home(today=timezone.localdate())
    if may_do_case_work(actor):
        mine = case_list(actor=actor, filters=CaseFilters(mine=True))
        page.my_cases = list(mine.exclude(status__in=CLOSED_STATUSES).defer("summary")[:limit])
        page.follow_ups = follow_ups_due(actor=actor, limit=limit)
        page.can_register = can_register_somewhere(actor=actor)
    if staff_agencies(actor):
        received = ReferralFilters(box="inbox", status=ReferralStatus.SENT)
        page.incoming = list(
            referral_list(actor=actor, filters=received).select_related(
                "case", "from_agency", "to_agency"
            )[:limit]
        )
        page.work = own_work(actor=actor, limit=limit)
    page.statistics = may_see_statistics(actor)
    if page.statistics:
        half = last_complete_half()
        page.last_half, page.last_half_name = half.label, half.name()
    if may_aggregate_all(actor):
        page.estimates = True
        waiting = [ReleaseStatus.DRAFT, ReleaseStatus.SIGNED_OFF]
        page.releases_waiting = list(release_list(actor=actor).filter(status__in=waiting)[:limit])
        page.may_sign_off = may_sign_off_releases(actor)
    if can_read_trail(actor):
        page.sensitive_access = describe(recent_sensitive_events(actor=actor, limit=limit))
    page.coordination = may_see_coordination(actor)
    return page
