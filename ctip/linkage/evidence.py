"""The evidence for a pair in words: which fields agree, which disagree, which are missing.

The engine reports an agreement pattern: one level per comparison (names, birth, sex, ...).
Here each becomes a translated phrase; levels are read as "agree exactly", "agree in part",
"disagree" or "not recorded on both", whatever the engine's own level names.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

COMPARISONS = {
    "name": _("Name"),
    "names": _("Name"),
    "family_name": _("Family name"),
    "given_name": _("Given name"),
    "name_km": _("Name in Khmer script"),
    "birth": _("Date of birth"),
    "birth_date": _("Date of birth"),
    "dob": _("Date of birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "province": _("Province"),
    "phone": _("Phone"),
    "document": _("Identity document"),
    "document_number": _("Identity document"),
    "document_index": _("Identity document"),
}

AGREE, PARTLY, DISAGREE, MISSING = "agree", "partly", "disagree", "missing"
VERDICTS = {
    AGREE: _("agree"),
    PARTLY: _("agree in part"),
    DISAGREE: _("disagree"),
    MISSING: _("not recorded on both"),
}
# Engine level names read as each verdict (Splink's own words, and a few plain ones).
LEVEL_WORDS = {
    AGREE: ("exact", "agree", "same", "equal", "match"),
    DISAGREE: ("else", "different", "disagree", "all other", "other"),
    MISSING: ("null", "missing", "empty", "none"),
}


@dataclass(frozen=True)
class Evidence:
    field: str
    label: str
    verdict: str  # one of AGREE, PARTLY, DISAGREE, MISSING
    detail: str = ""

    @property
    def words(self) -> str:
        return str(VERDICTS[self.verdict])


def verdict_of(level: Any) -> tuple[str, str]:
    """(verdict, the engine's level text) for one comparison's level."""
    if isinstance(level, dict):
        text = str(level.get("label") or level.get("level") or "")
        value: Any = level.get("level", text)
    else:
        text, value = str(level), level
    if value is None or value == -1:
        return MISSING, ""
    if isinstance(value, bool):
        return (AGREE if value else DISAGREE), ""
    if isinstance(value, int | float) and not isinstance(level, dict):
        return (DISAGREE if value == 0 else AGREE), ""
    lowered = text.lower()
    for verdict, words in LEVEL_WORDS.items():
        if any(lowered == word or lowered.startswith(word + " ") for word in words):
            return verdict, ""
    return PARTLY, text


def evidence(pattern: dict[str, Any] | None) -> list[Evidence]:
    """The pattern as phrases, agreements first, in a fixed order of fields."""
    found = []
    for field, level in (pattern or {}).items():
        verdict, detail = verdict_of(level)
        label = COMPARISONS.get(field, field.replace("_", " ").capitalize())
        found.append(Evidence(field=field, label=str(label), verdict=verdict, detail=detail))
    order = [AGREE, PARTLY, DISAGREE, MISSING]
    return sorted(found, key=lambda e: (order.index(e.verdict), e.label))
