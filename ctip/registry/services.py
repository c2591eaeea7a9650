"""Every write to the case registry: validated, in one transaction, and audited."""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind
from ctip.access.consent import can_override_consent
from ctip.access.masking import MASK, is_sensitive
from ctip.access.models import Agency
from ctip.access.policies import can_create_in, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Country, Province

from .choices import (
    ARRESTING_AGENCY_KINDS,
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    DocumentKind,
    EventKind,
    ParticipantRole,
    ProceedingStage,
    Sex,
    Verdict,
)
from .crypto import blind_index
from .fields import EncryptedTextField
from .models import (
    Arrest,
    Case,
    CaseShare,
    Event,
    IdentityDocument,
    Participant,
    Person,
    Proceeding,
    VictimProfile,
)
from .names import name_keys
from .validation import (
    Errors,
    check_age,
    check_aliases,
    check_choice,
    check_codes,
    check_countries,
    check_not_future,
    check_order,
    check_text,
)

# Fields whose values never enter the audit trail: a diff says only that they changed.
# Encrypted fields and every field the sensitivity registry (access.masking) lists.
MASKED_IN_AUDIT = MASK


def case_reference(case_id: int, opened_on: datetime.date) -> str:
    """The human-readable reference: year opened and a zero-padded serial, e.g. CT-2024-0001234."""
    return f"CT-{opened_on.year}-{case_id:07d}"


def _require(actor: Any, case: Case, action: str) -> None:
    """Refuse, and audit the refusal, when the actor may not do this to the case."""
    if not restrict(Case.objects.filter(pk=case.pk), actor, action).exists():
        raise refusal(
            PermissionDenied(_("You may not %(action)s this case.") % {"action": action}),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": action},
        )


def _audit_value(instance: Model, field: str, value: Any) -> Any:
    model_field = instance._meta.get_field(field)
    if isinstance(model_field, EncryptedTextField) or is_sensitive(instance, field):
        return MASKED_IN_AUDIT if value not in (None, "", []) else value
    if isinstance(value, datetime.date | Model):
        return str(value.pk if isinstance(value, Model) else value)
    return value


def _diff(instance: Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level before/after, with encrypted fields masked."""
    diff = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        if old != new:
            diff[field] = [_audit_value(instance, field, old), _audit_value(instance, field, new)]
    return diff


def _created(instance: Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    return {f: [None, _audit_value(instance, f, getattr(instance, f))] for f in fields}


# --- cases ---------------------------------------------------------------------------------


def _validate_case(errors: Errors, data: dict[str, Any]) -> None:
    if "kind" in data:
        check_choice(errors, "kind", data["kind"], CaseKind.values)
    if "source" in data:
        check_choice(errors, "source", data["source"], CaseSource.values)
    if "status" in data:
        check_choice(errors, "status", data["status"], CaseStatus.values)
    if "opened_on" in data:
        check_not_future(errors, "opened_on", data["opened_on"])


@audited_atomic
def case_create(
    *,
    actor: Any,
    kind: str,
    source: str,
    owning_agency: Agency,
    province: Province,
    opened_on: datetime.date,
    summary: str = "",
    status: str = CaseStatus.ACTIVE,
    external_id: str | None = None,
) -> Case:
    """Register a new case owned by an agency the actor works for."""
    errors = Errors()
    _validate_case(
        errors, {"kind": kind, "source": source, "status": status, "opened_on": opened_on}
    )
    if status in CLOSED_STATUSES:
        errors.add("status", _("A new case cannot start closed; close it after registering it."))
    errors.raise_if_any()
    if not can_create_in(actor, owning_agency.pk):
        raise refusal(
            PermissionDenied(
                _("You may not register cases for %(agency)s.") % {"agency": owning_agency.code}
            ),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="registry.case",
            detail={"wanted": "create", "owning_agency": owning_agency.code},
        )
    case = Case(
        reference=f"pending-{uuid.uuid4().hex[:24]}",
        kind=kind,
        source=source,
        status=status,
        owning_agency=owning_agency,
        province=province,
        opened_on=opened_on,
        summary=summary,
        external_id=external_id,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    case.full_clean(exclude=["reference"])
    case.save()
    case.reference = case_reference(case.pk, opened_on)
    case.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        changes=_created(
            case,
            [
                "reference",
                "kind",
                "source",
                "status",
                "owning_agency",
                "province",
                "opened_on",
                "summary",
            ],
        ),
    )
    return case


CASE_EDITABLE = ("kind", "source", "province", "opened_on", "summary", "status")


@audited_atomic
def case_update(*, actor: Any, case: Case, **changes: Any) -> Case:
    """Change a case's editable fields; closing goes through case_close."""
    unknown = set(changes) - set(CASE_EDITABLE)
    if unknown:  # e.g. owning_agency: moving a case is not an edit; refused and audited
        raise refusal(
            ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)}),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "change", "fields": sorted(unknown)},
        )
    errors = Errors()
    _validate_case(errors, changes)
    if changes.get("status") in CLOSED_STATUSES and not case.is_closed:
        errors.add("status", _("Use 'Close case' to close a case."))
    if "opened_on" in changes:
        check_order(
            errors, "opened_on", changes["opened_on"], case.closed_on or changes["opened_on"]
        )
    errors.raise_if_any()
    _require(actor, case, Action.CHANGE)
    if case.is_closed:
        raise PermissionDenied(_("A closed case cannot be edited; reopen it first."))
    diff = _diff(case, changes)
    for field, value in changes.items():
        setattr(case, field, value)
    case.full_clean()
    case.save()
    if diff:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, changes=diff)
    return case


@audited_atomic
def case_close(
    *,
    actor: Any,
    case: Case,
    status: str = CaseStatus.CLOSED,
    closed_on: datetime.date | None = None,
    reason: str = "",
) -> Case:
    """Close a case (HTCDS: closed, or closed-referred). Needs a supervisor of the case."""
    closed_on = closed_on or timezone.localdate()
    errors = Errors()
    check_choice(errors, "status", status, sorted(CLOSED_STATUSES))
    check_not_future(errors, "closed_on", closed_on)
    check_order(errors, "closed_on", case.opened_on, closed_on)
    if not reason.strip():
        errors.add("reason", _("Say why the case is closed."))
    if case.is_closed:
        errors.add("status", _("The case is already closed."))
    errors.raise_if_any()
    _require(actor, case, Action.CLOSE)
    diff = _diff(case, {"status": status, "closed_on": closed_on, "closure_reason": reason})
    case.status, case.closed_on, case.closure_reason = status, closed_on, reason
    case.save(update_fields=["status", "closed_on", "closure_reason", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CLOSE, obj=case, changes=diff)
    return case


@audited_atomic
def case_reopen(*, actor: Any, case: Case) -> Case:
    """Reopen a closed case for follow-up."""
    if not case.is_closed:
        raise PermissionDenied(_("The case is not closed."))
    _require(actor, case, Action.CLOSE)
    diff = _diff(case, {"status": CaseStatus.FOLLOW_UP, "closed_on": None})
    case.status, case.closed_on = CaseStatus.FOLLOW_UP, None
    case.save(update_fields=["status", "closed_on", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, changes=diff)
    return case


def victims_without_consent(case: Case) -> list[Participant]:
    """Victims of the case whose consent to share their identity is not recorded."""
    return [
        p
        for p in Participant.objects.filter(case=case, role=ParticipantRole.VICTIM).select_related(
            "victim_profile"
        )
        if not getattr(getattr(p, "victim_profile", None), "consent_to_share", False)
    ]


def identity_share_check(
    *, actor: Any, case: Case, agency: Agency, override_reason: str = "", purpose: str = "share"
) -> bool:
    """Refuse to pass victims' identities to another agency without consent or an override.

    Every service that shares or refers a case calls this first (referrals, exchange). True:
    every victim consented. False: some did not, and a supervisor overrode with a reason
    (audited as consent_override). Otherwise it raises (ValidationError naming
    `override_reason`, or PermissionDenied), and the refusal is audited.
    """
    lacking = victims_without_consent(case)
    if not lacking:
        return True
    detail = {
        "wanted": purpose,
        "agency": agency.code,
        "victims_without_consent": [p.pk for p in lacking],
    }
    if not can_override_consent(actor, case.owning_agency_id):
        raise refusal(
            PermissionDenied(
                _(
                    "A victim in this case has not consented to sharing their identity; only a "
                    "supervisor may override."
                )
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail=detail,
        )
    if len(override_reason.strip()) < 10:
        raise refusal(
            ValidationError(
                {
                    "override_reason": _(
                        "A victim has not consented to sharing their identity. To share anyway, "
                        "say why (at least 10 characters)."
                    )
                }
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail=detail,
        )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_OVERRIDE,
        obj=case,
        detail={**detail, "reason": override_reason.strip()[:500]},
    )
    return False


@audited_atomic
def case_share(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    reason: str = "shared",
    override_reason: str = "",
) -> CaseShare:
    """Let another agency see the case, victims' identities included: consent or override.

    Only the owning agency (its supervisors above it, its province committee) may share; an
    agency that only received the case by a share or referral may not pass it on.
    """
    _require(actor, case, Action.SHARE)
    existing = CaseShare.objects.filter(case=case, agency=agency).first()
    if existing is not None:
        return existing
    identity_share_check(
        actor=actor, case=case, agency=agency, override_reason=override_reason, purpose=reason
    )
    share = CaseShare.objects.create(case=case, agency=agency, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"shared_with": [None, agency.code]},
        detail={"reason": reason},
    )
    return share


# --- persons -------------------------------------------------------------------------------

PERSON_FIELDS = (
    "given_name_km",
    "family_name_km",
    "given_name_latin",
    "family_name_latin",
    "aliases",
    "sex",
    "gender",
    "date_of_birth",
    "estimated_age",
    "age_recorded_on",
    "citizenships",
    "languages",
    "phone",
    "address",
    "external_id",
)


def _validate_person(errors: Errors, data: dict[str, Any]) -> None:
    for field in ("given_name_km", "family_name_km", "given_name_latin", "family_name_latin"):
        if field in data:
            check_text(errors, field, data[field])
    if "aliases" in data:
        check_aliases(errors, "aliases", data["aliases"])
    if "sex" in data:
        check_choice(errors, "sex", data["sex"], Sex.values)
    if data.get("gender"):
        check_codes(errors, "gender", "gender", data["gender"])
    if "date_of_birth" in data:
        check_not_future(errors, "date_of_birth", data["date_of_birth"])
        if data["date_of_birth"] and data["date_of_birth"].year < timezone.localdate().year - 120:
            errors.add("date_of_birth", _("An age must be between 0 and %(max)d.") % {"max": 120})
    if "estimated_age" in data:
        check_age(errors, "estimated_age", data["estimated_age"])
    if "age_recorded_on" in data:
        check_not_future(errors, "age_recorded_on", data["age_recorded_on"])
    if "citizenships" in data:
        check_countries(errors, "citizenships", data["citizenships"] or [])


NAME_FIELDS = (
    "given_name_km",
    "family_name_km",
    "given_name_latin",
    "family_name_latin",
    "aliases",
)


def _check_some_name(errors: Errors, names: dict[str, Any]) -> None:
    """A person keeps at least one name or alias: `names` are the values after the write."""
    if not any(names.get(field) for field in NAME_FIELDS):
        errors.add("family_name_latin", _("Give at least one name or alias."))


def _refresh_search_keys(person: Person) -> None:
    """Recompute what search uses: name keys, the date-of-birth index and the birth year."""
    person.name_keys = name_keys(
        person.given_name_km,
        person.family_name_km,
        person.given_name_latin,
        person.family_name_latin,
        *(person.aliases or []),
    )
    # The encrypted field holds a date; its TextField base misleads the type checker.
    dob: datetime.date | None = person.date_of_birth  # type: ignore[assignment]
    person.dob_index = blind_index(dob.isoformat(), purpose="dob") if dob else ""
    if dob:
        person.birth_year = dob.year
    elif person.estimated_age is not None:
        recorded = person.age_recorded_on or timezone.localdate()
        person.birth_year = recorded.year - person.estimated_age
    else:
        person.birth_year = None


def _require_person_change(actor: Any, person: Person) -> None:
    """Refuse, and audit the refusal, when the actor may not change this person's record."""
    # selectors imports this module for document_number_index, so import it here, late.
    from .selectors import person_queryset

    if not person_queryset(actor=actor, action=Action.CHANGE).filter(pk=person.pk).exists():
        raise refusal(
            PermissionDenied(_("You may not change this person's record.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=person,
            detail={"wanted": "change"},
        )


@audited_atomic
def person_create(*, actor: Any, registered_by: Agency | None = None, **fields: Any) -> Person:
    """Register a person; identifying fields are encrypted by the model's fields."""
    errors = Errors()
    for field in sorted(set(fields) - set(PERSON_FIELDS)):
        errors.add(field, _("Unknown field."))
    _validate_person(errors, fields)
    _check_some_name(errors, fields)
    errors.raise_if_any()
    if registered_by is not None and not can_create_in(actor, registered_by.pk):
        # The registering agency decides who may see the person: never one the actor is not in.
        raise refusal(
            PermissionDenied(
                _("You may not register persons for %(agency)s.") % {"agency": registered_by.code}
            ),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="registry.person",
            detail={"wanted": "create", "registered_by": registered_by.code},
        )
    if fields.get("estimated_age") is not None and not fields.get("age_recorded_on"):
        fields["age_recorded_on"] = timezone.localdate()
    person = Person(registered_by=registered_by, **fields)
    _refresh_search_keys(person)
    person.full_clean()
    person.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=person, changes=_created(person, sorted(fields))
    )
    return person


@audited_atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    errors = Errors()
    for field in sorted(set(changes) - set(PERSON_FIELDS)):
        errors.add(field, _("Unknown field."))
    _validate_person(errors, changes)
    _check_some_name(errors, {f: changes.get(f, getattr(person, f)) for f in NAME_FIELDS})
    errors.raise_if_any()
    _require_person_change(actor, person)
    diff = _diff(person, changes)
    for field, value in changes.items():
        setattr(person, field, value)
    _refresh_search_keys(person)
    person.full_clean()
    person.save()
    if diff:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=person, changes=diff)
    return person


def document_number_index(number: str) -> str:
    """Blind index of a document number, ignoring spaces, dashes and case."""
    normalised = "".join(ch for ch in number.upper() if ch.isalnum())
    return blind_index(normalised, purpose="document")


@audited_atomic
def document_add(
    *, actor: Any, person: Person, kind: str, number: str, issuing_country: Country | None = None
) -> IdentityDocument:
    errors = Errors()
    check_choice(errors, "kind", kind, DocumentKind.values)
    if not number.strip():
        errors.add("number", _("This field is required."))
    errors.raise_if_any()
    _require_person_change(actor, person)
    document = IdentityDocument.objects.create(
        person=person,
        kind=kind,
        number=number.strip(),
        number_index=document_number_index(number),
        issuing_country=issuing_country,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=document,
        changes={"kind": [None, kind], "number": [None, MASKED_IN_AUDIT]},
    )
    return document


# --- the case file -------------------------------------------------------------------------


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise PermissionDenied(_("The case is closed; reopen it to add to it."))


@audited_atomic
def participant_add(
    *, actor: Any, case: Case, person: Person, role: str, notes: str = ""
) -> Participant:
    """Record a person's role in a case."""
    errors = Errors()
    check_choice(errors, "role", role, ParticipantRole.values)
    if Participant.objects.filter(case=case, person=person, role=role).exists():
        errors.add("role", _("This person already has this role in the case."))
    errors.raise_if_any()
    _require(actor, case, Action.CHANGE)
    _require_open(case)
    participant = Participant.objects.create(case=case, person=person, role=role, notes=notes)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=participant,
        changes={"case": [None, case.reference], "person": [None, person.pk], "role": [None, role]},
    )
    return participant


VICTIM_PROFILE_FIELDS = {
    "trafficking_status": "trafficking_status",
    "status_decided_by": "status_decided_by",
    "relationship_to_trafficker": "relationship",
    "recruitment_methods": "recruitment_method",
    "means_of_control": "means_of_control",
    "exploitation_types": "exploitation_type",
    "labour_industries": "labour_industry",
    "sex_exploitation_types": "sex_exploitation_type",
}
VICTIM_PROFILE_OTHER = (
    "status_decided_on",
    "identified_on",
    "age_when_trafficked",
    "recruitment_platforms",
    "consent_to_share",
    "consent_recorded_on",
    "testimony",
)


@audited_atomic
def victim_profile_save(*, actor: Any, participant: Participant, **fields: Any) -> VictimProfile:
    """Create or update the victim profile of a participant whose role is victim."""
    errors = Errors()
    if participant.role != ParticipantRole.VICTIM:
        errors.add("participant", _("Only a victim has a victim profile."))
    for field in sorted(set(fields) - set(VICTIM_PROFILE_FIELDS) - set(VICTIM_PROFILE_OTHER)):
        errors.add(field, _("Unknown field."))
    for field, vocabulary in VICTIM_PROFILE_FIELDS.items():
        if field in fields:
            check_codes(errors, field, vocabulary, fields[field])
    profile = getattr(participant, "victim_profile", None)
    if profile is None and not fields.get("trafficking_status"):
        errors.add("trafficking_status", _("This field is required."))
    for field in ("status_decided_on", "identified_on", "consent_recorded_on"):
        if field in fields:
            check_not_future(errors, field, fields[field])
    if "age_when_trafficked" in fields:
        check_age(errors, "age_when_trafficked", fields["age_when_trafficked"])
    errors.raise_if_any()
    _require(actor, participant.case, Action.CHANGE)
    _require_open(participant.case)
    if fields.get("consent_to_share") and not fields.get("consent_recorded_on"):
        fields["consent_recorded_on"] = timezone.localdate()
    if profile is None:
        profile = VictimProfile(participant=participant, **fields)
        profile.full_clean()
        profile.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=profile,
            changes=_created(profile, sorted(fields)),
        )
        return profile
    diff = _diff(profile, fields)
    for field, value in fields.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    if diff:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=profile, changes=diff)
    return profile


@audited_atomic
def victim_profile_create(*, actor: Any, participant: Participant, **fields: Any) -> VictimProfile:
    """Record the first victim profile of a participant; a second one is refused, since a
    participant has one profile, changed in place by victim_profile_save."""
    # Lock the participant so that two simultaneous first profiles cannot both pass the check.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if VictimProfile.objects.filter(participant_id=participant.pk).exists():
        raise ValidationError(
            {"participant": [_("This victim already has a profile; change it instead.")]}
        )
    return victim_profile_save(actor=actor, participant=participant, **fields)


@audited_atomic
def event_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    occurred_on: datetime.date,
    country: Country | None = None,
    province: Province | None = None,
    district: str = "",
    place: str = "",
    latitude: Any = None,
    longitude: Any = None,
    description: str = "",
    persons: Iterable[Person] = (),
) -> Event:
    """Add a dated step to the case's story."""
    errors = Errors()
    check_choice(errors, "kind", kind, EventKind.values)
    check_not_future(errors, "occurred_on", occurred_on)
    if latitude is not None and not -90 <= float(latitude) <= 90:
        errors.add("latitude", _("Latitude must be between -90 and 90."))
    if longitude is not None and not -180 <= float(longitude) <= 180:
        errors.add("longitude", _("Longitude must be between -180 and 180."))
    persons = list(persons)
    outsiders = [
        p.pk for p in persons if not Participant.objects.filter(case=case, person=p).exists()
    ]
    if outsiders:
        errors.add(
            "persons", _("Only persons taking part in the case can be linked to its events.")
        )
    errors.raise_if_any()
    _require(actor, case, Action.CHANGE)
    _require_open(case)
    event = Event.objects.create(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        country=country,
        province=province,
        district=district,
        place=place,
        latitude=latitude,
        longitude=longitude,
        description=description,
    )
    event.persons.set(persons)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=event,
        changes={
            "case": [None, case.reference],
            "kind": [None, kind],
            "occurred_on": [None, occurred_on.isoformat()],
        },
    )
    return event


@audited_atomic
def arrest_add(
    *,
    actor: Any,
    case: Case,
    person: Person,
    arrested_on: datetime.date,
    agency: Agency,
    province: Province | None = None,
    place: str = "",
    charges: list[str] | None = None,
) -> Arrest:
    """Record an arrest; the person becomes a suspect in the case if not one already."""
    charges = charges or []
    errors = Errors()
    check_not_future(errors, "arrested_on", arrested_on)
    check_codes(errors, "charges", "charge", charges)
    if agency.kind not in ARRESTING_AGENCY_KINDS:
        errors.add("agency", _("%(agency)s does not make arrests.") % {"agency": agency.code})
    errors.raise_if_any()
    _require(actor, case, Action.CHANGE)
    _require_open(case)
    Participant.objects.get_or_create(case=case, person=person, role=ParticipantRole.SUSPECT)
    arrest = Arrest.objects.create(
        case=case,
        person=person,
        arrested_on=arrested_on,
        agency=agency,
        province=province,
        place=place,
        charges=charges,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=arrest,
        changes={
            "case": [None, case.reference],
            "person": [None, person.pk],
            "arrested_on": [None, arrested_on.isoformat()],
            "charges": [None, charges],
        },
    )
    return arrest


@audited_atomic
def proceeding_add(
    *,
    actor: Any,
    case: Case | None,
    filed_on: datetime.date,
    defendant: Person | None = None,
    court: Agency | None = None,
    charges: list[str] | None = None,
    stage: str = ProceedingStage.INVESTIGATION,
    verdict: str = Verdict.PENDING,
    verdict_on: datetime.date | None = None,
    sentence_months: int | None = None,
    fine_riel: int | None = None,
) -> Proceeding:
    """Record a court proceeding; it always belongs to a case."""
    charges = charges or []
    errors = Errors()
    if case is None:
        errors.add("case", _("A proceeding belongs to a case."))
    check_not_future(errors, "filed_on", filed_on)
    check_not_future(errors, "verdict_on", verdict_on)
    check_order(errors, "verdict_on", filed_on, verdict_on)
    check_codes(errors, "charges", "charge", charges)
    _check_proceeding(
        errors,
        stage=stage,
        verdict=verdict,
        verdict_on=verdict_on,
        court=court,
        sentence_months=sentence_months,
    )
    errors.raise_if_any()
    assert case is not None
    _require(actor, case, Action.CHANGE)
    _require_open(case)
    proceeding = Proceeding.objects.create(
        case=case,
        defendant=defendant,
        court=court,
        charges=charges,
        filed_on=filed_on,
        stage=stage,
        verdict=verdict,
        verdict_on=verdict_on,
        sentence_months=sentence_months,
        fine_riel=fine_riel,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=proceeding,
        changes={
            "case": [None, case.reference],
            "verdict": [None, verdict],
            "charges": [None, charges],
        },
    )
    return proceeding


def _check_proceeding(
    errors: Errors,
    *,
    stage: str,
    verdict: str,
    verdict_on: datetime.date | None,
    court: Agency | None,
    sentence_months: int | None,
) -> None:
    """What a proceeding must satisfy whether it is recorded or later updated."""
    check_choice(errors, "stage", stage, ProceedingStage.values)
    check_choice(errors, "verdict", verdict, Verdict.values)
    if court is not None and court.kind != AgencyKind.COURT:
        errors.add("court", _("%(agency)s is not a court.") % {"agency": court.code})
    if verdict == Verdict.CONVICTED and verdict_on is None:
        errors.add("verdict_on", _("A verdict needs its date."))
    if sentence_months is not None and verdict != Verdict.CONVICTED:
        errors.add("sentence_months", _("Only a conviction carries a sentence."))


@audited_atomic
def proceeding_update(*, actor: Any, proceeding: Proceeding, **changes: Any) -> Proceeding:
    """Record progress of a proceeding: stage, verdict, sentence."""
    allowed = {"stage", "verdict", "verdict_on", "sentence_months", "fine_riel", "charges", "court"}
    errors = Errors()
    for field in sorted(set(changes) - allowed):
        errors.add(field, _("This field cannot be changed here."))
    merged = {f: changes.get(f, getattr(proceeding, f)) for f in allowed}
    check_not_future(errors, "verdict_on", merged["verdict_on"])
    check_order(errors, "verdict_on", proceeding.filed_on, merged["verdict_on"])
    check_codes(errors, "charges", "charge", merged["charges"])
    _check_proceeding(
        errors,
        stage=merged["stage"],
        verdict=merged["verdict"],
        verdict_on=merged["verdict_on"],
        court=merged["court"],
        sentence_months=merged["sentence_months"],
    )
    errors.raise_if_any()
    _require(actor, proceeding.case, Action.CHANGE)
    diff = _diff(proceeding, changes)
    for field, value in changes.items():
        setattr(proceeding, field, value)
    proceeding.save()
    if diff:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=proceeding, changes=diff)
    return proceeding


# --- keys ----------------------------------------------------------------------------------


def encrypted_columns() -> list[tuple[Any, str]]:
    """(model, column) for every encrypted field of every installed app."""
    from django.apps import apps

    return [
        (model, str(field.column))
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def keys_rotate(*, actor: Any = None, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value under the newest key (the first of CTIP_FIELD_KEYS).

    Older keys must still be listed so that existing tokens decrypt. Each batch is one
    transaction, so a crash leaves every row readable (old or new key) and a rerun resumes.
    The tokens are rewritten in raw SQL, field by field, without decrypting into models;
    one audit event records the counts.
    """
    from django.db import connection, transaction

    from .crypto import is_current, reset_keyring, rotate_token

    reset_keyring()
    counts: dict[str, int] = {}
    for model, column in encrypted_columns():
        table, pk = model._meta.db_table, model._meta.pk.column
        qn = connection.ops.quote_name
        key = f"{model._meta.label_lower}.{column}"
        counts[key] = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {qn(column)} <> ''" + (f" AND {qn(pk)} > %s" if last else "")
                cursor.execute(
                    f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} {where} "
                    f"ORDER BY {qn(pk)} LIMIT %s",
                    [last, batch_size] if last else [batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                stale = [(row_pk, token) for row_pk, token in rows if not is_current(token)]
                cursor.executemany(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s",
                    [(rotate_token(token), row_pk) for row_pk, token in stale],
                )
                counts[key] += len(stale)
                last = rows[-1][0]
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        object_type="registry.keys",
        detail={"rotated": {k: v for k, v in counts.items() if v}},
    )
    return counts


def keys_check() -> dict[str, int]:
    """How many stored tokens the newest key alone cannot read (all zero: old keys may go)."""
    from django.db import connection

    from .crypto import is_current

    stale: dict[str, int] = {}
    qn = connection.ops.quote_name
    for model, column in encrypted_columns():
        key = f"{model._meta.label_lower}.{column}"
        stale[key] = 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} WHERE {qn(column)} <> ''"
            )
            stale[key] = sum(1 for (token,) in cursor if not is_current(token))
    return stale
