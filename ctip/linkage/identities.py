"""Identities derived from the links in force: connected records share one identity.

Regrouping keeps identity ids stable (a group keeps the id most of its records had), so that
pages and statistics referring to an identity keep meaning the same human being.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import BigIntegerField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ctip.registry.models import Arrest, Participant, Proceeding
from ctip.registry.signals import cases_written

from .models import Identity, IdentityMember, Link


def _components(edges: Iterable[tuple[int, int]]) -> list[set[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return list(groups.values())


def links_in_force(person_ids: Iterable[int] | None = None) -> list[tuple[int, int]]:
    queryset = Link.objects.filter(undone_at__isnull=True)
    if person_ids is not None:
        ids = list(person_ids)
        queryset = queryset.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
    return list(queryset.values_list("person_a_id", "person_b_id"))


def component_of(person_ids: Iterable[int]) -> set[int]:
    """Every record connected to these by links in force (a few queries per hop)."""
    seen = set(person_ids)
    frontier = set(seen)
    while frontier:
        found = {x for edge in links_in_force(frontier) for x in edge}
        frontier = found - seen
        seen |= found
    return seen


def regroup(person_ids: Iterable[int] | None = None) -> None:
    """Make the identities of these records (default: every record) match the links in force.

    Callers hold the transaction; `person_ids` must include every record whose group may have
    changed (a regroup after undoing links passes the records of the old identity).
    """
    if person_ids is None:
        edges = links_in_force()
        scope: set[int] | None = None
    else:
        scope = component_of(person_ids)
        edges = links_in_force(scope)
    groups = [group for group in _components(edges) if len(group) > 1]
    members = IdentityMember.objects.all()
    if scope is not None:
        members = members.filter(person_id__in=scope)
    current = {
        p: (i, c) for p, i, c in members.values_list("person_id", "identity_id", "counted_as")
    }
    taken: set[int] = set()
    wanted: dict[int, tuple[int, int]] = {}
    for group in sorted(groups, key=len, reverse=True):
        votes = Counter(current[p][0] for p in group if p in current and current[p][0] not in taken)
        if votes:
            identity_id = min(votes, key=lambda i: (-votes[i], i))
        else:
            identity_id = Identity.objects.create().pk
        taken.add(identity_id)
        first = min(group)
        for person in group:
            wanted[person] = (identity_id, first)
    gone = [p for p in current if p not in wanted]
    IdentityMember.objects.filter(person_id__in=gone).delete()
    moved = [p for p, state in wanted.items() if p in current and current[p] != state]
    if moved:
        members_by_person = {
            m.person_id: m for m in IdentityMember.objects.filter(person_id__in=moved)
        }
        for person, member in members_by_person.items():
            member.identity_id, member.counted_as = wanted[person]
        IdentityMember.objects.bulk_update(
            members_by_person.values(), ["identity", "counted_as"], batch_size=2000
        )
    IdentityMember.objects.bulk_create(
        [
            IdentityMember(person_id=p, identity_id=i, counted_as=c)
            for p, (i, c) in wanted.items()
            if p not in current
        ],
        batch_size=2000,
    )
    # Identities no record belongs to any longer are groupings only: nothing is lost.
    Identity.objects.filter(members__isnull=True).delete()
    # Records whose counting key changed (statistics count them anew): joined, left, or their
    # identity's first record changed. A record's identity id alone does not count.
    changed = {p for p in gone if current[p][1] != p}
    changed |= {p for p in moved if current[p][1] != wanted[p][1]}
    changed |= {p for p, (_i, c) in wanted.items() if p not in current and c != p}
    _announce(sorted(changed))


def counting_key(field: str) -> Any:
    """The registry's person_counting_key for identities: the identity's first record, or the
    person's own id when the record is in no identity."""
    member = IdentityMember.objects.filter(person_id=OuterRef(field)).values("counted_as")[:1]
    return Coalesce(Subquery(member), F(field), output_field=BigIntegerField())


def _announce(person_ids: list[int]) -> None:
    """Tell apps that keep figures per person (statistics count identities) which cases'
    persons changed identity, as the registry's bulk writers do."""
    for start in range(0, len(person_ids), 5000):
        chunk = person_ids[start : start + 5000]
        cases = set(
            Participant.objects.filter(person_id__in=chunk).values_list("case_id", flat=True)
        )
        cases |= set(Arrest.objects.filter(person_id__in=chunk).values_list("case_id", flat=True))
        cases |= set(
            Proceeding.objects.filter(defendant_id__in=chunk).values_list("case_id", flat=True)
        )
        if cases:
            cases_written.send(sender=Identity, cases=sorted(cases))
