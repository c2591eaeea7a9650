"""Every write of the screening app: operations, persons found, interviews and decisions,
the non-punishment rule, repatriation and the embassy lists.

Persons found go into the registry through its services (encrypted identity fields, search
keys, audit), each as a participant of the operation's case; a decision that finds a victim
becomes the registry's victim profile, so the case file and the statistics see it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, can_create_in, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Country, Province
from ctip.referrals.choices import Service
from ctip.referrals.models import ExchangePackage, Referral
from ctip.referrals.services import exchange_package_create, referral_send, staff_agencies
from ctip.registry import services as registry
from ctip.registry.choices import CaseKind, CaseSource, DocumentKind, ParticipantRole, Sex
from ctip.registry.models import Arrest, Case, Participant, Person
from ctip.registry.validation import Errors, check_choice, check_not_future

from .choices import (
    DECIDED,
    INDICATOR_CODES,
    LANGUAGE_CODES,
    TRAFFICKING_STATUS,
    VICTIM_DECISIONS,
    Answer,
    Decision,
    DocumentHeld,
    OperationKind,
    Repatriation,
    means_of_control,
)
from .models import FoundPerson, Operation, Screening

MAX_ROWS_PER_SUBMIT = 1000

# --- operations ---------------------------------------------------------------------------


@audited_atomic
def operation_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    conducted_on: datetime.date,
    province: Province,
    place: str,
    lead_agency: Agency,
    agencies: Iterable[Agency] = (),
    case_kind: str = CaseKind.FORCED_CRIMINALITY,
) -> Operation:
    """Record an operation and open its case (source "operation") owned by the lead agency;
    the other agencies taking part get the case shared with them."""
    errors = Errors()
    check_choice(errors, "kind", kind, OperationKind.values)
    check_choice(errors, "case_kind", case_kind, CaseKind.values)
    check_not_future(errors, "conducted_on", conducted_on)
    if not name.strip():
        errors.add("name", _("This field is required."))
    if not place.strip():
        errors.add("place", _("This field is required."))
    others = [a for a in agencies if a.pk != lead_agency.pk]
    errors.raise_if_any()
    if not can_create_in(actor, lead_agency.pk):
        raise refusal(
            PermissionDenied(
                _("You may not record operations for %(agency)s.") % {"agency": lead_agency.code}
            ),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="screening.operation",
            detail={"wanted": "create", "lead_agency": lead_agency.code},
        )
    case = registry.case_create(
        actor=actor,
        kind=case_kind,
        source=CaseSource.OPERATION,
        owning_agency=lead_agency,
        province=province,
        opened_on=conducted_on,
        summary=name.strip(),
    )
    operation = Operation.objects.create(
        case=case,
        kind=kind,
        name=name.strip(),
        conducted_on=conducted_on,
        province=province,
        place=place.strip(),
        lead_agency=lead_agency,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    operation.agencies.set(others)
    for agency in others:
        # A new case has no victims yet: sharing it needs no consent.
        registry.case_share(actor=actor, case=case, agency=agency)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=operation,
        changes={
            "kind": [None, kind],
            "name": [None, operation.name],
            "conducted_on": [None, conducted_on.isoformat()],
            "lead_agency": [None, lead_agency.code],
            "agencies": [None, sorted(a.code for a in others)],
            "case": [None, case.reference],
        },
    )
    return operation


def require_operation_change(actor: Any, operation: Operation) -> None:
    """Refuse, audited, unless the actor may add to the operation's case."""
    if not restrict(Case.objects.filter(pk=operation.case_id), actor, Action.CHANGE).exists():
        raise refusal(
            PermissionDenied(_("You may not add to this operation.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=operation,
            detail={"wanted": "change"},
        )
    if operation.case.is_closed:
        raise PermissionDenied(_("The operation's case is closed; reopen it to add to it."))


# --- persons found ------------------------------------------------------------------------

FOUND_FIELDS = (
    "number",
    "family_name",
    "given_name",
    "name_km",
    "sex",
    "age",
    "age_is_apparent",
    "nationality",
    "language",
    "document_held",
    "document_number",
)


@dataclass
class RowCheck:
    """One row of persons found, checked: clean values, or the problems by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _countries() -> dict[str, str]:
    """ISO alpha-3 codes and English names (folded) -> alpha-3."""
    lookup: dict[str, str] = {}
    for alpha3, name in Country.objects.values_list("alpha3", "name_en"):
        lookup[alpha3.casefold()] = alpha3
        lookup[name.casefold()] = alpha3
    return lookup


def found_row_check(row: dict[str, Any], countries: dict[str, str] | None = None) -> RowCheck:
    """Check one row of the grid or of an upload (the same rule for both): every problem
    named by its field, nothing written."""
    countries = countries if countries is not None else _countries()
    check = RowCheck()
    for name in sorted(set(row) - set(FOUND_FIELDS)):
        check.add(name, _("Unknown field."))

    def text(name: str, limit: int = 120) -> str:
        value = str(row.get(name) or "").strip()
        if len(value) > limit:
            check.add(name, _("At most %(n)d characters.") % {"n": limit})
        return value[:limit]

    values = check.values
    number = row.get("number")
    if number not in (None, ""):
        try:
            values["number"] = int(str(number).strip())
            if not 1 <= values["number"] <= 1_000_000:
                raise ValueError
        except ValueError:
            check.add("number", _("A whole number from 1."))
    values["family_name"] = text("family_name")
    values["given_name"] = text("given_name")
    values["name_km"] = text("name_km")
    if not (values["family_name"] or values["given_name"] or values["name_km"]):
        check.add("family_name", _("Give at least one name (or the name the person gives)."))
    sex = str(row.get("sex") or Sex.UNKNOWN).strip().lower()
    sex = {"f": Sex.FEMALE, "m": Sex.MALE}.get(sex, sex)
    if sex not in Sex.values:
        check.add("sex", _("One of: %(values)s.") % {"values": ", ".join(Sex.values)})
    values["sex"] = sex
    age = row.get("age")
    values["age"] = None
    if age not in (None, ""):
        try:
            values["age"] = int(str(age).strip())
            if not 0 <= values["age"] <= 120:
                raise ValueError
        except ValueError:
            check.add("age", _("An age must be between 0 and %(max)d.") % {"max": 120})
    apparent = row.get("age_is_apparent")
    values["age_is_apparent"] = str(apparent).strip().lower() in ("1", "true", "yes", "on", "y")
    nationality = text("nationality", 60)
    values["nationality"] = ""
    if nationality:
        code = countries.get(nationality.casefold())
        if code is None:
            check.add(
                "nationality",
                _("Unknown country %(value)r: give its ISO code (VNM, CHN, IDN…).")
                % {"value": nationality},
            )
        else:
            values["nationality"] = code
    language = text("language", 10).lower()
    if language and language not in LANGUAGE_CODES:
        check.add("language", _("One of: %(values)s.") % {"values": ", ".join(LANGUAGE_CODES)})
    values["language"] = language
    held = str(row.get("document_held") or "").strip().lower() or DocumentHeld.NONE
    if held not in DocumentHeld.values:
        check.add(
            "document_held", _("One of: %(values)s.") % {"values": ", ".join(DocumentHeld.values)}
        )
    values["document_held"] = held
    values["document_number"] = text("document_number", 40)
    if values["document_number"] and held == DocumentHeld.NONE:
        check.add("document_held", _("Say which document the number is of."))
    return check


@audited_atomic
def found_persons_add(
    *, actor: Any, operation: Operation, rows: list[dict[str, Any]]
) -> list[FoundPerson]:
    """Register many persons found at once (the grid, an upload): every row is checked
    first; one bad row refuses them all (ValidationError naming `row N: field`), nothing
    written. Each person is registered through the registry's services."""
    if len(rows) > MAX_ROWS_PER_SUBMIT:
        raise ValidationError(
            {"rows": [_("At most %(n)d rows at once.") % {"n": MAX_ROWS_PER_SUBMIT}]}
        )
    require_operation_change(actor, operation)
    countries = _countries()
    checks = [found_row_check(row, countries) for row in rows]
    taken = set(FoundPerson.objects.filter(operation=operation).values_list("number", flat=True))
    problems: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, check in enumerate(checks, start=1):
        number = check.values.get("number")
        if number is not None and (number in taken or number in seen):
            check.add(
                "number", _("Number %(n)d is already used in this operation.") % {"n": number}
            )
        if number is not None:
            seen.add(number)
        for name, messages in check.errors.items():
            problems[f"row {index}: {name}"] = messages
    if problems:
        raise ValidationError(problems)
    if not checks:
        raise ValidationError({"rows": [_("Enter at least one person.")]})
    next_number = (
        FoundPerson.objects.filter(operation=operation).aggregate(m=Max("number"))["m"] or 0
    )
    next_number = max(next_number, max(seen, default=0))
    issuing = {
        c.alpha3: c
        for c in Country.objects.filter(
            alpha3__in={c.values["nationality"] for c in checks if c.values["nationality"]}
        )
    }
    today = timezone.localdate()
    people: list[dict[str, Any]] = []
    numbers: list[int] = []
    for check in checks:
        v = check.values
        number = v.get("number")
        if number is None:
            next_number += 1
            number = next_number
        numbers.append(number)
        fields: dict[str, Any] = {
            "family_name_latin": v["family_name"],
            "given_name_latin": v["given_name"],
            "family_name_km": v["name_km"],
            "sex": v["sex"],
            "citizenships": [v["nationality"]] if v["nationality"] else [],
            "languages": [v["language"]] if v["language"] else [],
        }
        if v["age"] is not None:
            fields["estimated_age"] = v["age"]
            fields["age_recorded_on"] = min(operation.conducted_on, today)
        if v["document_number"]:
            fields.update(
                document_kind={
                    DocumentHeld.PASSPORT: DocumentKind.PASSPORT,
                    DocumentHeld.NATIONAL_ID: DocumentKind.NATIONAL_ID,
                }.get(v["document_held"], DocumentKind.OTHER),
                document_number=v["document_number"],
                document_country=issuing.get(v["nationality"]),
            )
        people.append(fields)
    # The registry registers them all at once, with its own checks, encryption and keys.
    participants = registry.persons_register_in_case(
        actor=actor,
        case=operation.case,
        role=ParticipantRole.OTHER,
        people=people,
        notes=_("Found in operation %(name)s") % {"name": operation.name},
    )
    created = [
        FoundPerson(
            operation=operation,
            number=number,
            person=participant.person,
            participant=participant,
            nationality=check.values["nationality"],
            language=check.values["language"],
            document_held=check.values["document_held"],
            age_is_apparent=check.values["age_is_apparent"],
        )
        for number, participant, check in zip(numbers, participants, checks, strict=True)
    ]
    FoundPerson.objects.bulk_create(created)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=operation,
        detail={
            "persons_found": len(created),
            "numbers": [created[0].number, created[-1].number],
        },
    )
    return created


# --- the non-punishment principle ---------------------------------------------------------


def _is_suspect_in(case_id: int, person_id: int) -> bool:
    return (
        Participant.objects.filter(
            case_id=case_id, person_id=person_id, role=ParticipantRole.SUSPECT
        ).exists()
        or Arrest.objects.filter(case_id=case_id, person_id=person_id).exists()
    )


def non_punishment_refusal(*, case: Case, person: Person, role: str) -> str | None:
    """The registry asks this before recording a role (registry.hooks.role_check_provider):
    an identified or presumed victim of an operation is never its suspect."""
    if role != ParticipantRole.SUSPECT:
        return None
    found = (
        FoundPerson.objects.filter(
            operation__case_id=case.pk, person_id=person.pk, decision__in=VICTIM_DECISIONS
        )
        .only("decision", "number")
        .first()
    )
    if found is None:
        return None
    return _(
        "Person #%(number)d was screened as %(decision)s in this operation. Under the "
        "non-punishment principle a victim of trafficking is not recorded as a suspect for "
        "what they were made to do; record the decision again after a new screening if it "
        "was wrong."
    ) % {"number": found.number, "decision": Decision(found.decision).label.lower()}


@audited_atomic
def found_person_mark_suspect(*, actor: Any, found: FoundPerson) -> Participant:
    """Record a person found as a suspect in the operation's case (the registry refuses it
    for an identified or presumed victim, naming the rule)."""
    require_operation_change(actor, found.operation)
    return registry.participant_add(
        actor=actor,
        case=found.operation.case,
        person=found.person,
        role=ParticipantRole.SUSPECT,
    )


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
    if decision in VICTIM_DECISIONS and _is_suspect_in(operation.case_id, found.person_id):
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
        referral = referral_send(
            actor=actor,
            participant=victims[person.person_id],
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
        },
    )
    return result
