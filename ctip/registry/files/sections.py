"""The attachments sections of the case and person pages (registered in RegistryConfig.ready)."""

from typing import Any

from django.urls import reverse

from ..hooks import PageSection, case_section_provider, person_section_provider
from ..models import Case, Participant, Person
from .selectors import case_attachments, person_attachments, person_may_change

TEMPLATE = "registry/_attachments.html"


def case_attachments_section(
    *, actor: Any, case: Case, participants: list[Participant], can_change: bool
) -> PageSection:
    return PageSection(
        template=TEMPLATE,
        context={
            "attachments": case_attachments(actor=actor, case=case),
            "add_url": reverse("registry:case-attach", args=[case.pk]) if can_change else "",
        },
    )


def person_attachments_section(*, actor: Any, person: Person) -> PageSection:
    may_change = person_may_change(actor=actor, person=person)
    return PageSection(
        template=TEMPLATE,
        context={
            "attachments": person_attachments(actor=actor, person=person),
            "add_url": reverse("registry:person-attach", args=[person.pk]) if may_change else "",
        },
    )


def register_sections() -> None:
    case_section_provider(case_attachments_section)
    person_section_provider(person_attachments_section)
