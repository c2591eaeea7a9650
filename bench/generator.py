"""Benchmark: how fast `ctip demo-data` writes, on SQLite and PostgreSQL. Not a test.

For each database it runs the generator into a fresh database and reports rows per second
and CPU seconds, the generator's own (this process and its workers) and, on PostgreSQL, the
server's. The baseline, measured in the same run, is building the same rows in memory
without writing them: the ratio says what writing costs on top of building.

    python bench/generator.py --cases 20000
    python bench/generator.py --cases 20000 --postgres postgres://postgres@127.0.0.1:5432/ctip_generator_bench
"""

import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CTIP = [sys.executable, "-m", "ctip.cli"]
UNTIL = "2026-06-30"


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ctip(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [*CTIP, *args], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout


class ServerCPU:
    """CPU seconds of the PostgreSQL backends serving one database, sampled while they live
    (the backend's process title names its database; other databases are not counted)."""

    def __init__(self, database: str) -> None:
        self.database, self.seen, self.running = database, {}, True
        self.thread = threading.Thread(target=self.poll, daemon=True)
        self.thread.start()

    def poll(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while self.running:
            for proc in Path("/proc").glob("[0-9]*"):
                try:
                    title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    if f" {self.database} " not in title or not title.startswith("postgres"):
                        continue
                    fields = (proc / "stat").read_text().split()
                except OSError:
                    continue
                self.seen[proc.name] = (int(fields[13]) + int(fields[14])) / ticks
            time.sleep(0.2)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return sum(self.seen.values())


def run(label: str, env: dict[str, str], cases: int, workers: int, batch: int) -> dict:
    ctip(env, "migrate", "-v", "0")
    ctip(env, "load-reference")
    database = env.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    server = ServerCPU(database) if database else None
    cpu0, wall0 = cpu_of_children(), time.perf_counter()
    out = ctip(
        env, "demo-data", "--cases", str(cases), "--seed", "2024", "--until", UNTIL,
        "--workers", str(workers), "--batch-size", str(batch), "--no-progress",
    )  # fmt: skip
    wall = time.perf_counter() - wall0
    rows = sum(int(line.split(":")[1]) for line in out.splitlines()[1:11])
    return {
        "label": label,
        "rows": rows,
        "wall": wall,
        "cpu": cpu_of_children() - cpu0,
        "server": server.stop() if server else 0.0,
    }


def build_only(cases: int, batch: int) -> dict:
    """The baseline: the same rows built in this process, written nowhere."""
    code = f"""
import datetime, django, time
django.setup()
from ctip.registry.bulk import TABLES
from ctip.registry.synthetic import BatchBuilder, Reference
ref = Reference.load()
builder = BatchBuilder(ref, seed=2024, until=datetime.date.fromisoformat("{UNTIL}"),
                       timestamp="2026-06-30 00:00:00")
rows = 0
for index, start in enumerate(range(0, {cases}, {batch})):
    ids = {{t.key: 1 for t in TABLES}}
    batch = builder.build(index, min({batch}, {cases} - start), ids)
    rows += sum(len(r) for r in batch.rows.values())
print(rows)
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ctip.settings.dev"}
    env["CTIP_VAR_DIR"] = tempfile.mkdtemp()
    subprocess.run([*CTIP, "keys", "init"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([*CTIP, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*CTIP, "load-reference"], env=env, check=True, capture_output=True, cwd=ROOT)
    cpu0, wall0 = cpu_of_children(), time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True,
        cwd=ROOT,
    ).stdout  # fmt: skip
    return {
        "label": "build rows only (baseline, 1 process)",
        "rows": int(out.strip()),
        "wall": time.perf_counter() - wall0,
        "cpu": cpu_of_children() - cpu0,
        "server": 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--postgres", default="", help="URL of a scratch PostgreSQL database")
    args = parser.parse_args()
    results = [build_only(args.cases, args.batch_size)]
    for workers in (0, 2):
        var = tempfile.mkdtemp()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ctip.settings.dev", "CTIP_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        subprocess.run([*CTIP, "keys", "init"], env=env, check=True, capture_output=True, cwd=ROOT)
        results.append(run(f"SQLite, {workers} workers", env, args.cases, workers, args.batch_size))
        if args.postgres:
            name = args.postgres.rsplit("/", 1)[1]
            admin = args.postgres.rsplit("/", 1)[0] + "/postgres"
            for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
                subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)
            env["DATABASE_URL"] = args.postgres
            results.append(
                run(f"PostgreSQL, {workers} workers", env, args.cases, workers, args.batch_size)
            )
    base = results[0]["rows"] / results[0]["wall"]
    print(f"{args.cases:,} cases, batch size {args.batch_size:,}, {datetime.date.today()}")
    print("| run | rows | wall s | rows/s | vs baseline | generator CPU s | server CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        rate = r["rows"] / r["wall"]
        print(
            f"| {r['label']} | {r['rows']:,} | {r['wall']:.1f} | {rate:,.0f} | "
            f"{rate / base:.2f} | {r['cpu']:.1f} | {r['server']:.1f} |"
        )


if __name__ == "__main__":
    main()
