"""Reads of the FollowTheMoney exchange: a case's network, or every case the actor sees, as
entities; each export is audited (what, how many, never the contents). And the network
packages sent to and received from partner countries, as the audit trail records them."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from followthemoney.proxy import EntityProxy

from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.audit.services import audit_record
from ctip.investigations.selectors import case_get, may_investigate, visible_cases
from ctip.linkage.models import MatchingAgreement
from ctip.registry.models import Case

from .export import case_network
from .partners import OBJECT_TYPE

# An export of everything the actor sees stops here: a network view, not a database dump.
MAX_CASES = 2000


def network_export(*, actor: Any, case_pk: int | None = None) -> list[EntityProxy]:
    """The network of one case (404 if unknown or not visible) or of the cases the actor sees."""
    if not may_investigate(actor):
        audit_record(actor=actor, action=AuditAction.DENIED, object_type="investigations.ftm")
        raise Http404(_("Not found."))
    if case_pk is not None:
        cases = [case_get(actor=actor, pk=case_pk)]
    else:
        cases = list(visible_cases(actor=actor).order_by("-pk")[:MAX_CASES])
    entities = case_network(actor=actor, cases=cases)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="investigations.ftm",
        object_id=case_pk or "",
        detail={"format": "ftm", "cases": len(cases), "entities": len(entities)},
    )
    return entities


# The packages page lists this many, newest first.
MAX_PACKAGES = 200


@dataclass
class PackageEntry:
    """One package sent or received, as its audit event recorded it (never its contents)."""

    at: datetime.datetime
    sent: bool
    partner: str
    agreement: str  # the agreement's reference
    case: Case
    by: str
    entities: int  # sent: entities in the package; received: persons, organisations, ...
    detail: dict[str, Any]


def packages(*, actor: Any) -> list[PackageEntry]:
    """The network packages sent and received for the cases the actor may see, newest first
    (the audit events the exchange wrote); a package of a case they may not see is left out,
    uncounted, like the case. Investigators only: a 404 for others, audited."""
    if not may_investigate(actor):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type=OBJECT_TYPE,
            detail={"wanted": "list"},
        )
        raise Http404(_("Not found."))
    events = list(
        AuditEvent.objects.filter(
            object_type="registry.case",
            action__in=[AuditAction.EXPORT, AuditAction.IMPORT],
            detail__object=OBJECT_TYPE,
        )
        .exclude(detail__has_key="refused")
        .order_by("-sequence")[: MAX_PACKAGES * 5]
    )
    case_ids = {int(e.object_id) for e in events if e.object_id.isdigit()}
    cases = {c.pk: c for c in visible_cases(actor=actor).filter(pk__in=case_ids)}
    agreements = dict(
        MatchingAgreement.objects.filter(
            pk__in={e.detail.get("agreement") for e in events if e.detail.get("agreement")}
        ).values_list("pk", "reference")
    )
    out = []
    for event in events:
        case = cases.get(int(event.object_id)) if event.object_id.isdigit() else None
        if case is None:
            continue
        detail = event.detail
        sent = event.action == AuditAction.EXPORT
        out.append(
            PackageEntry(
                at=event.occurred_at,
                sent=sent,
                partner=str(detail.get("partner", "")),
                agreement=agreements.get(detail.get("agreement"), ""),
                case=case,
                by=event.actor_username,
                entities=int(detail.get("entities", 0))
                if sent
                else sum(
                    int(detail.get(k, 0))
                    for k in ("persons", "organisations", "identifiers", "relations")
                ),
                detail=detail,
            )
        )
        if len(out) >= MAX_PACKAGES:
            break
    return out
