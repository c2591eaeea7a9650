"""Grow a PostgreSQL benchmark registry to N cases by copying the generated cases in SQL.

The generator writes about 2,000 cases a second per free core; on a shared machine that
makes a million cases an hour's work. For query benchmarks what matters is the number and
spread of rows, so this copies the cases already generated (with their persons, events and
everything else) under new ids until the database holds N cases. Copies share their
encrypted values and search keys with the originals; docs/benchmarks.md says so.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench \\
        python bench/registry_prepare.py 1000000
"""

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from ctip.registry.bulk import TABLES, Writer  # noqa: E402


def main() -> None:
    target = int(sys.argv[1])
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only.")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        writer = Writer()
        writer.lock()
        cursor.execute("SELECT count(*), max(id) FROM registry_case")
        cases, _max_case = cursor.fetchone()
        # Whole copies only, so every copied row has its case: N is rounded up.
        copies = -(-target // cases) - 1
        if copies <= 0:
            print(f"{cases} cases already; nothing to do.")
            return
        highest = {}
        for table in TABLES:
            cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table.db_table}")
            highest[table.db_table] = cursor.fetchone()[0]
        with writer.checks_after_load(enabled=True):
            copy_tables(cursor, highest, copies)
        writer.advance_sequences()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table.db_table}")
    print(f"done in {time.perf_counter() - started:.0f} s")


def copy_tables(cursor: Any, highest: dict[str, int], copies: int) -> None:
    """INSERT ... SELECT each table `copies` times, every id shifted past the originals."""
    for table in TABLES:
        model = table.model
        columns, values = [], []
        for model_field in model._meta.concrete_fields:
            column = model_field.column
            columns.append(column)
            if model_field.primary_key:
                values.append(f"t.{column} + s.n * {highest[table.db_table]}")
            elif model_field.is_relation and model_field.related_model._meta.db_table in highest:
                step = highest[model_field.related_model._meta.db_table]
                values.append(f"t.{column} + s.n * {step}")
            elif column == "reference":
                shifted = f"(t.id + s.n * {highest[table.db_table]})"
                values.append(
                    f"'CT-' || extract(year FROM t.opened_on)::int || '-' || "
                    f"lpad({shifted}::text, 7, '0')"
                )
            elif column == "external_id":
                values.append("NULL")
            else:
                values.append(f"t.{column}")
        sql = (
            f"INSERT INTO {table.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {table.db_table} t, "
            f"generate_series(1, {copies}) AS s(n) WHERE t.id <= {highest[table.db_table]}"
        )
        step = time.perf_counter()
        cursor.execute(sql)
        print(f"{table.db_table}: +{cursor.rowcount:,} rows in {time.perf_counter() - step:.0f} s")


if __name__ == "__main__":
    main()
