"""Benchmark: import (check + apply) of an N-row HTCDS CSV into PostgreSQL, against COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench \\
        .venv/bin/python bench/exchange.py --rows 100000 --rows 1000000

Each size runs in its own process so that its peak RSS is its own. In each run the same CSV
is first loaded with PostgreSQL COPY into an unlogged staging table (the baseline), then
imported through ctip's import services (every row validated, then applied in one
transaction). Reported: seconds, rows/s, ratio to COPY, and peak RSS.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(rows: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

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
    batch = import_upload(actor=user, path=path, file_name=path.name, agency=agency)
    batch = import_validate(actor=user, batch=batch)
    validate_s = time.perf_counter() - started
    assert batch.status == "validated", batch.refusal
    assert batch.problem_count == 0, list(batch.problems.all()[:5])
    batch = import_apply(actor=user, batch=batch)
    import_s = time.perf_counter() - started
    assert batch.result["cases"] == rows, batch.result
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows,
        "copy_s": copy_s,
        "validate_s": validate_s,
        "import_s": import_s,
        "peak_rss_mib": peak_kib / 1024,
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
    print("| rows | COPY s | check s | check+apply s | rows/s | x COPY | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for rows in args.rows or [100_000]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--rows", str(rows)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {r['rows']:,} | {r['copy_s']:.2f} | {r['validate_s']:.1f} | {r['import_s']:.1f} "
            f"| {r['rows'] / r['import_s']:,.0f} | {r['import_s'] / r['copy_s']:.0f} "
            f"| {r['peak_rss_mib']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
