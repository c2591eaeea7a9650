"""Reads of the audit trail, for auditors only; each browse is itself an audit event."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.policies import actor_scope

from .choices import AuditAction
from .models import AuditEvent
from .services import audit_record

AUDIT_READER_ROLES = frozenset({Role.AUDITOR})


def can_read_trail(actor: Any) -> bool:
    """Only auditors read the trail: administrators and supervisors are among those it watches."""
    scope = actor_scope(actor)
    return any(scope.roles.get(role) for role in AUDIT_READER_ROLES)


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    request_id: str = ""
    occurred_from: datetime.date | None = None
    occurred_to: datetime.date | None = None

    def used(self) -> dict[str, str]:
        return {k: str(v) for k, v in vars(self).items() if v}


def audit_event_list(*, actor: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """The trail, newest first, narrowed by the filters; refused (and audited) for non-auditors."""
    filters = filters or AuditFilters()
    if not can_read_trail(actor):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="audit.auditevent",
            detail={"wanted": "view"},
        )
        raise PermissionDenied(_("Only auditors may read the audit trail."))
    queryset = AuditEvent.objects.order_by("-sequence")
    if filters.actor:
        queryset = queryset.filter(actor_username__iexact=filters.actor.strip())
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.object_type:
        queryset = queryset.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        queryset = queryset.filter(object_id=filters.object_id.strip())
    if filters.request_id:
        queryset = queryset.filter(request_id=filters.request_id.strip())
    if filters.occurred_from:
        queryset = queryset.filter(occurred_at__date__gte=filters.occurred_from)
    if filters.occurred_to:
        queryset = queryset.filter(occurred_at__date__lte=filters.occurred_to)
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="audit.auditevent",
        detail={"filters": filters.used()},
    )
    return queryset


# Records about one person: reading one of them is reading about a victim or a suspect.
PERSON_RECORDS = ("registry.person", "registry.participant", "registry.victimprofile")

# What an auditor checks first: who revealed masked fields, shared without consent, exported,
# or was refused.
SENSITIVE_ACTIONS = (
    AuditAction.REVEAL,
    AuditAction.CONSENT_OVERRIDE,
    AuditAction.EXPORT,
    AuditAction.DENIED,
)


def recent_sensitive_events(*, actor: Any, limit: int = 10) -> list[AuditEvent]:
    """The newest sensitive events, for the auditor's home page.

    Unlike a search of the trail this writes no audit entry of its own: the home page opens on
    every sign-in, and an entry per visit would bury what the auditor came to read.
    """
    if not can_read_trail(actor):
        raise PermissionDenied(_("Only auditors may read the audit trail."))
    sensitive = Q(action__in=SENSITIVE_ACTIONS) | Q(
        action=AuditAction.VIEW, object_type__in=PERSON_RECORDS
    )
    return list(AuditEvent.objects.filter(sensitive).order_by("-sequence")[:limit])
