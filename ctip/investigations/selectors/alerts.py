"""Connection alerts: the actor's own, which of their new cases the actor may open, and whom a
new use of an identifier alerts."""

from typing import Any

from django.db.models import QuerySet

from ctip.registry.choices import CLOSED_STATUSES
from ctip.registry.models import Case

from ..models import ConnectionAlert, Identifier
from .core import visible_case_q


def alert_list(*, actor: Any, unread_only: bool = False) -> QuerySet[ConnectionAlert]:
    """The actor's own connection alerts, newest first."""
    alerts = ConnectionAlert.objects.filter(recipient=actor).select_related(
        "open_case", "new_case__owning_agency", "new_case__province", "identifier"
    )
    return alerts.filter(read_at__isnull=True) if unread_only else alerts


def alert_new_case_visible(*, actor: Any, alerts: list[ConnectionAlert]) -> set[int]:
    """Which alerts' new cases the actor may open (others are named by agency only)."""
    ids = {alert.new_case_id for alert in alerts}
    return set(
        Case.objects.filter(pk__in=ids).filter(visible_case_q(actor)).values_list("pk", flat=True)
    )


def open_cases_sharing(*, identifier: Identifier, exclude_case: Case, limit: int) -> list[Case]:
    """Open cases (any agency) that record the identifier: whom to alert. Used by the
    service that records a use, which decides the recipients; nothing here is shown."""
    return list(
        Case.objects.filter(identifier_uses__identifier=identifier)
        .exclude(pk=exclude_case.pk)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("owning_agency")
        .distinct()
        .order_by("-opened_on")[:limit]
    )
