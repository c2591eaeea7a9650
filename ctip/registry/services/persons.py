"""Writes to persons: register, change, identity documents; search keys kept current."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.access.policies import can_create_in
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Country

from ..choices import (
    DocumentKind,
    Sex,
)
from ..crypto import blind_index
from ..models import (
    IdentityDocument,
    Person,
)
from ..names import document_number_index, name_keys
from ..selectors import person_queryset
from ..validation import (
    Errors,
    check_age,
    check_aliases,
    check_choice,
    check_codes,
    check_countries,
    check_not_future,
    check_text,
)
from .base import MASKED_IN_AUDIT, _created, _save_changes

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
    if not person_queryset(actor=actor, action=Action.CHANGE).filter(pk=person.pk).exists():
        raise refusal(
            PermissionDenied(_("You may not change this person's record.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=person,
            detail={"wanted": "change"},
        )


def _person_checked(errors: Errors, fields: dict[str, Any]) -> None:
    for field in sorted(set(fields) - set(PERSON_FIELDS)):
        errors.add(field, _("Unknown field."))
    _validate_person(errors, fields)
    _check_some_name(errors, fields)


@audited_atomic
def person_create(*, actor: Any, registered_by: Agency | None = None, **fields: Any) -> Person:
    """Register a person; identifying fields are encrypted by the model's fields."""
    errors = Errors()
    _person_checked(errors, fields)
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
    return _person_insert(actor=actor, registered_by=registered_by, fields=fields)


def _person_insert(*, actor: Any, registered_by: Agency | None, fields: dict[str, Any]) -> Person:
    """Write a person whose fields were validated and whose registration the caller allowed."""
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
    _save_changes(actor=actor, instance=person, changes=changes, prepare=_refresh_search_keys)
    return person


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
