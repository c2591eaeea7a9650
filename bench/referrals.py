"""Benchmark of the referral dashboards at 1,000,000 cases and 2,000,000 referrals (PostgreSQL).

For each dashboard it times the selector the pages call (coordination figures read from the
running tallies; the owner's and supervisor's overdue work read live) beside the raw SQL that
computes the same figures exactly from the referrals table, in the same run, and prints
medians, p95 and ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench \\
        .venv/bin/python bench/referrals.py --cases 1000000 --referrals 2000000 --seed 2024

Data: the referrals come from the seeded generator (`ctip referrals generate`) on the
victims of the cases in the database (made by `ctip demo-data`). If there are fewer cases
than asked for, the shortfall is filled with bare skeleton cases (one victim each, no names)
straight in SQL, because building a million full demo cases takes far longer than the bench.
"""

import argparse
import datetime
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.access.policies import forget_scope  # noqa: E402
from ctip.reference.models import Province  # noqa: E402
from ctip.referrals.generator import generate_referrals  # noqa: E402
from ctip.referrals.models import Referral  # noqa: E402
from ctip.referrals.selectors import (  # noqa: E402
    CoordinationFilters,
    coordination_figures,
    work_dashboard,
)
from ctip.registry.models import Case  # noqa: E402

SKELETON_SQL = """
WITH provinces AS (
    SELECT p.id AS province_id, (row_number() OVER (ORDER BY p.id) - 1)::int AS n,
           (SELECT a.id FROM access_agency a WHERE a.code = 'PAHT-' || substr(p.code, 4)) AS paht,
           (SELECT a.id FROM access_agency a WHERE a.code = 'DOSVY-' || substr(p.code, 4)) AS dosvy
    FROM reference_province p
)
INSERT INTO registry_case (reference, kind, status, source, opened_on, closure_reason, summary,
                           created_at, updated_at, owning_agency_id, province_id)
SELECT 'BENCH-' || %(start)s + g, (ARRAY['trafficking','sexual_exploitation','forced_labour',
        'forced_criminality'])[1 + g %% 4], 'active', 'operation',
       %(today)s::date - (g %% 1095), '', '', now(), now(),
       CASE WHEN g %% 5 = 0 THEN pr.dosvy ELSE pr.paht END, pr.province_id
FROM generate_series(1, %(count)s) AS g
JOIN provinces pr ON pr.n = g %% (SELECT count(*) FROM reference_province)
"""
PERSON_SQL = """
INSERT INTO registry_person (given_name_km, family_name_km, given_name_latin, family_name_latin,
    aliases, sex, gender, citizenships, languages, phone, address, name_keys, dob_index,
    created_at, updated_at)
SELECT '', '', '', '', '', CASE WHEN g %% 4 = 0 THEN 'male' ELSE 'female' END, '',
       '["KHM"]', '[]', '', '', '', '', now(), now()
FROM generate_series(1, %(count)s) AS g
"""
PARTICIPANT_SQL = """
INSERT INTO registry_participant (case_id, person_id, role, notes)
SELECT c.id, p.id, 'victim', ''
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_case
      WHERE reference LIKE 'BENCH-%%' AND NOT EXISTS (
          SELECT 1 FROM registry_participant x WHERE x.case_id = registry_case.id)) c
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_person
      WHERE name_keys = '' AND NOT EXISTS (
          SELECT 1 FROM registry_participant x WHERE x.person_id = registry_person.id)) p
  ON p.n = c.n
"""

RAW_FILTER: dict[str, tuple[str, dict[str, Any]]] = {
    "all": ("", {}),
    "last 6 months": ("AND sent_at >= %(since)s", {}),
    "one province": ("AND province_id = %(province)s", {}),
    "one service": ("AND service = 'shelter'", {}),
}


def raw_coordination(where: str, params: dict[str, Any]) -> list[Any]:
    """The same figures computed exactly from the referrals table in plain SQL."""
    out = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_agency_id, service, province_id, status, count(*), count(accepted_at) "
            f"FROM referrals_referral WHERE TRUE {where} GROUP BY 1, 2, 3, 4",
            params,
        )
        out.append(cursor.fetchall())
        for end, extra in (("accepted_at", ""), ("completed_at", "AND status = 'completed'")):
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP "
                f"(ORDER BY extract(epoch FROM {end} - sent_at) / 3600) "
                f"FROM referrals_referral WHERE {end} IS NOT NULL {extra} {where}",
                params,
            )
            out.append(cursor.fetchone())
        cursor.execute(
            "SELECT to_agency_id, service, province_id, count(*) FROM referrals_referral "
            "WHERE ((status = 'sent' AND accept_due_on < %(today)s) OR "
            "(status IN ('accepted', 'in_progress') AND due_on < %(today)s)) "
            f"{where} GROUP BY 1, 2, 3",
            params,
        )
        out.append(cursor.fetchall())
    return out


def raw_work(agencies: list[int], today: datetime.date) -> list[Any]:
    """The overdue referrals and tasks of a set of agencies, in plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.case_id, r.service, r.status, r.accept_due_on, r.due_on "
            "FROM referrals_referral r WHERE r.to_agency_id = ANY(%(a)s) AND "
            "((r.status = 'sent' AND r.accept_due_on < %(t)s) OR "
            "(r.status IN ('accepted', 'in_progress') AND r.due_on < %(t)s)) "
            "ORDER BY r.due_on LIMIT 200",
            {"a": agencies, "t": today},
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT id FROM referrals_task WHERE owner_agency_id = ANY(%(a)s) "
            "AND status = 'open' AND due_on < %(t)s ORDER BY due_on LIMIT 200",
            {"a": agencies, "t": today},
        )
        return [rows, cursor.fetchall()]


def timed(work: Callable[[], Any], repeat: int) -> list[float]:
    work()  # warm the caches once; the first call also primes Django's connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ensure_data(cases: int, referrals: int, seed: int) -> None:
    have_cases = Case.objects.count()
    if have_cases < cases:
        missing = cases - have_cases
        print(f"filling {missing:,} skeleton cases (one victim each) in SQL ...", flush=True)
        params: dict[str, Any] = {
            "start": have_cases,
            "count": missing,
            "today": timezone.localdate(),
        }
        with connection.cursor() as cursor:
            cursor.execute(SKELETON_SQL, params)
            cursor.execute(PERSON_SQL, params)
            cursor.execute(PARTICIPANT_SQL)
    have = Referral.objects.count()
    if have < referrals:
        print(f"generating {referrals - have:,} referrals (seed {seed}) ...", flush=True)
        generate_referrals(count=referrals - have, seed=seed, progress=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def user(name: str, role: str, code: str) -> User:
    account, _ = User.objects.get_or_create(username=name)
    Membership.objects.get_or_create(user=account, agency=Agency.objects.get(code=code), role=role)
    forget_scope(account)
    return account


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--referrals", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_data(args.cases, args.referrals, args.seed)
    today = timezone.localdate()
    since = today - datetime.timedelta(days=182)
    province = Province.objects.get(code="KH-12").pk
    analyst = user("bench-analyst", "analyst", "NCCT")
    officer = user("bench-officer", "case_officer", "DOSVY-12")
    supervisor = user("bench-supervisor", "supervisor", "MOSVY")
    print(
        f"\ncases {Case.objects.count():,}  referrals {Referral.objects.count():,}  "
        f"repeat {args.repeat}  PostgreSQL {connection.cursor().connection.info.server_version}\n"
    )
    scenarios: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = []
    for name, (where, _p) in RAW_FILTER.items():
        filters = {
            "all": CoordinationFilters(),
            "last 6 months": CoordinationFilters(sent_from=since.replace(day=1)),
            "one province": CoordinationFilters(province=province),
            "one service": CoordinationFilters(service="shelter"),
        }[name]
        params: dict[str, Any] = {
            "since": since.replace(day=1),
            "province": province,
            "today": today,
        }
        scenarios.append(
            (
                f"coordination, {name}",
                functools.partial(coordination_figures, actor=analyst, filters=filters),
                functools.partial(raw_coordination, where, params),
            )
        )
    own_ids = [Agency.objects.get(code="DOSVY-12").pk]
    sub_ids = list(Agency.objects.filter(code__startswith="DOSVY").values_list("pk", flat=True))
    sub_ids.append(Agency.objects.get(code="MOSVY").pk)
    scenarios.append(
        (
            "my work, officer",
            lambda: work_dashboard(actor=officer),
            lambda: raw_work(own_ids, today),
        )
    )
    scenarios.append(
        (
            "my work, supervisor",
            lambda: work_dashboard(actor=supervisor),
            lambda: raw_work(sub_ids, today),
        )
    )
    print(
        "| dashboard | selector median ms | selector p95 ms | raw SQL median ms | "
        "raw SQL p95 ms | p95 ratio (selector / raw) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for name, selector, raw in scenarios:
        ours = timed(selector, args.repeat)
        base = timed(raw, args.repeat)
        worst = max(worst, p95(ours))
        print(
            f"| {name} | {statistics.median(ours):.1f} | {p95(ours):.1f} | "
            f"{statistics.median(base):.1f} | {p95(base):.1f} | {p95(ours) / p95(base):.2f} |",
            flush=True,
        )
    figures = coordination_figures(actor=analyst)
    exact = raw_coordination("", {"today": today})
    print(
        f"\nmedian hours to accept: tallies {figures.median_hours_to_accept}, exact "
        f"{exact[1][0]:.1f}; to complete: tallies {figures.median_hours_to_complete}, "
        f"exact {exact[2][0]:.1f}"
    )
    print(
        f"worst selector p95: {worst:.1f} ms (target 300 ms): {'PASS' if worst <= 300 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
