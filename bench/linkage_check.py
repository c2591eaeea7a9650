"""Benchmark: possible matches at registration on a large PostgreSQL registry.

Times `registration_check()` (blocking through name keys and blind indexes, decrypting the
candidates, scoring them with the pure-Python scorer, scoping, audit) beside the blocking
query alone, as raw SQL, in the same run. Drafts are persons already in the registry with a
romanisation variant or a swapped name order (the case the check is for) and new persons;
with `--twins`, the generator's own second records of a person (another agency, often years
later: an estimated age, another province), checked as if being registered while the first
exists. Besides the time, it reports how often the person being registered again is among the
matches shown (the show rate) and how many are shown for new persons (false shows), at the
check's thresholds and at others, from the same scores. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_bench python bench/linkage_check.py

It needs a trained model: without one it trains on a sample of `--train` persons and keeps
it as the registry's model (a linkage run over the whole registry is bench/linkage.py's job).
"""

import argparse
import contextlib
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")
os.environ.setdefault("CTIP_DEBUG", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.exceptions import EmptyResultSet  # noqa: E402
from django.db import connection  # noqa: E402

from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.linkage import engine_api, records  # noqa: E402
from ctip.linkage.checks import draft_of  # noqa: E402
from ctip.linkage.choices import RunStatus  # noqa: E402
from ctip.linkage.models import LinkageRun, TrainedModel  # noqa: E402
from ctip.linkage.selectors import (  # noqa: E402
    Draft,
    blocking_queries,
    check_thresholds,
    current_model,
    registration_check,
    scored_candidates,
)
from ctip.linkage.services import thresholds  # noqa: E402
from ctip.registry.models import GeneratedTwin, Person  # noqa: E402
from ctip.registry.selectors import person_queryset  # noqa: E402

VARIANTS = {"sokha": "Sokhar", "chhay": "Chay", "srey": "Srei", "samnang": "Somnang"}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def ensure_model(train_size: int) -> None:
    # A stored model of an older schema counts as none (selectors.current_model).
    if current_model() is not None:
        return
    lower, upper = thresholds()
    started = time.perf_counter()
    ids = list(Person.objects.order_by("?").values_list("pk", flat=True)[:train_size])
    rows = [engine_api.normalise(r) for r in records.person_rows(Person.objects.filter(pk__in=ids))]
    model = engine_api.train(rows)
    run = LinkageRun.objects.create(
        lower=lower,
        upper=upper,
        reason=f"bench: trained on {len(rows)} persons",
        status=RunStatus.DONE,
        records=len(rows),
    )
    TrainedModel.objects.create(run=run, parameters=model.to_json())
    print(f"trained on {len(rows)} persons in {time.perf_counter() - started:.1f} s")


def variant(person: Person, rng: random.Random) -> Draft:
    given = person.given_name_latin or ""
    family = person.family_name_latin or ""
    given = VARIANTS.get(given.lower(), given)
    born = person.date_of_birth if rng.random() < 0.6 else None
    if rng.random() < 0.3:
        given, family = family, given
    return Draft(
        family_name_latin=family,
        given_name_latin=given,
        family_name_km=person.family_name_km if rng.random() < 0.5 else "",
        given_name_km=person.given_name_km if rng.random() < 0.5 else "",
        sex=person.sex,
        date_of_birth=born,
        # Officers record a date of birth or, failing that, an estimated age (off by a year
        # as often as not).
        estimated_age=None
        if born or not person.birth_year
        else datetime.date.today().year - person.birth_year + rng.choice((-1, 0, 0, 1)),
        citizenships=list(person.citizenships or []),
    )


def new_person(rng: random.Random, pool: list[Person]) -> Draft:
    a, b = rng.sample(pool, 2)
    return Draft(
        family_name_latin=a.family_name_latin or "Keo",
        given_name_latin=b.given_name_latin or "Dara",
        sex=rng.choice(["female", "male"]),
        estimated_age=rng.randrange(12, 60),
    )


THRESHOLDS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.8)


def same_person(candidate: Person, original: Person, twins: dict[int, int]) -> bool:
    """Whether a candidate is the original: itself, a copy of it (bench/registry_prepare.py
    copies persons with every column but the id: a copy is the person as much as the
    original is; the registration time to the microsecond tells a copy from a namesake) or,
    in the generator's truth, another record of the same human."""
    if candidate.pk == original.pk:
        return True
    if twins and twins.get(candidate.pk, candidate.pk) == twins.get(original.pk, original.pk):
        return True
    return (candidate.created_at, candidate.name_keys) == (original.created_at, original.name_keys)


def twin_drafts(count: int, seed: int) -> list[tuple[Draft, Person, Person]]:
    """(draft, its own record, the first record) for `count` generated second records."""
    rng = random.Random(seed)
    pairs = list(GeneratedTwin.objects.values_list("person_id", "same_as_id").order_by("id"))
    rng.shuffle(pairs)
    pairs = pairs[:count]
    persons = Person.objects.in_bulk([pk for pair in pairs for pk in pair])
    return [(draft_of(persons[p]), persons[p], persons[s]) for p, s in pairs]


def show_rates(
    outcomes: list[tuple[list[tuple[Person, float, bool]], Person | None, Person | None]],
    twins: dict[int, int],
    shown_cap: int,
) -> None:
    """Show rate and false shows at several thresholds, from the scores of every candidate.

    An outcome is (candidates as (person, probability, visible to the officer), the original
    or None for a new person, the draft's own record or None). "scored" is the model alone:
    the original among the top `shown_cap` at or above the threshold, whoever may see it;
    "shown" is what the officer's list holds (visible ones only)."""
    known = [o for o in outcomes if o[1] is not None]
    new = [o for o in outcomes if o[1] is None]
    print(
        f"\n| threshold | original scored at or above (top {shown_cap}) | shown to the officer | "
        "new persons with a match shown | matches shown per new person | other persons "
        "shown per registered one |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for t in THRESHOLDS:
        scored = shown = 0
        others = 0
        for ranked, original, own in known:
            above = [c for c in ranked if c[1] >= t and c[0] != own]
            top = above[:shown_cap]
            if any(same_person(c[0], original, twins) for c in top):
                scored += 1
            listed = [c for c in above if c[2]][:shown_cap]
            if any(same_person(c[0], original, twins) for c in listed):
                shown += 1
            others += sum(1 for c in listed if not same_person(c[0], original, twins))
        flagged = listed_total = 0
        for ranked, _o, _own in new:
            listed = [c for c in ranked if c[1] >= t and c[2]][:shown_cap]
            flagged += bool(listed)
            listed_total += len(listed)
        print(
            f"| {t:g} | {scored} of {len(known)} ({scored / max(1, len(known)):.0%}) | "
            f"{shown} of {len(known)} | {flagged} of {len(new)} | "
            f"{listed_total / max(1, len(new)):.2f} | {others / max(1, len(known)):.2f} |"
        )
    probabilities = []
    for ranked, original, own in known:
        best = max(
            (c[1] for c in ranked if c[0] != own and same_person(c[0], original, twins)),
            default=None,
        )
        probabilities.append(best)
    found = sorted(p for p in probabilities if p is not None)
    print(
        f"\noriginal among the candidates: {len(found)} of {len(known)}; its probability: "
        + (
            f"min {found[0]:.3f}, quartiles "
            + ", ".join(f"{q:.3f}" for q in statistics.quantiles(found, n=4))
            + f", max {found[-1]:.3f}"
            if len(found) >= 2
            else "-"
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="drafts to check")
    parser.add_argument("--train", type=int, default=20000, help="sample to train on if needed")
    parser.add_argument("--agency", default="AHTJP", help="the registering officer's agency")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--cap", type=int, default=None, help="candidates scored (CTIP_LINKAGE_CHECK_CANDIDATES)"
    )
    parser.add_argument(
        "--twins",
        action="store_true",
        help="registered persons are the generator's second records (GeneratedTwin), 3 in 4",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only.")
    ensure_model(args.train)
    officer, _ = User.objects.get_or_create(username="bench-linkage-officer")
    Membership.objects.get_or_create(
        user=officer, agency=Agency.objects.get(code=args.agency), role="case_officer"
    )
    rng = random.Random(args.seed)
    total = Person.objects.count()
    with connection.cursor() as cursor:  # a random sample: ids have gaps where cases were copied
        cursor.execute(
            "SELECT id FROM registry_person TABLESAMPLE BERNOULLI (1) REPEATABLE (%s) LIMIT %s",
            [args.seed, args.repeat * 4],
        )
        sample = [row[0] for row in cursor.fetchall()]
    rng.shuffle(sample)
    # In the sample's (seeded) order: the database returns the rows in any order, and the
    # drafts of two runs with the same seed must be the same persons.
    found = Person.objects.in_bulk(sample)
    pool = [
        p
        for p in (found[pk] for pk in sample if pk in found)
        if p.family_name_latin or p.given_name_latin
    ][: args.repeat]
    drafts = [variant(p, rng) if i % 4 else new_person(rng, pool) for i, p in enumerate(pool)]
    originals: list[Person | None] = [p if i % 4 else None for i, p in enumerate(pool)]
    owns: list[Person | None] = [None] * len(pool)
    twins: dict[int, int] = {}
    if args.twins:
        generated = twin_drafts(args.repeat - args.repeat // 4, args.seed)
        if not generated:
            sys.exit("No generated second records (GeneratedTwin) in this database.")
        twins = dict(GeneratedTwin.objects.values_list("person_id", "same_as_id"))
        for i in range(len(drafts)):
            if i % 4 and generated:
                drafts[i], owns[i], originals[i] = generated.pop()
    if args.cap:
        settings.CTIP_LINKAGE_CHECK_CANDIDATES = args.cap
    cap = settings.CTIP_LINKAGE_CHECK_CANDIDATES
    raw: list[float] = []
    checks: list[float] = []
    check_cpu: list[float] = []  # this process's CPU only (not the database server's)
    candidates: list[int] = []
    found_self = 0
    model = current_model()
    outcomes = []
    registration_check(actor=officer, draft=drafts[0])  # warm the model cache and plans
    for draft, original, own in zip(drafts, originals, owns, strict=True):
        queries = []
        for query in blocking_queries(draft, limit=cap):
            with contextlib.suppress(EmptyResultSet):  # nothing to look for: no query runs
                queries.append(query.query.sql_with_params())
        start = time.perf_counter()
        rows = 0
        with connection.cursor() as cursor:
            for sql, params in queries:  # as the check runs them: the second only if needed
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
                if rows >= cap:
                    break
        raw.append((time.perf_counter() - start) * 1000)
        start, cpu = time.perf_counter(), time.process_time()
        check = registration_check(actor=officer, draft=draft)
        checks.append((time.perf_counter() - start) * 1000)
        check_cpu.append((time.process_time() - cpu) * 1000)
        candidates.append(check.candidates)
        if original is not None and any(
            same_person(m.person, original, twins) for m in check.matches if m.person != own
        ):
            found_self += 1
        # The scores of every candidate (not timed), for the show rates at other thresholds.
        _count, scored = scored_candidates(draft, model)
        persons = Person.objects.in_bulk([pk for pk, _r in scored])
        visible = set(
            person_queryset(actor=officer).filter(pk__in=persons).values_list("pk", flat=True)
        )
        outcomes.append((
            [(persons[pk], r.probability, pk in visible) for pk, r in scored],
            original,
            own,
        ))  # fmt: skip
    base = statistics.median(raw)
    registered = sum(1 for o in originals if o is not None)
    shown_at, likely_at = check_thresholds()
    print(f"\n{total:,} persons; {len(drafts)} drafts, {registered} of them a registered person")
    print(
        f"{'generated second records' if args.twins else 'with a variant'}: the original "
        f"shown to the officer (AHTJP) {found_self} of {registered} (list from {shown_at:g}, "
        f"likely from {likely_at:g}); "
        f"candidates scored per draft: median {statistics.median(candidates):.0f}, max "
        f"{max(candidates)} (cap {cap})\n"
    )
    print("| measurement | median ms | p95 ms | ratio to raw SQL |")
    print("| --- | --- | --- | --- |")
    print(f"| blocking query: raw SQL | {base:.1f} | {p95(raw):.1f} | 1.00 |")
    print(
        f"| registration_check() | {statistics.median(checks):.1f} | {p95(checks):.1f} | "
        f"{statistics.median(checks) / base:.2f} |"
    )
    print(
        f"| registration_check(), this process's CPU | {statistics.median(check_cpu):.1f} | "
        f"{p95(check_cpu):.1f} | |"
    )
    show_rates(outcomes, twins, settings.CTIP_LINKAGE_CHECK_SHOWN)


if __name__ == "__main__":
    main()
