"""The evidence for a pair in words: which fields agree, which disagree, which are missing.

The engine reports an agreement pattern: the level each comparison reached (its own English
labels, ctip/linkage/engine/comparisons.py). Here each becomes a translated field name, a
verdict (agree, agree in part, disagree, not recorded on both) and a phrase saying how.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

COMPARISONS = {
    "family": _("Family name"),
    "given": _("Given name"),
    "birth": _("Date of birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "place": _("Province"),
    "phone": _("Phone"),
    "document": _("Identity document"),
}

AGREE, PARTLY, DISAGREE, MISSING = "agree", "partly", "disagree", "missing"
VERDICTS = {
    AGREE: _("agree"),
    PARTLY: _("agree in part"),
    DISAGREE: _("disagree"),
    MISSING: _("not recorded on both"),
}
# The engine's level labels: (verdict, how, in words).
LEVELS: dict[str, tuple[str, Any]] = {
    "missing": (MISSING, _("not recorded on both")),
    "exact": (AGREE, _("the same")),
    "same": (AGREE, _("the same")),
    "exact date": (AGREE, _("the same date")),
    "same village": (AGREE, _("the same village")),
    "same province": (AGREE, _("the same province")),
    "romanisation variant": (PARTLY, _("another spelling of the same name")),
    "family/given swapped": (PARTLY, _("family and given name swapped")),
    "sounds alike": (PARTLY, _("sounds alike")),
    "close spelling": (PARTLY, _("close spelling")),
    "day/month swapped": (PARTLY, _("day and month swapped")),
    "date one key off": (PARTLY, _("the same date but for one digit")),
    "same year, dates differ": (PARTLY, _("the same year, another date")),
    "different dates": (DISAGREE, _("different dates")),
    "year only, no date on either": (PARTLY, _("the same year")),
    "year only": (PARTLY, _("the same year")),
    "±1 year, no date on either": (PARTLY, _("within a year")),
    "±1 year": (PARTLY, _("within a year")),
    "±3 years, estimated age": (PARTLY, _("within three years (an estimated age)")),
    "different": (DISAGREE, _("different")),
}
ORDER = ("family", "given", "birth", "sex", "nationality", "place", "phone", "document")


@dataclass(frozen=True)
class Evidence:
    field: str
    label: str
    verdict: str  # one of AGREE, PARTLY, DISAGREE, MISSING
    words: str


def evidence(pattern: dict[str, Any] | None, *, recorded_only: bool = False) -> list[Evidence]:
    """The pattern as phrases, in a fixed order of fields; `recorded_only` leaves out the
    fields not recorded on both records."""
    found = []
    for field in sorted(pattern or {}, key=lambda f: (ORDER.index(f) if f in ORDER else 99, f)):
        level = str((pattern or {})[field])
        verdict, words = LEVELS.get(level, (PARTLY, VERDICTS[PARTLY]))
        if recorded_only and verdict == MISSING:
            continue
        label = COMPARISONS.get(field, field.replace("_", " ").capitalize())
        found.append(Evidence(field=field, label=str(label), verdict=verdict, words=str(words)))
    return found
