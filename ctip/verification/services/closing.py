"""Submitting a verification's outcome, and the other agency's sign-off that closes it."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.registry.validation import Errors

from ..choices import NotSubstantiatedReason, Outcome, VerificationStatus
from ..models import Verification
from ..selectors import VERIFYING_KINDS, is_on_team, may_work_on, sign_off_agencies
from .base import check_words, denied, team_problems


def _check_evidence(errors: Errors, verification: Verification) -> None:
    if not any(f.is_evidence for f in verification.findings.all()):
        errors.add(
            "evidence",
            _(
                "Add at least one piece of evidence (a photo, a document or a statement, with "
                "its file) before the verification can be closed."
            ),
        )


@audited_atomic
def verification_submit(
    *,
    actor: Any,
    verification: Verification,
    outcome: str,
    sign_off_agency: Agency | None,
    reason: str = "",
    note: str = "",
) -> Verification:
    """Record the outcome and ask a supervisor of another agency to sign it off."""
    errors = Errors()
    if verification.status != VerificationStatus.VISITED:
        errors.add(
            "status",
            _("Record the visit first; only a visited verification can be submitted.")
            if verification.status == VerificationStatus.PLANNED
            else _("This verification was submitted already."),
        )
    if outcome not in Outcome.values:
        errors.add("outcome", _("Choose substantiated or not substantiated."))
    if outcome == Outcome.NOT_SUBSTANTIATED:
        if not reason:
            errors.add("reason", _("Say why the allegation was not substantiated."))
        elif reason not in NotSubstantiatedReason.values:
            errors.add("reason", _("%(value)r is not an allowed value.") % {"value": reason})
    note = check_words(
        errors,
        "note",
        note,
        required=outcome == Outcome.NOT_SUBSTANTIATED,
        message=_("Explain the reason in a few words."),
    )
    if sign_off_agency is None:
        errors.add("sign_off_agency", _("Choose the agency whose supervisor signs it off."))
    elif sign_off_agency.pk == verification.lead_agency_id:
        errors.add(
            "sign_off_agency",
            _(
                "%(agency)s verified this allegation; a supervisor of another agency must "
                "sign it off."
            )
            % {"agency": sign_off_agency.code},
        )
    elif verification.concerns_officials and sign_off_agency.pk == verification.unit_concerned_id:
        errors.add(
            "sign_off_agency",
            _("The allegation concerns officials of %(agency)s; it cannot sign it off.")
            % {"agency": sign_off_agency.code},
        )
    elif sign_off_agency.kind not in VERIFYING_KINDS or not sign_off_agency.is_active:
        errors.add(
            "sign_off_agency",
            _("%(agency)s does not sign off verifications.") % {"agency": sign_off_agency.code},
        )
    _check_evidence(errors, verification)
    for problem in team_problems(verification):
        errors.add("team", problem)
    errors.raise_if_any()
    if not may_work_on(actor, verification):
        raise denied(
            actor,
            verification,
            "verification_submit",
            _("Only the verifying agency and the officers on the team may submit this."),
        )
    verification.outcome = outcome
    verification.outcome_reason = reason if outcome == Outcome.NOT_SUBSTANTIATED else ""
    verification.outcome_note = note
    verification.sign_off_agency = sign_off_agency
    verification.status = VerificationStatus.AWAITING_SIGN_OFF
    verification.submitted_at = timezone.now()
    verification.submitted_by = actor if getattr(actor, "pk", None) else None
    verification.returned_note = ""
    verification.full_clean()
    verification.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=verification,
        changes={
            "status": [VerificationStatus.VISITED, verification.status],
            "outcome": [None, outcome],
            "outcome_reason": [None, verification.outcome_reason],
            "sign_off_agency": [None, getattr(sign_off_agency, "code", None)],
        },
    )
    return verification


def _require_signer(actor: Any, verification: Verification, wanted: str) -> int:
    """The agency the actor signs for, or an audited refusal saying why they may not."""
    scope = actor_scope(actor)
    if verification.status != VerificationStatus.AWAITING_SIGN_OFF:
        raise denied(
            actor,
            verification,
            wanted,
            _("Closing needs a submitted verification: record the outcome and submit it first.")
            if verification.status in (VerificationStatus.PLANNED, VerificationStatus.VISITED)
            else _("This verification is closed already."),
        )
    if getattr(actor, "pk", None) is not None and is_on_team(actor, verification):
        raise denied(
            actor,
            verification,
            wanted,
            _("You were on the team; a supervisor of another agency must sign it off."),
        )
    agencies = sign_off_agencies(actor, verification)
    if agencies:
        return agencies[0]
    if scope.is_superuser and verification.sign_off_agency_id:
        return verification.sign_off_agency_id
    lead = verification.lead_agency
    if verification.lead_agency_id in scope.roles.get(Role.SUPERVISOR, frozenset()):
        message = _(
            "You are a supervisor of %(agency)s, the agency that verified; closing needs the "
            "sign-off of a supervisor of %(other)s."
        ) % {"agency": lead.code, "other": getattr(verification.sign_off_agency, "code", "")}
    else:
        message = _("Closing needs the sign-off of a supervisor of %(other)s.") % {
            "other": getattr(verification.sign_off_agency, "code", "")
        }
    raise denied(actor, verification, wanted, message)


@audited_atomic
def verification_sign_off(
    *, actor: Any, verification: Verification, note: str = ""
) -> Verification:
    """Close the verification with the sign-off of a supervisor of another agency."""
    agency_id = _require_signer(actor, verification, "verification_sign_off")
    errors = Errors()
    note = check_words(errors, "note", note)
    _check_evidence(errors, verification)
    errors.raise_if_any()
    verification.status = VerificationStatus.CLOSED
    verification.signed_off_at = timezone.now()
    verification.signed_off_by = actor if getattr(actor, "pk", None) else None
    verification.sign_off_note = note
    verification.full_clean()
    verification.save()
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        obj=verification,
        changes={"status": [VerificationStatus.AWAITING_SIGN_OFF, verification.status]},
        detail={
            "signed_for": Agency.objects.get(pk=agency_id).code,
            "outcome": verification.outcome,
        },
    )
    return verification


@audited_atomic
def verification_return(*, actor: Any, verification: Verification, note: str) -> Verification:
    """Send a submitted verification back to the team, saying what is missing."""
    _require_signer(actor, verification, "verification_return")
    errors = Errors()
    note = check_words(
        errors, "note", note, required=True, message=_("Say what the team must add or correct.")
    )
    errors.raise_if_any()
    verification.status = VerificationStatus.VISITED
    verification.returned_note = note
    verification.save(update_fields=["status", "returned_note"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=verification,
        changes={"status": [VerificationStatus.AWAITING_SIGN_OFF, verification.status]},
        detail={"returned": True},
    )
    return verification
