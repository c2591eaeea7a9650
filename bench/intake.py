"""Benchmark: concurrent submitters of the public report form, against gunicorn under the
production settings (issue #15: 50 concurrent submitters, p95 <= 300 ms on 2 cores). Not a test.

Prepares a scratch SQLite database (or DATABASE_URL), starts gunicorn on 127.0.0.1 with
`--workers`, and drives it with `--users` threads for `--seconds`. Each thread is one
submitter, as a person is: it fetches the form (GET, the baseline of the same run), fills it
in for `--fill` seconds (drawn uniformly between half and one and a half times that: a person
types a tip for minutes; 20 s is already quick), during which the browser solves the proof of
work (pow.js; here the bench's own thread solves it, untimed: it is the client's CPU, not the
server's, though on this machine the two share the cores), and sends it (POST). A share
`--no-script` of the submitters sends no solution (the no-JavaScript path, under its own
limit). Then it starts over at once. `--fill 0 --no-script 1` is the old flood model (every
thread resubmitting at once, nothing solved): a stress test of the server, not a model of
submitters. The global limits are raised for the run (they would otherwise refuse a
benchmark's burst, which is what they are for).

    python bench/intake.py --users 50 --seconds 120 --workers 2 --fill 20
"""

import argparse
import hashlib
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def env_for(var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ctip.settings.production",
        "CTIP_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "CTIP_VAR_DIR": str(var_dir),
        "CTIP_KEY_FILE": str(var_dir / "keys.json"),
        "CTIP_SSL_REDIRECT": "0",
        "CTIP_ALLOWED_HOSTS": "127.0.0.1",
        "CTIP_AUDIT_WITNESS_DIR": str(var_dir / "audit-witness"),
        "CTIP_LOG_LEVEL": "WARNING",
        "CTIP_INTAKE_SUBMIT_PER_MINUTE": "0",
        "CTIP_INTAKE_NOSCRIPT_PER_MINUTE": "0",
    }


def prepare(var_dir: Path) -> None:
    env = env_for(var_dir)
    ctip = str(VENV_BIN / "ctip")
    subprocess.run(
        [ctip, "keys", "init"],
        env={**env, "DJANGO_SETTINGS_MODULE": "ctip.settings.dev"},
        check=True,
    )
    subprocess.run([ctip, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([ctip, "load-reference"], env=env, check=True, capture_output=True)


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by every live process of the server's process
    group (gunicorn's master and workers): what the requests cost the server, whatever the
    load of the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, ... utime (12th), stime (13th).
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def solve(token: str, difficulty: int) -> str:
    """What pow.js does in the reporter's browser (ctip.intake.proof.solve, without Django)."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{token}:{counter}".encode()).digest()
        value = int.from_bytes(digest, "big")
        if value >> (256 - difficulty) == 0:
            return str(counter)
        counter += 1


def drive(
    port: int, users: int, seconds: float, fill: float, no_script: float, seed: int = 15
) -> dict[str, list[float]]:
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {"GET form": [], "POST report": [], "errors": []}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"X-Forwarded-Proto": "https", "Content-Type": "application/x-www-form-urlencoded"}

    def user(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        scripted = rng.random() >= no_script
        # Submitters arrive spread over one filling time, not all in the same second.
        time.sleep(rng.uniform(0, fill))
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(base + "/report/km/", headers=headers), timeout=30
                ) as response:
                    page = response.read().decode()
                got = time.perf_counter() - started
                challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page)
                bits = re.search(r'data-pow-bits="(\d+)"', page)
                token = challenge.group(1) if challenge else ""
                typing_until = time.monotonic() + rng.uniform(fill * 0.5, fill * 1.5)
                solution = solve(token, int(bits.group(1))) if scripted and bits else ""
                time.sleep(max(0.0, typing_until - time.monotonic()))
                if time.monotonic() >= stop:
                    break
                body = urllib.parse.urlencode(
                    {
                        "what": f"Bench report {n}: people held in a building",
                        "phones": f"012 {n:03d} 555",
                        "child_involved": "unknown",
                        "danger_now": "no",
                        "pow_challenge": token,
                        "pow_solution": solution,
                        "send": "1",
                    }
                ).encode()
                started = time.perf_counter()
                with urllib.request.urlopen(
                    urllib.request.Request(base + "/report/km/", body, headers), timeout=30
                ) as response:
                    answer = response.read().decode()
                posted = time.perf_counter() - started
                ok = 'id="receipt-code"' in answer
                with lock:
                    timings["GET form"].append(got)
                    timings["POST report"].append(posted)
                    if not ok:
                        timings["errors"].append(1.0)
            except Exception:  # a benchmark counts every failure
                with lock:
                    timings["errors"].append(1.0)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--fill", type=float, default=20.0, help="mean seconds a submitter takes to fill the form"
    )
    parser.add_argument(
        "--no-script", type=float, default=0.2, help="share of submitters without JavaScript"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8431)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="ctip-bench-intake-"))
    prepare(var_dir)
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "ctip.wsgi:application",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--access-logfile",
            "/dev/null",
        ],
        env=env_for(var_dir),
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/report/km/", timeout=5).read()
                break
            except Exception:  # a benchmark counts every failure
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer") from None
                time.sleep(0.5)
        drive(args.port, min(args.users, 4), 5, 0, 1.0)  # warm every worker
        cpu_before = group_cpu(server.pid)
        timings = drive(args.port, args.users, args.seconds, args.fill, args.no_script)
        cpu_used = group_cpu(server.pid) - cpu_before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    load = os.getloadavg()
    print(
        f"{args.users} users, {args.seconds:.0f} s, fill {args.fill} s, "
        f"no script {args.no_script:.0%}, "
        f"{args.workers} workers x {args.threads} threads, load {load[0]:.1f}"
    )
    print(f"{'request':<12} {'n':>6} {'median ms':>10} {'p95 ms':>8}")
    for name in ("GET form", "POST report"):
        values = timings[name]
        if values:
            print(
                f"{name:<12} {len(values):>6} {statistics.median(values) * 1000:>10.0f} "
                f"{percentile(values, 95) * 1000:>8.0f}"
            )
    post, get = timings["POST report"], timings["GET form"]
    if post and get:
        print(f"POST/GET p95 ratio: {percentile(post, 95) / percentile(get, 95):.2f}")
    print(f"reports sent: {len(post)} ({len(post) / args.seconds:.2f} a second)")
    if post:
        per_report = cpu_used / len(post)
        print(
            f"server CPU: {cpu_used:.1f} s in all, {per_report * 1000:.0f} ms per report "
            f"(its GET and POST); two cores busy with nothing else would serve "
            f"{2 / per_report:.1f} reports a second"
        )
    print(f"errors: {len(timings['errors'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
