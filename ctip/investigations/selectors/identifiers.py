"""An identifier (a phone, an account, a wallet...): one by id or by exact value, and the cases
it appears in, visible ones listed and the rest counted."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Case

from ..models import Identifier, IdentifierUse, JobAd
from ..normalise import normalise
from .core import (
    LIST_LIMIT,
    identifier_index,
    job_ad_queryset,
    require_investigator,
    visible_case_q,
    visible_cases,
)


def identifier_get(*, actor: Any, pk: int) -> Identifier:
    """An identifier the actor may see: one recorded in a case they see, or named in an ad
    they see. Unknown and not visible look the same."""
    require_investigator(actor)
    found = (
        Identifier.objects.filter(pk=pk)
        .filter(
            Q(uses__case__in=visible_cases(actor=actor))
            | Q(job_ads__in=job_ad_queryset(actor=actor))
        )
        .first()
    )
    if found is None:
        if Identifier.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="investigations.identifier",
                object_id=str(pk),
                detail={"wanted": "view"},
            )
        raise Http404(_("No such identifier."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=found)
    return found


@dataclass
class IdentifierCases:
    """The cases an identifier appears in: visible uses (with their case) and a count of the
    cases the viewer may not see; the ads that name it."""

    uses: list[IdentifierUse]
    hidden: int
    provinces: int
    ads: list[JobAd]

    @property
    def cases(self) -> int:
        return len({use.case_id for use in self.uses})


def identifier_cases(*, actor: Any, identifier: Identifier) -> IdentifierCases:
    all_cases = set(
        IdentifierUse.objects.filter(identifier=identifier).values_list("case_id", flat=True)
    )
    visible_ids = set(
        Case.objects.filter(pk__in=all_cases)
        .filter(visible_case_q(actor))
        .values_list("pk", flat=True)
    )
    uses = list(
        IdentifierUse.objects.filter(identifier=identifier, case_id__in=visible_ids)
        .select_related("case__province", "case__owning_agency", "person", "organisation")
        .order_by("-case__opened_on", "case_id", "id")[: LIST_LIMIT * 2]
    )
    provinces = len({use.case.province_id for use in uses})
    ads = list(job_ad_queryset(actor=actor).filter(identifiers=identifier)[:LIST_LIMIT])
    return IdentifierCases(uses, len(all_cases) - len(visible_ids), provinces, ads)


def identifier_find(*, actor: Any, kind: str, value: str, service: str = "") -> Identifier | None:
    """An identifier by exact value (normalised the same way as when recorded), if the actor
    may see it; the search is audited (it asks about a person's number)."""
    require_investigator(actor)
    try:
        normalised = normalise(kind, value, service)
    except ValueError:
        return None
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="investigations.identifier",
        detail={"kind": kind},
    )
    found = Identifier.objects.filter(value_index=identifier_index(normalised)).first()
    if found is None:
        return None
    visible = IdentifierUse.objects.filter(identifier=found, case__in=visible_cases(actor=actor))
    if visible.exists() or job_ad_queryset(actor=actor).filter(identifiers=found).exists():
        return found
    return None
