"""Load benchmark: 20 signed-in clients against gunicorn under the production settings.

Issue #11 asks for 20 concurrent signed-in clients on the case list, a case page, person
search and the API case list, with 0 errors and p95 <= 400 ms on 2 cores. This script
prepares a database (SQLite under a scratch CTIP_VAR_DIR by default, or DATABASE_URL),
signs in N officers server-side (session with the one-time-code step passed, and an API
token), starts gunicorn on 127.0.0.1 only with `ctip.settings.production`, and drives it
with locust (as a library, headless) for a bounded time. Not a test.

    python bench/load.py --cases 3000 --users 20 --seconds 60 --workers 3

Secure cookies under production settings: locust's HTTP client would not send them over
plain HTTP, so each simulated user sends its session cookie in a Cookie header, with
`X-Forwarded-Proto: https` as nginx does. `--prepare-only` builds the database and exits.

`--breakdown N` then sends N requests per endpoint, one at a time, through Django's test client
in one process under the same settings, and splits each request's time into SQL (outside
templates), template rendering (without the SQL it triggers), SQL run while rendering, and
the rest (Python: middleware, session, access rules, view code), with the statements that
took the most time. That says where the time goes; the locust run says how fast it is.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ctip.settings.production",
            "CTIP_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "CTIP_VAR_DIR": str(var_dir),
            "CTIP_KEY_FILE": str(var_dir / "keys.json"),
            "CTIP_SSL_REDIRECT": "0",
            "CTIP_ALLOWED_HOSTS": "127.0.0.1",
            "CTIP_AUDIT_WITNESS_DIR": str(var_dir / "audit-witness"),
            "CTIP_LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare(var_dir: Path, cases: int, users: int) -> dict:
    """Database, demo data, N officers with sessions and tokens; returns what the run needs."""
    env = _env(var_dir)
    ctip = str(VENV_BIN / "ctip")
    dev = {**env, "DJANGO_SETTINGS_MODULE": "ctip.settings.dev"}
    if not (var_dir / "keys.json").exists():
        subprocess.run([ctip, "keys", "init"], env=dev, check=True)
    subprocess.run([ctip, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([ctip, "load-reference"], env=env, check=True, capture_output=True)
    subprocess.run(
        [ctip, "demo-data", "--cases", str(cases), "--seed", "2024", "--if-empty", "--no-progress"],
        env=env,
        check=True,
        capture_output=True,
    )
    script = f"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from ctip.access.models import Agency, Membership, User
from ctip.api.services import token_issue
from ctip.registry.models import Case
agency = Agency.objects.filter(code="PAHT-12").first() or Agency.objects.first()
out = {{"clients": [], "cases": []}}
for n in range({users}):
    user, _ = User.objects.get_or_create(username=f"bench-officer-{{n}}")
    Membership.objects.get_or_create(user=user, agency=agency, role="case_officer")
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    out["clients"].append({{"session": session.session_key,
                            "token": token_issue(actor=None, user=user).key}})
out["cases"] = list(Case.objects.filter(owning_agency=agency).values_list("pk", flat=True)[:200])
print(json.dumps(out))
"""
    done = subprocess.run(
        [ctip, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace, var_dir: Path, plan: dict) -> int:
    env = _env(var_dir)
    port = args.port
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "ctip.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # As the shipped systemd unit (deploy/systemd/ctip.service).
            "--timeout",
            "60",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        warm_up(plan, port, args.workers)
        # Locust (gevent) runs in its own process, away from Django.
        locust = subprocess.run(
            [
                sys.executable,
                __file__,
                "--locust",
                json.dumps(plan),
                "--port",
                str(port),
                "--users",
                str(args.users),
                "--seconds",
                str(args.seconds),
            ],
            env={**env, "DJANGO_SETTINGS_MODULE": ""},
            check=False,
        )
        return locust.returncode
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def warm_up(plan: dict, port: int, workers: int, deadline_s: float = 300) -> None:
    """Wait until gunicorn answers, then send each endpoint a few requests per worker, so
    that the timed run measures serving, not workers importing Django and loading templates
    (on a busy machine that took longer than the worker timeout, and every first request
    failed)."""
    import urllib.error
    import urllib.request

    me = plan["clients"][0]
    cases = plan["cases"] or [1]
    headers = {"Cookie": f"sessionid={me['session']}", "X-Forwarded-Proto": "https"}
    api = {"Authorization": f"Token {me['token']}", "X-Forwarded-Proto": "https"}
    started = time.monotonic()

    def get(path: str, head: dict[str, str]) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=head)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                answer.read()
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    while True:
        try:
            if get("/cases/", headers) == 200:
                break
        except OSError:
            pass
        if time.monotonic() - started > deadline_s:
            raise SystemExit("gunicorn did not answer in time")
        time.sleep(1)
    for _ in range(3 * workers):
        get("/cases/", headers)
        get(f"/cases/{cases[0]}/", headers)
        get("/api/v1/cases/", api)
    # Person search is rate-limited per user: warm it with the other officers.
    for me in plan["clients"][1 : 1 + 3 * workers]:
        get("/persons/?name=sok", {**headers, "Cookie": f"sessionid={me['session']}"})
    print(f"gunicorn answering and warmed in {time.monotonic() - started:.0f} s")


def drive(plan: dict, port: int, users: int, seconds: int) -> int:
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    clients = plan["clients"]
    cases = plan["cases"] or [1]
    names = NAMES

    class Officer(HttpUser):
        host = f"http://127.0.0.1:{port}"
        wait_time = between(0.5, 1.5)

        def on_start(self) -> None:
            me = clients[self.environment.runner.user_count % len(clients)]
            self.page_headers = {
                "Cookie": f"sessionid={me['session']}",
                "X-Forwarded-Proto": "https",
            }
            self.api_headers = {
                "Authorization": f"Token {me['token']}",
                "X-Forwarded-Proto": "https",
            }

        @task(3)
        def case_list(self) -> None:
            self.client.get("/cases/", headers=self.page_headers, name="case list")

        @task(3)
        def case_page(self) -> None:
            pk = random.choice(cases)
            self.client.get(f"/cases/{pk}/", headers=self.page_headers, name="case page")

        @task(2)
        def search(self) -> None:
            q = random.choice(names)
            self.client.get(f"/persons/?name={q}", headers=self.page_headers, name="search")

        @task(2)
        def api_list(self) -> None:
            self.client.get("/api/v1/cases/", headers=self.api_headers, name="API case list")

    env = Environment(user_classes=[Officer])
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    runner.quit()
    print(f"{'endpoint':<16}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}")
    failures = 0
    for name in ENDPOINTS:
        entry = env.stats.get(name, "GET")
        failures += entry.num_failures
        print(
            f"{name:<16}{entry.num_requests:>9}{entry.num_failures:>8}"
            f"{entry.num_requests / seconds:>8.1f}{entry.get_response_time_percentile(0.5):>8.0f}"
            f"{entry.get_response_time_percentile(0.95):>8.0f}"
        )
    total = env.stats.total
    print(
        f"{'all':<16}{total.num_requests:>9}{total.num_failures:>8}"
        f"{total.num_requests / seconds:>8.1f}{total.get_response_time_percentile(0.5):>8.0f}"
        f"{total.get_response_time_percentile(0.95):>8.0f}"
    )
    for error in env.stats.errors.values():
        print("error:", error.method, error.name, error.error, error.occurrences)
    return 1 if failures else 0


ENDPOINTS = ("case list", "case page", "search", "API case list")
NAMES = ["sok", "chan", "dara", "srey", "vanna", "bopha"]


def breakdown(plan: dict, requests: int) -> None:
    """Time each endpoint in-process and split the time: SQL, templates, SQL while rendering,
    the rest. Runs in its own process with the production settings (see `run_breakdown`)."""
    import re
    import statistics
    from collections import defaultdict

    import django

    django.setup()
    from django.db import connection
    from django.template.backends.django import Template
    from django.test import Client

    state = {"in_template": 0}
    spent: dict[str, float] = defaultdict(float)
    statements: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def timed_sql(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            spent["sql_in_template" if state["in_template"] else "sql"] += took
            spent["queries"] += 1
            shape = re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'?'", sql))[:150]
            statements[shape][0] += 1
            statements[shape][1] += took

    original_render = Template.render

    def timed_render(self, context=None, request=None):  # type: ignore[no-untyped-def]
        outermost = not state["in_template"]
        state["in_template"] += 1
        started = time.perf_counter()
        try:
            return original_render(self, context, request)
        finally:
            state["in_template"] -= 1
            if outermost:
                spent["template_total"] += time.perf_counter() - started

    Template.render = timed_render  # type: ignore[method-assign]
    cases = plan["cases"] or [1]
    rng = random.Random(11)
    # One officer after another: person search is rate-limited per user (30 a minute).
    pages, apis = [], []
    for me in plan["clients"]:
        page = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        page.cookies["sessionid"] = me["session"]
        pages.append(page)
        apis.append(
            Client(
                HTTP_HOST="127.0.0.1",
                HTTP_X_FORWARDED_PROTO="https",
                HTTP_AUTHORIZATION=f"Token {me['token']}",
            )
        )

    def url(name: str, n: int) -> tuple[Client, str]:
        page = pages[n % len(pages)]
        if name == "case list":
            return page, "/cases/"
        if name == "case page":
            return page, f"/cases/{rng.choice(cases)}/"
        if name == "search":
            return page, f"/persons/?name={rng.choice(NAMES)}"
        return apis[n % len(apis)], "/api/v1/cases/"

    rows = {}
    with connection.execute_wrapper(timed_sql):
        for name in ENDPOINTS:
            samples: dict[str, list[float]] = defaultdict(list)
            statements.clear()
            for n in range(requests + 2):
                client, path = url(name, n)
                spent.clear()
                started = time.perf_counter()
                answer = client.get(path)
                total = time.perf_counter() - started
                if answer.status_code != 200:
                    raise SystemExit(f"{name}: {path} answered {answer.status_code}")
                if n < 2:
                    statements.clear()
                    continue  # warm-up: first template load, connection
                template = spent["template_total"] - spent["sql_in_template"]
                samples["total"].append(total)
                samples["sql"].append(spent["sql"])
                samples["template"].append(template)
                samples["sql_in_template"].append(spent["sql_in_template"])
                samples["python"].append(total - spent["sql"] - spent["template_total"])
                samples["queries"].append(spent["queries"])
            rows[name] = (samples, sorted(statements.items(), key=lambda kv: -kv[1][1])[:4])
    print(f"\nbreakdown: {requests} requests per endpoint, one at a time, medians in ms")
    head = ("endpoint", "total", "SQL", "templates", "SQL in templates", "rest (Python)", "queries")
    print(" | ".join(head))
    for name, (samples, _top) in rows.items():
        med = {k: statistics.median(v) for k, v in samples.items()}
        print(
            f"{name} | {med['total'] * 1000:.1f} | {med['sql'] * 1000:.1f} | "
            f"{med['template'] * 1000:.1f} | {med['sql_in_template'] * 1000:.1f} | "
            f"{med['python'] * 1000:.1f} | {med['queries']:.0f}"
        )
    for name, (_samples, top) in rows.items():
        print(f"\n{name}: statements taking the most time (count, total ms over the sample)")
        for shape, (count, took) in top:
            print(f"  {count:>5} {took * 1000:>9.1f}  {shape}")


def run_breakdown(args: argparse.Namespace, var_dir: Path, plan: dict) -> int:
    env = _env(var_dir)
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--breakdown-child",
            json.dumps(plan),
            "--breakdown",
            str(args.breakdown),
        ],
        env=env,
        cwd=ROOT,
        check=False,
    )
    return child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--var-dir", default="", help="keep the prepared database here")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument(
        "--breakdown", type=int, default=0, help="then time N requests per endpoint in-process"
    )
    parser.add_argument("--locust", default="", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locust:
        return drive(json.loads(args.locust), args.port, args.users, args.seconds)
    if args.breakdown_child:
        sys.path.insert(0, str(ROOT))
        breakdown(json.loads(args.breakdown_child), args.breakdown)
        return 0
    var_dir = Path(args.var_dir) if args.var_dir else Path(tempfile.mkdtemp(prefix="ctip-load-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        plan = prepare(var_dir, args.cases, args.users)
        took = time.monotonic() - started
        print(f"prepared {args.cases} cases, {args.users} officers in {took:.0f} s")
        if args.prepare_only:
            return 0
        status = run(args, var_dir, plan) if args.seconds > 0 else 0
        if args.breakdown:
            status = run_breakdown(args, var_dir, plan) or status
        return status
    finally:
        if not args.var_dir:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
