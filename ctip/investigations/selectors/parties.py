"""Reads behind the case page's forms: the person or organisation a relation names, and an
identifier's use in a case the actor may see."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from ctip.registry.models import Case, Person

from ..models import IdentifierUse, Organisation
from .core import may_investigate, visible_cases


def relation_party(*, actor: Any, case: Case, kind: str, pk: int) -> Person | Organisation | None:
    """A person of this case ("p"), or an organisation ("o": not personal data, any
    investigator may name one); None when there is no such party. The caller has already
    read the case through case_get, which decided that the actor sees it."""
    if not may_investigate(actor):
        raise Http404(_("Not found."))
    if kind == "p":
        return Person.objects.filter(pk=pk, participations__case=case).first()
    return Organisation.objects.filter(pk=pk).first()


def identifier_use_get(*, actor: Any, pk: int) -> IdentifierUse | None:
    """One use of an identifier, in a case the actor sees; None for unknown and hidden alike."""
    return (
        IdentifierUse.objects.filter(pk=pk, case__in=visible_cases(actor=actor))
        .select_related("case", "identifier")
        .first()
    )
