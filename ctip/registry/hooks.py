"""Extension points for apps above the registry: links and sections they add to its pages,
and the key persons are counted under. Registered in their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from .models import Case, Participant, Person

# --- links that apps above the registry add to its pages -------------------------------------


@dataclass(frozen=True)
class PageLink:
    """A link to another app's page, shown on a case or person page."""

    label: str
    url: str
    name: str  # a stable handle for tests and styling, e.g. "referral-send"


@dataclass
class PageLinks:
    """Links per case (whole-case actions) and per participant (actions about that person)."""

    cases: dict[int, list[PageLink]] = field(default_factory=dict)
    participants: dict[int, list[PageLink]] = field(default_factory=dict)

    def add_case(self, case_id: int, link: PageLink) -> None:
        self.cases.setdefault(case_id, []).append(link)

    def add_participant(self, participant_id: int, link: PageLink) -> None:
        self.participants.setdefault(participant_id, []).append(link)


# Apps depend downward only (registry below referrals), so the registry cannot name their
# pages; they register a provider in AppConfig.ready() and decide there what the actor may do.
PageLinkProvider = Callable[..., None]
_PAGE_LINK_PROVIDERS: list[PageLinkProvider] = []


def page_link_provider(provider: PageLinkProvider) -> PageLinkProvider:
    """Register `provider(actor=, cases=, participants=, links=)`; it adds to `links`."""
    if provider not in _PAGE_LINK_PROVIDERS:
        _PAGE_LINK_PROVIDERS.append(provider)
    return provider


def page_links(*, actor: Any, cases: list[Case], participants: list[Participant]) -> PageLinks:
    """The links other apps offer this actor for these cases and participants (all visible to
    the actor already: the pages that call this have checked)."""
    links = PageLinks()
    for provider in _PAGE_LINK_PROVIDERS:
        provider(actor=actor, cases=cases, participants=participants, links=links)
    return links


# --- sections that apps above the registry add to its pages ----------------------------------


@dataclass(frozen=True)
class PageSection:
    """A piece of another app's page, included in a registry page: `template` rendered with
    `context`. `confirm` asks the officer to confirm before the registry goes on (a possible
    duplicate at registration); `picks` are existing persons the officer may add instead
    (the registry renders their add-to-case forms; the section's buttons name them)."""

    template: str
    context: dict[str, Any]
    confirm: bool = False
    picks: tuple[int, ...] = ()


SectionProvider = Callable[..., PageSection | None]
_REGISTRATION_CHECKS: list[SectionProvider] = []
_PERSON_SECTIONS: list[SectionProvider] = []
_CASE_SECTIONS: list[SectionProvider] = []


def registration_check_provider(provider: SectionProvider) -> SectionProvider:
    """Register `provider(actor=, fields=, document_number=, case=)` -> PageSection | None,
    asked when an officer registers a new person (fields: the registry's person fields)."""
    if provider not in _REGISTRATION_CHECKS:
        _REGISTRATION_CHECKS.append(provider)
    return provider


def person_section_provider(provider: SectionProvider) -> SectionProvider:
    """Register `provider(actor=, person=)` -> PageSection | None, shown on the person page
    (the person was read through person_get, so the actor may see them)."""
    if provider not in _PERSON_SECTIONS:
        _PERSON_SECTIONS.append(provider)
    return provider


def case_section_provider(provider: SectionProvider) -> SectionProvider:
    """Register `provider(actor=, case=, participants=, can_change=)` -> PageSection | None,
    shown on the case page below its facts (the case was read through case_get;
    `participants` are those the actor sees; `can_change`: the actor may add to the case)."""
    if provider not in _CASE_SECTIONS:
        _CASE_SECTIONS.append(provider)
    return provider


def case_sections(
    *, actor: Any, case: Case, participants: list[Participant], can_change: bool
) -> list[PageSection]:
    found = (
        provider(actor=actor, case=case, participants=participants, can_change=can_change)
        for provider in _CASE_SECTIONS
    )
    return [section for section in found if section is not None]


def registration_checks(
    *, actor: Any, fields: dict[str, Any], document_number: str, case: Case | None
) -> list[PageSection]:
    found = (
        provider(actor=actor, fields=fields, document_number=document_number, case=case)
        for provider in _REGISTRATION_CHECKS
    )
    return [section for section in found if section is not None]


def person_sections(*, actor: Any, person: Person) -> list[PageSection]:
    found = (provider(actor=actor, person=person) for provider in _PERSON_SECTIONS)
    return [section for section in found if section is not None]


# --- who a person is counted as ---------------------------------------------------------------

CountingKey = Callable[[str], Any]
_COUNTING_KEYS: list[CountingKey] = []


def counting_key_provider(provider: CountingKey) -> CountingKey:
    """Register `provider(field)` -> an expression giving, for the person id in `field`, the id
    the person is counted under (linkage: the first record of the person's identity)."""
    if provider not in _COUNTING_KEYS:
        _COUNTING_KEYS.append(provider)
    return provider


def person_counting_key(field: str) -> Any:
    """The id statistics count the person in `field` (a path to a person id) under: the
    person's own id, or, where an app above groups records of one human being (identities),
    the id the group is counted as, so that a victim recorded by three agencies counts once."""
    for provider in _COUNTING_KEYS:
        return provider(field)
    return F(field)


# --- rules apps above the registry add before a person takes a role in a case ---------------

RoleCheck = Callable[..., str | None]
_ROLE_CHECKS: list[RoleCheck] = []


def role_check_provider(provider: RoleCheck) -> RoleCheck:
    """Register `provider(case=, person=, role=)` -> a refusal message or None, asked before a
    person is recorded in a case in a role (screening: an identified or presumed victim of an
    operation is never recorded as a suspect in it, the non-punishment principle)."""
    if provider not in _ROLE_CHECKS:
        _ROLE_CHECKS.append(provider)
    return provider


def role_refusals(*, case: Case, person: Person, role: str) -> list[str]:
    """What the registered rules say against recording `person` as `role` in `case`."""
    found = (provider(case=case, person=person, role=role) for provider in _ROLE_CHECKS)
    return [message for message in found if message]
