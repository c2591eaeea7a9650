"""Writes of the job-advertisement pages: an advertisement pasted outside a case (or in one),
with the phones, accounts and organisations it names linked to it.

The record itself is the investigations app's (`services.job_ad_record`: validation, the
investigator's agency, the audit); this adds what the text names: identifiers found in it
(ads.extract) besides those typed, organisations of the registry named in it, and its language.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.services import audited_atomic
from ctip.investigations import services as core
from ctip.investigations.models import JobAd, Organisation
from ctip.registry.models import Case

from .extract import identifiers_in
from .rules import detect_language

MAX_ORGANISATIONS = 10


def acting_agency(actor: Any) -> Agency | None:
    """The agency an advertisement kept outside any case is recorded for: the actor's first."""
    scope = actor_scope(actor)
    agencies = sorted(scope.agencies_with(frozenset(scope.roles)))
    if agencies:
        return Agency.objects.filter(pk=agencies[0]).first()
    if scope.is_superuser:
        return Agency.objects.order_by("pk").first()
    return None


def organisations_named(text: str) -> list[Organisation]:
    """Organisations of the registry whose name or other name the text contains."""
    lowered = (text or "").casefold()
    found = []
    for organisation in Organisation.objects.only("id", "name", "aliases").iterator():
        names = [organisation.name, *(organisation.aliases or [])]
        if any(len(n) >= 4 and n.casefold() in lowered for n in names if isinstance(n, str)):
            found.append(organisation)
            if len(found) >= MAX_ORGANISATIONS:
                break
    return found


@audited_atomic
def job_ad_paste(
    *,
    actor: Any,
    text: str,
    url: str = "",
    service: str = "",
    seen_on: datetime.date | None = None,
    case: Case | None = None,
    identifiers: Iterable[tuple[str, str, str]] = (),
    organisations: Iterable[Organisation] = (),
) -> JobAd:
    """Record an advertisement with the identifiers and organisations it names."""
    agency = case.owning_agency if case is not None else acting_agency(actor)
    if agency is None:
        raise ValidationError({"text": _("You belong to no agency to record it for.")})
    named = list(identifiers)
    for item in identifiers_in(text):
        if item not in named:
            named.append(item)
    chosen = list(organisations)
    for organisation in organisations_named(text):
        if organisation not in chosen:
            chosen.append(organisation)
    return core.job_ad_record(
        actor=actor,
        agency=agency,
        case=case,
        url=url,
        text=text,
        service=service,
        language=detect_language(text),
        seen_on=seen_on,
        identifiers=named,
        organisations=chosen,
    )
