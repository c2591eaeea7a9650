"""The persons of a generated case: one row per person, with identity documents."""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Sequence

from .. import synthetic_data as pools
from ..choices import (
    DocumentKind,
    ParticipantRole,
    Sex,
)
from ..crypto import blind_index, encrypt
from ..names import document_number_index, name_keys
from .drawing import Batch, Identity, PersonPool, Reference, Weighted

# Of the persons a case names, this share turns out to be someone recorded before; of those,
# NEAR_SHARE are referrals in the same province and half-year (when there is one to pick).
RECUR_SHARE = 0.08
NEAR_SHARE = 0.7
# Of recurring persons' records, this share has a slip in the given name.
TYPO_SHARE = 0.05
KHMER_FAMILY_DRAW = Weighted(enumerate(pools.KHMER_FAMILY_WEIGHTS))
FEMALE_GIVEN_DRAW = Weighted(enumerate(pools.KHMER_GIVEN_FEMALE_WEIGHTS))
MALE_GIVEN_DRAW = Weighted(enumerate(pools.KHMER_GIVEN_MALE_WEIGHTS))


def typo(rng: random.Random, word: str) -> str:
    """Two neighbouring letters swapped inside the word (not the first one)."""
    if len(word) < 4:
        return word
    i = 1 + int(rng.random() * (len(word) - 2))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


class PersonRows:
    """The person part of a batch builder: names, births, contacts and identity documents.

    BatchBuilder (cases.py) sets the attributes below; kept apart so that each file holds one
    kind of record."""

    ref: Reference
    until: int
    timestamp: str
    _iso: dict[int, str]
    _keys: dict[str, tuple[str, ...]]
    _json: dict[tuple[str, ...], str]

    # small helpers -------------------------------------------------------------------------

    def iso(self, ordinal: int) -> str:
        text = self._iso.get(ordinal)
        if text is None:
            text = self._iso[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
        return text

    def as_json(self, values: Sequence[str]) -> str:
        key = tuple(values)
        text = self._json.get(key)
        if text is None:
            text = self._json[key] = json.dumps(list(values))
        return text

    def keys_of(self, *names: str) -> str:
        """What name_keys(*names) gives, from each name's keys remembered: the same few hundred
        names recur all the time. (The tests check the two agree for every generated person.)"""
        found: set[str] = set()
        for name in names:
            if name:
                keys = self._keys.get(name)
                if keys is None:
                    keys = self._keys[name] = tuple(name_keys(name).split())
                found.update(keys)
        return f" {' '.join(sorted(found))} " if found else ""

    @staticmethod
    def enc(value: str) -> str:
        return encrypt(value) if value else ""

    def _next(self, next_ids: dict[str, int], key: str) -> int:
        value = next_ids[key]
        next_ids[key] = value + 1
        return value

    def _person(
        self,
        rng: random.Random,
        batch: Batch,
        pool: PersonPool,
        ids: dict[str, int],
        nationality: str,
        female: bool,
        age: int,
        age_on: int,
        recorded_on: int,
        owner: int,
        role: str,
        province: int,
        remember: bool = True,
    ) -> tuple[int, int]:
        """A person row (new, or the same person again): returns (person id, age at `age_on`)."""
        if remember and pool and rng.random() < RECUR_SHARE:
            earlier, near = pool.pick(rng, province, recorded_on, NEAR_SHARE)
            if earlier.role == role:
                age_then = max(0, datetime.date.fromordinal(age_on).year - earlier.birth_year)
                if rng.random() < 0.35:
                    batch.reused += 1  # the very same record, in a second case
                    return earlier.person_id, age_then
                batch.recurring += 1  # registered again by another agency, spelled differently
                twin = self._new_person(
                    rng, batch, pool, ids, earlier.nationality, earlier.female, age_then, age_on,
                    recorded_on, owner, role, province, remember=False, like=earlier, near=near,
                )  # fmt: skip
                batch.rows["twin"].append((self._next(ids, "twin"), twin, earlier.person_id))
                return twin, age_then
        return self._new_person(
            rng, batch, pool, ids, nationality, female, age, age_on, recorded_on, owner, role,
            province, remember=remember,
        ), age  # fmt: skip

    def _new_person(
        self,
        rng: random.Random,
        batch: Batch,
        pool: PersonPool,
        ids: dict[str, int],
        nationality: str,
        female: bool,
        age: int,
        age_on: int,
        recorded_on: int,
        owner: int,
        role: str,
        province: int,
        remember: bool,
        like: Identity | None = None,
        near: bool = False,
    ) -> int:
        """A new person row and their identity documents. The parts draw from `rng` in this
        order, which the seed's data depend on: keep it when changing any of them. A person
        recorded again (`like`) soon after and nearby (`near`: a referral) usually keeps what
        the referral form carries (date of birth or age, phone, ID card, village); one
        recorded years later keeps less."""
        person_id = self._next(ids, "person")
        khmer = nationality == "KHM"
        names, aliases, family, given = self._names(rng, nationality, female, role, like)
        dob, estimated_age, recorded, birth_year = self._birth(
            rng, khmer, age, age_on, recorded_on, like, near
        )
        adult = age >= 18
        phone, address = self._contact(rng, khmer, adult, province, like, near)
        dob_text = self.iso(dob) if dob is not None else None
        batch.rows["person"].append((
            person_id,
            self.enc(names[0]),
            self.enc(names[1]),
            self.enc(names[2]),
            self.enc(names[3]),
            encrypt(json.dumps(aliases, ensure_ascii=False)) if aliases else "",
            Sex.FEMALE if female else Sex.MALE,
            "Feminine" if female else "Masculine",
            encrypt(dob_text) if dob_text else None,
            estimated_age,
            self.iso(recorded) if recorded is not None else None,
            birth_year,
            self.as_json((nationality,)),
            self.as_json(pools.LANGUAGES.get(nationality, ["en"])),
            self.enc(phone),
            self.enc(address),
            self.keys_of(*names, *aliases),
            blind_index(dob_text, purpose="dob") if dob_text else "",
            owner,
            self.timestamp,
            self.timestamp,
        ))  # fmt: skip
        document = self._documents(
            rng, batch, ids, person_id, khmer, adult, nationality, like, near
        )
        if remember:
            pool.add(
                Identity(
                    person_id, nationality, female, family, given, dob, birth_year, role,
                    phone, address, document,
                ),
                province,
                recorded_on,
            )  # fmt: skip
        return person_id

    def _names(
        self,
        rng: random.Random,
        nationality: str,
        female: bool,
        role: str,
        like: Identity | None,
    ) -> tuple[list[str], list[str], int, int]:
        """Names (Khmer given, Khmer family, Latin given, Latin family) and aliases, with the
        pool positions of the family and given name; a recurring person (`like`) keeps those
        and is spelled anew."""
        aliases: list[str] = []
        if nationality == "KHM":
            given_pool = pools.KHMER_GIVEN_FEMALE_ALL if female else pools.KHMER_GIVEN_MALE_ALL
            family = like.family if like else KHMER_FAMILY_DRAW.draw(rng)
            given = (
                like.given if like else (FEMALE_GIVEN_DRAW if female else MALE_GIVEN_DRAW).draw(rng)
            )
            family_km, family_latin = pools.KHMER_FAMILY_ALL[family]
            given_km, given_latin = given_pool[given]
            # Officers write the first spelling most often; a recurring person is spelled anew.
            pick = (lambda options: rng.choice(options)) if like else (
                lambda options: options[0] if rng.random() < 0.6 else rng.choice(options)
            )  # fmt: skip
            names = [given_km, family_km, pick(given_latin), pick(family_latin)]
            if rng.random() < (0.4 if like else 0.25):
                names[0], names[1] = "", ""  # many reports carry the Latin spelling only
            if rng.random() < (0.3 if like else 0.06):
                names[2], names[3] = names[3], names[2]  # family name written as given name
            if like and rng.random() < TYPO_SHARE:
                names[2] = typo(rng, names[2])  # a slip of the pen
            if rng.random() < (0.3 if role == ParticipantRole.SUSPECT else 0.08):
                pool_aliases = (
                    pools.SUSPECT_ALIASES
                    if role == ParticipantRole.SUSPECT
                    else pools.KHMER_ALIASES
                )
                aliases.append(rng.choice(pool_aliases))
        else:
            families, females, males, family_first = pools.FOREIGN_NAMES[nationality]
            given_pool_f = females if female else males
            family = like.family if like else int(rng.random() * len(families))
            given = like.given if like else int(rng.random() * len(given_pool_f))
            names = ["", "", given_pool_f[given], families[family]]
            if family_first and rng.random() < 0.3:
                names[2], names[3] = names[3], names[2]
            if role == ParticipantRole.SUSPECT and rng.random() < 0.2:
                aliases.append(rng.choice(pools.SUSPECT_ALIASES))
        return names, aliases, family, given

    def _birth(
        self,
        rng: random.Random,
        khmer: bool,
        age: int,
        age_on: int,
        recorded_on: int,
        like: Identity | None,
        near: bool = False,
    ) -> tuple[int | None, int | None, int | None, int]:
        """(date of birth, estimated age, the day it was estimated, birth year): a date of
        birth known for about half; otherwise an age estimated when identified. A referral
        copies the date of birth or the age it carries; a later record may estimate anew."""
        dob: int | None = None
        estimated_age: int | None = None
        recorded: int | None = None
        if like is not None:
            if like.dob is not None and rng.random() < (0.85 if near else 0.6):
                dob = like.dob
            else:
                recorded = recorded_on
                error = 0 if near and rng.random() < 0.7 else rng.choice((-1, 0, 0, 1))
                estimated_age = max(
                    0, datetime.date.fromordinal(recorded_on).year - like.birth_year + error
                )
        elif rng.random() < (0.5 if khmer else 0.65):
            dob = age_on - int(age * 365.25) - int(rng.random() * 364)
        else:
            recorded = recorded_on
            estimated_age = age + (recorded_on - age_on) // 365
        if dob is not None:
            birth_year = datetime.date.fromordinal(dob).year
        else:
            assert recorded is not None and estimated_age is not None
            birth_year = datetime.date.fromordinal(recorded).year - estimated_age
        return dob, estimated_age, recorded, birth_year

    def _contact(
        self,
        rng: random.Random,
        khmer: bool,
        adult: bool,
        province: int,
        like: Identity | None = None,
        near: bool = False,
    ) -> tuple[str, str]:
        """A phone number for half the Khmer adults (and a family number for some minors),
        a home village for half the Khmer persons (the forms ask for the village of origin;
        about 500 villages a province); a person recorded again keeps their number (written
        either way) and, on a referral, their village, usually."""
        phone = address = ""
        if khmer:
            if rng.random() < (0.5 if adult else 0.15):
                phone = f"0{rng.choice((12, 15, 16, 17, 77, 78, 85, 92, 96, 97))} " \
                    f"{rng.randrange(100, 1000)} {rng.randrange(100, 1000)}"  # fmt: skip
            if rng.random() < 0.5:
                town = pools.PROVINCE_TOWNS[province][0]
                address = (
                    f"Village {rng.randrange(1, 500)}, {town}, {self.ref.province_names[province]}"
                )
        if like is not None:
            if like.phone and rng.random() < (0.75 if near else 0.4):
                phone = like.phone if rng.random() < 0.5 else f"+855 {like.phone[1:]}"
            if like.address and near and rng.random() < 0.8:
                address = like.address
        return phone, address

    def _documents(
        self,
        rng: random.Random,
        batch: Batch,
        ids: dict[str, int],
        person_id: int,
        khmer: bool,
        adult: bool,
        nationality: str,
        like: Identity | None = None,
        near: bool = False,
    ) -> tuple[str, str, str] | None:
        """Identity documents: a Khmer ID card for some adults, a passport for many foreigners;
        a person recorded again shows the same document often. Returns the document drawn."""
        document: tuple[str, str, str] | None = None
        if like is not None and like.document and rng.random() < (0.7 if near else 0.5):
            document = like.document
        elif khmer and adult and rng.random() < 0.2:
            document = (DocumentKind.NATIONAL_ID, f"{rng.randrange(10**8, 10**9)}", "KHM")
        elif not khmer and rng.random() < 0.55:
            number = f"{chr(65 + int(rng.random() * 26))}{rng.randrange(10**7, 10**8)}"
            document = (DocumentKind.PASSPORT, number, nationality)
        if document is not None:
            self._document(batch, ids, person_id, *document)
        return document

    def _document(
        self,
        batch: Batch,
        ids: dict[str, int],
        person_id: int,
        kind: str,
        number: str,
        country: str,
    ) -> None:
        batch.rows["document"].append((
            self._next(ids, "document"), person_id, kind, encrypt(number),
            document_number_index(number), self.ref.country_ids.get(country),
        ))  # fmt: skip
