"""Repatriation status and the embassy lists sent through the exchange package."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import AgencyKind
from ctip.access.models import Agency
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.referrals.choices import Service
from ctip.referrals.models import ExchangePackage, Referral
from ctip.referrals.services import exchange_package_create, referral_send, staff_agencies
from ctip.registry.casework.children import missing_steps
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Participant
from ctip.registry.validation import Errors, check_choice, check_not_future

from ..choices import (
    Decision,
    Repatriation,
)
from ..models import FoundPerson, Operation
from .operations import require_operation_change

# --- repatriation and the embassy lists ---------------------------------------------------


@audited_atomic
def repatriation_update(
    *, actor: Any, found: FoundPerson, status: str, on: datetime.date | None = None
) -> FoundPerson:
    """Record where a person's return home stands."""
    errors = Errors()
    check_choice(errors, "status", status, Repatriation.values)
    on = on or timezone.localdate()
    check_not_future(errors, "on", on)
    if status not in (Repatriation.NOT_ASSESSED, Repatriation.NOT_NEEDED) and (
        found.decision == Decision.NOT_VICTIM
    ):
        errors.add("status", _("Repatriation is followed here for victims only."))
    errors.raise_if_any()
    require_operation_change(actor, found.operation)
    before = found.repatriation
    found.repatriation = status
    found.repatriation_on = on
    found.save(update_fields=["repatriation", "repatriation_on"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=found,
        changes={"repatriation": [before, status]},
        detail={"on": on.isoformat()},
    )
    return found


@dataclass
class EmbassySent:
    """What sending an embassy list did: packages prepared, persons left out and why."""

    packages: list[ExchangePackage] = field(default_factory=list)
    already: list[FoundPerson] = field(default_factory=list)
    without_consent: list[FoundPerson] = field(default_factory=list)
    # Children whose best interests were not determined or who have no guardian: a
    # repatriation waits for them (decision 0150).
    child_steps_missing: list[FoundPerson] = field(default_factory=list)


@audited_atomic
def embassy_list_send(
    *, actor: Any, operation: Operation, nationality: str, to_agency: Agency
) -> EmbassySent:
    """Send the embassy the identified victims of one nationality in an operation, each as a
    repatriation referral with its cross-border exchange package, only those who consented
    to their identity being shared; the others are named back, never sent."""
    errors = Errors()
    if to_agency.kind != AgencyKind.FOREIGN_PARTNER or (
        to_agency.country is None or to_agency.country.alpha3 != nationality
    ):
        errors.add(
            "to_agency",
            _("%(agency)s is not a partner agency of %(country)s.")
            % {"agency": to_agency.code, "country": nationality},
        )
    errors.raise_if_any()
    require_operation_change(actor, operation)
    result = EmbassySent()
    found = list(
        FoundPerson.objects.filter(
            operation=operation, nationality=nationality, decision=Decision.IDENTIFIED
        ).select_related("person")
    )
    if not found:
        raise ValidationError(
            {"nationality": [_("No identified victims of this nationality in the operation.")]}
        )
    mine = staff_agencies(actor)
    sender = operation.lead_agency if operation.lead_agency_id in mine else None
    victims = {
        p.person_id: p
        for p in Participant.objects.filter(
            case_id=operation.case_id,
            person_id__in=[f.person_id for f in found],
            role=ParticipantRole.VICTIM,
        )
    }
    sent_to = set(
        Referral.objects.filter(
            participant__in=list(victims.values()),
            to_agency=to_agency,
            service=Service.REPATRIATION,
        ).values_list("participant__person_id", flat=True)
    )
    for person in found:
        if not person.consent_to_embassy:
            result.without_consent.append(person)
            continue
        if person.person_id in sent_to:
            result.already.append(person)
            continue
        participant = victims[person.person_id]
        if missing_steps(participant, purpose="referral", service=Service.REPATRIATION):
            result.child_steps_missing.append(person)
            continue
        referral = referral_send(
            actor=actor,
            participant=participant,
            to_agency=to_agency,
            service=Service.REPATRIATION,
            from_agency=sender,
            shares_identity=True,
            note=_("Embassy list of operation %(name)s") % {"name": operation.name},
        )
        result.packages.append(exchange_package_create(actor=actor, referral=referral))
        if person.repatriation in (Repatriation.NOT_ASSESSED, Repatriation.WAITING):
            person.repatriation = Repatriation.EMBASSY_NOTIFIED
            person.repatriation_on = timezone.localdate()
            person.save(update_fields=["repatriation", "repatriation_on"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=operation,
        agency_code=sender.code if sender else "",
        detail={
            "embassy_list": nationality,
            "to_agency": to_agency.code,
            "packages": [p.pk for p in result.packages],
            "without_consent": len(result.without_consent),
            "child_steps_missing": len(result.child_steps_missing),
        },
    )
    return result
