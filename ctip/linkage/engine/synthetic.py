"""Seeded person records with known duplicates, for the linkage tests and benchmarks.

Persons are drawn from the demo generator's name pools (ctip/registry/synthetic_data.py);
a share of them is recorded again by another agency or in another province years later,
written the way officers write: another romanisation, Khmer script only, family and given
name swapped, an age estimated instead of a date of birth, day and month swapped, a phone
written another way, a slip of the pen. The ground truth is the person number of each record.
"""

import dataclasses
import datetime
import itertools
import random
from typing import Any

from ctip.linkage.engine.records import document_key
from ctip.registry import synthetic_data as pools

SOURCES = ("police", "mosavy", "ngo")
PROVINCES = (
    "Phnom Penh", "Banteay Meanchey", "Battambang", "Kampong Cham", "Kampot", "Kandal",
    "Koh Kong", "Preah Sihanouk", "Siem Reap", "Svay Rieng", "Prey Veng", "Takeo",
)  # fmt: skip
# Names drawn with the demo generator's frequencies (a few common, most rare).
_FAMILY = list(itertools.accumulate(pools.KHMER_FAMILY_WEIGHTS))
_FEMALE = list(itertools.accumulate(pools.KHMER_GIVEN_FEMALE_WEIGHTS))
_MALE = list(itertools.accumulate(pools.KHMER_GIVEN_MALE_WEIGHTS))
NATIONALITY_SHARE = (("KHM", 0.85), ("VNM", 0.06), ("CHN", 0.05), ("THA", 0.04))


@dataclasses.dataclass(frozen=True)
class Person:
    """One human being, as the truth knows them."""

    number: int
    nationality: str
    female: bool
    family: tuple[str, tuple[str, ...]]
    given: tuple[str, tuple[str, ...]]
    dob: datetime.date
    province: str
    village: str
    phone: str
    document: str


def _nationality(rng: random.Random) -> str:
    draw = rng.random()
    for code, share in NATIONALITY_SHARE:
        draw -= share
        if draw < 0:
            return code
    return "KHM"


def _person(rng: random.Random, number: int) -> Person:
    nationality = _nationality(rng)
    female = rng.random() < 0.6
    if nationality == "KHM" or nationality not in pools.FOREIGN_NAMES:
        nationality = "KHM" if nationality not in pools.FOREIGN_NAMES else nationality
    if nationality == "KHM":
        family = rng.choices(pools.KHMER_FAMILY_ALL, cum_weights=_FAMILY)[0]
        given = (
            rng.choices(pools.KHMER_GIVEN_FEMALE_ALL, cum_weights=_FEMALE)[0]
            if female
            else rng.choices(pools.KHMER_GIVEN_MALE_ALL, cum_weights=_MALE)[0]
        )
    else:
        families, females, males, _order = pools.FOREIGN_NAMES[nationality]
        family = ("", (rng.choice(families),))
        given = ("", (rng.choice(females if female else males),))
    dob = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 48))
    phone = f"0{rng.choice((12, 15, 16, 17, 77, 78, 85, 92, 96, 97))}{rng.randrange(10**5, 10**6)}"
    return Person(
        number, nationality, female, family, given, dob, rng.choice(PROVINCES),
        f"Village {rng.randrange(1, 40)}", phone if rng.random() < 0.35 else "",
        f"{rng.randrange(10**8, 10**9)}" if rng.random() < 0.25 else "",
    )  # fmt: skip


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _phone_variant(rng: random.Random, phone: str) -> str:
    if not phone or rng.random() < 0.5:
        return phone
    return f"+855 {phone[1:3]} {phone[3:6]} {phone[6:]}"


def record(
    rng: random.Random, person: Person, record_id: str, source: str, *, again: bool
) -> dict[str, Any]:
    """One record of `person`; `again` draws the variations of a later, independent record."""
    family_km, family_latin = person.family
    given_km, given_latin = person.given
    pick = (
        (lambda o: rng.choice(o))
        if again
        else (lambda o: o[0] if rng.random() < 0.6 else rng.choice(o))
    )
    family, given = pick(family_latin), pick(given_latin)
    name_km = f"{family_km} {given_km}" if family_km and rng.random() < 0.5 else ""
    if family_km and again and rng.random() < 0.15:
        family = given = ""  # Khmer script only
        name_km = f"{family_km} {given_km}"
    if again and rng.random() < 0.2:
        family, given = given, family
    if again and rng.random() < 0.05:
        given = _typo(rng, given)
    estimated = rng.random() < (0.45 if again else 0.35)
    dob: datetime.date | None = person.dob
    year: int | None = person.dob.year
    if estimated:
        dob, year = None, person.dob.year + (rng.choice((-1, 0, 0, 1)) if again else 0)
    elif again and person.dob.day <= 12 and rng.random() < 0.05:
        dob = datetime.date(person.dob.year, person.dob.day, person.dob.month)
    if rng.random() < 0.04:
        dob, year = None, None
    moved = again and rng.random() < 0.3
    return {
        "record_id": record_id,
        "source": source,
        "family_name": family,
        "given_name": given,
        "name_km": name_km,
        "sex": "F" if person.female else "M",
        "birth_date": dob,
        "birth_year": year,
        "birth_estimated": estimated,
        "nationality": person.nationality if rng.random() < 0.95 else "",
        "province": rng.choice(PROVINCES) if moved else person.province,
        "village": "" if moved or rng.random() < 0.5 else person.village,
        "phone": _phone_variant(rng, person.phone) if rng.random() < 0.8 else "",
        "document_index": document_key(person.document) if rng.random() < 0.7 else "",
    }


def records(
    persons: int, *, seed: int = 1, duplicate_share: float = 0.25
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Records of `persons` people, about `duplicate_share` of them recorded 2-3 times, and
    the truth: record id -> person number."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    truth: dict[str, int] = {}
    for number in range(persons):
        person = _person(rng, number)
        copies = 1
        if rng.random() < duplicate_share:
            copies = 3 if rng.random() < 0.3 else 2
        sources = rng.sample(SOURCES, copies)
        for copy, source in enumerate(sources):
            record_id = f"r{len(rows)}"
            rows.append(record(rng, person, record_id, source, again=copy > 0))
            truth[record_id] = number
    rng.shuffle(rows)
    return rows, truth


def true_pairs(truth: dict[str, int]) -> set[tuple[str, str]]:
    by_person: dict[int, list[str]] = {}
    for record_id, number in truth.items():
        by_person.setdefault(number, []).append(record_id)
    pairs = set()
    for ids in by_person.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((min(a, b), max(a, b)))
    return pairs
