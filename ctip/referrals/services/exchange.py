"""Cross-border exchange packages: the HTCDS record, preparing a package, the partner's updates."""

import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import AgencyKind
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.validation import Errors, check_choice, check_not_future

from ..choices import (
    ConsentBasis,
    ExchangeStatus,
    ReferralStatus,
    Service,
)
from ..models import (
    ExchangePackage,
    ExchangeUpdate,
    Referral,
)
from .base import (
    MASKED,
    _audited_refusal,
    staff_agencies,
)


def _age_on(person: Any, day: datetime.date) -> int | None:
    if person.date_of_birth:
        dob = person.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    if person.estimated_age is not None:
        recorded = person.age_recorded_on or day
        return person.estimated_age + (day.year - recorded.year)
    return None


def htcds_record(referral: Referral) -> tuple[dict[str, Any], list[str]]:
    """The HTCDS-style record of a referral's person, with identity only where consented.

    Returns the record and the list of identifying fields it carries, for the audit trail.
    """
    participant = referral.participant
    person = participant.person
    profile = getattr(participant, "victim_profile", None)
    today = timezone.localdate()
    record: dict[str, Any] = {
        "cas_CaseReference": referral.case.reference,
        "cas_CaseType": referral.case.kind,
        "per_RoleInProcess": participant.role,
        "per_Gender": person.gender or person.sex,
        "per_Age": _age_on(person, today),
        "per_Citizenship": list(person.citizenships or []),
        "per_Languages": list(person.languages or []),
        "ref_Service": referral.service,
        "ref_FromAgency": referral.from_agency.code,
        "ref_ToAgency": referral.to_agency.code,
        "ref_SentDate": timezone.localdate(referral.sent_at).isoformat(),
        "ref_DueDate": referral.due_on.isoformat(),
    }
    if profile is not None:
        record.update(
            {
                "vic_TraffickingStatus": profile.trafficking_status,
                "vic_ExploitationType": list(profile.exploitation_types or []),
                "vic_IdentifiedDate": profile.identified_on.isoformat()
                if profile.identified_on
                else None,
                "vic_ConsentToShare": profile.consent_to_share,
            }
        )
    identity: list[str] = []
    birth: Any = person.date_of_birth  # a date: the encrypted field decrypts to one
    if referral.shares_identity and referral.consent_basis in (
        ConsentBasis.CONSENT,
        ConsentBasis.OVERRIDE,
    ):
        identity_fields = {
            "per_GivenName": person.given_name_latin,
            "per_FamilyName": person.family_name_latin,
            "per_GivenNameLocal": person.given_name_km,
            "per_FamilyNameLocal": person.family_name_km,
            "per_Aliases": list(person.aliases or []),
            "per_BirthDate": birth.isoformat() if birth else None,
            "per_IdentityDocuments": [
                {
                    "type": doc.kind,
                    "number": doc.number,
                    "issuingCountry": doc.issuing_country.alpha3 if doc.issuing_country else None,
                }
                for doc in person.documents.select_related("issuing_country")
            ],
        }
        for key, value in identity_fields.items():
            if value not in (None, "", []):
                record[key] = value
                identity.append(key)
    return record, identity


def exchange_package_refusal(*, actor: Any, referral: Referral) -> Exception | None:
    """Why exchange_package_create would refuse this referral's package, or None: the one
    rule, asked by the service and by the page that offers the button."""
    if referral.from_agency_id not in staff_agencies(actor):
        return PermissionDenied(_("Only the sending agency prepares the exchange package."))
    errors = Errors()
    if referral.service != Service.REPATRIATION:
        errors.add("service", _("Only a repatriation referral has an exchange package."))
    if referral.to_agency.kind != AgencyKind.FOREIGN_PARTNER:
        errors.add("to_agency", _("Exchange packages go to foreign partner agencies only."))
    if referral.status in (ReferralStatus.DECLINED, ReferralStatus.CLOSED):
        errors.add("status", _("The referral is no longer open."))
    if referral.case.is_closed:
        errors.add("case", _("The case is closed."))
    if ExchangePackage.objects.filter(referral=referral).exists():
        errors.add("referral", _("This referral already has an exchange package."))
    return ValidationError(errors.by_field) if errors.by_field else None


def exchange_package_create(*, actor: Any, referral: Referral) -> ExchangePackage:
    """Prepare the exchange package of a repatriation referral to a foreign partner."""

    def work() -> ExchangePackage:
        locked = (
            Referral.objects.select_for_update()
            .select_related("case", "from_agency", "to_agency", "participant__person")
            .get(pk=referral.pk)
        )
        refused = exchange_package_refusal(actor=actor, referral=locked)
        if refused is not None:
            raise refused
        payload, identity = htcds_record(locked)
        package = ExchangePackage.objects.create(
            referral=locked,
            payload=cast(Any, payload),  # an encrypted JSON field: it stores the dict
            fields_shared=sorted(payload),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=package,
            agency_code=locked.from_agency.code,
            detail={
                "referral": locked.pk,
                "to_agency": locked.to_agency.code,
                "fields": sorted(payload),
                "identity_fields": identity,
                "consent_basis": locked.consent_basis,
            },
        )
        return package

    return _audited_refusal(
        actor=actor,
        wanted="exchange_package_create",
        object_type="referrals.referral",
        object_id=referral.pk,
        work=work,
    )


def exchange_update_add(
    *,
    actor: Any,
    package: ExchangePackage,
    status: str,
    occurred_on: datetime.date,
    note: str = "",
) -> ExchangeUpdate:
    """Record, by hand, what the partner reported about the repatriation."""

    def work() -> ExchangeUpdate:
        locked = (
            ExchangePackage.objects.select_for_update()
            .select_related("referral__case", "referral__from_agency")
            .get(pk=package.pk)
        )
        errors = Errors()
        check_choice(errors, "status", status, ExchangeStatus.values)
        check_not_future(errors, "occurred_on", occurred_on)
        if occurred_on < timezone.localdate(locked.referral.sent_at):
            errors.add("occurred_on", _("The update cannot be older than the referral."))
        if locked.status == ExchangeStatus.CANCELLED:
            errors.add("status", _("The exchange was cancelled; no further updates."))
        if locked.referral.from_agency_id not in staff_agencies(actor):
            raise PermissionDenied(_("Only the sending agency records the partner's updates."))
        errors.raise_if_any()
        update = ExchangeUpdate.objects.create(
            package=locked,
            status=status,
            occurred_on=occurred_on,
            note=note,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": [before, status], "note": [None, MASKED if note else ""]},
            detail={"occurred_on": occurred_on.isoformat()},
        )
        return update

    result = _audited_refusal(
        actor=actor,
        wanted="exchange_update_add",
        object_type="referrals.exchangepackage",
        object_id=package.pk,
        work=work,
    )
    package.refresh_from_db()
    return result
