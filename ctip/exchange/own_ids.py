"""This installation's own ids in an exported file, recognised when the file comes back (#14).

An HTCDS export names a case by its external id or else its reference (CT-2026-0001234), and a
person by their external id or else `ctip-person-<id>`. Another ctip installation writes ids
of the same shapes for other people, so they are recognised only in rows that carry this
installation's mark (`ctip_ExportedFrom`, a keyed hash that no other installation computes),
and only for records the importing user may see. Decision 0404.

While a file is checked and loaded, a recognisable id travels with OWN_PREFIX in front; the
prefix is never stored (strip_own).
"""

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from ctip.registry.crypto import blind_index
from ctip.registry.selectors import case_queryset, person_queryset

OWN_PREFIX = "ctip-own:"
CASE_REFERENCE_RE = re.compile(r"CT-\d{4}-\d{7,12}")
PERSON_ID_RE = re.compile(r"ctip-person-([1-9]\d{0,17})")


def own_export_mark() -> str:
    """The installation's mark: the same in every export it writes, unknowable elsewhere."""
    return "ctip-" + blind_index("installation", purpose="export-mark")[:20]


def mark_own_case_id(case_id: str) -> str:
    """A case id of a marked row: a reference may be one of this installation's cases."""
    return OWN_PREFIX + case_id if CASE_REFERENCE_RE.fullmatch(case_id) else case_id


def mark_own_person_id(person_id: str) -> str:
    return OWN_PREFIX + person_id if PERSON_ID_RE.fullmatch(person_id) else person_id


def strip_own(external_id: Any) -> Any:
    """The id as the file gave it (what is stored when no record of ours is found)."""
    if isinstance(external_id, str) and external_id.startswith(OWN_PREFIX):
        return external_id[len(OWN_PREFIX) :]
    return external_id


def own_ids(ids: Iterable[str]) -> set[str]:
    return {i for i in ids if i.startswith(OWN_PREFIX)}


def resolve_own_cases(actor: Any, ids: set[str]) -> dict[str, int]:
    """Marked case ids -> the actor's visible case with that reference and no external id of
    its own (its export wrote the reference). Unknown and hidden cases are both absent."""
    references = {strip_own(i): i for i in own_ids(ids)}
    if not references:
        return {}
    found = (
        case_queryset(actor=actor)
        .filter(Q(external_id="") | Q(external_id__isnull=True), reference__in=sorted(references))
        .values_list("reference", "pk")
    )
    return {references[reference]: pk for reference, pk in found}


def resolve_own_persons(actor: Any, ids: set[str]) -> dict[str, int]:
    """Marked person ids -> the actor's visible person with that id and no external id of its
    own. Unknown and hidden persons are both absent."""
    wanted: dict[int, str] = {}
    for marked in own_ids(ids):
        match = PERSON_ID_RE.fullmatch(strip_own(marked))
        if match:
            wanted[int(match.group(1))] = marked
    if not wanted:
        return {}
    found = (
        person_queryset(actor=actor)
        .filter(Q(external_id="") | Q(external_id__isnull=True), pk__in=sorted(wanted))
        .values_list("pk", flat=True)
    )
    return {wanted[pk]: pk for pk in found}
