"""The visit, what the team found (observations and evidence), and the persons met on site."""

import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.reference.selectors import country_codes
from ctip.registry.choices import Sex
from ctip.registry.files.services import stored_file_create, stored_file_delete
from ctip.registry.validation import Errors, check_age, check_not_future

from ..choices import EVIDENCE_KINDS, FILE_PURPOSE, FindingKind, FoundRole, VerificationStatus
from ..models import Finding, FoundPerson, Verification
from .base import SHORT_TEXT, check_words, require_change, team_problems

NAME_LIMIT = 100
PERSON_NAMES = ("given_name_km", "family_name_km", "given_name_latin", "family_name_latin")


@audited_atomic
def visit_record(
    *, actor: Any, verification: Verification, visited_on: datetime.date | None, notes: str = ""
) -> Verification:
    """Record the visit: the date checked and what the team did on site. The team must be
    complete by then (two agencies; an outsider when officials are concerned)."""
    errors = Errors()
    if not isinstance(visited_on, datetime.date):
        errors.add("visited_on", _("Enter the date the site was checked."))
    else:
        check_not_future(errors, "visited_on", visited_on)
        if visited_on < verification.created_at.date() - datetime.timedelta(days=1):
            errors.add(
                "visited_on", _("The visit cannot come before the verification was ordered.")
            )
    notes = check_words(
        errors, "notes", notes, required=True, message=_("Say what the team did on site.")
    )
    for problem in team_problems(verification):
        errors.add("team", problem)
    errors.raise_if_any()
    require_change(actor, verification, "visit_record")
    before = verification.status
    verification.visited_on = visited_on
    verification.visit_notes = notes
    verification.status = VerificationStatus.VISITED
    verification.save(update_fields=["visited_on", "visit_notes", "status"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=verification,
        changes={
            "status": [before, verification.status],
            "visited_on": [None, str(visited_on)],
            "visit_notes": [None, "•••"],
        },
    )
    return verification


@audited_atomic
def finding_add(
    *,
    actor: Any,
    verification: Verification,
    kind: str,
    description: str,
    taken_on: datetime.date | None = None,
    upload: bytes | IO[bytes] | None = None,
    file_name: str = "",
) -> Finding:
    """Record what the team found: an observation in words, or evidence — a photo, a
    document or a statement — with its file, kept in the registry's encrypted store (type
    told by the content, metadata stripped)."""
    errors = Errors()
    if kind in EVIDENCE_KINDS and upload is None:
        errors.add("file", _("Attach the photo, document or statement itself."))
    if kind not in FindingKind.values:
        errors.add("kind", _("%(value)r is not an allowed value.") % {"value": kind})
    description = check_words(
        errors,
        "description",
        description,
        required=True,
        message=_("Describe what was found."),
    )
    if taken_on is not None:
        check_not_future(errors, "taken_on", taken_on)
    errors.raise_if_any()
    require_change(actor, verification, "finding_add")
    stored = None
    if upload is not None:
        stored = stored_file_create(
            actor=actor,
            purpose=FILE_PURPOSE,
            upload=upload,
            name=file_name or kind,
            agency=verification.lead_agency,
        )
    finding = Finding.objects.create(
        verification=verification,
        kind=kind,
        description=description,
        taken_on=taken_on,
        file=stored,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=finding,
        changes={
            "verification": [None, verification.reference],
            "kind": [None, kind],
            "description": [None, "•••"],
            "file": [None, stored.pk if stored is not None else None],
        },
    )
    return finding


@audited_atomic
def finding_remove(*, actor: Any, verification: Verification, finding: Finding) -> None:
    """Remove a finding recorded by mistake while the verification is open."""
    if finding.verification_id != verification.pk:
        raise ValidationError({"finding": [_("This finding belongs to another verification.")]})
    require_change(actor, verification, "finding_remove")
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=finding,
        changes={"verification": [verification.reference, None], "kind": [finding.kind, None]},
    )
    stored = finding.file
    finding.delete()
    if stored is not None:
        stored_file_delete(actor=actor, stored_file=stored)


@audited_atomic
def found_person_add(
    *,
    actor: Any,
    verification: Verification,
    role: str,
    sex: str = Sex.UNKNOWN,
    estimated_age: int | None = None,
    citizenship: str = "",
    notes: str = "",
    **names: str,
) -> FoundPerson:
    """Record a person met on site, to be carried into the registry with a case."""
    errors = Errors()
    for field in sorted(set(names) - set(PERSON_NAMES)):
        errors.add(field, _("Unknown field."))
    if role not in FoundRole.values:
        errors.add("role", _("%(value)r is not an allowed value.") % {"value": role})
    if sex not in Sex.values:
        errors.add("sex", _("%(value)r is not an allowed value.") % {"value": sex})
    check_age(errors, "estimated_age", estimated_age)
    citizenship = (citizenship or "").strip().upper()
    if citizenship and citizenship not in country_codes():
        errors.add("citizenship", _("Unknown country code(s): %(codes)s.") % {"codes": citizenship})
    clean = {
        field: check_words(errors, field, names.get(field, ""), limit=NAME_LIMIT)
        for field in PERSON_NAMES
    }
    if not any(clean.values()):
        errors.add("given_name_latin", _("Give at least one name (Khmer or Latin letters)."))
    notes = check_words(errors, "notes", notes, limit=SHORT_TEXT)
    errors.raise_if_any()
    require_change(actor, verification, "found_person_add")
    person = FoundPerson.objects.create(
        verification=verification,
        role=role,
        sex=sex,
        estimated_age=estimated_age,
        citizenship=citizenship,
        notes=notes,
        **clean,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=person,
        changes={
            "verification": [None, verification.reference],
            "role": [None, role],
            "sex": [None, sex],
            # Names are identity fields: masked in the trail like the registry's.
            **{field: [None, "•••"] for field, value in clean.items() if value},
        },
    )
    return person


@audited_atomic
def found_person_remove(*, actor: Any, verification: Verification, person: FoundPerson) -> None:
    """Remove a person recorded by mistake while the verification is open."""
    if person.verification_id != verification.pk:
        raise ValidationError({"person": [_("This person belongs to another verification.")]})
    require_change(actor, verification, "found_person_remove")
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=person,
        changes={"verification": [verification.reference, None], "role": [person.role, None]},
    )
    person.delete()
