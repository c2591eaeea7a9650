"""Writing registry rows in bulk: the tables, COPY text and a writer for PostgreSQL and SQLite.

The synthetic generator (`ctip demo-data`) and the file import (exchange.importer) both write
rows as plain tuples straight into the registry's tables, past the models and the per-row
services; this module is that shared machinery. Why it bypasses the services:
docs/decisions/0120-synthetic-data-generator.md and docs/decisions/0400-bulk-import.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _

from .models import (
    Arrest,
    Case,
    CaseShare,
    Event,
    GeneratedTwin,
    IdentityDocument,
    Participant,
    Person,
    Proceeding,
    VictimProfile,
)

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
    # The generator's ground truth for identity resolution; the import writes none.
    Table("twin", GeneratedTwin, ("id", "person", "same_as")),
)
TABLE_BY_KEY = {table.key: table for table in TABLES}


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


# --- COPY text -------------------------------------------------------------------------------

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


def timestamp_text(moment: datetime.datetime) -> str:
    """A timestamp as the database stores it (SQLite: naive UTC text, as Django writes it)."""
    moment = moment.astimezone(datetime.UTC)
    if connection.vendor == "sqlite":
        return moment.replace(tzinfo=None).isoformat(sep=" ")
    return moment.isoformat()
