"""Applying checked rows: ids allocated in blocks and rows streamed into the registry's tables."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policies import can_create_in
from ctip.registry.bulk import Table as DbTable
from ctip.registry.bulk import Writer, timestamp_text
from ctip.registry.choices import (
    ParticipantRole,
)
from ctip.registry.models import Case, Participant, Person, VictimProfile
from ctip.registry.services import case_reference
from ctip.registry.signals import cases_written

from ..own_ids import strip_own
from .matching import database_check
from .preparing import Prepared
from .records import Context

# --- applying -------------------------------------------------------------------------------

# The columns the loader writes: every column of these tables (tests check none is missed).
CASE_TABLE = DbTable(
    "case",
    Case,
    (
        "id", "reference", "kind", "status", "source", "owning_agency", "province", "opened_on",
        "closed_on", "closure_reason", "summary", "external_id", "created_by", "assigned_to",
        "created_at", "updated_at",
    ),
)  # fmt: skip
PERSON_TABLE = DbTable(
    "person",
    Person,
    (
        "id", "given_name_km", "family_name_km", "given_name_latin", "family_name_latin",
        "aliases", "sex", "gender", "date_of_birth", "estimated_age", "age_recorded_on",
        "birth_year", "citizenships", "languages", "phone", "address", "name_keys", "dob_index",
        "external_id", "registered_by", "created_at", "updated_at",
    ),
)  # fmt: skip
PARTICIPANT_TABLE = DbTable("participant", Participant, ("id", "case", "person", "role", "notes"))
VICTIM_TABLE = DbTable(
    "victim",
    VictimProfile,
    (
        "id", "participant", "trafficking_status", "status_decided_by", "status_decided_on",
        "identified_on", "age_when_trafficked", "relationship_to_trafficker",
        "recruitment_methods", "recruitment_platforms", "means_of_control", "exploitation_types",
        "labour_industries", "sex_exploitation_types", "consent_to_share", "consent_recorded_on",
        "testimony",
    ),
)  # fmt: skip
LOADED_TABLES = (CASE_TABLE, PERSON_TABLE, PARTICIPANT_TABLE, VICTIM_TABLE)


@dataclass
class Counts:
    cases: int = 0
    persons: int = 0
    participants: int = 0
    profiles: int = 0
    skipped_rows: int = 0
    unchanged_rows: int = 0
    rows: int = 0
    first_case_id: int | None = None
    last_case_id: int | None = None

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_case_id")}


class DataChanged(ValidationError):
    """A row that passed the check fails now: the whole import is rolled back."""

    def __init__(self) -> None:
        super().__init__({"batch": [_("The data changed since the check; check the file again.")]})


class Loader:
    """Writes prepared rows: ids allocated in blocks, rows streamed with the registry's bulk
    writer (COPY on PostgreSQL, executemany on SQLite), rows already imported left alone."""

    def __init__(self, ctx: Context, counts: Counts, rejected_at_check: int) -> None:
        self.ctx, self.counts, self.rejected_at_check = ctx, counts, rejected_at_check
        self.writer = Writer()
        self.timestamp = timestamp_text(timezone.now())
        self.actor_id = getattr(ctx.actor, "pk", None)
        self.next_free: dict[str, int] = {}
        self.allowed: set[int] = set()
        self.sequences: dict[str, str] = {}

    def ids(self, table: DbTable, count: int) -> list[int]:
        """`count` new ids; on PostgreSQL from the table's sequence, safe beside other writers."""
        if not count:
            return []
        if self.writer.vendor == "postgresql":
            with connection.cursor() as cursor:
                sequence = self.sequences.get(table.key)
                if sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.db_table])
                    sequence = self.sequences[table.key] = cursor.fetchone()[0]
                # Each id comes from nextval, so no other writer ever gets one of them; when
                # no one took an id meanwhile they are one run, told by one row. Otherwise
                # that run is dropped (gaps are harmless) and the ids are fetched one by one.
                cursor.execute(
                    "SELECT min(id), max(id) FROM "
                    "(SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS ids",
                    [sequence, count],
                )
                low, high = cursor.fetchone()
                if high - low + 1 == count:
                    return list(range(low, high + 1))
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
                )
                return [row[0] for row in cursor.fetchall()]
        # SQLite has one writer at a time: ids follow the highest there is, or ever was.
        start = self.next_free.get(table.key)
        if start is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table.db_table}")
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.db_table])
                row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
        self.next_free[table.key] = start + count
        return list(range(start, start + count))

    def load(self, records: list[Prepared]) -> None:
        """Write one chunk; a row that passed the check but fails now rolls everything back."""
        counts, ctx, ts = self.counts, self.ctx, self.timestamp
        clean = [r for r in records if not r[1]]
        counts.rows += len(clean)
        counts.skipped_rows += sum(1 for r in records if r[1])
        if counts.skipped_rows > self.rejected_at_check:
            raise DataChanged
        for agency_id in {r[3][3] for r in clean} - self.allowed:
            # The actor's rights are asked again: they may have changed since the check.
            if not can_create_in(ctx.actor, agency_id):
                raise DataChanged
            self.allowed.add(agency_id)
        found = database_check(
            [(r[0], r[2], r[4], r[5][13] if r[5] else "", r[5][14] if r[5] else "") for r in clean],
            ctx,
        )
        if found.problems:
            raise DataChanged
        cases, persons = found.cases, found.persons
        old_cases, old_persons = set(cases.values()), set(persons.values())

        new_cases: dict[str, Any] = {}
        for r in clean:
            if r[2] not in cases and r[2] not in new_cases:
                new_cases[r[2]] = r[3]
        rows = []
        for pk, (external_id, v) in zip(
            self.ids(CASE_TABLE, len(new_cases)), new_cases.items(), strict=True
        ):
            cases[external_id] = pk
            reference = case_reference(pk, datetime.date.fromisoformat(v[5]))
            # An imported case has no caseworker yet (assigned_to).
            rows.append(
                (pk, reference, *v, "", strip_own(external_id), self.actor_id, None, ts, ts)
            )
        self.writer.write(CASE_TABLE, rows)
        if rows:
            counts.cases += len(rows)
            counts.first_case_id = min(counts.first_case_id or rows[0][0], rows[0][0])
            counts.last_case_id = max(counts.last_case_id or rows[-1][0], rows[-1][0])

        new_persons: dict[str, Any] = {}
        for r in clean:
            if r[4] is not None and r[4] not in persons and r[4] not in new_persons:
                new_persons[r[4]] = r[5]
        rows = []
        for pk, (external_id, v) in zip(
            self.ids(PERSON_TABLE, len(new_persons)), new_persons.items(), strict=True
        ):
            persons[external_id] = pk
            rows.append((
                pk, v[0], v[1], v[2], v[3], "", v[4], v[5], v[6], v[7], v[8], v[9], v[10], "[]",
                v[11], v[12], v[13], v[14], strip_own(external_id), v[15], ts, ts,
            ))  # fmt: skip
        self.writer.write(PERSON_TABLE, rows)
        counts.persons += len(rows)

        pairs: dict[tuple[int, int], Any] = {}
        for r in clean:
            if r[4] is not None:
                pairs[(cases[r[2]], persons[r[4]])] = r[6]
        # A participation can only exist already when both its case and its person did.
        old = [(c, p) for c, p in pairs if c in old_cases and p in old_persons]
        existing: set[tuple[int, int]] = set()
        if old:
            existing = set(
                Participant.objects.filter(
                    case_id__in={c for c, _p in old},
                    person_id__in={p for _c, p in old},
                    role=ParticipantRole.VICTIM,
                ).values_list("case_id", "person_id")
            )
        fresh = [(pair, profile) for pair, profile in pairs.items() if pair not in existing]
        participant_ids = self.ids(PARTICIPANT_TABLE, len(fresh))
        victim = ParticipantRole.VICTIM.value
        self.writer.write(
            PARTICIPANT_TABLE,
            [
                (pk, c, p, victim, "")
                for pk, ((c, p), _profile) in zip(participant_ids, fresh, strict=True)
            ],
        )
        counts.participants += len(fresh)
        profiles = [
            (pk, profile)
            for pk, (_pair, profile) in zip(participant_ids, fresh, strict=True)
            if profile
        ]
        rows = [
            (
                pk, participant, v[0], v[1], None, None, v[2], "", v[3], "[]", v[4], v[5], v[6],
                v[7], v[8], None, "",
            )
            for pk, (participant, v) in zip(
                self.ids(VICTIM_TABLE, len(profiles)), profiles, strict=True
            )
        ]  # fmt: skip
        self.writer.write(VICTIM_TABLE, rows)
        counts.profiles += len(rows)
        counts.unchanged_rows += sum(
            1 for r in clean if r[2] not in new_cases and (r[4] is None or r[4] not in new_persons)
        )
        # Written with COPY, past the models' signals: say which cases changed (statistics):
        # the new ones and those that gained a participant; a row imported before changed none.
        changed = {cases[external_id] for external_id in new_cases}
        changed |= {case_id for (case_id, _person), _profile in fresh}
        cases_written.send(sender=Loader, cases=changed)
