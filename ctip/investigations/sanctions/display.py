"""A hit as its reader may read it, for the pages and the API alike: the screened subject and
the evidence lines, masked where the reader has no identity clearance (decision 0201)."""

from typing import Any

from ctip.access.masking import MASK, can_read
from ctip.investigations.normalise import display

from .models import ScreeningHit

# matching.py writes the first evidence line as: name 'ours' ~ listed 'theirs': 0.93
_OURS = "name "
_LISTED = " ~ listed "


def subject_text(actor: Any, hit: ScreeningHit) -> str:
    """The screened person, organisation or identifier as the actor may read it."""
    if hit.person is not None:
        if not can_read(actor, hit.person, "display_name", hit.person.pk):
            return f"P{hit.person.pk} {MASK}"
        return hit.person.display_name
    if hit.organisation is not None:
        return hit.organisation.name
    if hit.identifier is not None:
        if not can_read(actor, hit.identifier, "value", hit.identifier.pk):
            return MASK
        return display(hit.identifier.kind, hit.identifier.value)
    return "—"


def evidence_lines(actor: Any, hit: ScreeningHit) -> list[str]:
    """The evidence, with the suspect's own name masked for a reader who may not read it (the
    listed name is public and stays)."""
    lines = [str(line) for line in hit.evidence or []]
    if hit.person is None or can_read(actor, hit.person, "display_name", hit.person.pk):
        return lines
    masked = []
    for line in lines:
        if line.startswith(_OURS) and _LISTED in line:
            line = f"{_OURS}{MASK}{_LISTED}{line.split(_LISTED, 1)[1]}"
        masked.append(line)
    return masked
