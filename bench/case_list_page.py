"""Benchmark: the case list page (first page, filtered) beside the raw SQL it runs.

Run against a database that already holds many cases (e.g. `ctip demo-data --cases 1000000`
on PostgreSQL), with DATABASE_URL set:

    DATABASE_URL=postgres://... python bench/case_list_page.py --runs 50

For each scenario it renders the page through Django's test client (URL routing, session,
access rule, capped count, page query, template) and then re-runs the exact SQL statements
the page issued, so the page's overhead over its queries can be read off in the same run.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.reference.models import Province  # noqa: E402


def member(username: str, role: str, agency_code: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    Membership.objects.get_or_create(
        user=user, agency=Agency.objects.get(code=agency_code), role=role
    )
    return user


FILL_SQL = """
WITH ag AS (
    SELECT array_agg(a.id ORDER BY a.id) AS ids,
           array_agg(coalesce(a.province_id, %(capital)s) ORDER BY a.id) AS provinces
    FROM access_agency a
    WHERE a.kind IN ('police_unit', 'province_committee', 'province_department', 'ngo')
), pr AS (SELECT array_agg(id ORDER BY id) AS ids FROM reference_province)
INSERT INTO registry_case (reference, kind, status, source, opened_on, closure_reason,
                           summary, created_at, updated_at, owning_agency_id, province_id)
SELECT 'CT-B-' || g,
       (ARRAY['trafficking', 'sexual_exploitation', 'forced_criminality', 'forced_labour',
              'forced_marriage', 'other'])[1 + (h %% 6)],
       (ARRAY['active', 'follow_up', 'closed', 'closed_referred'])[1 + ((h / 7) %% 4)],
       'hotline', date '2014-01-01' + ((h / 31) %% 4300), '', '', now(), now(),
       ag.ids[1 + ((h / 11) %% array_length(ag.ids, 1))],
       CASE WHEN h %% 5 = 0 THEN pr.ids[1 + ((h / 13) %% array_length(pr.ids, 1))]
            ELSE ag.provinces[1 + ((h / 11) %% array_length(ag.ids, 1))] END
FROM (SELECT g, abs(hashtext(g::text)) AS h FROM generate_series(1, %(count)s) g) s, ag, pr
"""


def fill(count: int) -> None:
    """Bulk-insert bare cases (no persons) with SQL, for a list benchmark without the generator."""
    capital = Province.objects.get(code="KH-12").pk
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL, {"capital": capital, "count": count})
        cursor.execute("ANALYZE registry_case")


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm caches, as a user's second request would find them
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--fill",
        type=int,
        default=0,
        help="first insert this many bare cases with SQL (PostgreSQL only)",
    )
    args = parser.parse_args()
    if args.fill:
        fill(args.fill)

    total = connection.cursor()
    total.execute("SELECT count(*) FROM registry_case")
    cases = total.fetchone()[0]
    phnom_penh = Province.objects.get(code="KH-12").pk
    sihanouk = Province.objects.get(code="KH-18").pk
    period = "opened_from=2024-01-01&opened_to=2024-06-30"
    superuser, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True}
    )
    scenarios = [
        ("province officer, no filter", member("bench-officer", "case_officer", "PAHT-12"), ""),
        (
            "province officer, province + half-year",
            member("bench-officer", "case_officer", "PAHT-12"),
            f"province={phnom_penh}&{period}",
        ),
        (
            "national supervisor, province + half-year",
            member("bench-supervisor", "supervisor", "AHTJP"),
            f"province={sihanouk}&{period}",
        ),
        ("superuser, province + half-year", superuser, f"province={sihanouk}&{period}"),
        ("superuser, no filter, page 20", superuser, "page=20"),
    ]
    print(f"cases in the database: {cases:,}; vendor: {connection.vendor}; runs: {args.runs}")
    print("| scenario | page p50 ms | page p95 ms | SQL p50 ms | SQL p95 ms | page/SQL (p50) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, user, query in scenarios:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        url = f"/cases/?{query}"

        def page(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        with CaptureQueriesContext(connection) as captured:
            page()
        statements = [q["sql"] for q in captured.captured_queries if "registry_case" in q["sql"]]

        def raw(statements: list[str] = statements) -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        page_ms, sql_ms = timed(page, args.runs), timed(raw, args.runs)
        print(
            f"| {name} | {statistics.median(page_ms):.1f} | {p95(page_ms):.1f} | "
            f"{statistics.median(sql_ms):.1f} | {p95(sql_ms):.1f} | "
            f"{statistics.median(page_ms) / statistics.median(sql_ms):.2f} |"
        )


if __name__ == "__main__":
    main()
