"""What each agency offers and each service's deadlines, and their administration."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.validation import Errors, check_choice

from ..choices import (
    DEFAULT_DEADLINES,
    Service,
)
from ..models import (
    AgencyService,
    KindService,
    ServiceDeadline,
)


def agency_offers(*, agency: Agency, service: str) -> bool:
    """Whether the agency offers the service: its own setting, else its kind's default."""
    own = (
        AgencyService.objects.filter(agency=agency, service=service)
        .values_list("offered", flat=True)
        .first()
    )
    if own is not None:
        return own
    return KindService.objects.filter(kind=agency.kind, service=service).exists()


def deadline_days(service: str) -> tuple[int, int, str]:
    """(days to accept, days to complete, version stamp) for a service.

    The stamp changes whenever an administrator edits the rule, so that a form filled in under
    the old rule can be told apart from one filled in under the new.
    """
    return deadline_of_rule(service, ServiceDeadline.objects.filter(service=service).first())


def deadline_of_rule(service: str, rule: ServiceDeadline | None) -> tuple[int, int, str]:
    """deadline_days from a rule already read (None: the service has no rule of its own)."""
    if rule is None:
        accept, complete = DEFAULT_DEADLINES.get(service, (7, 90))
        return accept, complete, "default"
    return rule.days_to_accept, rule.days_to_complete, rule.updated_at.isoformat()


@transaction.atomic
def service_deadline_set(
    *, actor: Any, service: str, days_to_accept: int, days_to_complete: int
) -> ServiceDeadline:
    """Set the default deadlines of a service (administrators, through the admin site)."""
    errors = Errors()
    check_choice(errors, "service", service, Service.values)
    if days_to_accept < 0:
        errors.add("days_to_accept", _("Give a number of days of 0 or more."))
    if days_to_complete < days_to_accept:
        errors.add(
            "days_to_complete", _("The time to complete cannot be shorter than the time to accept.")
        )
    errors.raise_if_any()
    rule = ServiceDeadline.objects.filter(service=service).first()
    before = [rule.days_to_accept, rule.days_to_complete] if rule else None
    rule, _created = ServiceDeadline.objects.update_or_create(
        service=service,
        defaults={"days_to_accept": days_to_accept, "days_to_complete": days_to_complete},
    )
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=rule,
        changes={"deadlines": [before, [days_to_accept, days_to_complete]]},
    )
    return rule


@transaction.atomic
def agency_service_set(*, actor: Any, agency: Agency, service: str, offered: bool) -> AgencyService:
    """Say whether one agency offers one service, overriding its kind's default."""
    errors = Errors()
    check_choice(errors, "service", service, Service.values)
    errors.raise_if_any()
    before = agency_offers(agency=agency, service=service)
    offer, _created = AgencyService.objects.update_or_create(
        agency=agency, service=service, defaults={"offered": offered}
    )
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=offer,
        changes={"offered": [before, offered]},
        detail={"agency": agency.code, "service": service},
    )
    return offer
