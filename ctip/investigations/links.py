"""The links this app adds to the registry's case and person pages (registered in ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from ctip.registry.models import Case, Participant
from ctip.registry.selectors import PageLink, PageLinks

from .selectors import may_investigate


def registry_page_links(
    *, actor: Any, cases: list[Case], participants: list[Participant], links: PageLinks
) -> None:
    """A case's identifiers and connections, and a person's, for those who use this app.
    No query: the actor's roles are already known for the request."""
    if not may_investigate(actor):
        return
    for case in cases:
        links.add_case(
            case.pk,
            PageLink(
                _("Identifiers and connections"),
                reverse("investigations:case", args=[case.pk]),
                "investigations-case",
            ),
        )
    for participant in participants:
        links.add_participant(
            participant.pk,
            PageLink(
                _("Identifiers"),
                reverse("investigations:person", args=[participant.person_id]),
                "investigations-person",
            ),
        )
