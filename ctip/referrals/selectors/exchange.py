"""Reads of cross-border exchange packages, masked for the reader, and their exports."""

import json
from typing import Any

from django.utils.translation import gettext as _

from ctip.access.masking import MASK, can_read
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Participant
from ctip.registry.selectors import (
    case_record_get,
)

from ..models import (
    ExchangePackage,
    Referral,
)
from ..services import (
    exchange_package_refusal,
)


def exchange_package_get(*, actor: Any, pk: int) -> ExchangePackage:
    package: ExchangePackage = case_record_get(
        actor=actor,
        model=ExchangePackage,
        pk=pk,
        related=("referral__case", "referral__from_agency", "referral__to_agency"),
        not_found=_("No such exchange package."),
    )
    return package


# The HTCDS keys of an exchange package that carry the person's identity, with the registry
# field each copies: a reader sees them exactly as they would see that field of the person.
PACKAGE_IDENTITY_KEYS = {
    "per_GivenName": "given_name_latin",
    "per_FamilyName": "family_name_latin",
    "per_GivenNameLocal": "given_name_km",
    "per_FamilyNameLocal": "family_name_km",
    "per_Aliases": "aliases",
    "per_BirthDate": "date_of_birth",
    "per_IdentityDocuments": "date_of_birth",  # document numbers: identity, like the rest
}


def exchange_payload(*, actor: Any, package: ExchangePackage) -> dict[str, Any]:
    """The package's HTCDS record as this actor may read it: identity keys masked (•••) for
    a reader who sees the person masked elsewhere (an NGO partner without a reveal), as on
    the person's own page. Every surface of a package (page, API, JSON, PDF) reads this."""
    record = dict(package.payload)
    person_id = (
        Participant.objects.filter(pk=package.referral.participant_id)
        .values_list("person_id", flat=True)
        .first()
    )
    for key, field_name in PACKAGE_IDENTITY_KEYS.items():
        value = record.get(key)
        if value in (None, "", []) or can_read(actor, "registry.person", field_name, person_id):
            continue
        if key == "per_IdentityDocuments":
            record[key] = [{**doc, "number": MASK} for doc in value]
        else:
            record[key] = MASK
    return record


def may_prepare_exchange(*, actor: Any, referral: Referral) -> bool:
    """Whether the referral page offers to prepare an exchange package: exactly when
    services.exchange_package_create would not refuse it."""
    return exchange_package_refusal(actor=actor, referral=referral) is None


EXPORT_FORMATS = ("json", "pdf")


def exchange_package_export(*, actor: Any, package: ExchangePackage, fmt: str) -> bytes:
    """The package as a file to hand over (its HTCDS record as JSON, or the PDF summary);
    every export is an audit event, whoever asks for it."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "pdf":
        from ..exchange_pdf import render_pdf  # loads WeasyPrint only when a PDF is asked for

        content = render_pdf(package, exchange_payload(actor=actor, package=package))
    else:
        record = exchange_payload(actor=actor, package=package)
        content = json.dumps(record, ensure_ascii=False, indent=2).encode()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=package,
        detail={"format": fmt, "fields": package.fields_shared},
    )
    return content
