"""The network view's graph: cases, persons, organisations, compounds and identifiers as
nodes, shared use as edges, read for one actor (only cases they may see; labels masked as
the actor must see them).

Two ways in: around one record (a case, identifier, organisation or compound: what connects
to it, two steps out), or across all the actor's cases in a period and province (then only
what two or more of those cases share, which is what a network is). Either way at most
MAX_NODES nodes, the biggest connected groups first, so that the drawing stays readable.

Person records that the linkage app resolved to one identity are drawn as one node (decision
0705): only the records already in the drawing (of cases the actor may see), and a record
whose name the actor may not read never shares a node with one whose name they may (that
would name it).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from ctip.access.masking import MASK, can_read
from ctip.linkage.selectors import identities_of
from ctip.registry.models import Case, Participant, Person

from ..models import (
    Compound,
    CompoundInvolvement,
    CompoundOperator,
    Identifier,
    IdentifierUse,
    Organisation,
    OrganisationInvolvement,
    Relation,
)
from ..normalise import display
from .core import case_period_q, visible_case_q

MAX_NODES = 400
# Shared things followed outwards from the seed, and cases per shared thing, at most: a hub
# (an address in a hundred cases) is drawn with the cases the view has room for.
MAX_CASES_PER_HUB = 60


@dataclass(frozen=True)
class Node:
    """One node: `id` is kind and primary key ("case:12"), `kind` the node type (case, person,
    organisation, compound, or the identifier's kind), `label` as the actor may read it."""

    id: str
    kind: str
    label: str
    url: str = ""
    group: str = ""  # the identifier's kind, for colouring
    records: int = 1  # person records of one identity drawn as this node
    cases: int = 0  # the cases those records take part in (shown when records > 1)


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)
    truncated: bool = False

    def add_edge(self, a: str, b: str) -> None:
        if a != b:
            self.edges.add((a, b) if a < b else (b, a))


@dataclass(frozen=True)
class NetworkFilters:
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    province: int | None = None


def _case_q(actor: Any, filters: NetworkFilters) -> Q:
    q = visible_case_q(actor) & case_period_q("", filters.opened_from, filters.opened_to)
    if filters.province:
        q &= Q(province_id=filters.province)
    return q


def _identifier_label(actor: Any, identifier: Identifier) -> str:
    if not can_read(actor, identifier, "value", identifier.pk):
        return f"{identifier.get_kind_display()} {MASK}"
    text = display(identifier.kind, identifier.value)
    if identifier.service:
        text = f"{identifier.service}: {text}"
    return text


def _person_label(actor: Any, person: Person) -> str:
    if not can_read(actor, person, "display_name", person.pk):
        return f"P{person.pk} {MASK}"
    return person.display_name


def network(
    *,
    actor: Any,
    filters: NetworkFilters | None = None,
    case: Case | None = None,
    identifier: Identifier | None = None,
    organisation: Organisation | None = None,
    compound: Compound | None = None,
) -> Graph:
    """The graph around a seed (any one of case, identifier, organisation, compound), or
    across the actor's cases matching the filters when no seed is given."""
    filters = filters or NetworkFilters()
    cases_q = _case_q(actor, filters)
    seeded = any(x is not None for x in (case, identifier, organisation, compound))
    if seeded:
        case_ids = _around(cases_q, case, identifier, organisation, compound)
    else:
        case_ids = _shared_across(cases_q)
    return _build(actor, case_ids, cases_q, keep_single=seeded)


def _cases_of_things(
    cases_q: Q, identifiers: set[int], orgs: set[int], compounds: set[int]
) -> set[int]:
    """Visible cases (within the filters) that record any of these things."""
    visible = Case.objects.filter(cases_q)
    found: set[int] = set()
    for model, column, ids in (
        (IdentifierUse, "identifier_id", identifiers),
        (OrganisationInvolvement, "organisation_id", orgs),
        (CompoundInvolvement, "compound_id", compounds),
    ):
        if not ids:
            continue
        per_thing: dict[int, int] = defaultdict(int)
        rows = (
            model.objects.filter(**{f"{column}__in": ids}, case__in=visible)
            .values_list(column, "case_id")
            .distinct()
            .order_by(column, "-case_id")
        )
        for thing, case_id in rows[: MAX_NODES * 10]:
            if per_thing[thing] < MAX_CASES_PER_HUB:
                per_thing[thing] += 1
                found.add(case_id)
    return found


def _things_of_cases(case_ids: set[int]) -> tuple[set[int], set[int], set[int]]:
    return (
        set(
            IdentifierUse.objects.filter(case_id__in=case_ids).values_list(
                "identifier_id", flat=True
            )
        ),
        set(
            OrganisationInvolvement.objects.filter(case_id__in=case_ids).values_list(
                "organisation_id", flat=True
            )
        ),
        set(
            CompoundInvolvement.objects.filter(case_id__in=case_ids).values_list(
                "compound_id", flat=True
            )
        ),
    )


def _around(
    cases_q: Q,
    case: Case | None,
    identifier: Identifier | None,
    organisation: Organisation | None,
    compound: Compound | None,
) -> set[int]:
    """Cases two steps out from the seed: the seed's cases, what they record, the cases
    that record the same, and once more."""
    if case is not None:
        case_ids = set(Case.objects.filter(cases_q, pk=case.pk).values_list("pk", flat=True))
    else:
        case_ids = _cases_of_things(
            cases_q,
            {identifier.pk} if identifier else set(),
            {organisation.pk} if organisation else set(),
            {compound.pk} if compound else set(),
        )
    for _step in range(2):
        if len(case_ids) >= MAX_NODES // 3:
            break
        more = _cases_of_things(cases_q, *_things_of_cases(case_ids))
        if more <= case_ids:
            break
        case_ids |= more
    return case_ids


def _shared_across(cases_q: Q) -> set[int]:
    """Cases that share an identifier, organisation or compound with another case, within
    the filters: the things used by two or more cases, and their cases."""
    visible = Case.objects.filter(cases_q)
    shared: list[set[int]] = []
    for model, column in (
        (IdentifierUse, "identifier_id"),
        (OrganisationInvolvement, "organisation_id"),
        (CompoundInvolvement, "compound_id"),
    ):
        ids = set(
            model.objects.filter(case__in=visible)
            .values(column)
            .annotate(n=Count("case_id", distinct=True))
            .filter(n__gte=2)
            .order_by("-n")
            .values_list(column, flat=True)[:MAX_NODES]
        )
        shared.append(ids)
    return _cases_of_things(cases_q, *shared)


def _build(actor: Any, case_ids: set[int], cases_q: Q, *, keep_single: bool) -> Graph:
    graph = Graph()
    cases = list(
        Case.objects.filter(cases_q, pk__in=case_ids)
        .select_related("province")
        .defer("summary")
        .order_by("-opened_on")[:MAX_NODES]
    )
    graph.truncated = len(case_ids) > len(cases)
    ids = {c.pk for c in cases}
    uses = list(
        IdentifierUse.objects.filter(case_id__in=ids).select_related(
            "identifier", "person", "organisation"
        )
    )
    involvements = list(
        OrganisationInvolvement.objects.filter(case_id__in=ids).select_related("organisation")
    )
    at_compounds = list(
        CompoundInvolvement.objects.filter(case_id__in=ids).select_related("compound")
    )
    relations = list(
        Relation.objects.filter(case_id__in=ids).select_related(
            "subject_person", "subject_organisation", "object_person", "object_organisation"
        )
    )
    # Without a seed, a thing in one case only is no connection: drop it for readability.
    cases_per: dict[str, set[int]] = defaultdict(set)
    for use in uses:
        cases_per[f"identifier:{use.identifier_id}"].add(use.case_id)
    for inv in involvements:
        cases_per[f"organisation:{inv.organisation_id}"].add(inv.case_id)
    for at in at_compounds:
        cases_per[f"compound:{at.compound_id}"].add(at.case_id)

    def wanted(key: str) -> bool:
        return keep_single or len(cases_per[key]) >= 2

    for c in cases:
        graph.nodes[f"case:{c.pk}"] = Node(
            f"case:{c.pk}",
            "case",
            c.reference,
            reverse("investigations:case", args=[c.pk]),
            c.province.code if c.province_id else "",
        )
    for use in uses:
        key = f"identifier:{use.identifier_id}"
        if not wanted(key):
            continue
        ident = use.identifier
        graph.nodes.setdefault(
            key,
            Node(
                key,
                "identifier",
                _identifier_label(actor, ident),
                reverse("investigations:identifier", args=[ident.pk]),
                ident.kind,
            ),
        )
        graph.add_edge(f"case:{use.case_id}", key)
        if use.person_id:
            person = use.person
            assert person is not None
            pkey = f"person:{person.pk}"
            graph.nodes.setdefault(
                pkey,
                Node(
                    pkey,
                    "person",
                    _person_label(actor, person),
                    reverse("investigations:person", args=[person.pk]),
                ),
            )
            graph.add_edge(pkey, key)
        if use.organisation_id:
            org = use.organisation
            assert org is not None
            okey = f"organisation:{org.pk}"
            graph.nodes.setdefault(
                okey,
                Node(
                    okey,
                    "organisation",
                    org.name,
                    reverse("investigations:organisation", args=[org.pk]),
                ),
            )
            graph.add_edge(okey, key)
    for inv in involvements:
        key = f"organisation:{inv.organisation_id}"
        if not wanted(key) and key not in graph.nodes:
            continue
        graph.nodes.setdefault(
            key,
            Node(
                key,
                "organisation",
                inv.organisation.name,
                reverse("investigations:organisation", args=[inv.organisation_id]),
            ),
        )
        graph.add_edge(f"case:{inv.case_id}", key)
    compound_ids = set()
    for at in at_compounds:
        key = f"compound:{at.compound_id}"
        if not wanted(key):
            continue
        compound_ids.add(at.compound_id)
        graph.nodes.setdefault(
            key,
            Node(
                key,
                "compound",
                at.compound.name,
                reverse("investigations:compound", args=[at.compound_id]),
            ),
        )
        graph.add_edge(f"case:{at.case_id}", key)
    for op in CompoundOperator.objects.filter(compound_id__in=compound_ids).select_related(
        "organisation"
    ):
        okey = f"organisation:{op.organisation_id}"
        if okey in graph.nodes:
            graph.add_edge(okey, f"compound:{op.compound_id}")
    for rel in relations:
        ends = []
        for person, org in (
            (rel.subject_person, rel.subject_organisation),
            (rel.object_person, rel.object_organisation),
        ):
            if person is not None:
                key = f"person:{person.pk}"
                graph.nodes.setdefault(
                    key,
                    Node(
                        key,
                        "person",
                        _person_label(actor, person),
                        reverse("investigations:person", args=[person.pk]),
                    ),
                )
            else:
                assert org is not None
                key = f"organisation:{org.pk}"
                graph.nodes.setdefault(
                    key,
                    Node(
                        key,
                        "organisation",
                        org.name,
                        reverse("investigations:organisation", args=[org.pk]),
                    ),
                )
            ends.append(key)
        graph.add_edge(ends[0], ends[1])
    _merge_identities(actor, graph, cases_q, uses, relations)
    if not keep_single:
        # Cases left with no connection drawn are noise in an overview.
        linked = {a for a, _b in graph.edges} | {b for _a, b in graph.edges}
        for key in [k for k in graph.nodes if k.startswith("case:") and k not in linked]:
            del graph.nodes[key]
    if len(graph.nodes) > MAX_NODES:
        graph.truncated = True
        keep = set(list(graph.nodes)[:MAX_NODES])
        graph.nodes = {k: v for k, v in graph.nodes.items() if k in keep}
        graph.edges = {(a, b) for a, b in graph.edges if a in keep and b in keep}
    return graph


def _merge_identities(
    actor: Any,
    graph: Graph,
    cases_q: Q,
    uses: list[IdentifierUse],
    relations: list[Relation],
) -> None:
    """Draw the person records of one identity as one node, keyed by its first record: the
    records it stands for and their cases (those the actor may see) are counted on it."""
    person_ids = [int(key.split(":")[1]) for key in graph.nodes if key.startswith("person:")]
    identity = identities_of(actor=actor, person_ids=person_ids)
    groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for pk in sorted(identity):
        groups[(identity[pk], can_read(actor, Person, "display_name", pk))].append(pk)
    groups = {key: pks for key, pks in groups.items() if len(pks) > 1}
    if not groups:
        return
    merged = [pk for pks in groups.values() for pk in pks]
    cases: dict[int, set[int]] = defaultdict(set)
    for person_id, case_id in Participant.objects.filter(
        person_id__in=merged, case__in=Case.objects.filter(cases_q)
    ).values_list("person_id", "case_id"):
        cases[person_id].add(case_id)
    for use in uses:
        if use.person_id is not None:
            cases[use.person_id].add(use.case_id)
    for rel in relations:
        for end in (rel.subject_person_id, rel.object_person_id):
            if end is not None:
                cases[end].add(rel.case_id)
    rename: dict[str, str] = {}
    for pks in groups.values():
        first = graph.nodes[f"person:{pks[0]}"]
        graph.nodes[first.id] = Node(
            first.id,
            "person",
            first.label,
            first.url,
            records=len(pks),
            cases=len(set().union(*(cases[pk] for pk in pks))),
        )
        for pk in pks[1:]:
            rename[f"person:{pk}"] = first.id
            del graph.nodes[f"person:{pk}"]
    edges = graph.edges
    graph.edges = set()
    for a, b in edges:
        graph.add_edge(rename.get(a, a), rename.get(b, b))
