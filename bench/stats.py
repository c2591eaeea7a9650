"""Benchmarks of the statistics app (not tests). Each prints a table and compares with a
baseline measured in the same run.

  report  half-year report on PostgreSQL vs one hand-written SQL query for the same numbers
  dp      DP accuracy: ctip's release mechanism vs independent per-table Laplace (OpenDP)
  mse     multiple systems estimation, 1,000 BCa replicates: a 6-list table and the UK's
          5-list table, beside the parametric percentile method in the same run

Usage (from the repository root):
  DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=ctip.settings.dev \
      .venv/bin/python bench/stats.py report --period 2024H1 --runs 5
  .venv/bin/python bench/stats.py dp --victims 200000 --runs 20
  .venv/bin/python bench/stats.py mse --runs 3 --bootstrap 1000 [--previous 9524ee7]
"""

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def summary(times: list[float]) -> str:
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    return f"median {statistics.median(times):.3f} s, p95 {p95:.3f} s, n={len(times)}"


# --- report ----------------------------------------------------------------------------------

# Shared by the hand-written queries: the three periods, the headline case counts, and the
# headline row (cases, arrests and victims CTEs joined per period).
PERIODS = """
WITH periods(label, start_on, end_on) AS (VALUES
    ('cur', %(cs)s::date, %(ce)s::date), ('prev', %(ps)s::date, %(pe)s::date),
    ('ago', %(as)s::date, %(ae)s::date)),
"""
HEADLINE_CASES = """
cases AS (
    SELECT p.label, count(*) AS n,
           count(*) FILTER (WHERE c.kind = 'trafficking') AS trafficking,
           count(*) FILTER (WHERE c.kind = 'sexual_exploitation') AS sexual
    FROM periods p JOIN registry_case c ON c.opened_on BETWEEN p.start_on AND p.end_on
    GROUP BY p.label),
"""
HEADLINE_SELECT = """
SELECT p.label, coalesce(c.n, 0), coalesce(c.trafficking, 0), coalesce(c.sexual, 0),
       coalesce(a.n, 0), coalesce(a.foreign_n, 0), coalesce(v.n, 0), coalesce(v.female, 0),
       coalesce(v.minors, 0)
FROM periods p LEFT JOIN cases c USING (label) LEFT JOIN arrests a USING (label)
LEFT JOIN victims v USING (label)
"""

HAND_SQL = (
    PERIODS
    + HEADLINE_CASES
    + """arrested AS (
    SELECT DISTINCT ON (p.label, a.person_id) p.label, a.person_id, pe.citizenships
    FROM periods p JOIN registry_arrest a ON a.arrested_on BETWEEN p.start_on AND p.end_on
    JOIN registry_person pe ON pe.id = a.person_id
    ORDER BY p.label, a.person_id, a.arrested_on, a.id),
arrests AS (
    SELECT label, count(*) AS n,
           count(*) FILTER (WHERE jsonb_array_length(citizenships::jsonb) > 0
                            AND NOT citizenships::jsonb ? 'KHM') AS foreign_n
    FROM arrested GROUP BY label),
rescued AS (
    SELECT DISTINCT ON (p.label, ep.person_id) p.label, ep.person_id, pe.sex, pe.birth_year,
           e.occurred_on, vp.age_when_trafficked
    FROM periods p
    JOIN registry_event e ON e.kind = 'rescue' AND e.occurred_on BETWEEN p.start_on AND p.end_on
    JOIN registry_event_persons ep ON ep.event_id = e.id
    JOIN registry_participant pa ON pa.case_id = e.case_id AND pa.person_id = ep.person_id
         AND pa.role = 'victim'
    LEFT JOIN registry_victimprofile vp ON vp.participant_id = pa.id
    JOIN registry_person pe ON pe.id = ep.person_id
    WHERE coalesce(vp.trafficking_status, '') <> 'NotAVictimOfTrafficking'
    ORDER BY p.label, ep.person_id, e.occurred_on, e.id, ep.id),
victims AS (
    SELECT label, count(*) AS n, count(*) FILTER (WHERE sex = 'female') AS female,
           count(*) FILTER (WHERE coalesce(extract(year FROM occurred_on) - birth_year,
                                           age_when_trafficked) < 18) AS minors
    FROM rescued GROUP BY label)
"""
    + HEADLINE_SELECT
)

# The same numbers counted by hand from the indicator rows the report reads (decision 0306):
# each row knows whether it is its person's first in its half-year (and year), so no ranking
# is needed. `flag` is first_in_half for half-years, first_in_year for years.
HAND_SQL_ROWS = (
    PERIODS
    + HEADLINE_CASES
    + """arrests AS (
    SELECT p.label, count(*) AS n,
           count(*) FILTER (WHERE r.nationality NOT IN ('KHM', 'unknown')) AS foreign_n
    FROM periods p JOIN stats_indicatorrow r ON r.source = 'arrests' AND r.{flag}
         AND r.day BETWEEN p.start_on AND p.end_on
    GROUP BY p.label),
victims AS (
    SELECT p.label, count(*) AS n, count(*) FILTER (WHERE r.sex = 'female') AS female,
           count(*) FILTER (WHERE r.age < 18) AS minors
    FROM periods p JOIN stats_indicatorrow r ON r.source = 'victims_rescued' AND r.{flag}
         AND r.day BETWEEN p.start_on AND p.end_on
    GROUP BY p.label)
"""
    + HEADLINE_SELECT
)

# Every figure the report computes, by hand from the same indicator rows: every indicator
# with every breakdown for the period, and the three compared indicators for the two
# comparison periods (one row per period, indicator and cell). `flag` is first_in_half for
# half-years, first_in_year for years.
HAND_SQL_ALL = (
    PERIODS
    + """cases AS (
    SELECT p.label, 'cases' AS indicator, c.kind, c.status, c.province_id, c.owning_agency_id,
           count(*) AS n
    FROM periods p JOIN registry_case c ON c.opened_on BETWEEN p.start_on AND p.end_on
    GROUP BY 1, 2, 3, 4, 5, 6),
persons AS (
    SELECT p.label, r.source AS indicator, r.sex, r.nationality, r.exploitation, r.province_id,
           r.case_kind,
           CASE WHEN r.age < 18 THEN 'minor' WHEN r.age >= 18 THEN 'adult' END AS age_group,
           CASE WHEN r.age BETWEEN 0 AND 8 THEN '0-8' WHEN r.age BETWEEN 9 AND 17 THEN '9-17'
                WHEN r.age BETWEEN 18 AND 20 THEN '18-20' WHEN r.age BETWEEN 21 AND 23
                THEN '21-23' WHEN r.age BETWEEN 24 AND 26 THEN '24-26' WHEN r.age BETWEEN 27
                AND 29 THEN '27-29' WHEN r.age BETWEEN 30 AND 38 THEN '30-38' WHEN r.age
                BETWEEN 39 AND 47 THEN '39-47' WHEN r.age BETWEEN 48 AND 200 THEN '48+' END
               AS age_band,
           CASE WHEN coalesce(r.months, 0) = 0 THEN 'none' WHEN r.months < 12 THEN '<1y'
                WHEN r.months < 60 THEN '1-5y' WHEN r.months < 120 THEN '5-10y'
                ELSE '10y+' END AS sentence,
           count(*) AS n
    FROM periods p JOIN stats_indicatorrow r ON r.day BETWEEN p.start_on AND p.end_on
         AND r.{flag}
    WHERE p.label = 'cur' OR r.source IN ('arrests', 'victims_rescued')
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
SELECT label, indicator, sum(n) FROM (
    SELECT label, indicator, n FROM cases UNION ALL SELECT label, indicator, n FROM persons
) cells GROUP BY 1, 2
"""
)

KEYS = [
    "cases",
    "cases_trafficking",
    "cases_sexual_exploitation",
    "arrests",
    "arrests_foreign",
    "victims_rescued",
    "victims_rescued_female",
    "victims_rescued_minors",
]


def bench_report(period_text: str, runs: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")
    django.setup()
    from django.db import connection

    from ctip.access.actors import COMMAND_LINE
    from ctip.registry.models import Case
    from ctip.stats.indicators import analytic_session
    from ctip.stats.periods import parse_period
    from ctip.stats.reports import half_year_report

    period = parse_period(period_text)
    prev, ago = period.previous(), period.year_before()
    params = {
        "cs": period.start,
        "ce": period.end,
        "ps": prev.start,
        "pe": prev.end,
        "as": ago.start,
        "ae": ago.end,
    }

    def hand(sql: str = HAND_SQL) -> dict[str, dict[str, int]]:
        # Under the same session settings as the report's queries (ctip.stats.indicators
        # .analytic_session: no JIT, work_mem, random_page_cost), so both are planned alike.
        with analytic_session(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0]: dict(zip(KEYS, map(int, row[1:]), strict=True)) for row in cursor}

    flag = "first_in_half" if period.half else "first_in_year"

    def hand_rows() -> dict[str, dict[str, int]]:
        return hand(HAND_SQL_ROWS.replace("{flag}", flag))

    def hand_all() -> dict[tuple[str, str], int]:
        """Every cell of the report by hand; returned as totals per period and indicator."""
        with analytic_session(), connection.cursor() as cursor:
            cursor.execute(HAND_SQL_ALL.replace("{flag}", flag), params)
            return {(label, indicator): int(n) for label, indicator, n in cursor}

    print(f"database: {connection.vendor}, cases: {Case.objects.count():,}, period {period}")
    hand()  # warm the cache for all alike
    hand_rows()
    hand_all()
    half_year_report(actor=COMMAND_LINE, period=period)
    t_report, report, t_sql, sql, t_rows, rows, t_all, every = [], None, [], None, [], None, [], {}
    for _ in range(runs):  # interleaved so all see the same machine load
        a, report = timed(lambda: half_year_report(actor=COMMAND_LINE, period=period), 1)
        b, sql = timed(hand, 1)
        c, rows = timed(hand_rows, 1)
        d, every = timed(hand_all, 1)
        t_report += a
        t_sql += b
        t_rows += c
        t_all += d
    assert report is not None and sql is not None and rows is not None
    same = report["numbers"] == sql["cur"] == rows["cur"]
    prev_same = all(
        report["comparisons"]["previous"]["items"][k]["baseline"]
        == sql["prev"][k]
        == rows["prev"][k]
        for k in report["comparisons"]["previous"]["items"]
    )
    print(f"ctip half-year report (all indicators, 3 periods):   {summary(t_report)}")
    print(f"hand-written SQL on the registry's tables (headline): {summary(t_sql)}")
    print(f"hand-written SQL on the indicator rows (headline):    {summary(t_rows)}")
    print(f"hand-written SQL on the indicator rows (every figure): {summary(t_all)}")
    # The by-hand totals of every indicator of the period must be the report's.
    totals_same = all(
        every.get(("cur", i), 0) == report["indicators"][i]["total"]
        for i in report["indicators"]
        if i not in ("victims_per_100k",)
    )
    median = statistics.median(t_report)
    print(
        f"ratio report / SQL on the registry: {median / statistics.median(t_sql):.2f}x; "
        f"report / SQL on the indicator rows: {median / statistics.median(t_rows):.2f}x "
        f"(headline), {median / statistics.median(t_all):.2f}x (every figure); "
        f"same numbers: {same and prev_same}; same indicator totals: {totals_same}"
    )
    print(f"numbers: {report['numbers']}")


# --- differential privacy --------------------------------------------------------------------

DIMS = {
    "province": 25,
    "sex": 3,
    "exploitation": 5,
    "age": 9,
    "nationality": 10,
    "year": 6,
    "half": 2,
}
TABLES = [
    ("province", "sex"),
    ("exploitation", "age", "sex"),
    ("nationality", "exploitation"),
    ("year", "half", "province"),
    ("nationality", "sex", "age"),
]


def synthetic_victims(n: int, seed: int) -> dict[str, np.ndarray]:
    """Skewed like the registry: most victims Cambodian, female, in a few provinces."""
    rng = np.random.default_rng(seed)

    def skewed(k: int, power: float) -> np.ndarray:
        p = 1.0 / np.arange(1, k + 1) ** power
        return rng.choice(k, size=n, p=p / p.sum())

    return {
        "province": skewed(25, 1.1),
        "sex": rng.choice(3, size=n, p=[0.7, 0.295, 0.005]),
        "exploitation": skewed(5, 1.2),
        "age": rng.choice(9, size=n, p=[0.04, 0.26, 0.16, 0.14, 0.12, 0.09, 0.12, 0.05, 0.02]),
        "nationality": skewed(10, 2.2),
        "year": rng.choice(6, size=n),
        "half": rng.choice(2, size=n),
    }


def margin(table: np.ndarray, dims: tuple[str, ...], keep: list[str]) -> np.ndarray:
    """A table summed down to the dimensions `keep` (in that order)."""
    summed = table.sum(axis=tuple(i for i, d in enumerate(dims) if d not in keep))
    kept = [d for d in dims if d in keep]
    return np.transpose(summed, [kept.index(d) for d in keep]) if keep else summed


def true_tables(v: dict[str, np.ndarray]) -> list[np.ndarray]:
    out = []
    for dims in TABLES:
        shape = tuple(DIMS[d] for d in dims)
        flat = np.ravel_multi_index(tuple(v[d] for d in dims), shape)
        out.append(np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape))
    return out


def bench_dp(n: int, runs: int, epsilon: float, seed: int) -> None:
    import opendp.prelude as dp

    from ctip.stats.disclosure import allocate_epsilon, private_tables

    dp.enable_features("contrib")
    tables = true_tables(synthetic_victims(n, seed))
    cells = sum(t.size for t in tables)
    print(f"{n:,} synthetic victims, {len(tables)} tables, {cells} cells, total epsilon {epsilon}")

    def baseline() -> list[np.ndarray]:
        out = []
        for t in tables:
            space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
            meas = dp.m.make_laplace(*space, scale=len(tables) / epsilon)
            out.append(np.array(meas([int(x) for x in t.ravel()])).reshape(t.shape))
        return out

    def ctip() -> list[np.ndarray]:
        budgets = allocate_epsilon([t.size for t in tables], epsilon)
        return private_tables(tables, TABLES, budgets)

    def mae(noisy: list[np.ndarray]) -> float:
        return float(
            np.concatenate(
                [np.abs(a - b).ravel() for a, b in zip(noisy, tables, strict=True)]
            ).mean()
        )

    def disagreement(est: list[np.ndarray]) -> int:
        """Largest gap between two tables' margins over the dimensions they share."""
        gaps = [0]
        for i, j in itertools.combinations(range(len(TABLES)), 2):
            shared = sorted(set(TABLES[i]) & set(TABLES[j]))
            mi, mj = (margin(est[k], TABLES[k], shared) for k in (i, j))
            gaps.append(int(np.abs(mi - mj).max()))
        return max(gaps)

    base, ours, consistent, gap = [], [], True, 0
    for _ in range(runs):
        base.append(mae(baseline()))
        mine = ctip()
        ours.append(mae(mine))
        consistent &= all((m >= 0).all() and np.array_equal(m, np.round(m)) for m in mine)
        gap = max(gap, disagreement(mine))
    b, o = statistics.mean(base), statistics.mean(ours)
    print(
        f"independent per-table Laplace (OpenDP, equal split, raw): "
        f"MAE mean {b:.3f}, median {statistics.median(base):.3f}"
    )
    print(
        f"ctip release mechanism (sqrt-of-cells split, joint non-negative estimate): "
        f"MAE mean {o:.3f}, median {statistics.median(ours):.3f}"
    )
    print(
        f"reduction: {100 * (1 - o / b):.1f}% (target >= 25%), ratio {o / b:.3f}, runs {runs}; "
        f"non-negative integers: {consistent}; one grand total; shared margins differ by at "
        f"most {gap} after rounding; margins are sums of cells by construction"
    )


# --- MSE ------------------------------------------------------------------------------------


# The UK Home Office 2013 lists, five-list form (SparseMSE's `UKdat_5`): 2,744 known victims.
UK_5 = {
    (1, 0, 0, 0, 0): 54, (0, 1, 0, 0, 0): 463, (0, 0, 1, 0, 0): 995, (0, 0, 0, 1, 0): 695,
    (0, 0, 0, 0, 1): 316, (1, 1, 0, 0, 0): 15, (1, 0, 1, 0, 0): 19, (1, 0, 0, 1, 0): 3,
    (0, 1, 1, 0, 0): 62, (0, 1, 0, 1, 0): 19, (0, 1, 0, 0, 1): 1, (0, 0, 1, 1, 0): 76,
    (0, 0, 1, 0, 1): 11, (0, 0, 0, 1, 1): 8, (1, 1, 1, 0, 0): 1, (1, 1, 0, 1, 0): 1,
    (0, 1, 1, 1, 0): 4, (1, 1, 1, 1, 0): 1,
}  # fmt: skip


def previous_mse(revision: str) -> Any:
    """The MSE module as it was at `revision` (before the package), for the baseline."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(
        ["git", "show", f"{revision}:ctip/stats/mse.py"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout
    path = Path(tempfile.mkdtemp()) / "mse_previous.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("mse_previous", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_mse(runs: int, bootstrap: int, previous: str | None, previous_bootstrap: int) -> None:
    import subprocess
    import tempfile

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")
    django.setup()
    from ctip.stats.mse import estimate_population, table_from_rows

    rng = np.random.default_rng(5)
    n, probs = 5000, np.array([0.12, 0.2, 0.08, 0.15, 0.1, 0.05])
    caught = rng.random((n, 6)) < probs
    caught[:, 1] |= caught[:, 0] & (rng.random(n) < 0.4)  # a referral route between lists
    rows: dict[tuple[int, ...], int] = {}
    for row in caught:
        key = tuple(int(x) for x in row)
        if any(key):
            rows[key] = rows.get(key, 0) + 1
    six = table_from_rows([f"L{i}" for i in range(6)], list(rows.items()))
    uk = table_from_rows(["LA", "NG", "PFNCA", "GO", "GP"], list(UK_5.items()))
    print(f"six lists: {len(rows)} observed patterns, {six.observed} observed of {n}")
    print(f"UK five lists: {uk.observed} observed; {bootstrap} replicates, {runs} runs each\n")
    print("| table | method | time per estimate | estimate [95% interval] |")
    print("|---|---|---|---|")
    cases = [
        ("six lists", six, "stepwise", "bca"),
        ("six lists", six, "stepwise", "parametric-percentile"),
        ("UK five lists", uk, "stepwise", "bca"),
        ("UK five lists", uk, "stepwise", "parametric-percentile"),
        ("UK five lists", uk, "bic", "bca"),
        ("UK five lists", uk, "bic-average", "bca"),
    ]
    for name, table, method, interval in cases:
        times, result = timed(
            lambda t=table, m=method, i=interval: estimate_population(
                t, method=m, bootstrap=bootstrap, interval=i
            ),
            runs if method == "stepwise" else 1,
        )
        d = result.as_dict()
        print(
            f"| {name} | {method}, {interval} | {summary(times)} | "
            f"{d['estimate']:,.0f} [{d['lower']:,.0f}, {d['upper']:,.0f}] |"
        )
    if previous:
        old = previous_mse(previous)
        for name, table in (("six lists", six), ("UK five lists", uk)):
            old_table = old.table_from_rows(table.lists, _rows(table))
            times, result = timed(
                lambda t=old_table: old.estimate_population(t, bootstrap=previous_bootstrap), 1
            )
            print(
                f"| {name} | previous ctip ({previous}): stepwise, parametric percentile, "
                f"{previous_bootstrap} replicates | {summary(times)} | {result.estimate:,.0f} "
                f"[{result.lower:,.0f}, {result.upper:,.0f}] |"
            )
    # The command as an analyst runs it, Django start-up included.
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write(",".join([*uk.lists, "count"]) + "\n")
        for pattern, count in _rows(uk):
            handle.write(",".join([*map(str, pattern), str(count)]) + "\n")
    command = [str(Path(sys.executable).with_name("ctip")), "stats", "mse", handle.name, "--json"]
    import resource

    for replicates in (0, bootstrap):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        times, _ = timed(
            lambda r=replicates: subprocess.run(
                [*command, "--bootstrap", str(r)], check=True, capture_output=True
            ),
            runs,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / runs
        print(
            f"`ctip stats mse UK5.csv --json --bootstrap {replicates}`: wall {summary(times)}; "
            f"CPU {cpu:.2f} s a run (Django start-up included)"
        )


def _rows(table: Any) -> list[tuple[tuple[int, ...], int]]:
    return [
        (tuple(int(v) for v in cell), int(count))
        for cell, count in zip(table.cells, table.counts, strict=True)
        if count
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("report")
    r.add_argument("--period", default="2024H1")
    r.add_argument("--runs", type=int, default=5)
    d = sub.add_parser("dp")
    d.add_argument("--victims", type=int, default=200_000)
    d.add_argument("--runs", type=int, default=20)
    d.add_argument("--epsilon", type=float, default=1.0)
    d.add_argument("--seed", type=int, default=6)
    m = sub.add_parser("mse")
    m.add_argument("--runs", type=int, default=3)
    m.add_argument("--bootstrap", type=int, default=1000)
    m.add_argument(
        "--previous",
        default=None,
        help="git revision whose ctip/stats/mse.py (the module before the package) to time too",
    )
    m.add_argument("--previous-bootstrap", type=int, default=200)
    args = parser.parse_args()
    if args.what == "report":
        bench_report(args.period, args.runs)
    elif args.what == "dp":
        bench_dp(args.victims, args.runs, args.epsilon, args.seed)
    else:
        bench_mse(args.runs, args.bootstrap, args.previous, args.previous_bootstrap)


if __name__ == "__main__":
    main()
