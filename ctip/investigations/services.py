"""Every write of the investigations app: identifiers, organisations, compounds, relations
and job ads recorded in cases, and the alerts a shared identifier raises. Keyword-only,
one transaction each, validated and audited inside; a refusal is audited and changes nothing.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.models import Agency, Membership
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference import gazetteer
from ctip.reference.models import Country, Province
from ctip.registry.files.services import stored_file_create
from ctip.registry.models import Case, Person
from ctip.registry.validation import Errors, check_choice, check_text, text_problem

from .choices import (
    RELATIONS_TO_ORGANISATIONS,
    AccountService,
    IdentifierKind,
    InvolvementRole,
    OrganisationKind,
    RelationKind,
)
from .models import (
    Compound,
    CompoundInvolvement,
    CompoundOperator,
    ConnectionAlert,
    Identifier,
    IdentifierUse,
    JobAd,
    Organisation,
    OrganisationInvolvement,
    Relation,
)
from .normalise import MAX_VALUE_LENGTH, name_key, normalise, registration_key
from .selectors import identifier_index, may_change_case, open_cases_sharing

# At most this many open cases are alerted per new use: an identifier shared by hundreds of
# cases (a compound's address) is a known hub, not news to each of them.
ALERT_LIMIT = 50
MAX_NOTE = 1000
MAX_AD_TEXT = 20_000
MAX_ALIASES = 20
# The file store's purpose of job-ad screenshots (readable with the ad: apps.py).
SCREENSHOT_PURPOSE = "investigations.jobad"


def _require_change(actor: Any, case: Case) -> None:
    """Refuse (and audit) a write in a case the actor may not change for investigations."""
    if not may_change_case(actor, case):
        raise refusal(
            PermissionDenied(_("You may not record in this case.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "investigations change"},
        )


def _check_note(errors: Errors, field: str, note: str) -> None:
    if len(note) > MAX_NOTE:
        errors.add(field, _("At most %(n)d characters.") % {"n": MAX_NOTE})
    problem = text_problem(note, multiline=True)
    if problem:
        errors.add(field, problem)


def _check_date(errors: Errors, field: str, value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors.add(field, _("The date is in the future."))


def _identifier_for(
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
    identifier, created = _identifier_for(errors, kind=kind, value=value, service=service)
    if person is not None and organisation is not None:
        errors.add("person", _("An identifier belongs to a person or an organisation, not both."))
    if person is not None and not case.participants.filter(person=person).exists():
        errors.add("person", _("This person takes no part in the case."))
    _check_note(errors, "note", note)
    _check_date(errors, "seen_on", seen_on)
    errors.raise_if_any()
    assert identifier is not None
    _require_change(actor, case)
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
    alerts = [
        ConnectionAlert(
            recipient_id=user_id, identifier=identifier, open_case=case, new_case=new_case
        )
        for user_id, agency_id in recipients
        for case in by_agency[agency_id]
    ]
    ConnectionAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    return alerts


@audited_atomic
def identifier_use_remove(*, actor: Any, use: IdentifierUse) -> None:
    """Remove an identifier recorded in a case by mistake (the identifier row stays)."""
    _require_change(actor, use.case)
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


# --- organisations ----------------------------------------------------------------------------


def _check_name(errors: Errors, field: str, value: str, limit: int = 300) -> None:
    if not (value or "").strip():
        errors.add(field, _("This field is required."))
    elif len(value) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit})
    else:
        check_text(errors, field, value)


def _check_aliases(errors: Errors, field: str, aliases: Iterable[str]) -> list[str]:
    cleaned = [" ".join(str(a).split()) for a in aliases if str(a).strip()]
    if len(cleaned) > MAX_ALIASES:
        errors.add(field, _("At most %(n)d other names.") % {"n": MAX_ALIASES})
    for alias in cleaned:
        if len(alias) > 300:
            errors.add(field, _("At most %(n)d characters.") % {"n": 300})
        elif problem := text_problem(alias):
            errors.add(field, problem)
    return cleaned


def _acting_agency(actor: Any) -> Agency | None:
    scope = actor_scope(actor)
    agency_ids = sorted(scope.agencies_with(frozenset(scope.roles)))
    return Agency.objects.filter(pk__in=agency_ids[:1]).first()


def _require_investigation_role(actor: Any) -> None:
    scope = actor_scope(actor)
    if not scope.has_role(Role.INVESTIGATOR, Role.CASE_OFFICER, Role.SUPERVISOR):
        raise refusal(
            PermissionDenied(_("You may not record organisations or compounds.")),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="investigations.organisation",
        )


@audited_atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str = OrganisationKind.COMPANY,
    registration_number: str = "",
    jurisdiction: Country | None = None,
    aliases: Iterable[str] = (),
    external_id: str | None = None,
) -> Organisation:
    """Record a company or organisation. A registration number already recorded in the same
    jurisdiction names the same organisation: that one is returned, unchanged."""
    errors = Errors()
    check_choice(errors, "kind", kind, OrganisationKind.values)
    _check_name(errors, "name", name)
    cleaned_aliases = _check_aliases(errors, "aliases", aliases)
    if len(registration_number) > 80:
        errors.add("registration_number", _("At most %(n)d characters.") % {"n": 80})
    elif registration_number and (problem := text_problem(registration_number)):
        errors.add("registration_number", problem)
    if external_id is not None and len(external_id) > 200:
        errors.add("external_id", _("At most %(n)d characters.") % {"n": 200})
    errors.raise_if_any()
    _require_investigation_role(actor)
    key = registration_key(registration_number)
    if key:
        existing = Organisation.objects.filter(jurisdiction=jurisdiction, registration_key=key)
        if found := existing.first():
            return found
    if external_id and (found := Organisation.objects.filter(external_id=external_id).first()):
        return found
    organisation = Organisation.objects.create(
        kind=kind,
        name=" ".join(name.split()),
        name_key=name_key(" ".join([name, *cleaned_aliases])),
        aliases=cleaned_aliases,
        registration_number=registration_number.strip(),
        registration_key=key,
        jurisdiction=jurisdiction,
        external_id=external_id or None,
        recorded_by_agency=_acting_agency(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=organisation,
        changes={"name": [None, organisation.name], "registration_number": [None, key]},
    )
    return organisation


@audited_atomic
def organisation_involve(
    *, actor: Any, case: Case, organisation: Organisation, role: str, note: str = ""
) -> OrganisationInvolvement:
    """Record an organisation's part in a case (recruiter, employer, operator...)."""
    errors = Errors()
    check_choice(errors, "role", role, InvolvementRole.values)
    _check_note(errors, "note", note)
    errors.raise_if_any()
    _require_change(actor, case)
    found = OrganisationInvolvement.objects.filter(
        organisation=organisation, case=case, role=role
    ).first()
    if found is not None:
        return found
    involvement = OrganisationInvolvement.objects.create(
        organisation=organisation,
        case=case,
        role=role,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=involvement,
        changes={
            "case": [None, case.reference],
            "organisation": [None, organisation.pk],
            "role": [None, role],
        },
    )
    return involvement


# --- compounds --------------------------------------------------------------------------------


@audited_atomic
def compound_create(
    *,
    actor: Any,
    name: str,
    province: Province | None = None,
    location_code: str = "",
    location_name: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    description: str = "",
    aliases: Iterable[str] = (),
    external_id: str | None = None,
) -> Compound:
    """Record a compound: a named place with its gazetteer location. A gazetteer code
    (district, commune or village) sets the province and the place's name from the
    gazetteer; a province given beside it must be the code's own."""
    errors = Errors()
    _check_name(errors, "name", name)
    cleaned_aliases = _check_aliases(errors, "aliases", aliases)
    located = gazetteer.place(location_code.strip()) if location_code.strip() else None
    if location_code.strip() and located is None:
        errors.add("location_code", _("Not a code of the gazetteer."))
    elif located is not None:
        found_province = Province.objects.filter(code=gazetteer.province_iso(located.code)).first()
        if province is not None and found_province is not None and province != found_province:
            errors.add("province", _("The place is in another province."))
        province = province or found_province
        location_name = location_name or located.full_label
    if len(location_name) > 300:
        errors.add("location_name", _("At most %(n)d characters.") % {"n": 300})
    if latitude is not None and not -90 <= float(latitude) <= 90:
        errors.add("latitude", _("A latitude lies between -90 and 90."))
    if longitude is not None and not -180 <= float(longitude) <= 180:
        errors.add("longitude", _("A longitude lies between -180 and 180."))
    if (latitude is None) != (longitude is None):
        errors.add("latitude", _("Give both latitude and longitude, or neither."))
    if len(description) > MAX_AD_TEXT:
        errors.add("description", _("At most %(n)d characters.") % {"n": MAX_AD_TEXT})
    elif problem := text_problem(description, multiline=True):
        errors.add("description", problem)
    errors.raise_if_any()
    _require_investigation_role(actor)
    if external_id and (found := Compound.objects.filter(external_id=external_id).first()):
        return found
    compound = Compound.objects.create(
        name=" ".join(name.split()),
        aliases=cleaned_aliases,
        province=province,
        location_code=location_code.strip(),
        location_name=location_name.strip(),
        latitude=None if latitude is None else Decimal(str(latitude)).quantize(Decimal("0.00001")),
        longitude=None
        if longitude is None
        else Decimal(str(longitude)).quantize(Decimal("0.00001")),
        description=description,
        external_id=external_id or None,
        recorded_by_agency=_acting_agency(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=compound,
        changes={"name": [None, compound.name]},
    )
    return compound


@audited_atomic
def compound_operator_add(
    *,
    actor: Any,
    compound: Compound,
    organisation: Organisation,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> CompoundOperator:
    """Record that an organisation operates (or operated) a compound."""
    errors = Errors()
    _check_date(errors, "since", since)
    if since and until and until < since:
        errors.add("until", _("The end is before the start."))
    errors.raise_if_any()
    _require_investigation_role(actor)
    operator, created = CompoundOperator.objects.get_or_create(
        compound=compound, organisation=organisation, defaults={"since": since, "until": until}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=operator,
            changes={"compound": [None, compound.pk], "organisation": [None, organisation.pk]},
        )
    return operator


@audited_atomic
def compound_involve(
    *, actor: Any, case: Case, compound: Compound, note: str = ""
) -> CompoundInvolvement:
    """Record that a case took place at a compound."""
    errors = Errors()
    _check_note(errors, "note", note)
    errors.raise_if_any()
    _require_change(actor, case)
    found = CompoundInvolvement.objects.filter(compound=compound, case=case).first()
    if found is not None:
        return found
    involvement = CompoundInvolvement.objects.create(
        compound=compound,
        case=case,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=involvement,
        changes={"case": [None, case.reference], "compound": [None, compound.pk]},
    )
    return involvement


# --- relations --------------------------------------------------------------------------------


@audited_atomic
def relation_create(
    *,
    actor: Any,
    case: Case,
    kind: str,
    subject: Person | Organisation,
    object: Person | Organisation,
    role: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    external_id: str | None = None,
) -> Relation:
    """Record a tie between persons and organisations in a case (owns, directs, works for,
    linked to). Persons must take part in the case."""
    errors = Errors()
    check_choice(errors, "kind", kind, RelationKind.values)
    if kind in RELATIONS_TO_ORGANISATIONS and not isinstance(object, Organisation):
        errors.add("object", _("This relation leads to an organisation."))
    if kind == RelationKind.EMPLOYMENT and not isinstance(subject, Person):
        errors.add("subject", _("An employee is a person."))
    if subject == object:
        errors.add("object", _("A relation joins two different parties."))
    for field, party in (("subject", subject), ("object", object)):
        if isinstance(party, Person) and not case.participants.filter(person=party).exists():
            errors.add(field, _("This person takes no part in the case."))
    if len(role) > 200:
        errors.add("role", _("At most %(n)d characters.") % {"n": 200})
    elif problem := text_problem(role):
        errors.add("role", problem)
    if start_date and end_date and end_date < start_date:
        errors.add("end_date", _("The end is before the start."))
    errors.raise_if_any()
    _require_change(actor, case)
    if external_id and (found := Relation.objects.filter(external_id=external_id).first()):
        return found
    relation = Relation.objects.create(
        kind=kind,
        case=case,
        subject_person=subject if isinstance(subject, Person) else None,
        subject_organisation=subject if isinstance(subject, Organisation) else None,
        object_person=object if isinstance(object, Person) else None,
        object_organisation=object if isinstance(object, Organisation) else None,
        role=role.strip(),
        start_date=start_date,
        end_date=end_date,
        external_id=external_id or None,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=relation,
        changes={"case": [None, case.reference], "kind": [None, kind]},
    )
    return relation


# --- job advertisements -------------------------------------------------------------------------


@audited_atomic
def job_ad_record(
    *,
    actor: Any,
    agency: Agency,
    case: Case | None = None,
    url: str = "",
    text: str = "",
    service: str = "",
    language: str = "",
    seen_on: datetime.date | None = None,
    identifiers: Iterable[tuple[str, str, str]] = (),
    organisations: Iterable[Organisation] = (),
    screenshot: bytes | IO[bytes] | None = None,
    screenshot_name: str = "",
    external_id: str | None = None,
) -> JobAd:
    """Record a job advertisement seen online, with the identifiers it names ((kind, value,
    service) triples: the phone to call, the Telegram account), its organisations and a
    screenshot (kept in the shared encrypted file store). Kept in a case, or by the agency
    outside any case. The red flags are worked out by the ads package."""
    errors = Errors()
    if not url.strip() and not text.strip():
        errors.add("text", _("Give the address of the advertisement or its text."))
    if len(url) > 2000:
        errors.add("url", _("At most %(n)d characters.") % {"n": 2000})
    elif url and not url.lower().startswith(("http://", "https://")):
        errors.add("url", _("Enter a web address starting with http:// or https://."))
    if len(text) > MAX_AD_TEXT:
        errors.add("text", _("At most %(n)d characters.") % {"n": MAX_AD_TEXT})
    elif problem := text_problem(text, multiline=True):
        errors.add("text", problem)
    if len(service) > 60:
        errors.add("service", _("At most %(n)d characters.") % {"n": 60})
    if len(language) > 10:
        errors.add("language", _("At most %(n)d characters.") % {"n": 10})
    _check_date(errors, "seen_on", seen_on)
    found_identifiers = []
    for kind, value, id_service in identifiers:
        found, _created = _identifier_for(
            errors, kind=kind, value=value, service=id_service, field="identifiers"
        )
        if found is not None:
            found_identifiers.append(found)
    errors.raise_if_any()
    if case is not None:
        _require_change(actor, case)
    elif not (
        actor_scope(actor).is_superuser
        or agency.pk in actor_scope(actor).agencies_with(frozenset(actor_scope(actor).roles))
    ):
        raise refusal(
            PermissionDenied(_("You may record advertisements for your own agencies only.")),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="investigations.jobad",
        )
    if external_id and (existing := JobAd.objects.filter(external_id=external_id).first()):
        return existing
    stored = None
    if screenshot is not None:
        # Checked by content, metadata (EXIF/GPS) stripped, sealed: the shared file store.
        stored = stored_file_create(
            actor=actor,
            purpose=SCREENSHOT_PURPOSE,
            upload=screenshot,
            name=screenshot_name or "screenshot",
            agency=agency,
        )
    ad = JobAd.objects.create(
        screenshot=stored,
        case=case,
        agency=agency,
        url=url.strip(),
        text=text,
        service=service.strip(),
        language=language.strip(),
        seen_on=seen_on,
        external_id=external_id or None,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    ad.identifiers.set(found_identifiers)
    ad.organisations.set(list(organisations))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=ad,
        changes={"case": [None, case.reference if case else None], "url": [None, ad.url]},
    )
    return ad


def may_record(actor: Any, case: Case) -> bool:
    """Whether the case page offers its forms (the services decide again)."""
    return may_change_case(actor, case)
