"""A person as the investigations pages see them: in a visible case, their identifiers and the
cases those connect to."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Person

from ..models import Identifier, IdentifierUse
from .connections import Connections, SharedCase, split_visible
from .core import require_investigator, visible_cases


def person_get(*, actor: Any, pk: int) -> Person:
    """A person who takes part in a case the actor sees (audited; 404 otherwise)."""
    require_investigator(actor)
    person = Person.objects.filter(
        pk=pk, participations__case__in=visible_cases(actor=actor)
    ).first()
    if person is None:
        if Person.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.person",
                object_id=str(pk),
                detail={"wanted": "investigations view"},
            )
        raise Http404(_("No such person."))
    audit_record(
        actor=actor, action=AuditAction.VIEW, obj=person, detail={"page": "investigations"}
    )
    return person


def person_identifiers(*, actor: Any, person: Person) -> list[IdentifierUse]:
    """The identifiers recorded for a person in the cases the actor sees."""
    return list(
        IdentifierUse.objects.filter(person=person, case__in=visible_cases(actor=actor))
        .select_related("identifier", "case")
        .order_by("identifier__kind", "identifier_id", "case_id")
    )


def person_connections(*, actor: Any, person: Person) -> Connections:
    """Cases that share an identifier recorded for this person (other than the cases the
    person's identifiers were recorded in)."""
    own = IdentifierUse.objects.filter(person=person, case__in=visible_cases(actor=actor))
    identifier_ids = set(own.values_list("identifier_id", flat=True))
    own_cases = set(own.values_list("case_id", flat=True))
    rows = list(
        IdentifierUse.objects.filter(identifier_id__in=identifier_ids)
        .exclude(case_id__in=own_cases)
        .values_list("case_id", "identifier_id")
        .distinct()
    )
    listed, hidden = split_visible(actor, {c for c, _i in rows})
    by_case = {case.pk: SharedCase(case=case) for case in listed}
    identifiers = Identifier.objects.in_bulk({i for c, i in rows if c in by_case})
    for case_id, identifier_id in rows:
        if case_id in by_case:
            by_case[case_id].identifiers.append(identifiers[identifier_id])
    provinces = len({s.case.province_id for s in by_case.values()})
    return Connections(list(by_case.values()), hidden, provinces)
