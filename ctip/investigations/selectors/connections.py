"""Which other cases share an identifier, an organisation or a compound with a case: the
visible ones listed, a count of the rest (decision 0700)."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ctip.registry.models import Case

from ..models import (
    Compound,
    CompoundInvolvement,
    Identifier,
    IdentifierUse,
    Organisation,
    OrganisationInvolvement,
)
from .core import LIST_LIMIT, visible_case_q


@dataclass
class SharedCase:
    """Another case the viewer may see that shares identifiers (or organisations, compounds)."""

    case: Case
    identifiers: list[Identifier] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    compounds: list[Compound] = field(default_factory=list)


@dataclass
class Connections:
    """Which other cases share something: those the viewer may see, listed; a count of the
    rest. `provinces` counts the provinces of the visible ones."""

    visible: list[SharedCase]
    hidden: int
    provinces: int

    @property
    def total(self) -> int:
        return len(self.visible) + self.hidden


def sharing_rows(case_id: int) -> list[tuple[int, int]]:
    """(other case id, identifier id) for every identifier of the case used in another case:
    the query bench/investigations.py times. Both indexes of IdentifierUse serve it."""
    own = IdentifierUse.objects.filter(case_id=case_id).values("identifier_id")
    return list(
        IdentifierUse.objects.filter(identifier_id__in=own)
        .exclude(case_id=case_id)
        .values_list("case_id", "identifier_id")
        .distinct()
    )


def split_visible(actor: Any, case_ids: set[int]) -> tuple[list[Case], int]:
    """The cases of `case_ids` the actor may see (at most LIST_LIMIT, newest first) and how
    many others there are."""
    if not case_ids:
        return [], 0
    visible_ids = set(
        Case.objects.filter(pk__in=case_ids)
        .filter(visible_case_q(actor))
        .values_list("pk", flat=True)
    )
    listed = list(
        Case.objects.filter(pk__in=visible_ids)
        .select_related("owning_agency", "province")
        .defer("summary")
        .order_by("-opened_on", "-id")[:LIST_LIMIT]
    )
    return listed, len(case_ids) - len(visible_ids)


def case_connections(*, actor: Any, case: Case) -> Connections:
    """Other cases sharing an identifier, an organisation or a compound with this case (which
    the actor sees): the visible ones with what they share, and a count of the others."""
    by_case: dict[int, SharedCase] = {}
    identifier_rows = sharing_rows(case.pk)
    org_rows = list(
        OrganisationInvolvement.objects.filter(
            organisation_id__in=OrganisationInvolvement.objects.filter(case=case).values(
                "organisation_id"
            )
        )
        .exclude(case=case)
        .values_list("case_id", "organisation_id")
        .distinct()
    )
    compound_rows = list(
        CompoundInvolvement.objects.filter(
            compound_id__in=CompoundInvolvement.objects.filter(case=case).values("compound_id")
        )
        .exclude(case=case)
        .values_list("case_id", "compound_id")
        .distinct()
    )
    ids = (
        {c for c, _x in identifier_rows}
        | {c for c, _x in org_rows}
        | {c for c, _x in compound_rows}
    )
    listed, hidden = split_visible(actor, ids)
    for other in listed:
        by_case[other.pk] = SharedCase(case=other)
    identifiers = Identifier.objects.in_bulk({i for c, i in identifier_rows if c in by_case})
    organisations = Organisation.objects.in_bulk({o for c, o in org_rows if c in by_case})
    compounds = Compound.objects.in_bulk({x for c, x in compound_rows if c in by_case})
    for case_id, identifier_id in identifier_rows:
        if case_id in by_case:
            by_case[case_id].identifiers.append(identifiers[identifier_id])
    for case_id, organisation_id in org_rows:
        if case_id in by_case:
            by_case[case_id].organisations.append(organisations[organisation_id])
    for case_id, compound_id in compound_rows:
        if case_id in by_case:
            by_case[case_id].compounds.append(compounds[compound_id])
    provinces = len({shared.case.province_id for shared in by_case.values()})
    return Connections(list(by_case.values()), hidden, provinces)


def shared_case_ids(*, actor: Any, case_id: int) -> tuple[list[int], int]:
    """The bare question of the benchmark: ids of the visible cases sharing an identifier with
    this one (newest first, at most LIST_LIMIT) and the count of the others."""
    ids = {other for other, _identifier in sharing_rows(case_id)}
    listed, hidden = split_visible(actor, ids)
    return [c.pk for c in listed], hidden


@dataclass
class IdentifierCount:
    """Per identifier of a case: in how many other cases it appears."""

    visible: int
    hidden: int
    provinces: int


def identifier_counts(*, actor: Any, case: Case) -> dict[int, IdentifierCount]:
    """For each identifier of the case, the other cases it appears in (visible and not) and
    the provinces of the visible ones: "appears in 4 other cases in 3 provinces"."""
    rows = sharing_rows(case.pk)
    ids = {c for c, _i in rows}
    if not ids:
        return {}
    visible = dict(
        Case.objects.filter(pk__in=ids)
        .filter(visible_case_q(actor))
        .values_list("pk", "province_id")
    )
    per: dict[int, tuple[set[int], set[int], int]] = defaultdict(lambda: (set(), set(), 0))
    result: dict[int, IdentifierCount] = {}
    for case_id, identifier_id in rows:
        seen, provinces, hidden = per[identifier_id]
        if case_id in visible:
            seen.add(case_id)
            provinces.add(visible[case_id])
        else:
            hidden += 1
        per[identifier_id] = (seen, provinces, hidden)
    for identifier_id, (seen, provinces, hidden) in per.items():
        result[identifier_id] = IdentifierCount(len(seen), hidden, len(provinces))
    return result
