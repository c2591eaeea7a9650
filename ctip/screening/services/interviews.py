"""Screening interviews and the officer's decision, carried into the registry."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.access.choices import AgencyKind
from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.referrals.services import staff_agencies
from ctip.registry import services as registry
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Participant
from ctip.registry.validation import Errors, check_choice, check_not_future

from ..choices import (
    DECIDED,
    INDICATOR_CODES,
    LANGUAGE_CODES,
    TRAFFICKING_STATUS,
    VICTIM_DECISIONS,
    Answer,
    Decision,
    Repatriation,
    means_of_control,
)
from ..models import FoundPerson, Operation, Screening
from .non_punishment import is_suspect_in
from .operations import require_operation_change

# --- screening interviews -----------------------------------------------------------------


def _interviewing_agency(actor: Any, operation: Operation) -> Agency:
    mine = staff_agencies(actor)
    if operation.lead_agency_id in mine or actor_scope(actor).is_superuser or not mine:
        return operation.lead_agency
    taking_part = set(operation.agencies.values_list("pk", flat=True)) & set(mine)
    return Agency.objects.get(pk=min(taking_part or mine))


def _decided_by(agency: Agency) -> str:
    """The HTCDS code of who decided a trafficking status, from the deciding agency's kind."""
    if agency.kind == AgencyKind.POLICE_UNIT:
        return "Police"
    if agency.kind == AgencyKind.NGO:
        return "NGO"
    if agency.kind == AgencyKind.COURT:
        return "CourtOrProsecution"
    return "NonPoliceGovernmentalOrganization"


def _victim_participant(actor: Any, found: FoundPerson) -> Participant | None:
    case = found.operation.case
    victim = Participant.objects.filter(
        case=case, person=found.person, role=ParticipantRole.VICTIM
    ).first()
    return victim


@audited_atomic
def screening_record(
    *,
    actor: Any,
    found: FoundPerson,
    interviewed_on: datetime.date,
    language: str,
    answers: dict[str, str],
    decision: str,
    reasons: str,
    interpreter: bool = False,
    consent_to_embassy: bool = False,
    submission_id: str | None = None,
) -> Screening:
    """Record a screening interview and the officer's decision, with its reasons and the
    indicators that support it; the registry's victim profile follows the decision."""
    if submission_id:
        # A field phone sends a submission again when it did not see the answer: one record.
        existing = Screening.objects.filter(submission_id=submission_id).first()
        if existing is not None:
            return existing
    errors = Errors()
    check_choice(errors, "decision", decision, [str(d) for d in DECIDED])
    check_not_future(errors, "interviewed_on", interviewed_on)
    operation = found.operation
    if interviewed_on < operation.conducted_on:
        errors.add("interviewed_on", _("The interview cannot be before the operation."))
    if language not in LANGUAGE_CODES:
        errors.add("language", _("One of: %(values)s.") % {"values": ", ".join(LANGUAGE_CODES)})
    unknown = sorted(set(answers) - set(INDICATOR_CODES))
    if unknown:
        errors.add("answers", _("Unknown indicators: %(codes)s.") % {"codes": ", ".join(unknown)})
    wrong = sorted(k for k, v in answers.items() if v not in Answer.values)
    if wrong:
        errors.add(
            "answers",
            _("Answer each indicator with one of: %(values)s.")
            % {"values": ", ".join(Answer.values)},
        )
    indicators = [code for code in INDICATOR_CODES if answers.get(code) == Answer.YES]
    if not reasons.strip():
        errors.add("reasons", _("Give the reasons for the decision."))
    if decision in VICTIM_DECISIONS and not indicators:
        errors.add(
            "answers",
            _("A victim decision needs at least one indicator answered yes that supports it."),
        )
    errors.raise_if_any()
    require_operation_change(actor, operation)
    if decision in VICTIM_DECISIONS and is_suspect_in(operation.case_id, found.person_id):
        raise refusal(
            ValidationError(
                {
                    "decision": [
                        _(
                            "Person #%(number)d is recorded as a suspect in this operation. "
                            "Under the non-punishment principle a victim is not a suspect "
                            "in the same operation: remove the suspect record (or its "
                            "arrest) before recording them as a victim."
                        )
                        % {"number": found.number}
                    ]
                }
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=found.operation,
            detail={"wanted": "victim_decision", "found": found.pk, "refused": "non_punishment"},
        )
    agency = _interviewing_agency(actor, operation)
    earlier = found.screenings.exists()
    screening = Screening.objects.create(
        found=found,
        interviewed_on=interviewed_on,
        interviewer=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        language=language,
        interpreter=interpreter,
        answers={code: answers[code] for code in INDICATOR_CODES if code in answers},
        indicators=indicators,
        decision=decision,
        reasons=reasons.strip(),
        second_interview=earlier,
        consent_to_embassy=consent_to_embassy,
        submission_id=submission_id or None,
    )
    before = found.decision
    found.decision = decision
    found.decided_on = interviewed_on
    found.consent_to_embassy = consent_to_embassy and decision in VICTIM_DECISIONS
    if decision == Decision.NOT_VICTIM:
        found.repatriation = (
            Repatriation.NOT_NEEDED
            if found.repatriation == Repatriation.NOT_ASSESSED
            else found.repatriation
        )
    elif found.repatriation == Repatriation.NOT_ASSESSED and found.nationality not in ("", "KHM"):
        found.repatriation = Repatriation.WAITING
        found.repatriation_on = interviewed_on
    found.save(
        update_fields=[
            "decision",
            "decided_on",
            "consent_to_embassy",
            "repatriation",
            "repatriation_on",
        ]
    )
    _record_in_registry(actor, found, screening, agency)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=screening,
        changes={
            "decision": [before, decision],
            "indicators": [None, indicators],
            "reasons": [None, registry.MASKED_IN_AUDIT],
        },
        detail={"found": found.pk, "operation": operation.pk},
    )
    return screening


def _record_in_registry(
    actor: Any, found: FoundPerson, screening: Screening, agency: Agency
) -> None:
    """The decision, as the registry records it: a victim participant and its profile."""
    victim = _victim_participant(actor, found)
    if victim is None and screening.decision not in VICTIM_DECISIONS:
        return  # never thought a victim: nothing in the registry says otherwise
    if victim is None:
        victim = registry.participant_add(
            actor=actor,
            case=found.operation.case,
            person=found.person,
            role=ParticipantRole.VICTIM,
        )
    profile: dict[str, Any] = {
        "trafficking_status": TRAFFICKING_STATUS[Decision(screening.decision)],
        "status_decided_by": _decided_by(agency),
        "status_decided_on": screening.interviewed_on,
        "means_of_control": means_of_control(screening.indicators),
        "consent_to_share": screening.consent_to_embassy,
        "consent_recorded_on": screening.interviewed_on if screening.consent_to_embassy else None,
    }
    if screening.decision in VICTIM_DECISIONS:
        profile["identified_on"] = screening.interviewed_on
        kinds = ["ForcedLabour"]
        if "forced_criminality" in screening.indicators:
            kinds.append("Other")
        if "sexual_abuse" in screening.indicators:
            kinds.append("SexualExploitation")
        profile["exploitation_types"] = kinds
    registry.victim_profile_save(actor=actor, participant=victim, **profile)
