"""Benchmark: what scoping, masking, audit and decryption add to the case list and case page.

Issue 3 asks that these four protections keep the app fast: at 1,000,000 cases on
PostgreSQL, the case list and a case's page with all of them on vs. off, in the same run,
overhead under 25 % at the 95th percentile. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench \\
        python bench/security_overhead.py --rounds 60

"On" is the real code path: a case officer and a supervisor, signed in with the one-time
code step, request the pages through Django's test client (routing, middleware, session,
view, selectors, template). "Off" is the same user, session, URL and data in the same process
with the four mechanisms bypassed for the duration of that one request:

- scoping: `ctip.access.policies.case_q` returns an empty Q, so no access rule is added to
  any query (the user's memberships are still read where the page needs them for other
  things, such as the "Register a case" button);
- masking: `ctip.access.masking.can_read` answers yes, so every field shows in clear and no
  reveal link is worked out;
- audit: `ctip.audit.services.audit_record` (and every module's imported name for it) does
  nothing, so no event is locked, chained, hashed or inserted;
- decryption: `ctip.registry.fields.decrypt` looks the token up in a dict of plaintexts
  filled during warm-up, so the same values appear without running AES-GCM or Fernet.

Variants are interleaved: every round requests every (page, user, variant) once, in a
shuffled order, so all see the same machine load. `--breakdown` adds variants with one
mechanism off at a time; `--profile` prints a cProfile of the "on" requests instead.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import logging
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")
os.environ.setdefault("CTIP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Debug mode would keep every query in memory and render differently; a server runs without.
os.environ.setdefault("CTIP_DEBUG", "0")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

import ctip.access.masking  # noqa: E402
import ctip.access.policies  # noqa: E402
import ctip.audit.services  # noqa: E402
import ctip.registry.fields  # noqa: E402
from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.access.testing import verified_login  # noqa: E402
from ctip.reference.models import Province  # noqa: E402
from ctip.registry.models import Case  # noqa: E402
from ctip.registry.selectors import CaseFilters, case_list  # noqa: E402
from ctip.registry.views import CASES_PER_PAGE  # noqa: E402

# django-axes logs every sign-in; the bench signs in twice and wants a readable output.
logging.getLogger("axes").setLevel(logging.WARNING)

MECHANISMS = ("scoping", "masking", "audit", "decryption")
REAL_DECRYPT = ctip.registry.fields.decrypt
PLAINTEXTS: dict[str, str] = {}


def remembered_decrypt(token: str) -> str:
    """Decryption skipped: the plaintext seen for this token during warm-up."""
    plaintext = PLAINTEXTS.get(token)
    if plaintext is None:
        plaintext = PLAINTEXTS[token] = REAL_DECRYPT(token)
    return plaintext


def no_audit(**kwargs: Any) -> None:
    return None


def everything_readable(*args: Any, **kwargs: Any) -> bool:
    return True


def no_scope(*args: Any, **kwargs: Any) -> Q:
    return Q()


BYPASS: dict[str, tuple[Any, str, Callable[..., Any]]] = {
    "scoping": (ctip.access.policies, "case_q", no_scope),
    "masking": (ctip.access.masking, "can_read", everything_readable),
    "audit": (ctip.audit.services, "audit_record", no_audit),
    "decryption": (ctip.registry.fields, "decrypt", remembered_decrypt),
}


@contextlib.contextmanager
def bypassed(mechanisms: tuple[str, ...]) -> Iterator[None]:
    """Replace each mechanism's function in its module and wherever ctip imported it by name."""
    with contextlib.ExitStack() as stack:
        for name in mechanisms:
            home, attribute, replacement = BYPASS[name]
            original = getattr(home, attribute)
            for module in list(sys.modules.values()):
                module_name = getattr(module, "__name__", "")
                if module_name.startswith("ctip") and getattr(module, attribute, None) is original:
                    stack.enter_context(mock.patch.object(module, attribute, replacement))
        yield


def bench_user(username: str, agency: str, role: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    Membership.objects.get_or_create(user=user, agency=Agency.objects.get(code=agency), role=role)
    return user


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def pick_case(actor: User, filters: CaseFilters) -> Case:
    """The case a user would open from the list: the one on its first page with most persons."""
    ids = [case.pk for case in case_list(actor=actor, filters=filters)[:CASES_PER_PAGE]]
    case = (
        Case.objects.filter(pk__in=ids)
        .annotate(persons=Count("participants"))
        .order_by("-persons", "pk")
        .first()
    )
    assert case is not None, "no case on the list's first page"
    return case


def machine() -> str:
    cores = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return (
        f"{platform.machine()}, {cores} cores, load average {load}; Python "
        f"{platform.python_version()}; PostgreSQL {server} (shared_buffers {buffers})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="timed rounds (each: every variant)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--province", default="KH-18")
    parser.add_argument("--months", type=int, default=6, help="the period filter, in months")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--breakdown", action="store_true", help="also one mechanism off at a time")
    parser.add_argument("--profile", type=int, default=0, help="profile N 'on' requests per page")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL (set DATABASE_URL).")

    province = Province.objects.get(code=args.province)
    last = Case.objects.order_by("-opened_on").values_list("opened_on", flat=True).first()
    assert last is not None
    start = last - datetime.timedelta(days=round(30.44 * args.months))
    list_query = f"province={province.pk}&opened_from={start}&opened_to={last}"
    users = {
        "case officer (PCCT-18)": bench_user("bench.pcct18.member", "PCCT-18", "case_officer"),
        "supervisor (AHTJP)": bench_user("bench.ahtjp.supervisor", "AHTJP", "supervisor"),
    }
    clients: dict[str, Client] = {}
    for label, user in users.items():
        clients[label] = Client()
        verified_login(clients[label], user)
    # One case both users may open: the officer's committee sees the whole province.
    # One case both may open: the officer's committee sees every case of its province, the
    # supervisor those of the police bureaus under AHTJP, so: a case of the province's bureau.
    bureau = Agency.objects.get(code=f"PAHT-{args.province.removeprefix('KH-')}")
    case = pick_case(
        users["supervisor (AHTJP)"],
        CaseFilters(province=province.pk, agency=bureau.pk, opened_from=start, opened_to=last),
    )
    pages = {"case list": "/cases/?" + list_query, "case page": f"/cases/{case.pk}/"}

    variants: dict[str, tuple[str, ...]] = {"on": (), "off": MECHANISMS}
    if args.breakdown:
        variants |= {f"{name} off": (name,) for name in MECHANISMS}

    def request(client: Client, url: str, off: tuple[str, ...]) -> tuple[float, float]:
        """Wall-clock and this process's CPU milliseconds for one request."""
        with bypassed(off):
            began, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed = (time.perf_counter() - began) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, cpu_ms

    print(f"cases: {Case.objects.count():,}; machine: {machine()}")
    print(f"case list: {pages['case list']}; case page: {case.reference} ({pages['case page']})")
    for page, url in pages.items():
        for label, client in clients.items():
            for variant, off in (("on", ()), ("off", MECHANISMS)):
                request(client, url, off)  # warm first, so the count is a steady request's
                with bypassed(off), CaptureQueriesContext(connection) as captured:
                    client.get(url)
                print(f"  {page}, {label}, {variant}: {len(captured)} queries")

    if args.profile:
        profiler = cProfile.Profile()
        for url in pages.values():
            for client in clients.values():
                for _ in range(args.profile):
                    profiler.runcall(client.get, url)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(40)
        # The mechanisms' own functions, wherever they rank.
        stats.print_stats(
            "audit_record|_actor_memberships|case_q|actor_scope|_descendants|fields.py.*decrypt|"
            "crypto.py|can_read|mask_value|hidden_sensitivities|_active_reveals|case_can"
        )
        print(out.getvalue())
        return

    jobs = [(page, label, variant) for page in pages for label in clients for variant in variants]
    samples: dict[tuple[str, str, str], list[float]] = {job: [] for job in jobs}
    cpu: dict[tuple[str, str, str], list[float]] = {job: [] for job in jobs}
    rng = random.Random(args.seed)
    began = time.perf_counter()
    for round_no in range(args.warmup + args.rounds):
        rng.shuffle(jobs)
        for page, label, variant in jobs:
            elapsed, cpu_ms = request(clients[label], pages[page], variants[variant])
            if round_no >= args.warmup:
                samples[(page, label, variant)].append(elapsed)
                cpu[(page, label, variant)].append(cpu_ms)
    print(
        f"{args.rounds} rounds after {args.warmup} warm-up rounds, {len(jobs)} requests a round, "
        f"interleaved in shuffled order; {time.perf_counter() - began:.0f} s; "
        f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print()
    print(
        "| page | user | variant | p50 ms | p95 ms | on/variant p50 | on/variant p95 "
        "| CPU p50 ms | CPU p95 ms | on/variant CPU p95 |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for page in pages:
        for label in clients:
            on, on_cpu = samples[(page, label, "on")], cpu[(page, label, "on")]
            for variant in variants:
                mine, mine_cpu = samples[(page, label, variant)], cpu[(page, label, variant)]
                print(
                    f"| {page} | {label} | {variant} | {statistics.median(mine):.1f} | "
                    f"{p95(mine):.1f} | {statistics.median(on) / statistics.median(mine):.2f} | "
                    f"{p95(on) / p95(mine):.2f} | {statistics.median(mine_cpu):.1f} | "
                    f"{p95(mine_cpu):.1f} | {p95(on_cpu) / p95(mine_cpu):.2f} |"
                )


if __name__ == "__main__":
    main()
