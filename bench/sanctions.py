"""Benchmark: sanctions screening of suspects against a FollowTheMoney list, beside a baseline.

    python bench/sanctions.py --entities 50000 --suspects 10000

A seeded synthetic list (ctip/investigations/sanctions/synthetic.py: 70 % persons with the
aliases lists declare — own script, other romanisation, other order — 20 % companies, 10 %
accounts and links) is written as FollowTheMoney JSON lines, read back through the checking
reader (every line validated against the followthemoney model), indexed, and 10 % of the
suspects are listed persons recorded under one of their declared names. Reported: time to
read the file, to index, to screen; precision and recall of the hits against that labelled
sample; the same for the baseline, exact match of the normalised full name (case, accents and
spacing folded) against the names and aliases. Screening runs in one process (one core).
"""

import argparse
import datetime
import io
import json
import os
import resource
import sys
import time
import unicodedata

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")

import django

django.setup()

from ctip.investigations.ftm.reader import read_lines  # noqa: E402
from ctip.investigations.sanctions import synthetic  # noqa: E402
from ctip.investigations.sanctions.matching import ListIndex, Subject  # noqa: E402
from ctip.investigations.sanctions.screening import listed_subject  # noqa: E402


def exact(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def rates(
    found: set[tuple[str, str]], suspects: list[synthetic.Suspect], canonical: dict[str, str]
) -> dict[str, float]:
    """Precision and recall against the labelled sample (a listed suspect's own entry), and the
    share of hits that are at least namesakes (the same canonical name, another person)."""
    truth = {(s.ref, s.truth) for s in suspects if s.truth}
    names = {s.ref: s.canonical for s in suspects}
    right = len(found & truth)
    same_name = sum(1 for ref, entity in found if names[ref] == canonical.get(entity))
    return {
        "hits": len(found),
        "precision": round(right / len(found), 4) if found else 1.0,
        "recall": round(right / len(truth), 4) if truth else 1.0,
        "name_precision": round(same_name / len(found), 4) if found else 1.0,
    }


def run(size: int, count: int) -> dict[str, object]:
    rows, people = synthetic.entities(size)
    text = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows).encode()
    suspects = list(synthetic.suspects(people, count))

    canonical = {person.entity_id: person.canonical for person in people}
    cpu = time.process_time()
    start = time.perf_counter()
    result = read_lines(io.BytesIO(text))
    read_s = time.perf_counter() - start
    assert result.ok, result.errors[:3]

    start = time.perf_counter()
    listed = [s for s in (listed_subject(e.to_dict()) for e in result.entities) if s is not None]
    index = ListIndex(listed)
    index_s = time.perf_counter() - start

    start = time.perf_counter()
    found: set[tuple[str, str]] = set()
    for suspect in suspects:
        subject = Subject(
            suspect.ref,
            "person",
            suspect.names,
            frozenset({suspect.birth_year}) if suspect.birth_year else frozenset(),
            frozenset({synthetic.COUNTRIES[suspect.nationality]}),
        )
        found.update((m.subject, m.listed) for m in index.screen(subject))
    screen_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu

    start = time.perf_counter()
    by_name: dict[str, set[str]] = {}
    for subject in listed:
        if subject.kind == "person":
            for name in subject.names:
                by_name.setdefault(exact(name), set()).add(subject.ref)
    baseline: set[tuple[str, str]] = set()
    for suspect in suspects:
        for name in suspect.names:
            baseline.update((suspect.ref, ref) for ref in by_name.get(exact(name), ()))
    baseline_s = time.perf_counter() - start

    return {
        "entities": size,
        "suspects": count,
        "labelled_listed_suspects": sum(1 for s in suspects if s.truth),
        "read_s": round(read_s, 2),
        "index_s": round(index_s, 2),
        "screen_s": round(screen_s, 2),
        "total_s": round(read_s + index_s + screen_s, 2),
        "total_cpu_s": round(cpu_s, 2),
        "matcher": rates(found, suspects, canonical),
        "baseline_s": round(baseline_s, 2),
        "baseline_exact_name": rates(baseline, suspects, canonical),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=50_000)
    parser.add_argument("--suspects", type=int, default=10_000)
    args = parser.parse_args()
    print(f"# {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()}")
    print(json.dumps(run(args.entities, args.suspects), indent=2))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
