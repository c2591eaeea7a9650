"""Persons found in an operation: the row rule every entry path shares, and bulk entry."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.access.policies import can_create_in
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.reference.models import Country
from ctip.registry import services as registry
from ctip.registry.choices import DocumentKind, ParticipantRole, Sex

from ..choices import (
    LANGUAGE_CODES,
    DocumentHeld,
)
from ..models import FoundPerson, Operation
from .operations import require_operation_change

MAX_ROWS_PER_SUBMIT = 1000


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


def registering_agency(actor: Any, operation: Operation) -> Agency:
    """The agency persons found are registered for when this actor enters them: the lead
    agency for its own officers, else the first agency taking part that the actor registers
    for (decision 0781). An actor of neither gets the lead agency, which the registry then
    refuses, audited."""
    if can_create_in(actor, operation.lead_agency_id):
        return operation.lead_agency
    taking_part = [a for a in operation.agencies.order_by("pk") if can_create_in(actor, a.pk)]
    return taking_part[0] if taking_part else operation.lead_agency


@audited_atomic
def found_persons_add(
    *, actor: Any, operation: Operation, rows: list[dict[str, Any]]
) -> list[FoundPerson]:
    """Register many persons found at once (the grid, an upload): every row is checked
    first; one bad row refuses them all (ValidationError naming `row N: field`), nothing
    written. Each person is registered through the registry's services, for the lead agency
    or, entered by an officer of another agency taking part, for that agency."""
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
        registering_agency=registering_agency(actor, operation),
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
