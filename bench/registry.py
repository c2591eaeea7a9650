"""Benchmark: the case list's first page and person search on a large PostgreSQL registry.

Each measurement stands beside the raw SQL it runs, timed in the same run, so the numbers
say how much the selector (scoping, ORM, audit) adds to the database's own work. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench python bench/registry.py

`--prepare N` first makes sure the database holds N cases (see docs/benchmarks.md).
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")
os.environ.setdefault("CTIP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Measure as production runs: with DEBUG off Django caches compiled templates.
os.environ.setdefault("CTIP_DEBUG", "0")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.access.testing import verified_login  # noqa: E402
from ctip.reference.models import Province  # noqa: E402
from ctip.registry.models import Case  # noqa: E402
from ctip.registry.selectors import CaseFilters, PersonQuery, case_list, person_search  # noqa: E402

PAGE = 25


def timed(fn: Any, repeat: int) -> list[float]:
    fn()  # warm caches: the first call pays for plans and pages read from disk
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def raw(sql: str, params: Any) -> Any:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def bench_user(username: str, agency: str, role: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    Membership.objects.get_or_create(user=user, agency=Agency.objects.get(code=agency), role=role)
    return user


def row(name: str, samples: list[float], base: list[float] | None) -> str:
    med, high = statistics.median(samples), p95(samples)
    ratio = f"{med / statistics.median(base):.2f}" if base else "1.00"
    return f"| {name} | {med:.1f} | {high:.1f} | {ratio} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--province", default="KH-18")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--name", default="Sokha Chan")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL (set DATABASE_URL).")

    cases = Case.objects.count()
    last = Case.objects.order_by("-opened_on").values_list("opened_on", flat=True).first()
    province = Province.objects.get(code=args.province)
    assert last is not None
    period = (last - datetime.timedelta(days=30 * args.months), last)
    supervisor = bench_user("bench.ahtjp.supervisor", "AHTJP", "supervisor")
    committee = bench_user("bench.pcct18.member", "PCCT-18", "case_officer")
    lines = [
        f"cases: {cases:,}; persons: {connection.cursor().execute('SELECT count(*) FROM registry_person').fetchone()[0]:,}",  # noqa: E501
        "",
        "| measurement | median ms | p95 ms | ratio to raw SQL |",
        "| --- | --- | --- | --- |",
    ]
    for label, actor in (("AHTJP supervisor", supervisor), ("PCCT-18 member", committee)):
        filters = CaseFilters(province=province.pk, opened_from=period[0], opened_to=period[1])
        queryset = case_list(actor=actor, filters=filters)[:PAGE]
        sql, params = queryset.query.sql_with_params()
        base = timed(raw(sql, params), args.repeat)
        page = timed(lambda qs=queryset: list(qs.all()), args.repeat)
        lines.append(row(f"case list page 1, {label}: raw SQL", base, None))
        lines.append(row(f"case list page 1, {label}: case_list() + materialise", page, base))
        client = Client()
        verified_login(client, actor)  # password and one-time code, as a real sign-in
        query = f"?province={province.pk}&opened_from={period[0]}&opened_to={period[1]}"
        response = client.get("/cases/" + query)
        if response.status_code == 200 and len(response.content) > 500:
            view = timed(lambda c=client, q=query: c.get("/cases/" + q), args.repeat)
            lines.append(row(f"GET /cases/ (view), {label}", view, base))
        else:
            lines.append(
                f"| GET /cases/ (view), {label} | not measured: HTTP {response.status_code} | | |"
            )
    for label, actor in (("AHTJP supervisor", supervisor), ("PCCT-18 member", committee)):
        query = PersonQuery(name=args.name)
        with CaptureQueriesContext(connection) as captured:
            person_search(actor=actor, query=query)
        selects = [q["sql"] for q in captured.captured_queries if "registry_person" in q["sql"]]
        base = timed(raw(selects[0], None), args.repeat)
        search = timed(lambda a=actor, q=query: person_search(actor=a, query=q), args.repeat)
        lines.append(row(f"person search '{args.name}', {label}: raw SQL", base, None))
        lines.append(row(f"person search '{args.name}', {label}: person_search()", search, base))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
