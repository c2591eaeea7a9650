"""Benchmark of "which cases share an identifier with this one" at 1,000,000 cases and
3,000,000 identifiers in cases (PostgreSQL).

It times the selector the case page calls (`investigations.selectors.shared_case_ids`: the
cases the viewer may see, newest first, and a count of the others) for an investigator and
for a province case officer, beside one raw SQL statement answering the same question for
the same viewer, on the same sample of cases in the same run, and prints medians, p95 and
their ratio. Target (issue #17): p95 <= 200 ms.

    createdb -h 127.0.0.1 -U postgres -T ctip_bench1m ctip_me_1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_me_1m ctip migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_me_1m CTIP_KEY_FILE=keys.json \\
        .venv/bin/python bench/investigations.py --uses 3000000 --samples 300 --seed 2024

Data: the cases are those in the database (fewer than --cases are topped up with bare
skeleton cases in SQL). The identifiers are written straight in SQL (COPY-speed INSERT ...
SELECT), since recording three million through the service would take hours: 2/3 of the
uses are of identifiers used once, 1/3 of a pool of shared identifiers (a tenth as many)
drawn with a skew, so a few are hubs in hundreds of cases, as a compound's address would be.
All rows carry one real encrypted token as value (pages could decrypt them) and a distinct
blind index. Running it again reuses the identifiers already there.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402

from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.access.policies import actor_scope, forget_scope  # noqa: E402
from ctip.investigations.selectors import LIST_LIMIT, shared_case_ids  # noqa: E402
from ctip.registry.crypto import encrypt  # noqa: E402

SKELETON_SQL = """
INSERT INTO registry_case (reference, kind, status, source, opened_on, closure_reason, summary,
                           created_at, updated_at, owning_agency_id, province_id)
SELECT 'BENCHINV-' || %(start)s + g, 'forced_criminality', 'active', 'operation',
       current_date - (g %% 1095), '', '', now(), now(),
       (SELECT id FROM access_agency WHERE code = 'AHTJP'),
       (SELECT id FROM reference_province ORDER BY id LIMIT 1 OFFSET (g %% 25))
FROM generate_series(1, %(count)s) AS g
"""
IDENTIFIER_SQL = """
INSERT INTO investigations_identifier (kind, service, value, as_typed, value_index, is_valid,
                                       problem, created_at)
SELECT (ARRAY['phone','phone','phone','account','email','bank_account','crypto_wallet',
              'vehicle'])[1 + g %% 8], '', %(token)s, %(token)s,
       substr(md5('bench-identifier-' || g), 1, 32), true, '', now()
FROM generate_series(%(first)s, %(last)s) AS g
ON CONFLICT DO NOTHING
"""
USE_SQL = """
WITH drawn AS MATERIALIZED (
    SELECT CASE WHEN u <= %(single)s THEN i.first_id + u - 1
                ELSE i.first_id + %(single)s
                     + floor(%(pool)s * power(random(), 1.5))::bigint END AS identifier_id,
           1 + floor(random() * %(cases)s)::bigint AS n
    FROM generate_series(1, %(count)s) AS u
    CROSS JOIN (SELECT min(id) AS first_id FROM investigations_identifier
                WHERE value_index = substr(md5('bench-identifier-1'), 1, 32)) i
)
INSERT INTO investigations_identifieruse (identifier_id, case_id, note, recorded_at)
SELECT DISTINCT drawn.identifier_id, c.id, '', now()
FROM drawn JOIN bench_case c ON c.n = drawn.n
"""
RAW_SQL = """
WITH shared AS (
    SELECT DISTINCT u2.case_id
    FROM investigations_identifieruse u1
    JOIN investigations_identifieruse u2 ON u2.identifier_id = u1.identifier_id
    WHERE u1.case_id = %(case)s AND u2.case_id <> %(case)s
), judged AS (
    SELECT c.id, c.opened_on,
           (c.owning_agency_id = ANY(%(agencies)s) OR EXISTS (
               SELECT 1 FROM registry_caseshare s
               WHERE s.case_id = c.id AND s.agency_id = ANY(%(agencies)s))) AS visible
    FROM shared JOIN registry_case c ON c.id = shared.case_id
)
SELECT (SELECT array_agg(id) FROM (SELECT id FROM judged WHERE visible
                                   ORDER BY opened_on DESC, id DESC LIMIT %(limit)s) v),
       (SELECT count(*) FROM judged WHERE NOT visible)
"""


def scalar(sql: str, params: Any = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def ensure_cases(target: int) -> int:
    have = scalar("SELECT count(*) FROM registry_case")
    if have < target:
        start = scalar("SELECT COALESCE(max(id), 0) FROM registry_case")
        print(f"topping up {target - have} skeleton cases …", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(SKELETON_SQL, {"start": start, "count": target - have})
    return max(have, target)


def ensure_uses(target: int, cases: int) -> None:
    have = scalar("SELECT count(*) FROM investigations_identifieruse")
    if have >= target:
        print(f"{have} identifier uses already", flush=True)
        return
    single = target * 2 // 3
    pool = max((target - single) // 10, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if scalar("SELECT count(*) FROM investigations_identifier") < single + pool:
            token = encrypt("+85512000000")
            cursor.execute(IDENTIFIER_SQL, {"token": token, "first": 1, "last": single + pool})
        cursor.execute(
            "CREATE TEMP TABLE bench_case AS "
            "SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_case"
        )
        cursor.execute("CREATE INDEX ON bench_case (n)")
        cursor.execute("SELECT setseed(0.2024)")
        # A bulk load as pg_restore does it: the rows are consistent by construction, so the
        # per-row foreign-key triggers are off and the indexes are built once afterwards.
        indexes = _drop_use_indexes(cursor)
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            USE_SQL,
            {"single": single, "pool": pool, "count": target - have, "cases": cases},
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE investigations_identifier")
        cursor.execute("ANALYZE investigations_identifieruse")
    print(f"wrote identifiers and uses in {time.perf_counter() - started:.0f} s", flush=True)


def _drop_use_indexes(cursor: Any) -> list[str]:
    """Drop the use table's secondary indexes (not its primary key); their definitions."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE tablename = 'investigations_identifieruse' AND indexname NOT LIKE '%%_pkey'"
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def viewer(username: str, role: str, agency_code: str) -> User:
    user, _created = User.objects.get_or_create(username=username)
    Membership.objects.get_or_create(
        user=user, agency=Agency.objects.get(code=agency_code), role=role
    )
    forget_scope(user)
    return user


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--uses", type=int, default=3_000_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (set DATABASE_URL).")
    cases = ensure_cases(args.cases)
    ensure_uses(args.uses, cases)
    identifiers = scalar("SELECT count(*) FROM investigations_identifier")
    uses = scalar("SELECT count(*) FROM investigations_identifieruse")
    biggest = scalar(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM investigations_identifieruse "
        "GROUP BY identifier_id) x"
    )
    print(f"{cases} cases, {identifiers} identifiers, {uses} uses; biggest hub {biggest} cases")
    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        # A sample of cases that record identifiers, drawn by id (not TABLESAMPLE: seeded).
        cursor.execute("SELECT min(case_id), max(case_id) FROM investigations_identifieruse")
        low, high = cursor.fetchone()
        sample: list[int] = []
        while len(sample) < args.samples:
            cursor.execute(
                "SELECT case_id FROM investigations_identifieruse WHERE case_id >= %s "
                "ORDER BY case_id LIMIT 1",
                [rng.randint(low, high)],
            )
            row = cursor.fetchone()
            if row:
                sample.append(row[0])
    viewers = {
        "investigator (AHTJP)": viewer("bench.investigator", "investigator", "AHTJP"),
        "case officer (PAHT-12)": viewer("bench.officer", "case_officer", "PAHT-12"),
    }
    print(f"samples: {len(sample)} cases; LIST_LIMIT {LIST_LIMIT}")
    print(f"{'viewer':<24} {'method':<10} {'median ms':>10} {'p95 ms':>8} {'shared':>8}")
    for name, user in viewers.items():
        agencies = sorted(actor_scope(user).agencies_with(frozenset(actor_scope(user).roles)))
        selector_ms: list[float] = []
        raw_ms: list[float] = []
        shared = 0
        for case_id in sample[:20]:  # warm the caches for both methods alike
            shared_case_ids(actor=user, case_id=case_id)
            scalar(RAW_SQL, {"case": case_id, "agencies": agencies, "limit": LIST_LIMIT})
        for case_id in sample:
            ms, (ids, hidden) = timed(lambda c=case_id, u=user: shared_case_ids(actor=u, case_id=c))
            selector_ms.append(ms)
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(
                    RAW_SQL, {"case": case_id, "agencies": agencies, "limit": LIST_LIMIT}
                )
                raw_ids, raw_hidden = cursor.fetchone()
                raw_ms.append((time.perf_counter() - started) * 1000)
            if (sorted(raw_ids or []), raw_hidden) != (sorted(ids), hidden):
                sys.exit(f"selector and raw SQL disagree on case {case_id}")
            shared += len(ids) + hidden
        for method, values in (("selector", selector_ms), ("raw SQL", raw_ms)):
            print(
                f"{name:<24} {method:<10} {statistics.median(values):>10.2f} "
                f"{p95(values):>8.2f} {shared / len(sample):>8.1f}"
            )
        print(
            f"{name:<24} {'ratio':<10} "
            f"{statistics.median(selector_ms) / statistics.median(raw_ms):>10.2f} "
            f"{p95(selector_ms) / p95(raw_ms):>8.2f}"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
