"""Organisations and compounds recorded in cases, and who operates a compound."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.reference import gazetteer
from ctip.reference.models import Country, Province
from ctip.registry.models import Case
from ctip.registry.validation import Errors, check_choice, text_problem

from ..choices import (
    InvolvementRole,
    OrganisationKind,
)
from ..models import (
    Compound,
    CompoundInvolvement,
    CompoundOperator,
    Organisation,
    OrganisationInvolvement,
)
from ..normalise import name_key, registration_key
from .rules import (
    MAX_AD_TEXT,
    acting_agency,
    check_date,
    check_name,
    check_note,
    check_other_names,
    require_change,
    require_investigation_role,
)

# --- organisations ----------------------------------------------------------------------------


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
    check_name(errors, "name", name)
    cleaned_aliases = check_other_names(errors, "aliases", aliases)
    if len(registration_number) > 80:
        errors.add("registration_number", _("At most %(n)d characters.") % {"n": 80})
    elif registration_number and (problem := text_problem(registration_number)):
        errors.add("registration_number", problem)
    if external_id is not None and len(external_id) > 200:
        errors.add("external_id", _("At most %(n)d characters.") % {"n": 200})
    errors.raise_if_any()
    require_investigation_role(actor)
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
        recorded_by_agency=acting_agency(actor),
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
    check_note(errors, "note", note)
    errors.raise_if_any()
    require_change(actor, case)
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
    check_name(errors, "name", name)
    cleaned_aliases = check_other_names(errors, "aliases", aliases)
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
    require_investigation_role(actor)
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
        recorded_by_agency=acting_agency(actor),
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
    check_date(errors, "since", since)
    if since and until and until < since:
        errors.add("until", _("The end is before the start."))
    errors.raise_if_any()
    require_investigation_role(actor)
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
    check_note(errors, "note", note)
    errors.raise_if_any()
    require_change(actor, case)
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
