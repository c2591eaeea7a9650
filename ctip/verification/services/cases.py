"""Opening cases in the registry from a substantiated verification, carrying its persons over."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policies import can_create_in
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.reference.models import Province
from ctip.registry.choices import CaseKind, CaseSource
from ctip.registry.models import Case
from ctip.registry.services import case_create, person_register_in_case
from ctip.registry.validation import Errors

from ..choices import Outcome, VerificationStatus
from ..models import FoundPerson, OpenedCase, Verification
from .base import denied


def _source(verification: Verification) -> str:
    """Where the case came from, in the registry's words: a tip when the allegation came
    through intake from the public, otherwise 'other'."""
    return CaseSource.TIP if getattr(verification, "matter_id", None) else CaseSource.OTHER


@audited_atomic
def verification_open_case(
    *,
    actor: Any,
    verification: Verification,
    kind: str,
    persons: list[FoundPerson] | None = None,
    province: Province | None = None,
) -> Case:
    """Open a case owned by the verifying agency from a substantiated, signed-off
    verification, and register the persons found in it with their roles (all those not
    carried over yet unless `persons` names some). Several cases may be opened from one
    verification (one per situation found); each is linked to it."""
    errors = Errors()
    if verification.status != VerificationStatus.CLOSED:
        errors.add(
            "verification",
            _("A case is opened from a verification once it is signed off."),
        )
    elif verification.outcome != Outcome.SUBSTANTIATED:
        errors.add(
            "verification",
            _("The allegation was not substantiated; no case is opened from it."),
        )
    if kind not in CaseKind.values:
        errors.add("kind", _("%(value)r is not an allowed value.") % {"value": kind})
    province = province or verification.province
    if province is None:
        errors.add("province", _("Choose the province of the case."))
    pending = [p for p in verification.persons.all() if p.person_id is None]
    if persons is None:
        chosen = pending
    else:
        pending_ids = {p.pk for p in pending}
        strangers = [p for p in persons if p.pk not in pending_ids]
        if strangers:
            errors.add(
                "persons",
                _(
                    "Some persons chosen are not found in this verification or are in a case "
                    "already."
                ),
            )
        chosen = [p for p in pending if p.pk in {q.pk for q in persons}]
    errors.raise_if_any()
    if not verification.lead_agency_id or not _may_create(actor, verification):
        raise denied(
            actor,
            verification,
            "verification_open_case",
            _("Only officers of %(agency)s, the agency that verified, may open its cases.")
            % {"agency": verification.lead_agency.code},
        )
    case = case_create(
        actor=actor,
        kind=kind,
        source=_source(verification),
        owning_agency=verification.lead_agency,
        province=province,
        opened_on=timezone.localdate(),
        summary=_("Opened from verification %(reference)s.")
        % {"reference": verification.reference},
    )
    for found in chosen:
        participant = person_register_in_case(
            actor=actor,
            case=case,
            role=found.role,
            notes=found.notes,
            given_name_km=found.given_name_km,
            family_name_km=found.family_name_km,
            given_name_latin=found.given_name_latin,
            family_name_latin=found.family_name_latin,
            sex=found.sex,
            estimated_age=found.estimated_age,
            citizenships=[found.citizenship] if found.citizenship else [],
        )
        found.person = participant.person
        found.save(update_fields=["person"])
    link = OpenedCase.objects.create(
        verification=verification,
        case=case,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        changes={"verification": [None, verification.reference], "case": [None, case.reference]},
        detail={"persons_carried_over": len(chosen)},
    )
    return case


def _may_create(actor: Any, verification: Verification) -> bool:

    return can_create_in(actor, verification.lead_agency_id)
