"""Writes to the case file: participants, victim profiles, events, arrests."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action, Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, can_create_in, restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Country, Province

from ..choices import (
    ARRESTING_AGENCY_KINDS,
    DocumentKind,
    EventKind,
    ParticipantRole,
    ShareReason,
)
from ..hooks import role_refusals
from ..models import (
    Arrest,
    Case,
    CaseShare,
    Event,
    IdentityDocument,
    Participant,
    Person,
    VictimProfile,
)
from ..names import document_number_index
from ..signals import cases_written
from ..validation import (
    Errors,
    check_age,
    check_choice,
    check_codes,
    check_not_future,
)
from .base import _created, _require, _require_open, _save_changes
from .persons import (
    PERSON_FIELDS,
    _check_some_name,
    _person_checked,
    _person_insert,
    _refresh_search_keys,
    _validate_person,
    document_add,
    person_create,
)

# --- the case file -------------------------------------------------------------------------


def _check_role_rules(*, actor: Any, case: Case, person: Person, role: str, field: str) -> None:
    """Refuse (audited) a role that a rule of an app above forbids here (non-punishment)."""
    messages = role_refusals(case=case, person=person, role=role)
    if messages:
        raise refusal(
            ValidationError({field: messages}),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": role, "person": person.pk, "refused": "role_rule"},
        )


@audited_atomic
def participant_add(
    *, actor: Any, case: Case, person: Person, role: str, notes: str = ""
) -> Participant:
    """Record a person's role in a case."""
    # Asked first: the check below would tell one who may not change the case who is in it.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    errors = Errors()
    check_choice(errors, "role", role, ParticipantRole.values)
    if Participant.objects.filter(case=case, person=person, role=role).exists():
        errors.add("role", _("This person already has this role in the case."))
    errors.raise_if_any()
    return _participant_insert(actor=actor, case=case, person=person, role=role, notes=notes)


def _participant_insert(
    *, actor: Any, case: Case, person: Person, role: str, notes: str = ""
) -> Participant:
    """Write a participant whose addition the caller allowed; an app's role rule still holds."""
    _check_role_rules(actor=actor, case=case, person=person, role=role, field="role")
    participant = Participant.objects.create(case=case, person=person, role=role, notes=notes)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=participant,
        changes={"case": [None, case.reference], "person": [None, person.pk], "role": [None, role]},
    )
    return participant


@audited_atomic
def person_register_in_case(
    *,
    actor: Any,
    case: Case,
    role: str,
    notes: str = "",
    document_kind: str = "",
    document_number: str = "",
    document_country: Country | None = None,
    **fields: Any,
) -> Participant:
    """Register a new person (registered by the case's owning agency), their identity
    document where one is given, and their role in the case: all of it, or nothing."""
    # Asked first: the person's checks, and person_create's refusal naming the agency that
    # owns the case, would otherwise answer one who may not change the case.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    person = person_create(actor=actor, registered_by=case.owning_agency, **fields)
    if document_kind:
        document_add(
            actor=actor,
            person=person,
            kind=document_kind,
            number=document_number,
            issuing_country=document_country,
        )
    return participant_add(actor=actor, case=case, person=person, role=role, notes=notes)


# The roles an investigator gives the persons of a network they register (decision 0703): the
# people who run it, never a victim or those who stand beside one (guardian, reporter...).
NETWORK_ROLES = frozenset({ParticipantRole.SUSPECT, ParticipantRole.OTHER})


def may_register_network(actor: Any, case: Case) -> bool:
    """Whether the actor registers a network's persons in this case: an investigator of the
    agency owning it (decision 0703), or whoever may change the case."""
    scope = actor_scope(actor)
    if case.owning_agency_id in scope.roles.get(Role.INVESTIGATOR, frozenset()):
        return True
    return restrict(Case.objects.filter(pk=case.pk), actor, Action.CHANGE).exists()


def _require_network(actor: Any, case: Case, wanted: str) -> None:
    """Refuse (audited) one who may not register a network's persons in the case, then an
    addition to a closed case."""
    if not may_register_network(actor, case):
        raise refusal(
            PermissionDenied(_("You may not register persons in this case.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": wanted},
        )
    _require_open(actor, case)


@audited_atomic
def network_person_register(*, actor: Any, case: Case, role: str, **fields: Any) -> Participant:
    """Register a new person of a network (a suspect, or another part: a director, a driver)
    in an open case, registered by the case's owning agency. Investigators of that agency may,
    besides those who change the case (decision 0703): investigations import networks
    (FollowTheMoney) whose people the registry did not hold. Victims are registered by the
    case officers, never here."""
    # Asked first: one who may not register in the case learns nothing from the checks below.
    _require_network(actor, case, "register network person")
    errors = Errors()
    if role not in NETWORK_ROLES:
        errors.add("role", _("A network's persons are suspects or other parts, never victims."))
    _person_checked(errors, fields)
    errors.raise_if_any()
    person = _person_insert(actor=actor, registered_by=case.owning_agency, fields=dict(fields))
    return _participant_insert(actor=actor, case=case, person=person, role=role)


@audited_atomic
def network_person_add(*, actor: Any, case: Case, person: Person, role: str) -> Participant:
    """Give a person already registered (found again by the caller, who may see them) a
    network role in the case, under network_person_register's rule."""
    # Asked first: the check below would tell one who may not register in the case who is in it.
    _require_network(actor, case, "add network person")
    errors = Errors()
    if role not in NETWORK_ROLES:
        errors.add("role", _("A network's persons are suspects or other parts, never victims."))
    if Participant.objects.filter(case=case, person=person, role=role).exists():
        errors.add("role", _("This person already has this role in the case."))
    errors.raise_if_any()
    return _participant_insert(actor=actor, case=case, person=person, role=role)


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
    # Asked first: the checks below would tell one who may not change the case the person's
    # role in it and whether they have a profile.
    _require(actor, participant.case, Action.CHANGE)
    _require_open(actor, participant.case)
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
    _save_changes(actor=actor, instance=profile, changes=fields)
    return profile


@audited_atomic
def victim_profile_create(*, actor: Any, participant: Participant, **fields: Any) -> VictimProfile:
    """Record the first victim profile of a participant; a second one is refused, since a
    participant has one profile, changed in place by victim_profile_save."""
    # Asked first: whether the victim has a profile is the case's to tell.
    _require(actor, participant.case, Action.CHANGE)
    _require_open(actor, participant.case)
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
    # Asked first: the check of the persons below would tell one who may not change the case
    # who takes part in it.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
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
    # Asked first: one who may not change the case learns nothing from the checks below.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    charges = charges or []
    errors = Errors()
    check_not_future(errors, "arrested_on", arrested_on)
    check_codes(errors, "charges", "charge", charges)
    if agency.kind not in ARRESTING_AGENCY_KINDS:
        errors.add("agency", _("%(agency)s does not make arrests.") % {"agency": agency.code})
    errors.raise_if_any()
    _check_role_rules(
        actor=actor, case=case, person=person, role=ParticipantRole.SUSPECT, field="person"
    )
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
def persons_register_in_case(
    *,
    actor: Any,
    case: Case,
    role: str,
    people: list[dict[str, Any]],
    notes: str = "",
    registering_agency: Agency | None = None,
) -> list[Participant]:
    """Register many new persons in one case at once (persons found in a raid): the checks of
    person_register_in_case for every row first (errors keyed `row N: field`, nothing
    written if any), then persons, their documents and their roles written in bulk, with
    identity fields encrypted and search keys computed as one by one. One audit event names
    the persons created (as an import does, decision 0400), not one per row: a raid's
    hundreds of persons would otherwise serialise hundreds of appends on the audit chain.

    A row holds person fields (PERSON_FIELDS) and optionally document_kind, document_number
    and document_country (a Country).

    The persons are registered for the case's owning agency, or for `registering_agency`: an
    agency the case is shared with outright (the agencies taking part in an operation), whose
    officer registers them for their own agency; no other agency (decision 0781)."""
    # Asked first: one who may not change the case learns nothing from the checks below.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    errors = Errors()
    check_choice(errors, "role", role, ParticipantRole.values)
    if role == ParticipantRole.SUSPECT:
        errors.add("role", _("Suspects are registered one by one."))
    documents: list[tuple[str, str, Country | None] | None] = []
    for index, row in enumerate(people, start=1):
        fields = dict(row)
        kind = fields.pop("document_kind", "")
        number = str(fields.pop("document_number", "") or "").strip()
        country = fields.pop("document_country", None)
        row_errors = Errors()
        for field in sorted(set(fields) - set(PERSON_FIELDS)):
            row_errors.add(field, _("Unknown field."))
        _validate_person(row_errors, fields)
        _check_some_name(row_errors, fields)
        if kind:
            check_choice(row_errors, "document_kind", kind, DocumentKind.values)
            if not number:
                row_errors.add("document_number", _("This field is required."))
        for field, messages in row_errors.by_field.items():
            for message in messages:
                errors.add(f"row {index}: {field}", message)
        documents.append((kind, number, country) if kind else None)
    if not people:
        errors.add("people", _("Enter at least one person."))
    errors.raise_if_any()
    agency = registering_agency or case.owning_agency
    partner = agency.pk == case.owning_agency_id or (
        CaseShare.objects.filter(case=case, agency=agency, reason=ShareReason.SHARED).exists()
    )
    if not (partner and can_create_in(actor, agency.pk)):
        raise refusal(
            PermissionDenied(
                _("You may not register persons for %(agency)s.") % {"agency": agency.code}
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "create", "registered_by": agency.code},
        )
    today = timezone.localdate()
    persons = []
    for row in people:
        fields = {k: v for k, v in row.items() if not k.startswith("document_")}
        if fields.get("estimated_age") is not None and not fields.get("age_recorded_on"):
            fields["age_recorded_on"] = today
        person = Person(registered_by=agency, **fields)
        _refresh_search_keys(person)
        persons.append(person)
    Person.objects.bulk_create(persons)
    IdentityDocument.objects.bulk_create(
        [
            IdentityDocument(
                person=person,
                kind=document[0],
                number=document[1],
                number_index=document_number_index(document[1]),
                issuing_country=document[2],
            )
            for person, document in zip(persons, documents, strict=True)
            if document is not None
        ]
    )
    participants = Participant.objects.bulk_create(
        [Participant(case=case, person=p, role=role, notes=notes) for p in persons]
    )
    cases_written.send(sender=Participant, cases=[case.pk])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        detail={
            "persons_registered": len(persons),
            "role": role,
            "first_person_id": persons[0].pk,
            "last_person_id": persons[-1].pk,
            "documents": sum(1 for d in documents if d is not None),
            "registered_by": agency.code,
        },
    )
    return participants
