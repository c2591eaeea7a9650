"""Name matching for sanctions screening, built on the registry's name skeletons.

Every name (a listed entity's name and aliases, a suspect's names in either script) is cut into
parts; each part is brought to Latin letters — Khmer through the registry's romanisation
(`registry.names.romanise_khmer`), other scripts (Chinese, Thai, Cyrillic, Vietnamese marks)
through ICU's transliteration as `normality` ships it with followthemoney — and reduced to the
registry's spelling-tolerant skeleton (`registry.names.skeleton`, decision 0004). Parts are
compared as a set, so word order does not matter; two parts agree exactly, as the same
consonant frame (`linkage.engine.records.consonants`: Samnang/Somnang) or within one edit
(`linkage.engine.comparisons.levenshtein`). A name split differently (Xiaoming / Xiao Ming) is
also indexed with adjacent parts joined.

Candidates are found as the linkage engine blocks pairs: through equal keys, here every pair of
a name's part skeletons (and of their consonant frames), so that a common family name alone
never makes a block of thousands. Scoring is the share of agreeing parts, adjusted by
birth year and nationality where both sides have them; `Match.evidence` says why.
"""

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable, Sequence

from normality import ascii_text

from ctip.linkage.engine.comparisons import levenshtein
from ctip.linkage.engine.records import consonants
from ctip.registry.names import is_khmer, name_parts, romanise_khmer, skeleton

# Hostile lists stay cheap: a name is at most this many parts, an entity this many names.
MAX_PARTS = 8
MAX_NAMES = 40
MAX_NAME_LENGTH = 300
# A hit is a pair scoring at least this (see docs/investigations.md for how it was chosen).
HIT_THRESHOLD = 0.8
# Words that say what kind of organisation a name is, not which one.
ORGANISATION_WORDS = frozenset(
    skeleton(word)
    for word in (
        "co", "company", "ltd", "limited", "llc", "inc", "corp", "corporation", "group",
        "holding", "holdings", "plc", "pte", "sa", "sdn", "bhd", "jsc", "the", "and", "of",
        "international", "investment", "development", "trading", "enterprise", "enterprises",
    )
)  # fmt: skip
_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Names repeat across a list and a registry (a few hundred family names): each word's skeleton
# and each pair of parts is worked out once per process.
_skeleton = functools.lru_cache(maxsize=200_000)(skeleton)
_consonants = functools.lru_cache(maxsize=200_000)(consonants)
# ICU's transliteration costs about a millisecond a call (Han to Latin above all); a list
# repeats its parts (Nguyễn, 王) across thousands of names, so each part is done once.
_ascii_text = functools.lru_cache(maxsize=200_000)(ascii_text)


@dataclasses.dataclass(frozen=True)
class NameForm:
    """One name as compared: the name as written and its part skeletons."""

    text: str
    parts: tuple[str, ...]
    how: str = ""  # "" or "parts joined" where adjacent parts were joined


@dataclasses.dataclass
class Subject:
    """Something screened or listed: a person or an organisation with its names.

    `ref` is the caller's id for it (a listed entity's FtM id, "person:12"); `kind` is
    "person" or "organisation" (only like kinds are compared).
    """

    ref: str
    kind: str
    names: Sequence[str]
    birth_years: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()
    forms: list[NameForm] = dataclasses.field(default_factory=list)
    # The number of parts of each form, in the same order (compare reads it per pair).
    sizes: list[int] = dataclasses.field(default_factory=list, compare=False)

    def __post_init__(self) -> None:
        if not self.forms:
            self.forms = name_forms(self.names, organisation=self.kind == "organisation")
        self.sizes = [len(form.parts) for form in self.forms]


@dataclasses.dataclass(frozen=True)
class Match:
    """A screened subject that resembles a listed one, with the evidence."""

    subject: str
    listed: str
    score: float
    subject_name: str
    listed_name: str
    evidence: tuple[str, ...]


def latin_words(name: str) -> list[str]:
    """The name's words in Latin letters (lower case): Khmer romanised, other scripts through
    ICU's transliteration (张伟 -> zhang wei, Nguyễn -> nguyen)."""
    words: list[str] = []
    for part in name_parts(name[:MAX_NAME_LENGTH]):
        if is_khmer(part):
            words.append(romanise_khmer(part))
            continue
        text = part if part.isascii() else (_ascii_text(part) or "")
        words.extend(_ASCII_WORD.findall(text.lower()))
    return [word for word in words if word]


def _form(text: str, words: list[str], organisation: bool, how: str = "") -> NameForm | None:
    parts = [_skeleton(word) for word in words]
    if organisation:
        parts = [part for part in parts if part not in ORGANISATION_WORDS]
    parts = [part for part in parts if part][:MAX_PARTS]
    return NameForm(text, tuple(parts), how) if parts else None


@functools.lru_cache(maxsize=200_000)
def _forms_of(name: str, organisation: bool) -> tuple[NameForm, ...]:
    words = latin_words(name)
    candidates = [_form(name, words, organisation)]
    if 2 <= len(words) <= 4:
        for i in range(len(words) - 1):
            joined = [*words[:i], words[i] + words[i + 1], *words[i + 2 :]]
            candidates.append(_form(name, joined, organisation, "parts joined"))
    return tuple(form for form in candidates if form is not None)


def name_forms(names: Iterable[str], *, organisation: bool = False) -> list[NameForm]:
    """The forms a subject's names are compared in: each name, and, for names of two to four
    parts, the name with two adjacent parts joined (Wang Xiao Ming ~ Wang Xiaoming)."""
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()
    for name in itertools.islice((n for n in names if n and n.strip()), MAX_NAMES):
        for form in _forms_of(name[:MAX_NAME_LENGTH], organisation):
            if tuple(sorted(form.parts)) not in seen:
                seen.add(tuple(sorted(form.parts)))
                forms.append(form)
    return forms


@functools.lru_cache(maxsize=1_000_000)
def part_agreement(a: str, b: str) -> tuple[float, str]:
    """How far two part skeletons agree (1 the same; 0 not at all) and in what way."""
    if a == b:
        return 1.0, "same"
    if abs(len(a) - len(b)) > 2:
        return 0.0, ""
    # Short parts (Chinese syllables: peng/ping, wang/wen) are different names a letter apart.
    shorter = min(len(a), len(b))
    if shorter >= 5 and _consonants(a) == _consonants(b):
        return 0.85, "sounds alike"
    if shorter >= 5 and levenshtein(a, b) <= (2 if shorter >= 8 else 1):
        return 0.8, "close spelling"
    return 0.0, ""


def form_agreement(a: NameForm, b: NameForm) -> tuple[float, list[str]]:
    """Share of the two forms' agreeing parts (each part used once, best first), and how the
    parts agreed."""
    # A joined part (xiaoming) is compared exactly: joined, a letter apart is another name.
    exact = bool(a.how or b.how)
    value, notes = _parts_agreement(a.parts, b.parts, exact)
    return value, list(notes)


@functools.lru_cache(maxsize=1_000_000)
def _parts_agreement(
    a_parts: tuple[str, ...], b_parts: tuple[str, ...], exact: bool
) -> tuple[float, tuple[str, ...]]:
    pairs = []
    for i, left in enumerate(a_parts):
        for j, right in enumerate(b_parts):
            value, how = (1.0, "same") if left == right else (0.0, "")
            if not exact and not value:
                value, how = part_agreement(left, right)
            if value:
                pairs.append((value, i, j, how))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched: list[tuple[int, int]] = []
    total = 0.0
    notes: list[str] = []
    for value, i, j, how in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matched.append((i, j))
        total += value
        if how != "same":
            notes.append(f"{a_parts[i]} ~ {b_parts[j]} ({how})")
    order = [j for _i, j in sorted(matched)]
    if len(matched) > 1 and order != sorted(order):
        notes.append("word order differs")
    # Agreeing parts over the longer name's parts: a name with a part the other lacks (Hu Jing,
    # Hu Jing Ping) is another name, as the registry's search keys treat it.
    return total / max(len(a_parts), len(b_parts)), tuple(notes)


def blocking_keys(form: NameForm) -> set[str]:
    """Equal keys that make two forms a candidate pair: every pair of parts (a one-part name:
    its part), as skeletons and as consonant frames."""
    keys: set[str] = set()
    parts = sorted(set(form.parts))
    if len(parts) == 1:
        keys.add(f"1:{parts[0]}")
        if len(parts[0]) >= 4:
            keys.add(f"1c:{_consonants(parts[0])}")
        return keys
    for left, right in itertools.combinations(parts, 2):
        keys.add(f"2:{left} {right}")
        # Short parts (Chinese syllables: li, vi) keep their vowels: "l v" would block thousands.
        frames = sorted(_consonants(p) if len(p) >= 4 else p for p in (left, right))
        keys.add(f"2c:{' '.join(frames)}")
    return keys


# The most the adjustments can add to a name's agreement (same year of birth, same country).
MAX_BONUS = 0.05 + 0.03


def _sizes_that_can_hit(m: int) -> frozenset[int]:
    """The part counts a form of `m` parts is compared with: one-part names only with one-part
    names (a nickname, a one-word company), and never where agreeing parts over the longer
    name's parts (at most shorter / longer: 2 parts against 3 is 0.67) plus every bonus stay
    below the threshold. Exact, not a heuristic: a pair left out could never be a hit, and
    scores below any pair that could."""
    return frozenset(
        n
        for n in range(1, MAX_PARTS + 1)
        if (m == 1) == (n == 1) and min(m, n) / max(m, n) + MAX_BONUS >= HIT_THRESHOLD - 1e-9
    )


_COMPARED_SIZES = {m: _sizes_that_can_hit(m) for m in range(1, MAX_PARTS + 1)}


def compare(subject: Subject, listed: Subject) -> Match | None:
    """The best agreement between the two subjects' names, adjusted by birth year and
    nationality; None below the threshold."""
    best: tuple[float, NameForm, NameForm, tuple[str, ...]] | None = None
    theirs_sized = list(zip(listed.forms, listed.sizes, strict=True))
    for mine, m in zip(subject.forms, subject.sizes, strict=True):
        compared = _COMPARED_SIZES[m]
        for theirs, n in theirs_sized:
            if n not in compared:
                continue
            value, notes = _parts_agreement(mine.parts, theirs.parts, bool(mine.how or theirs.how))
            if best is None or value > best[0]:
                best = (value, mine, theirs, notes)
                if value >= 1.0:
                    break  # nothing scores above the same parts
        if best is not None and best[0] >= 1.0:
            break
    if best is None:
        return None
    value, mine, theirs, notes = best
    # The score first; the evidence is written only for a hit (most candidates are not).
    score = value
    one_word = len(mine.parts) == 1
    if one_word:
        score -= 0.1  # a single word is weak evidence of identity
    gap = None
    if subject.birth_years and listed.birth_years:
        gap = min(abs(a - b) for a in subject.birth_years for b in listed.birth_years)
        if gap == 0:
            score += 0.05
        elif gap > 2:
            score -= 0.25
    same_country = None
    if subject.countries and listed.countries:
        same_country = bool(subject.countries & listed.countries)
        if same_country:
            score += 0.03
    score = max(0.0, min(1.0, score))
    if score < HIT_THRESHOLD:
        return None
    evidence = [f"name {mine.text!r} ~ listed {theirs.text!r}: {value:.2f}"]
    if theirs.how or mine.how:
        evidence.append("name parts joined (Xiao Ming = Xiaoming)")
    if mine.text != theirs.text and (is_khmer(mine.text) != is_khmer(theirs.text)):
        evidence.append("compared across scripts (Khmer / Latin)")
    elif not mine.text.isascii() or not theirs.text.isascii():
        evidence.append("transliterated")
    evidence.extend(notes)
    if one_word:
        evidence.append("one-word name: weak")
    if gap == 0:
        evidence.append("same year of birth")
    elif gap is not None and gap > 2:
        evidence.append(f"years of birth {gap} years apart")
    if same_country is True:
        evidence.append("same nationality or country")
    elif same_country is False:
        evidence.append("different nationality or country")
    return Match(subject.ref, listed.ref, round(score, 3), mine.text, theirs.text, tuple(evidence))


class ListIndex:
    """A list's subjects indexed by blocking key, for screening many subjects against it."""

    def __init__(self, listed: Iterable[Subject]) -> None:
        self.subjects: list[Subject] = []
        self.postings: dict[tuple[str, str], list[int]] = {}
        for subject in listed:
            number = len(self.subjects)
            self.subjects.append(subject)
            for form in subject.forms:
                for key in blocking_keys(form):
                    self.postings.setdefault((subject.kind, key), []).append(number)

    def screen(self, subject: Subject) -> list[Match]:
        """The listed subjects the subject resembles, best first."""
        candidates: set[int] = set()
        for form in subject.forms:
            for key in blocking_keys(form):
                candidates.update(self.postings.get((subject.kind, key), ()))
        found = [compare(subject, self.subjects[number]) for number in candidates]
        return sorted((m for m in found if m is not None), key=lambda m: (-m.score, m.listed))


def screen_all(index: ListIndex, subjects: Iterable[Subject]) -> list[Match]:
    """Every match of every subject against the index."""
    return [match for subject in subjects for match in index.screen(subject)]
