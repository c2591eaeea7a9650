"""The seeded synthetic data generator behind `ctip demo-data`: realistic cases, written in bulk.

Every value is invented. The same seed, number of cases, batch size and end date give the same
data. Rows are built as plain tuples and written with the database's bulk path (COPY on
PostgreSQL, executemany on SQLite) inside one transaction, with ids assigned here in blocks,
so a million cases take minutes rather than hours. Identity fields are encrypted with the same
functions the model fields use, and the search keys are those the services compute, so that
generated persons are found, decrypted and displayed exactly like registered ones. See
docs/decisions/0120-synthetic-data-generator.md for why this bypasses the per-row services.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime
import itertools
import json
import multiprocessing
import os
import random
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.reference.models import Country, Province

from . import synthetic_data as pools
from . import synthetic_worker
from .choices import (
    CaseSource,
    CaseStatus,
    DocumentKind,
    EventKind,
    ParticipantRole,
    ProceedingStage,
    Sex,
    Verdict,
)
from .crypto import blind_index, encrypt
from .models import (
    Arrest,
    Case,
    CaseShare,
    Event,
    IdentityDocument,
    Participant,
    Person,
    Proceeding,
    VictimProfile,
)
from .names import name_keys
from .services import case_reference, document_number_index
from .signals import cases_written

YEARS = 8
DEFAULT_BATCH_SIZE = 10_000
MAX_VICTIMS = 30
MAX_SUSPECTS = 8
# From this many cases on, PostgreSQL loads rows first and checks keys and builds indexes after.
BULK_LOAD_CASES = 50_000


# --- tables and their columns --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Table:
    """A table the generator fills, with the model fields of each row tuple, in order."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        return [
            str(getattr(self.model._meta.get_field(name), "column", name)) for name in self.fields
        ]


EventPersons = Event.persons.through
TABLES: tuple[Table, ...] = (
    Table(
        "case",
        Case,
        (
            "id",
            "reference",
            "kind",
            "status",
            "source",
            "owning_agency",
            "province",
            "opened_on",
            "closed_on",
            "closure_reason",
            "summary",
            "created_at",
            "updated_at",
        ),
    ),
    Table("share", CaseShare, ("id", "case", "agency", "reason", "created_at")),
    Table(
        "person",
        Person,
        (
            "id",
            "given_name_km",
            "family_name_km",
            "given_name_latin",
            "family_name_latin",
            "aliases",
            "sex",
            "gender",
            "date_of_birth",
            "estimated_age",
            "age_recorded_on",
            "birth_year",
            "citizenships",
            "languages",
            "phone",
            "address",
            "name_keys",
            "dob_index",
            "registered_by",
            "created_at",
            "updated_at",
        ),
    ),
    Table(
        "document",
        IdentityDocument,
        ("id", "person", "kind", "number", "number_index", "issuing_country"),
    ),
    Table("participant", Participant, ("id", "case", "person", "role", "notes")),
    Table(
        "victim",
        VictimProfile,
        (
            "id",
            "participant",
            "trafficking_status",
            "status_decided_by",
            "status_decided_on",
            "identified_on",
            "age_when_trafficked",
            "relationship_to_trafficker",
            "recruitment_methods",
            "recruitment_platforms",
            "means_of_control",
            "exploitation_types",
            "labour_industries",
            "sex_exploitation_types",
            "consent_to_share",
            "consent_recorded_on",
            "testimony",
        ),
    ),
    Table(
        "event",
        Event,
        (
            "id",
            "case",
            "kind",
            "occurred_on",
            "country",
            "province",
            "district",
            "place",
            "latitude",
            "longitude",
            "description",
        ),
    ),
    Table("event_person", EventPersons, ("id", "event", "person")),
    Table(
        "arrest",
        Arrest,
        ("id", "case", "person", "arrested_on", "agency", "province", "place", "charges"),
    ),
    Table(
        "proceeding",
        Proceeding,
        (
            "id",
            "case",
            "defendant",
            "court",
            "charges",
            "filed_on",
            "stage",
            "verdict",
            "verdict_on",
            "sentence_months",
            "fine_riel",
        ),
    ),
)
TABLE_BY_KEY = {table.key: table for table in TABLES}


# --- drawing -------------------------------------------------------------------------------


class Weighted:
    """Draw items with given weights from one uniform number (cheaper than random.choices)."""

    def __init__(self, weights: Mapping[Any, float] | Iterable[tuple[Any, float]]) -> None:
        pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
        self.items = [item for item, _weight in pairs]
        total, self.cumulative = 0.0, []
        for _item, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _geometric(rng: random.Random, mean: float, most: int) -> int:
    """0, 1, 2 ... up to `most`, with about the given mean: extra victims or suspects."""
    if mean <= 0:
        return 0
    p, n = mean / (1 + mean), 0
    while rng.random() < p and n < most:
        n += 1
    return n


# --- reference data the generator needs ---------------------------------------------------


@dataclasses.dataclass
class Reference:
    """Ids of the loaded provinces, countries and agencies, keyed the way the generator thinks."""

    province_ids: dict[int, int]
    province_names: dict[int, str]
    province_population: dict[int, int]
    country_ids: dict[str, int]
    agency_ids: dict[str, int]

    @classmethod
    def load(cls) -> Reference:
        provinces = list(Province.objects.values_list("code", "id", "name_en", "population_2019"))
        agencies = dict(Agency.objects.filter(is_active=True).values_list("code", "id"))
        missing = [
            code
            for code in ("AHTJP", "NCCT", "PAHT-12", "PCCT-12", "DOSVY-12", "COURT-12")
            if code not in agencies
        ]
        if len(provinces) < 25 or missing:
            raise ValidationError(
                {
                    "reference": _(
                        "Reference data and agencies are not loaded; run `ctip load-reference` "
                        "first."
                    )
                }
            )
        number = {code: int(code.split("-")[1]) for code, *_rest in provinces}
        return cls(
            province_ids={number[code]: pk for code, pk, _n, _p in provinces},
            province_names={number[code]: name for code, _pk, name, _p in provinces},
            province_population={number[code]: pop or 100_000 for code, _pk, _n, pop in provinces},
            country_ids=dict(Country.objects.values_list("alpha3", "id")),
            agency_ids=agencies,
        )


# --- one batch of cases --------------------------------------------------------------------


@dataclasses.dataclass
class Identity:
    """What the generator remembers of a person so that the same person can turn up again."""

    person_id: int
    nationality: str
    female: bool
    family: int
    given: int
    dob: int | None  # ordinal
    birth_year: int
    role: str


@dataclasses.dataclass
class Batch:
    """Rows of one batch, per table key, and how many persons recur with small differences."""

    rows: dict[str, list[tuple[Any, ...]]] = dataclasses.field(
        default_factory=lambda: {table.key: [] for table in TABLES}
    )
    recurring: int = 0
    reused: int = 0
    # Filled by worker processes for PostgreSQL: COPY text and row counts instead of rows.
    text: dict[str, bytes] = dataclasses.field(default_factory=dict)
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


class BatchBuilder:
    """Builds the rows of a batch of cases from a seed; knows nothing about the database."""

    def __init__(self, ref: Reference, *, seed: int, until: datetime.date, timestamp: str) -> None:
        self.ref, self.seed, self.timestamp = ref, seed, timestamp
        self.until = until.toordinal()
        first_year = until.year - YEARS + 1
        self.year_bounds = [
            (datetime.date(year, 1, 1).toordinal(), datetime.date(year, 12, 31).toordinal())
            for year in range(first_year, until.year + 1)
        ]
        self.kinds = Weighted(pools.CASE_KIND_WEIGHTS)
        self.year_pick = {
            kind: Weighted(
                enumerate(pools.YEAR_TREND.get(kind, pools.YEAR_TREND["default"])[-YEARS:])
            )
            for kind in pools.CASE_KIND_WEIGHTS
        }
        population = {
            num: pop * pools.HOTSPOTS.get(num, 1.0) for num, pop in ref.province_population.items()
        }
        general = Weighted(population)
        self.province_pick: dict[str, Weighted] = {
            "forced_criminality": Weighted(
                {
                    **{n: p * 0.002 for n, p in ref.province_population.items()},
                    **pools.SCAM_PROVINCES,
                }
            ),
            "forced_marriage": Weighted(pools.MARRIAGE_PROVINCES),
        }
        self.general_provinces = general
        self.industries = Weighted(
            ((industry, weight) for industry, weight, _provinces in pools.LABOUR_INDUSTRIES)
        )
        self.industry_provinces = {
            industry: Weighted(provinces) for industry, _w, provinces in pools.LABOUR_INDUSTRIES
        }
        self.scam_victims = Weighted(pools.SCAM_VICTIM_NATIONALITIES)
        self.scam_suspects = Weighted(pools.SCAM_SUSPECT_NATIONALITIES)
        self.other_suspects = Weighted(pools.OTHER_FOREIGN_SUSPECTS)
        self.abroad = {kind: Weighted(w) for kind, w in pools.ABROAD.items()}
        self.sources = Weighted(
            {
                CaseSource.OPERATION: 34,
                CaseSource.HOTLINE: 15,
                CaseSource.TIP: 14,
                CaseSource.NGO: 15,
                CaseSource.FOREIGN_REFERRAL: 9,
                CaseSource.MEDIA: 6,
                CaseSource.OTHER: 7,
            }
        )
        self._iso: dict[int, str] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self._json: dict[tuple[str, ...], str] = {}

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

    # the batch -----------------------------------------------------------------------------

    def build(self, index: int, count: int, next_ids: dict[str, int]) -> Batch:
        """Rows for `count` cases; `next_ids` gives the next free id per table and advances."""
        rng = random.Random(f"ctip-demo:{self.seed}:{index}")
        batch = Batch()
        pool: list[Identity] = []
        for _number in range(count):
            self._case(rng, batch, pool, next_ids)
        return batch

    def _next(self, next_ids: dict[str, int], key: str) -> int:
        value = next_ids[key]
        next_ids[key] = value + 1
        return value

    def _case(
        self, rng: random.Random, batch: Batch, pool: list[Identity], ids: dict[str, int]
    ) -> None:
        rows = batch.rows
        kind = self.kinds.draw(rng)
        industry = ""
        if kind == "forced_labour":
            industry = self.industries.draw(rng)
            province = self.industry_provinces[industry].draw(rng)
        elif kind in self.province_pick:
            province = self.province_pick[kind].draw(rng)
        else:
            province = self.general_provinces.draw(rng)
        year_lo, year_hi = self.year_bounds[self.year_pick[kind].draw(rng)]
        opened = min(year_lo + int(rng.random() * (year_hi - year_lo + 1)), self.until)
        case_id = self._next(ids, "case")
        owner = self._owner(rng, kind, province)
        source = self.sources.draw(rng)
        if kind == "forced_criminality" and rng.random() < 0.3:
            source = CaseSource.FOREIGN_REFERRAL

        # The story: recruited, moved, exploited for a while, then the case opens and a rescue
        # follows within days. Nothing is later than `until`.
        until = self.until
        exploitation = opened - 7 - int(rng.expovariate(1 / 90))
        transit = exploitation - int(rng.random() * 4)
        recruitment = transit - int(rng.expovariate(1 / 25))
        rescued = rng.random() < (
            0.9 if kind in ("forced_criminality", "sexual_exploitation") else 0.75
        )
        rescue = min(opened + int(rng.expovariate(1 / 8)), until) if rescued else None
        abroad = ""
        if kind in self.abroad and rng.random() < (0.12 if kind == "forced_criminality" else 0.3):
            abroad = self.abroad[kind].draw(rng)
        if kind == "forced_marriage":
            abroad = "CHN"

        # Status: older cases are more often closed; a closure follows the opening.
        closed_on, status, reason = None, CaseStatus.ACTIVE, ""
        age_days = until - opened
        if age_days > 60 and rng.random() < min(0.85, age_days / 900):
            closed_on = min(opened + 30 + int(rng.expovariate(1 / 200)), until)
            referred = rng.random() < 0.2
            status = CaseStatus.CLOSED_REFERRED if referred else CaseStatus.CLOSED
            reason = (
                "Referred to another agency for follow-up."
                if referred
                else rng.choice(
                    (
                        "Suspects convicted; victims reintegrated.",
                        "Victims repatriated and reintegrated.",
                        "Investigation completed; case sent to court.",
                        "Insufficient evidence to proceed.",
                        "Victims returned to their families.",
                    )
                )
            )
        elif age_days > 365 and rng.random() < 0.5:
            status = CaseStatus.FOLLOW_UP

        # Who takes part.
        n_victims = 1 + _geometric(rng, pools.EXTRA_VICTIMS[kind], MAX_VICTIMS - 1)
        n_suspects = 0 if rng.random() < 0.12 else 1 + _geometric(rng, 0.3, MAX_SUSPECTS - 1)
        persons_in_case: set[tuple[int, str]] = set()
        participant_ids: dict[int, int] = {}
        victims: list[tuple[int, int, bool, str]] = []  # person id, age, minor, nationality
        minor_share = pools.MINOR_SHARE[kind]
        female_share = pools.FEMALE_SHARE[kind]
        identified = rescue or opened
        for _number in range(n_victims):
            if kind == "forced_criminality" and not abroad:
                nationality = self.scam_victims.draw(rng)
            else:
                nationality = "KHM"
            minor = rng.random() < minor_share
            age = (12 + int(rng.random() * 6)) if minor else 18 + int(rng.expovariate(1 / 7))
            age = min(age, 70)
            female = rng.random() < female_share
            person_id, age = self._person(
                rng, batch, pool, ids, nationality, female, age, recruitment, identified,
                owner, ParticipantRole.VICTIM, province,
            )  # fmt: skip
            if (person_id, ParticipantRole.VICTIM) in persons_in_case:
                continue
            persons_in_case.add((person_id, ParticipantRole.VICTIM))
            victims.append((person_id, age, age < 18, nationality))
        suspects: list[tuple[int, str]] = []
        for _number in range(n_suspects):
            foreign = rng.random() < (0.45 if kind == "forced_criminality" else 0.05)
            if foreign:
                nationality = (
                    self.scam_suspects if kind == "forced_criminality" else self.other_suspects
                ).draw(rng)
            else:
                nationality = "KHM"
            female = rng.random() < (
                0.25 if kind in ("sexual_exploitation", "forced_marriage") else 0.12
            )
            age = 20 + int(rng.expovariate(1 / 14))
            person_id, _age = self._person(
                rng, batch, pool, ids, nationality, female, min(age, 75), opened, opened,
                owner, ParticipantRole.SUSPECT, province,
            )  # fmt: skip
            if (person_id, ParticipantRole.SUSPECT) in persons_in_case:
                continue
            persons_in_case.add((person_id, ParticipantRole.SUSPECT))
            suspects.append((person_id, nationality))
        others: list[tuple[str, str]] = []
        if any(minor for _p, _a, minor, _n in victims) and rng.random() < 0.5:
            others.append((ParticipantRole.GUARDIAN, "KHM"))
        if rng.random() < 0.12:
            others.append((ParticipantRole.WITNESS, "KHM"))
        if source in (CaseSource.TIP, CaseSource.HOTLINE) and rng.random() < 0.25:
            others.append((ParticipantRole.REPORTER, "KHM"))
        if any(nat != "KHM" for _p, _a, _m, nat in victims) and rng.random() < 0.3:
            others.append((ParticipantRole.INTERPRETER, "KHM"))
        other_ids: list[tuple[int, str]] = []
        for role, nationality in others:
            person_id, _age = self._person(
                rng, batch, pool, ids, nationality, rng.random() < 0.6,
                25 + int(rng.random() * 35), opened, opened, owner, role, province,
                remember=False,
            )  # fmt: skip
            other_ids.append((person_id, role))

        # Participants and victim profiles.
        for person_id, _age, _minor, _nat in victims:
            participant_ids[person_id] = pid = self._next(ids, "participant")
            rows["participant"].append((pid, case_id, person_id, ParticipantRole.VICTIM, ""))
        for person_id, _nat in suspects:
            pid = self._next(ids, "participant")
            rows["participant"].append((pid, case_id, person_id, ParticipantRole.SUSPECT, ""))
        for person_id, role in other_ids:
            pid = self._next(ids, "participant")
            rows["participant"].append((pid, case_id, person_id, role, ""))
        for person_id, age, minor, _nat in victims:
            self._victim_profile(
                rng, rows, ids, participant_ids[person_id], kind, industry, age, minor,
                identified,
            )  # fmt: skip

        # Events on the timeline: recruited at home, moved across a border when the story
        # crosses one, exploited, rescued.
        victim_ids = [v[0] for v in victims]
        home_country = victims[0][3] if victims else "KHM"
        home_province = province if home_country == "KHM" else None
        self._event(rng, rows, ids, case_id, EventKind.RECRUITMENT, recruitment, home_country,
                    home_province, "", victim_ids[:1])  # fmt: skip
        border = abroad if abroad else home_country if home_country != "KHM" else ""
        if border:
            crossing = {"THA": 1, "VNM": 20, "LAO": 19}.get(border, 12)
            self._event(rng, rows, ids, case_id, EventKind.TRANSIT, transit, "KHM", crossing,
                        pools.BORDER_CROSSINGS.get(crossing, ""), ())  # fmt: skip
        place = rng.choice(pools.PLACES[kind])
        if industry == "A_AgricultureForestryAndFishing" and rng.random() < 0.5:
            place = "fishing boat"
        self._event(rng, rows, ids, case_id, EventKind.EXPLOITATION, exploitation,
                    abroad or "KHM", None if abroad else province, place, ())  # fmt: skip
        if rescue is not None:
            self._event(rng, rows, ids, case_id, EventKind.RESCUE, rescue, abroad or "KHM",
                        None if abroad else province, place, victim_ids)  # fmt: skip

        # Arrests (police units of the province, the national department, the gendarmerie) and
        # the court proceedings that follow some of them.
        charges = self._charges(rng, kind, any(v[2] for v in victims))
        arrest_day = (rescue if rescue is not None else opened) + int(rng.expovariate(1 / 6))
        if arrest_day <= until and suspects:
            arrested = [s for s in suspects if rng.random() < 0.8]
            if arrested:
                agency = self._arresting_agency(rng, kind, province)
                self._event(rng, rows, ids, case_id, EventKind.ARREST, arrest_day, "KHM",
                            province, "", [s[0] for s in arrested])  # fmt: skip
                for person_id, _nat in arrested:
                    rows["arrest"].append((
                        self._next(ids, "arrest"), case_id, person_id, self.iso(arrest_day),
                        agency, self.ref.province_ids[province],
                        pools.PROVINCE_TOWNS[province][0], self.as_json(charges),
                    ))  # fmt: skip
                    if rng.random() < 0.75:
                        self._proceeding(rng, rows, ids, case_id, person_id, province,
                                         arrest_day, charges)  # fmt: skip
        if rescue is not None and rng.random() < 0.6:
            referral = min(rescue + int(rng.random() * 10), until)
            self._event(rng, rows, ids, case_id, EventKind.REFERRAL, referral, "KHM",
                        province, "", ())  # fmt: skip

        # Agencies the case is shared with: social affairs for victim care, an NGO, the
        # national department, the foreign partner of foreign victims.
        shares: set[int] = set()
        if rng.random() < 0.35:
            candidates = [f"DOSVY-{province}", rng.choice(pools.NGO_CODES), "AHTJP", "NCCT"]
            for code in candidates[: 1 + int(rng.random() * 2)]:
                shares.add(self.ref.agency_ids.get(code, 0))
        foreign_victims = {v[3] for v in victims} - {"KHM"}
        for nationality in sorted(foreign_victims):  # sorted: set order varies between processes
            partner = self.ref.agency_ids.get(f"FP-{nationality}")
            if partner and rng.random() < 0.5:
                shares.add(partner)
        shares.discard(0)
        shares.discard(owner)
        for agency_id in sorted(shares):
            rows["share"].append(
                (self._next(ids, "share"), case_id, agency_id, "shared", self.timestamp)
            )

        summary = ""
        if rng.random() < 0.2:
            summary = self._summary(kind, len(victims), len(suspects), province, place)
        rows["case"].append((
            case_id, case_reference(case_id, datetime.date.fromordinal(opened)), kind, status,
            source, owner, self.ref.province_ids[province], self.iso(opened),
            self.iso(closed_on) if closed_on else None, reason, self.enc(summary),
            self.timestamp, self.timestamp,
        ))  # fmt: skip

    # parts of a case ----------------------------------------------------------------------

    def _owner(self, rng: random.Random, kind: str, province: int) -> int:
        agencies = self.ref.agency_ids
        draw = rng.random()
        if kind == "forced_criminality":
            code = (
                f"PAHT-{province}" if draw < 0.4 else "AHTJP" if draw < 0.65
                else "ACYB" if draw < 0.8 else "GDI" if draw < 0.9 else f"PCCT-{province}"
            )  # fmt: skip
        elif draw < 0.5:
            code = f"PAHT-{province}"
        elif draw < 0.62:
            code = "AHTJP"
        elif draw < 0.67:
            code = "GEN-AHT"
        elif draw < 0.8:
            code = f"PCCT-{province}"
        elif draw < 0.86:
            code = f"DOSVY-{province}"
        else:
            code = rng.choice(pools.NGO_CODES)
        return agencies.get(code) or agencies["AHTJP"]

    def _arresting_agency(self, rng: random.Random, kind: str, province: int) -> int:
        draw = rng.random()
        code = (
            f"PAHT-{province}" if draw < 0.6 else "AHTJP" if draw < 0.8
            else "ACYB" if kind == "forced_criminality" else "GEN-AHT"
        )  # fmt: skip
        return self.ref.agency_ids.get(code) or self.ref.agency_ids["AHTJP"]

    @staticmethod
    def _charges(rng: random.Random, kind: str, minors: bool) -> list[str]:
        if kind == "sexual_exploitation":
            charges = [rng.choice(("LSHTSE-23", "LSHTSE-28", "LSHTSE-23"))]
            if minors:
                charges.append(rng.choice(("LSHTSE-34", "LSHTSE-35", "LSHTSE-41")))
        elif kind == "forced_criminality":
            charges = [rng.choice(("LSHTSE-12", "LSHTSE-15", "LSHTSE-19"))]
            if rng.random() < 0.4:
                charges.append("PENAL-OTHER")
        elif kind == "forced_marriage":
            charges = [rng.choice(("LSHTSE-12", "LSHTSE-15", "LSHTSE-17"))]
        elif kind == "forced_labour":
            charges = [rng.choice(("LSHTSE-10", "LSHTSE-12", "LSHTSE-19"))]
        else:
            charges = [
                rng.choice(("LSHTSE-10", "LSHTSE-12", "LSHTSE-15", "LSHTSE-17", "LSHTSE-19"))
            ]
        return sorted(set(charges))

    def _person(
        self,
        rng: random.Random,
        batch: Batch,
        pool: list[Identity],
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
        if remember and pool and rng.random() < 0.08:
            earlier = pool[int(rng.random() * len(pool))]
            if earlier.role == role:
                age_then = max(0, datetime.date.fromordinal(age_on).year - earlier.birth_year)
                if rng.random() < 0.35:
                    batch.reused += 1  # the very same record, in a second case
                    return earlier.person_id, age_then
                batch.recurring += 1  # registered again by another agency, spelled differently
                return self._new_person(
                    rng, batch, pool, ids, earlier.nationality, earlier.female, age_then, age_on,
                    recorded_on, owner, role, province, remember=False, like=earlier,
                ), age_then  # fmt: skip
        return self._new_person(
            rng, batch, pool, ids, nationality, female, age, age_on, recorded_on, owner, role,
            province, remember=remember,
        ), age  # fmt: skip

    def _new_person(
        self,
        rng: random.Random,
        batch: Batch,
        pool: list[Identity],
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
    ) -> int:
        person_id = self._next(ids, "person")
        khmer = nationality == "KHM"
        aliases: list[str] = []
        if khmer:
            given_pool = pools.KHMER_GIVEN_FEMALE if female else pools.KHMER_GIVEN_MALE
            family = like.family if like else int(rng.random() * len(pools.KHMER_FAMILY))
            given = like.given if like else int(rng.random() * len(given_pool))
            family_km, family_latin = pools.KHMER_FAMILY[family]
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
        # Date of birth known for about half; otherwise an age estimated when identified.
        dob: int | None = None
        estimated_age: int | None = None
        recorded: int | None = None
        if like is not None:
            if like.dob is not None and rng.random() < 0.6:
                dob = like.dob
            else:
                recorded = recorded_on
                estimated_age = max(
                    0,
                    datetime.date.fromordinal(recorded_on).year - like.birth_year
                    + rng.choice((-1, 0, 0, 1)),
                )  # fmt: skip
        elif rng.random() < (0.5 if khmer else 0.65):
            dob = age_on - int(age * 365.25) - int(rng.random() * 364)
        else:
            recorded = recorded_on
            estimated_age = age + (recorded_on - age_on) // 365
        dob_text = self.iso(dob) if dob is not None else None
        if dob is not None:
            birth_year = datetime.date.fromordinal(dob).year
        else:
            assert recorded is not None and estimated_age is not None
            birth_year = datetime.date.fromordinal(recorded).year - estimated_age
        phone = address = ""
        adult = age >= 18
        if khmer:
            if adult and rng.random() < 0.2:
                phone = f"0{rng.choice((12, 15, 16, 17, 77, 78, 85, 92, 96, 97))} " \
                    f"{rng.randrange(100, 1000)} {rng.randrange(100, 1000)}"  # fmt: skip
            if rng.random() < 0.25:
                town = pools.PROVINCE_TOWNS[province][0]
                address = (
                    f"Village {rng.randrange(1, 15)}, {town}, {self.ref.province_names[province]}"
                )
        sex = Sex.FEMALE if female else Sex.MALE
        row = (
            person_id,
            self.enc(names[0]),
            self.enc(names[1]),
            self.enc(names[2]),
            self.enc(names[3]),
            encrypt(json.dumps(aliases, ensure_ascii=False)) if aliases else "",
            sex,
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
        )
        batch.rows["person"].append(row)
        # Identity documents: a Khmer ID card for some adults, a passport for many foreigners.
        if khmer and adult and rng.random() < 0.2:
            number = f"{rng.randrange(10**8, 10**9)}"
            self._document(batch, ids, person_id, DocumentKind.NATIONAL_ID, number, "KHM")
        elif not khmer and rng.random() < 0.55:
            number = f"{chr(65 + int(rng.random() * 26))}{rng.randrange(10**7, 10**8)}"
            self._document(batch, ids, person_id, DocumentKind.PASSPORT, number, nationality)
        if remember:
            pool.append(
                Identity(person_id, nationality, female, family, given, dob, birth_year, role)
            )
        return person_id

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

    def _victim_profile(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        participant_id: int,
        kind: str,
        industry: str,
        age: int,
        minor: bool,
        identified: int,
    ) -> None:
        draw = rng.random()
        status = (
            "ActualVictimOfTrafficking" if draw < 0.7
            else "PossibleVictimOfTrafficking" if draw < 0.95 else "NotAVictimOfTrafficking"
        )  # fmt: skip
        decided_by = rng.choice(
            ("Police", "Police", "Police", "NGO", "CourtOrProsecution",
             "NonPoliceGovernmentalOrganization")
        )  # fmt: skip
        relationship = rng.choice(pools.RELATIONSHIPS.get(kind, pools.RELATIONSHIPS["default"]))
        methods = pools.RECRUITMENT_METHODS.get(kind, pools.RECRUITMENT_METHODS["default"])
        recruitment_methods = [rng.choice(methods)]
        platforms: list[str] = []
        if "Online" in recruitment_methods[0]:
            platforms = [rng.choice(pools.PLATFORMS)]
        controls = pools.MEANS_OF_CONTROL.get(kind, pools.MEANS_OF_CONTROL["default"])
        first = int(rng.random() * len(controls))
        means = sorted({controls[first], controls[(first + int(rng.random() * 3)) % len(controls)]})
        exploitation = pools.EXPLOITATION_TYPES.get(kind) or [
            rng.choice(("ForcedLabour", "SexualExploitation", "Servitude"))
        ]
        if minor and kind == "forced_labour":
            exploitation = ["ChildLabour", "ForcedLabour"]
        industries: list[str] = []
        if kind == "forced_criminality":
            industries = ["J_InformationAndCommunication"]
        elif industry:
            industries = [industry]
        sex_types: list[str] = []
        if kind == "sexual_exploitation":
            sex_types = [rng.choice(("Prostitution", "Prostitution", "PrivateSexualServices",
                                     "Pornography", "RemoteInteractiveServices"))]  # fmt: skip
        consent = rng.random() < 0.4
        rows["victim"].append((
            self._next(ids, "victim"), participant_id, status, decided_by,
            self.iso(identified), self.iso(identified), age, relationship,
            self.as_json(recruitment_methods), self.as_json(platforms), self.as_json(means),
            self.as_json(exploitation), self.as_json(industries), self.as_json(sex_types),
            consent, self.iso(identified) if consent else None, "",
        ))  # fmt: skip

    def _event(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        case_id: int,
        kind: str,
        day: int,
        country: str,
        province: int | None,
        place: str,
        persons: Sequence[int],
    ) -> None:
        event_id = self._next(ids, "event")
        latitude = longitude = None
        if province is not None:
            _town, lat, lon = pools.PROVINCE_TOWNS[province]
            latitude = f"{lat + (rng.random() - 0.5) * 0.2:.5f}"
            longitude = f"{lon + (rng.random() - 0.5) * 0.2:.5f}"
        rows["event"].append((
            event_id, case_id, kind, self.iso(min(day, self.until)),
            self.ref.country_ids.get(country),
            self.ref.province_ids[province] if province is not None else None, "",
            place or (pools.PROVINCE_TOWNS[province][0] if province is not None else ""),
            latitude, longitude, "",
        ))  # fmt: skip
        for person_id in persons:
            rows["event_person"].append((self._next(ids, "event_person"), event_id, person_id))

    def _proceeding(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        case_id: int,
        person_id: int,
        province: int,
        arrested: int,
        charges: list[str],
    ) -> None:
        filed = arrested + 2 + int(rng.random() * 30)
        if filed > self.until:
            return
        verdict, verdict_on, stage = Verdict.PENDING, None, ProceedingStage.INVESTIGATION
        sentence = fine = None
        decided = filed + 90 + int(rng.expovariate(1 / 240))
        if decided <= self.until and rng.random() < 0.85:
            draw = rng.random()
            verdict = (
                Verdict.CONVICTED if draw < 0.8 else Verdict.ACQUITTED if draw < 0.9
                else Verdict.DISMISSED
            )  # fmt: skip
            verdict_on, stage = decided, ProceedingStage.CLOSED
            if verdict == Verdict.CONVICTED:
                sentence = rng.choice((24, 36, 60, 84, 120, 144, 180))
                fine = rng.choice((None, 2_000_000, 5_000_000, 10_000_000))
                if rng.random() < 0.1:
                    stage = ProceedingStage.APPEAL
        elif self.until - filed > 60:
            stage = rng.choice((ProceedingStage.PROSECUTION, ProceedingStage.TRIAL))
        court = self.ref.agency_ids.get(
            "COURT-APPEAL" if stage == ProceedingStage.APPEAL else f"COURT-{province}"
        )
        rows["proceeding"].append((
            self._next(ids, "proceeding"), case_id, person_id, court, self.as_json(charges),
            self.iso(filed), stage, verdict, self.iso(verdict_on) if verdict_on else None,
            sentence, fine,
        ))  # fmt: skip

    def _summary(self, kind: str, victims: int, suspects: int, province: int, place: str) -> str:
        where = self.ref.province_names[province]
        what = {
            "sexual_exploitation": "sexual exploitation at a",
            "forced_criminality": "forced work in an",
            "forced_labour": "forced labour at a",
            "forced_marriage": "forced marriage; last seen at the",
            "trafficking": "trafficking through a",
            "other": "exploitation at a",
        }[kind]
        return (
            f"{victims} victim(s) of {what} {place} in {where}; {suspects} suspect(s) identified."
        )


# --- writing -------------------------------------------------------------------------------


class Writer:
    """Writes row tuples with the bulk path of the connected database."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        if self.vendor not in ("postgresql", "sqlite"):
            raise ValidationError(
                {"database": _("The generator writes to PostgreSQL or SQLite only.")}
            )

    def next_ids(self) -> dict[str, int]:
        """The first free id of each table (above both the rows and, on PostgreSQL, the
        sequence), so that generated ids never collide with existing ones."""
        result = {}
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table.db_table}")
                highest = cursor.fetchone()[0]
                if self.vendor == "postgresql":
                    cursor.execute(
                        "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')"
                        "::regclass), 0)",
                        [table.db_table],
                    )
                    highest = max(highest, cursor.fetchone()[0])
                result[table.key] = highest + 1
        return result

    def lock(self) -> None:
        """On PostgreSQL, keep other writers out of these tables until the load commits."""
        if self.vendor == "postgresql":
            names = ", ".join(table.db_table for table in TABLES)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = ", ".join(table.columns)
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql = f"COPY {table.db_table} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" * len(table.fields))
            raw = connection.connection
            raw.executemany(f"INSERT INTO {table.db_table} ({columns}) VALUES ({marks})", rows)

    @contextlib.contextmanager
    def checks_after_load(self, enabled: bool) -> Iterator[None]:
        """On PostgreSQL, for a large load: set foreign keys and plain indexes aside and put
        them back after the rows are in, as pg_restore does. Re-adding a foreign key checks
        every row in one join instead of one trigger call per row (Django's keys are deferred,
        so those calls would all come at COMMIT), and an index built once beats millions of
        inserts into it. All of it happens inside the load's transaction: nothing is left
        without its keys if the load fails."""
        if not enabled or self.vendor != "postgresql":
            yield
            return
        tables = [table.db_table for table in TABLES]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY conname",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT indisunique "
                "ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def write_text(self, table: Table, data: bytes) -> None:
        """Stream rows already in COPY text format (PostgreSQL only)."""
        if not data:
            return
        with connection.cursor() as cursor:
            sql = f"COPY {table.db_table} ({', '.join(table.columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                copy.write(data)

    def advance_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the generated ids (SQLite does this itself)."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT MAX(id) FROM {table.db_table}))",
                    [table.db_table],
                )


# --- id blocks and COPY text -------------------------------------------------------------

# Each batch numbers its rows inside a block of ids of its own, so that batches can be built
# in any process, in parallel, without knowing how many rows the batches before them made.
# A block holds the most rows a batch can make: batch size x the most rows one case can have
# (the draws are capped). Cases fill their blocks exactly, so case ids have no gaps; other
# tables have gaps between batches, which nothing relies on. A run of one batch is dense.
MOST_PER_CASE = {
    "case": 1,
    "share": 8,
    "person": MAX_VICTIMS + MAX_SUSPECTS + 4,
    "document": MAX_VICTIMS + MAX_SUSPECTS + 4,
    "participant": MAX_VICTIMS + MAX_SUSPECTS + 4,
    "victim": MAX_VICTIMS,
    "event": 6,
    "event_person": 1 + MAX_VICTIMS + MAX_SUSPECTS,
    "arrest": MAX_SUSPECTS,
    "proceeding": MAX_SUSPECTS,
}


def block_starts(first_ids: dict[str, int], batch_size: int, index: int) -> dict[str, int]:
    """The first id of each table for batch number `index`."""
    return {
        key: first + index * batch_size * MOST_PER_CASE[key] for key, first in first_ids.items()
    }


_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    return str(value)


def copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """Rows in PostgreSQL's COPY text format, built in a worker so the writer only streams."""
    return "".join(["\t".join(map(_copy_field, row)) + "\n" for row in rows]).encode("utf-8")


# --- the service ---------------------------------------------------------------------------


@dataclasses.dataclass
class GenerationResult:
    """What a run wrote: rows per table, persons recurring, time taken."""

    seed: int
    cases: int
    rows: dict[str, int]
    recurring_persons: int
    reused_persons: int
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def timestamp_text(moment: datetime.datetime) -> str:
    """A timestamp as the database stores it (SQLite: naive UTC text, as Django writes it)."""
    moment = moment.astimezone(datetime.UTC)
    if connection.vendor == "sqlite":
        return moment.replace(tzinfo=None).isoformat(sep=" ")
    return moment.isoformat()


def _batches(
    ref: Reference,
    seed: int,
    until: datetime.date,
    timestamp: str,
    tasks: list[tuple[int, int, dict[str, int]]],
    workers: int,
) -> Iterator[Batch]:
    """Batches in order; built here, or by worker processes a few batches ahead (which hand
    PostgreSQL's rows over as COPY text, so that this process only has to stream them)."""
    if workers == 0:
        builder = BatchBuilder(ref, seed=seed, until=until, timestamp=timestamp)
        for index, size, first_ids in tasks:
            yield builder.build(index, size, dict(first_ids))
        return
    from django.conf import settings

    # spawn, not fork: a forked child would share this process's database connection.
    context = multiprocessing.get_context("spawn")
    options = {"seed": seed, "until": until, "timestamp": timestamp}
    init = (settings.SETTINGS_MODULE, dataclasses.asdict(ref), options, connection.vendor)
    with context.Pool(workers, initializer=synthetic_worker.start, initargs=init) as pool:
        pending: deque[Any] = deque()
        queue = iter(tasks)
        # A few batches in flight: enough to keep the workers busy, few enough to bound memory.
        for task in itertools.islice(queue, workers * 2):
            pending.append(pool.apply_async(synthetic_worker.build, (task,)))
        while pending:
            batch = pending.popleft().get()
            for task in itertools.islice(queue, 1):
                pending.append(pool.apply_async(synthetic_worker.build, (task,)))
            yield batch


def demo_data_generate(
    *,
    actor: Any,
    cases: int,
    seed: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    until: datetime.date | None = None,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> GenerationResult:
    """Write `cases` synthetic cases with everything in them, in one transaction, audited once.

    `until` is the last date any generated event may have (default: today); with the same
    seed, number of cases, batch size and `until`, the data are the same, whatever the number
    of `workers` (processes that build batches while this one writes; default: none for small
    runs, one per core up to 2 for large ones).
    """
    import time

    errors: dict[str, list[str]] = {}
    if not isinstance(cases, int) or cases < 1:
        errors["cases"] = [_("Give a number of cases of at least 1.")]
    if not isinstance(batch_size, int) or batch_size < 1:
        errors["batch_size"] = [_("Give a batch size of at least 1.")]
    today = timezone.localdate()
    until = until or today
    if until > today:
        errors["until"] = [_("The end date cannot be in the future.")]
    if workers is None:
        workers = 0 if cases < 50_000 else min(2, os.cpu_count() or 1)
    if not isinstance(workers, int) or workers < 0:
        errors["workers"] = [_("Give a number of worker processes of 0 or more.")]
    if errors:
        raise ValidationError(errors)
    started = time.perf_counter()
    ref = Reference.load()
    writer = Writer()
    counts = {table.key: 0 for table in TABLES}
    recurring = reused = 0
    with transaction.atomic():
        writer.lock()
        next_ids = writer.next_ids()
        timestamp = timestamp_text(timezone.now())
        tasks = [
            (index, min(batch_size, cases - start), block_starts(next_ids, batch_size, index))
            for index, start in enumerate(range(0, cases, batch_size))
        ]
        with writer.checks_after_load(cases >= BULK_LOAD_CASES):
            for batch in _batches(ref, seed, until, timestamp, tasks, workers):
                for table in TABLES:
                    if table.key in batch.text:
                        writer.write_text(table, batch.text[table.key])
                        counts[table.key] += batch.counts[table.key]
                    else:
                        rows = batch.rows[table.key]
                        writer.write(table, rows)
                        counts[table.key] += len(rows)
                recurring += batch.recurring
                reused += batch.reused
                if progress is not None:
                    progress(batch.counts.get("case") or len(batch.rows["case"]))
        writer.advance_sequences()
        # Written with COPY, past the models' signals: say which cases are new (statistics).
        cases_written.send(sender=Writer, cases=Case.objects.filter(pk__gte=next_ids["case"]))
        audit_record(
            actor=actor,
            action=AuditAction.BULK_CREATE,
            object_type="registry.case",
            detail={
                "generator": "demo-data",
                "seed": seed,
                "batch_size": batch_size,
                "until": until.isoformat(),
                "rows": counts,
            },
        )
    # Timed after COMMIT, which on PostgreSQL is where deferred key checks run.
    return GenerationResult(
        seed=seed,
        cases=cases,
        rows=counts,
        recurring_persons=recurring,
        reused_persons=reused,
        seconds=time.perf_counter() - started,
    )
