"""Identifiers recorded in cases (phones, accounts, wallets…) and the alerts a shared one raises."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ctip.access.choices import NotificationKind, Role
from ctip.access.models import Membership
from ctip.access.services import notification_send
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Country
from ctip.registry.models import Case, Person
from ctip.registry.validation import Errors, check_choice, text_problem

from ..choices import (
    AccountService,
    IdentifierKind,
)
from ..models import (
    ConnectionAlert,
    Identifier,
    IdentifierUse,
    Organisation,
)
from ..normalise import MAX_VALUE_LENGTH, normalise
from ..selectors import identifier_index, open_cases_sharing
from .rules import ALERT_LIMIT, check_date, check_note, require_change


def identifier_for(
    errors: Errors, *, kind: str, value: str, service: str, field: str = "value"
) -> tuple[Identifier | None, bool]:
    """The identifier row for a typed value, created if new; (row, created). Errors name
    `field` when the value cannot be stored at all (empty, too long, control characters)."""
    check_choice(errors, "kind", kind, IdentifierKind.values)
    if kind == IdentifierKind.ACCOUNT and service:
        check_choice(errors, "service", service, AccountService.values)
    if not (value or "").strip():
        errors.add(field, _("This field is required."))
    elif len(value) > MAX_VALUE_LENGTH:
        errors.add(field, _("At most %(n)d characters.") % {"n": MAX_VALUE_LENGTH})
    elif problem := text_problem(value):
        errors.add(field, problem)
    if len(service) > 60:
        errors.add("service", _("At most %(n)d characters.") % {"n": 60})
    if errors.by_field:
        return None, False
    normalised = normalise(kind, value, service)
    index = identifier_index(normalised)
    found = Identifier.objects.filter(value_index=index).first()
    if found is not None:
        return found, False
    country = None
    if normalised.region:
        country = Country.objects.filter(alpha2=normalised.region).first()
    try:
        with transaction.atomic():
            created = Identifier.objects.create(
                kind=kind,
                service=normalised.service,
                value=normalised.value,
                as_typed=value.strip(),
                value_index=index,
                is_valid=normalised.is_valid,
                problem=normalised.problem,
                country=country,
            )
    except IntegrityError:
        # Recorded by someone else between our look-up and insert: the same row.
        return Identifier.objects.get(value_index=index), False
    return created, True


@audited_atomic
def identifier_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    value: str,
    service: str = "",
    person: Person | None = None,
    organisation: Organisation | None = None,
    note: str = "",
    seen_on: datetime.date | None = None,
) -> IdentifierUse:
    """Record an identifier in a case (of the case itself, a participant, or an organisation).

    The value is normalised (phone numbers to international form); one that cannot be is kept
    as typed and flagged, never dropped. Recording one the case already has changes nothing.
    Investigators of the agencies owning other open cases with the same identifier are alerted.
    """
    errors = Errors()
    identifier, created = identifier_for(errors, kind=kind, value=value, service=service)
    if person is not None and organisation is not None:
        errors.add("person", _("An identifier belongs to a person or an organisation, not both."))
    if person is not None and not case.participants.filter(person=person).exists():
        errors.add("person", _("This person takes no part in the case."))
    check_note(errors, "note", note)
    check_date(errors, "seen_on", seen_on)
    errors.raise_if_any()
    assert identifier is not None
    require_change(actor, case)
    existing = IdentifierUse.objects.filter(
        identifier=identifier, case=case, person=person, organisation=organisation
    ).first()
    if existing is not None:
        return existing
    use = IdentifierUse.objects.create(
        identifier=identifier,
        case=case,
        person=person,
        organisation=organisation,
        note=note,
        seen_on=seen_on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=identifier,
            changes={"kind": [None, kind], "value": [None, "•••"]},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=use,
        changes={
            "case": [None, case.reference],
            "identifier": [None, identifier.pk],
            "person": [None, person.pk if person else None],
            "organisation": [None, organisation.pk if organisation else None],
        },
    )
    _raise_alerts(identifier=identifier, new_case=case)
    return use


def _raise_alerts(*, identifier: Identifier, new_case: Case) -> list[ConnectionAlert]:
    """Alert the investigators of each agency owning an open case that records the same
    identifier. Only the first use of the identifier in the new case raises them."""
    if IdentifierUse.objects.filter(identifier=identifier, case=new_case).count() > 1:
        return []
    open_cases = open_cases_sharing(identifier=identifier, exclude_case=new_case, limit=ALERT_LIMIT)
    if not open_cases:
        return []
    by_agency: dict[int, list[Case]] = {}
    for case in open_cases:
        by_agency.setdefault(case.owning_agency_id, []).append(case)
    recipients = Membership.objects.filter(
        role=Role.INVESTIGATOR,
        is_active=True,
        agency_id__in=by_agency,
        user__is_active=True,
    ).values_list("user_id", "agency_id")
    already = set(
        ConnectionAlert.objects.filter(identifier=identifier, new_case=new_case).values_list(
            "recipient_id", "open_case_id"
        )
    )
    alerts = [
        ConnectionAlert(
            recipient_id=user_id, identifier=identifier, open_case=case, new_case=new_case
        )
        for user_id, agency_id in recipients
        for case in by_agency[agency_id]
        if (user_id, case.pk) not in already
    ]
    ConnectionAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    _notify(alerts, new_case=new_case)
    return alerts


# The bell says which of the reader's cases and which agency: never the identifier's value nor
# a person (a notification's text is stored as written, decision 0700 keeps values encrypted).
ALERT_TEXT = gettext_noop(
    "A new case of %(agency)s records an identifier of your open case %(case)s."
)


def _notify(alerts: list[ConnectionAlert], *, new_case: Case) -> None:
    """One in-app notification per recipient and open case, linking to the investigations
    page of the recipient's own case (the new case may be one they cannot open)."""
    by_case: dict[int, set[int]] = {}
    cases: dict[int, Case] = {}
    for alert in alerts:
        by_case.setdefault(alert.open_case.pk, set()).add(alert.recipient_id)
        cases[alert.open_case.pk] = alert.open_case
    for case_id, recipients in sorted(by_case.items()):
        notification_send(
            recipients=sorted(recipients),
            kind=NotificationKind.ALERT,
            text=ALERT_TEXT,
            params={"agency": new_case.owning_agency.code, "case": cases[case_id].reference},
            url=reverse("investigations:case", args=[case_id]),
        )


@audited_atomic
def identifier_use_remove(*, actor: Any, use: IdentifierUse) -> None:
    """Remove an identifier recorded in a case by mistake (the identifier row stays)."""
    require_change(actor, use.case)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=use,
        changes={"case": [use.case.reference, None], "identifier": [use.identifier_id, None]},
    )
    use.delete()


@audited_atomic
def alert_mark_read(*, actor: Any, alert: ConnectionAlert) -> ConnectionAlert:
    """Mark one of the actor's own alerts as read."""
    if alert.recipient_id != actor.pk:
        raise refusal(
            PermissionDenied(_("Not your alert.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=alert,
        )
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.save(update_fields=["read_at"])
    return alert


def alerts_read_with_notification(actor: Any, notification: Any) -> int:
    """Opening an alert's notification (access.opened) marks read the actor's alerts it
    announced: those on the open case it links to, raised by the time it was sent. The alerts
    page would otherwise list as new what the investigator has already followed."""
    try:
        match = resolve(notification.url)
    except Resolver404:
        return 0
    if match.view_name != "investigations:case":
        return 0
    return ConnectionAlert.objects.filter(
        recipient_id=actor.pk,
        open_case_id=match.kwargs["pk"],
        created_at__lte=notification.created_at,
        read_at__isnull=True,
    ).update(read_at=timezone.now())
