"""Organisations (not personal data: any investigator may look them up) and compounds, with the
visible cases they appear in and a count of the rest."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.registry.models import Participant
from ctip.screening.selectors import OperationAt, operations_in_cases

from ..models import (
    Compound,
    CompoundInvolvement,
    IdentifierUse,
    Organisation,
    OrganisationInvolvement,
    Relation,
)
from ..normalise import name_key, registration_key
from .core import LIST_LIMIT, require_investigator, visible_case_q, visible_cases


def organisation_list(*, actor: Any, query: str = "") -> QuerySet[Organisation]:
    """Organisations (not personal data: every investigator may look them up), by name key or
    registration number."""
    require_investigator(actor)
    found = Organisation.objects.select_related("jurisdiction")
    if query:
        key = name_key(query)
        found = found.filter(
            Q(name_key__contains=key) | Q(registration_key=registration_key(query))
        )
    return found.annotate(case_count=Count("involvements__case", distinct=True))


def organisation_get(*, actor: Any, pk: int) -> Organisation:
    require_investigator(actor)
    try:
        return Organisation.objects.select_related("jurisdiction").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404(_("No such organisation.")) from None


@dataclass
class OrganisationFile:
    """An organisation's cases (visible, and a count of the rest), relations, identifiers,
    compounds it operates."""

    involvements: list[OrganisationInvolvement]
    hidden: int
    relations: list[Relation]
    uses: list[IdentifierUse]
    compounds: list[Any]


def organisation_file(*, actor: Any, organisation: Organisation) -> OrganisationFile:
    visible = visible_cases(actor=actor)
    all_cases = set(organisation.involvements.values_list("case_id", flat=True))
    involvements = list(
        organisation.involvements.filter(case__in=visible)
        .select_related("case__province", "case__owning_agency")
        .order_by("-case__opened_on")[:LIST_LIMIT]
    )
    seen = set(organisation.involvements.filter(case__in=visible).values_list("case_id", flat=True))
    relations = list(
        Relation.objects.filter(case__in=visible)
        .filter(Q(subject_organisation=organisation) | Q(object_organisation=organisation))
        .select_related(
            "subject_person", "subject_organisation", "object_person", "object_organisation", "case"
        )
    )
    uses = list(
        organisation.identifier_uses.filter(case__in=visible).select_related("identifier", "case")
    )
    compounds = list(organisation.operated.select_related("compound__province"))
    return OrganisationFile(involvements, len(all_cases - seen), relations, uses, compounds)


def compound_list(*, actor: Any) -> QuerySet[Compound]:
    require_investigator(actor)
    return Compound.objects.select_related("province").annotate(
        case_count=Count("involvements__case", distinct=True)
    )


def compound_get(*, actor: Any, pk: int) -> Compound:
    require_investigator(actor)
    try:
        return Compound.objects.select_related("province").get(pk=pk)
    except Compound.DoesNotExist:
        raise Http404(_("No such compound.")) from None


@dataclass
class CompoundFile:
    """A compound: its operators, the visible cases at it (and a count of the rest), the
    people found there by nationality (victims in its visible cases, counted), and the
    operations against it (screening's raids whose case is recorded at the compound)."""

    operators: list[Any]
    involvements: list[CompoundInvolvement]
    hidden: int
    nationalities: list[tuple[str, int]]
    operations: list[OperationAt]


def compound_file(*, actor: Any, compound: Compound) -> CompoundFile:
    visible = visible_cases(actor=actor)
    all_cases = set(compound.involvements.values_list("case_id", flat=True))
    involvements = list(
        compound.involvements.filter(case__in=visible)
        .select_related("case__province", "case__owning_agency")
        .order_by("-case__opened_on")[:LIST_LIMIT]
    )
    seen = {inv.case_id for inv in involvements}
    # People found there: the victims of the cases at the compound, by citizenship. Counts
    # only, and only over cases the actor sees.
    counts: dict[str, int] = defaultdict(int)
    victims = Participant.objects.filter(case_id__in=seen, role="victim").values_list(
        "person_id", "person__citizenships"
    )
    for _person, citizenships in {row[0]: row for row in victims}.values():
        for country in citizenships or ["—"]:
            counts[country] += 1
    operators = list(compound.operations.select_related("organisation"))
    return CompoundFile(
        operators,
        involvements,
        len(all_cases - seen),
        sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        # An operation is a case (source "operation"); one recorded at the compound is an
        # operation against it. Read through screening's selector, under this app's rule.
        operations_in_cases(actor=actor, case_ids=all_cases, case_scope=visible_case_q(actor)),
    )
