"""Benchmark: possible matches at registration on a large PostgreSQL registry.

Times `registration_check()` (blocking through name keys and blind indexes, decrypting the
candidates, scoring them with the pure-Python scorer, scoping, audit) beside the blocking
query alone, as raw SQL, in the same run. Drafts are persons already in the registry with a
romanisation variant or a swapped name order (the case the check is for) and new persons.
Not a test.

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
from ctip.linkage.choices import RunStatus  # noqa: E402
from ctip.linkage.models import LinkageRun, TrainedModel  # noqa: E402
from ctip.linkage.selectors import Draft, blocking_queries, registration_check  # noqa: E402
from ctip.linkage.services import thresholds  # noqa: E402
from ctip.registry.models import Person  # noqa: E402

VARIANTS = {"sokha": "Sokhar", "chhay": "Chay", "srey": "Srei", "samnang": "Somnang"}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def ensure_model(train_size: int) -> None:
    if TrainedModel.objects.exists():
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="drafts to check")
    parser.add_argument("--train", type=int, default=20000, help="sample to train on if needed")
    parser.add_argument("--agency", default="AHTJP", help="the registering officer's agency")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--cap", type=int, default=None, help="candidates scored (CTIP_LINKAGE_CHECK_CANDIDATES)"
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
    pool = [
        p for p in Person.objects.filter(pk__in=sample) if p.family_name_latin or p.given_name_latin
    ][: args.repeat]
    drafts = [variant(p, rng) if i % 4 else new_person(rng, pool) for i, p in enumerate(pool)]
    known = [p.pk if i % 4 else None for i, p in enumerate(pool)]
    by_pk = {p.pk: p for p in pool}
    if args.cap:
        settings.CTIP_LINKAGE_CHECK_CANDIDATES = args.cap
    cap = settings.CTIP_LINKAGE_CHECK_CANDIDATES
    raw: list[float] = []
    checks: list[float] = []
    candidates: list[int] = []
    found_self = 0
    registration_check(actor=officer, draft=drafts[0])  # warm the model cache and plans
    for draft, pk in zip(drafts, known, strict=True):
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
        start = time.perf_counter()
        check = registration_check(actor=officer, draft=draft)
        checks.append((time.perf_counter() - start) * 1000)
        candidates.append(check.candidates)
        # The registry was grown by copying (bench/registry_prepare.py): a copy of the person
        # (same keys and birth index) is the person as much as the original is.
        original = by_pk.get(pk)
        if original is not None and any(
            (m.person.name_keys, m.person.dob_index) == (original.name_keys, original.dob_index)
            for m in check.matches
        ):
            found_self += 1
    base = statistics.median(raw)
    registered = sum(1 for pk in known if pk is not None)
    print(f"\n{total:,} persons; {len(drafts)} drafts, {registered} of them a registered person")
    print(
        f"with a variant: found among the possible matches {found_self} of {registered}; "
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


if __name__ == "__main__":
    main()
