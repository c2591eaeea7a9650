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
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        time.sleep(4)
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
        server.wait(timeout=30)


def drive(plan: dict, port: int, users: int, seconds: int) -> int:
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    clients = plan["clients"]
    cases = plan["cases"] or [1]
    names = ["sok", "chan", "dara", "srey", "vanna", "bopha"]

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
    for name in ("case list", "case page", "search", "API case list"):
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--var-dir", default="", help="keep the prepared database here")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--locust", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locust:
        return drive(json.loads(args.locust), args.port, args.users, args.seconds)
    var_dir = Path(args.var_dir) if args.var_dir else Path(tempfile.mkdtemp(prefix="ctip-load-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        plan = prepare(var_dir, args.cases, args.users)
        took = time.monotonic() - started
        print(f"prepared {args.cases} cases, {args.users} officers in {took:.0f} s")
        if args.prepare_only:
            return 0
        return run(args, var_dir, plan)
    finally:
        if not args.var_dir:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
