"""Relations of persons and organisations: Ownership, Directorship, Employment, UnknownLink."""

import datetime
from typing import Any

from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.registry.models import Case, Person
from ctip.registry.validation import Errors, check_choice, text_problem

from ..choices import (
    RELATIONS_TO_ORGANISATIONS,
    RelationKind,
)
from ..models import (
    Organisation,
    Relation,
)
from .rules import require_change

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
    require_change(actor, case)
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
