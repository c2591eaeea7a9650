"""Reads of the FollowTheMoney exchange: a case's network, or every case the actor sees, as
entities; each export is audited (what, how many, never the contents)."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from followthemoney.proxy import EntityProxy

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.investigations.selectors import case_get, may_investigate, visible_cases

from .export import case_network

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
