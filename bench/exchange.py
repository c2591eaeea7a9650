"""Benchmark: import (check + apply) of an N-row HTCDS CSV into PostgreSQL, against COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench \\
        .venv/bin/python bench/exchange.py --rows 100000 --rows 1000000

Each size runs in its own process so that its peak RSS is its own. In each run the same CSV
is first loaded with PostgreSQL COPY into an unlogged staging table (the baseline), then
imported through ctip's import services (every row validated, then applied in one
transaction). Last, the rows the import wrote are copied out, the four tables emptied, and
the same rows loaded back with bare COPY in one transaction: the floor, what the database
itself spends on these rows with the registry's indexes and foreign keys, with no work in
Python at all. Reported: seconds per step, rows/s, ratio to COPY and to the floor, the CPU
seconds spent by this process and by its PostgreSQL backend (read from /proc, so only for a
local server), peak RSS, and the load average (the machine may be shared).
"""

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def backend_cpu(connection: object) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (0 if unreadable)."""
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(rows: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from ctip.access.models import Agency, User
    from ctip.exchange import sample
    from ctip.exchange.services import import_apply, import_upload, import_validate
    from ctip.registry.models import Case, Participant, Person, VictimProfile

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    # Start from an empty registry so every run writes the same rows.
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (VictimProfile, Participant, Case, Person)]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", password="bench-password-long"
    )
    agency = Agency.objects.get(code="AHTJP")
    folder = Path(tempfile.mkdtemp(prefix="ctip-bench-"))
    path = folder / "bench.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(sample.HEADERS)
        writer.writerows(sample.rows(rows, seed=1, prefix="B"))

    load_before = os.getloadavg()[0]
    columns = ", ".join(f'"{h}" text' for h in sample.HEADERS)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staging")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_staging ({columns})")
        with (
            path.open("rb") as handle,
            cursor.copy("COPY bench_staging FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        cursor.execute("DROP TABLE bench_staging")
    copy_s = time.perf_counter() - started

    started = time.perf_counter()
    cpu, pg_cpu = time.process_time(), backend_cpu(connection)
    batch = import_upload(actor=user, path=path, file_name=path.name, agency=agency)
    batch = import_validate(actor=user, batch=batch)
    validate_s = time.perf_counter() - started
    validate_cpu, validate_pg = time.process_time() - cpu, backend_cpu(connection) - pg_cpu
    assert batch.status == "validated", batch.refusal
    assert batch.problem_count == 0, list(batch.problems.all()[:5])
    cpu, pg_cpu = time.process_time(), backend_cpu(connection)
    batch = import_apply(actor=user, batch=batch)
    import_s = time.perf_counter() - started
    apply_cpu, apply_pg = time.process_time() - cpu, backend_cpu(connection) - pg_cpu
    assert batch.result["cases"] == rows, batch.result
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # The floor: the same rows, copied out and loaded back with nothing but COPY.
    ordered = [m._meta.db_table for m in (Case, Person, Participant, VictimProfile)]
    with connection.cursor() as cursor:
        for table in ordered:
            with (folder / table).open("wb") as out, cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
        cursor.execute(f"TRUNCATE {', '.join(ordered)} CASCADE")
    started = time.perf_counter()
    pg_cpu = backend_cpu(connection)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ordered:
            with (
                (folder / table).open("rb") as handle,
                cursor.copy(f"COPY {table} FROM STDIN") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
    floor_s = time.perf_counter() - started  # after COMMIT, where the deferred key checks run
    floor_pg = backend_cpu(connection) - pg_cpu
    Path(batch.stored_path).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "rows": rows,
        "copy_s": copy_s,
        "validate_s": validate_s,
        "import_s": import_s,
        "validate_cpu_s": validate_cpu,
        "apply_cpu_s": apply_cpu,
        "validate_pg_cpu_s": validate_pg,
        "apply_pg_cpu_s": apply_pg,
        "floor_s": floor_s,
        "floor_pg_cpu_s": floor_pg,
        "peak_rss_mib": peak_kib / 1024,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is emptied of cases).")
    if args.child:
        print(json.dumps(one_run(args.rows[0])))
        return
    print(
        "| rows | COPY s | check s | apply s | check+apply s | rows/s | x COPY | floor s "
        "| x floor | CPU s: check / apply | PG CPU s: check / apply / floor | peak RSS MiB "
        "| load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for rows in args.rows or [100_000]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--rows", str(rows)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {r['rows']:,} | {r['copy_s']:.2f} | {r['validate_s']:.1f} "
            f"| {r['import_s'] - r['validate_s']:.1f} | {r['import_s']:.1f} "
            f"| {r['rows'] / r['import_s']:,.0f} | {r['import_s'] / r['copy_s']:.0f} "
            f"| {r['floor_s']:.1f} | {r['import_s'] / r['floor_s']:.1f} "
            f"| {r['validate_cpu_s']:.1f} / {r['apply_cpu_s']:.1f} "
            f"| {r['validate_pg_cpu_s']:.1f} / {r['apply_pg_cpu_s']:.1f} "
            f"/ {r['floor_pg_cpu_s']:.1f} "
            f"| {r['peak_rss_mib']:.0f} | {r['load_before']:.1f} to {r['load_after']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
