"""Train the Fellegi-Sunter model with Splink, score candidate pairs, cluster them.

Records are the dictionaries of records.normalise(), gathered a batch at a time into one
columnar Arrow table (record_table), so that a million of them are never held as Python
dictionaries: train and predict read that table, and only the records of pairs above the
threshold come back as dictionaries, for the evidence. Training estimates the share of matches
from strict rules, u from random pairs and m by expectation maximisation (twice, blocked on
names and on dates of birth so each comparison is estimated once), then from reviewers' labels
where there are any. The trained model is Splink's JSON plus the name-frequency tables, so a
model trained once scores later batches and single pairs (scoring.score) the same way.
"""

import contextlib
import dataclasses
import itertools
import json
import logging
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from splink.internals.exceptions import SplinkException

from ctip.linkage.engine import backends
from ctip.linkage.engine.comparisons import (
    BLOCKING_RULES,
    COMPARISONS,
    PLAIN_TF,
    SWAPPED_TF,
    TF_COLUMNS,
    TF_SOURCE,
)
from ctip.linkage.engine.records import COLUMNS

# /2: the levels of the date of birth changed (decision 0665); a /1 model's levels are not
# the ones the Python scorer finds, so it is refused and the next run trains a new one.
SCHEMA = "ctip-linkage/2"
DEFAULT_THRESHOLD = 0.9
# Rules that admit almost no false matches: they estimate how common matches are.
DETERMINISTIC_RULES = (
    "l.document_index = r.document_index",
    "l.family_sk = r.family_sk AND l.given_sk = r.given_sk AND l.birth_date = r.birth_date",
    "l.phone = r.phone AND l.family_sk = r.family_sk",
)
DETERMINISTIC_RECALL = 0.6
# Expectation maximisation runs on three kinds of pairs, each estimating the comparisons its
# rule does not use: pairs sharing a document or phone (almost all the same person; absent in
# data without them), pairs sharing name skeletons and a full date of birth (sex, place,
# phone, document), and pairs sharing a date of birth (names). Blocks on names without a date
# would not do: with few Khmer names most same-name pairs are different people, and EM learns
# them as the matches. Each session sees at most EM_MAX_PAIRS pairs, sampled by Splink.
# Each block: alternatives (OR) of column groups that must all be equal (AND).
EM_BLOCKS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("document_index",), ("phone",)),
    (("family_sk", "given_sk", "birth_date"),),
    (("birth_date",),),
)
EM_MAX_PAIRS = 1e6
# A block with fewer pairs than this teaches EM noise (a small file): it is skipped, and its
# comparisons keep the starting m of comparisons.py.
EM_MIN_PAIRS = 50


def _block_sql(block: tuple[tuple[str, ...], ...]) -> str:
    return " OR ".join("(" + " AND ".join(f"l.{c} = r.{c}" for c in group) + ")" for group in block)


def _block_pairs(table: pa.Table, block: tuple[tuple[str, ...], ...]) -> int:
    """Pairs the block makes (each alternative counted apart: an upper bound)."""
    total = 0
    for group in block:
        present = table.select(list(group)).drop_null()
        if not present.num_rows:
            continue
        counts = present.group_by(list(group)).aggregate([([], "count_all")])
        total += sum(n * (n - 1) // 2 for n in counts["count_all"].to_pylist())
    return total


# Records are turned into Arrow a batch of this many at a time: a batch of dictionaries is
# all that is ever held of them.
BATCH_RECORDS = 20_000


def record_table(records: Iterable[dict[str, Any]] | pa.Table) -> pa.Table:
    """The normalised records as one Arrow table of COLUMNS, built a batch at a time from any
    iterable (a generator over a registry cursor holds one batch of dictionaries at once)."""
    if isinstance(records, pa.Table):
        return records
    schema = backends.arrow_schema(COLUMNS)
    batches = []
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, BATCH_RECORDS)):
        batches.append(backends.arrow_table(batch, COLUMNS).combine_chunks().to_batches()[0])
    return pa.Table.from_batches(batches, schema=schema)


def _with_aliases(table: pa.Table) -> pa.Table:
    """The table with each TF_SOURCE alias column added (shares the source's buffers)."""
    for alias, source in TF_SOURCE.items():
        if alias not in table.column_names:
            table = table.append_column(alias, table[source])
    return table


# No level is certain: a wrong nationality or sex is a typing slip often enough that it may
# lower a match's weight a lot but not to minus infinity.
M_FLOOR = 0.005
U_FLOOR = 1e-5
U_MAX_PAIRS = 2e6
# A file with fewer record pairs than this is too small to learn from: u sampled from a few
# hundred pairs is mostly zeros (a level never seen would weigh thousands to one), and EM on
# a handful of pairs learns noise. Such a file is scored with fixed priors: the m and u of
# comparisons.py, with only the share of matches estimated from the strict rules (bounded,
# since a few records make it coarse). Each EM block also needs EM_MIN_PAIRS pairs.
PRIOR_MAX_PAIRS = 20_000
PRIOR_MATCH_SHARE = (1e-4, 0.05)
SEED = 13
# Past this many records the model is fitted on a seeded random sample of them (the records
# reviewers labelled always in it): every parameter is a share among pairs, which a sample
# estimates without bias, and training then costs the same at a million persons as at
# 150,000. Name frequencies are still counted over every record.
TRAIN_MAX_RECORDS = 150_000
# Prediction compares the records in chunks of about this many on one side, so that the
# candidate pairs of one chunk, not of the whole registry, are in memory at once.
PREDICT_CHUNK_RECORDS = 200_000
# Splink warns about levels the data never shows; the model handles them (_complete).
logging.getLogger("splink").setLevel(logging.ERROR)


class ModelError(ValueError):
    """A model that cannot be used: another schema, or not trained."""


@dataclasses.dataclass
class TrainedModel:
    """Splink's settings with trained m/u, and the frequency of each name skeleton."""

    settings: dict[str, Any]
    term_frequencies: dict[str, dict[str, float]]
    records: int = 0
    # "em": u sampled and m estimated from the data; "priors": the fixed priors (a tiny file)
    method: str = "em"

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": SCHEMA,
                "records": self.records,
                "method": self.method,
                "settings": self.settings,
                "term_frequencies": self.term_frequencies,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> "TrainedModel":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ModelError(f"model: not JSON ({error.msg})") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ModelError(f"model: not a {SCHEMA} model")
        return cls(
            data["settings"],
            data["term_frequencies"],
            int(data.get("records", 0)),
            str(data.get("method", "em")),
        )

    @property
    def probability_two_random_records_match(self) -> float:
        return float(self.settings["probability_two_random_records_match"])


@dataclasses.dataclass(frozen=True)
class Pair:
    a: str
    b: str
    probability: float
    pattern: dict[str, str]


def settings(*, priors: bool = False) -> dict[str, Any]:
    """The untrained Splink settings; the same dictionary runs on DuckDB and on Spark. With
    `priors`, u is set to the prior u of every level (comparisons.py)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "comparisons": [comparison.splink(priors=priors) for comparison in COMPARISONS],
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 25,
    }


def term_frequencies(
    records: Iterable[dict[str, Any]] | pa.Table,
) -> dict[str, dict[str, float]]:
    """Share of each name skeleton among the records of the same nationality (records
    without one form a group of their own): a common family name counts for less, and so
    does a foreign name among the few persons of that nationality. The nationality's own
    table is its share among all records."""
    table = record_table(records)
    tables: dict[str, dict[str, float]] = {}
    for column in TF_COLUMNS:
        if column in TF_SOURCE:
            tables[column] = dict(tables[TF_SOURCE[column]])
            continue
        counted = pc.value_counts(table[column].drop_null())
        values, numbers = counted.field("values"), counted.field("counts")
        counts = Counter(dict(zip(values.to_pylist(), numbers.to_pylist(), strict=True)))
        if column in PLAIN_TF:
            total = sum(counts.values())
            tables[column] = {value: count / total for value, count in counts.items()}
            continue
        groups: Counter[str] = Counter()
        for value, count in counts.items():
            groups[value.partition(":")[0]] += count
        tables[column] = {
            value: count / groups[value.partition(":")[0]] for value, count in counts.items()
        }
    return tables


def scale_frequencies(
    trained: dict[str, Any], tf: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """Each name level's frequency table, scaled so that its adjustment is right.

    Splink adjusts a level's weight by log2(u_level / f), f the frequency of the agreeing
    skeleton: the level's own u cancels and the weight becomes log2(m / f), as if every pair
    of strangers sharing that skeleton fell in this level. They do not: of strangers sharing a
    skeleton, a share u_exact / U are spelled alike and u_variant / U differently (U, the two
    together: how often strangers share the skeleton). The right weight is
    log2(m/u_level) + log2(U / f); with f scaled by u_level / U Splink's sum gives exactly that.
    Unscaled, a romanisation variant was under-weighted by log2(U / u_variant), about two bits
    on the generator's data, below two strangers spelled alike (bench/linkage.py ceiling).
    A swapped name's table is left as it is: a stranger carries the name in the other place
    as often as that table says.
    """
    scaled = dict(tf)
    for comparison in trained["comparisons"]:
        levels = [
            level for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column") in tf
            and level["tf_adjustment_column"] not in SWAPPED_TF
        ]  # fmt: skip
        together = sum(level["u_probability"] for level in levels)
        for level in levels:
            column = level["tf_adjustment_column"]
            share = level["u_probability"] / together
            scaled[column] = {value: f * share for value, f in tf[column].items()}
    return scaled


def _linker(session: backends.Session, records: pa.Table, model_settings, tf):
    from splink import Linker

    table = session.register_table(_with_aliases(records))
    settings_dict = {k: v for k, v in model_settings.items() if k != "sql_dialect"}
    linker = Linker(table, settings_dict, log_level=None)
    # A model stored before these tables (keyed by skeleton alone) keeps its own columns.
    for column in dict.fromkeys((*TF_COLUMNS, *tf)):
        rows = [{column: value, f"tf_{column}": freq} for value, freq in tf.get(column, {}).items()]
        if not rows:
            rows = [{column: "", f"tf_{column}": 1.0}]
        lookup = session.register(rows, (column, f"tf_{column}"))
        linker.table_management.register_term_frequency_lookup(lookup, column)
    return linker


def train(
    records: Iterable[dict[str, Any]] | pa.Table,
    *,
    labels: Iterable[tuple[str, str, bool]] = (),
    backend: str = "duckdb",
    spark: Any = None,
) -> TrainedModel:
    """Train the model on normalised records (and reviewers' decisions on pairs, if any)."""
    every = record_table(records)
    if every.num_rows < 2:
        raise ModelError("records: at least two records are needed to train a model")
    labels = list(labels)
    tf = term_frequencies(every)
    rows = training_sample(every, labels)
    if rows.num_rows * (rows.num_rows - 1) // 2 < PRIOR_MAX_PAIRS:
        return _train_priors(rows, tf, backend=backend, spark=spark)
    with backends.session(backend, spark=spark) as session:
        linker = _linker(session, rows, settings(), tf)
        training = linker.training
        # Data with no pair meeting a rule keeps the starting values (comparisons.py).
        with contextlib.suppress(SplinkException):
            training.estimate_probability_two_random_records_match(
                list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
            )
        training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
        prior = linker._settings_obj._probability_two_random_records_match
        for block in EM_BLOCKS:
            if _block_pairs(rows, block) < EM_MIN_PAIRS:
                continue
            # A session whose EM drives some m below float64's range (Splink refuses values
            # under 1e-300 with a ValueError) keeps what it had set; _complete floors m.
            with contextlib.suppress(SplinkException, ValueError):
                training.estimate_parameters_using_expectation_maximisation(
                    _block_sql(block), max_pairs=EM_MAX_PAIRS, record_sample_proportion=0.1
                )
            # A session that fails part-way leaves its in-block share of matches behind; the
            # model keeps the share estimated from the deterministic rules.
            linker._settings_obj._probability_two_random_records_match = prior
        positives = [
            {"source_dataset_l": "t", "unique_id_l": str(a), "source_dataset_r": "t",
             "unique_id_r": str(b)}
            for a, b, same in labels if same
        ]  # fmt: skip
        if positives:
            table = session.register(
                positives, ("source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r")
            )
            with contextlib.suppress(SplinkException, ValueError):
                training.estimate_m_from_pairwise_labels(table)
        trained = _complete(linker.misc.save_model_to_json())
    return TrainedModel(trained, scale_frequencies(trained, tf), every.num_rows)


def _train_priors(
    rows: pa.Table, tf: dict[str, dict[str, float]], *, backend: str, spark: Any
) -> TrainedModel:
    """A small file: the fixed priors, and the share of matches its strict rules suggest."""
    with backends.session(backend, spark=spark) as session:
        linker = _linker(session, rows, settings(priors=True), tf)
        with contextlib.suppress(SplinkException):
            linker.training.estimate_probability_two_random_records_match(
                list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
            )
        trained = linker.misc.save_model_to_json()
    low, high = PRIOR_MATCH_SHARE
    share = trained["probability_two_random_records_match"]
    trained["probability_two_random_records_match"] = min(max(share, low), high)
    trained = _complete(trained)
    return TrainedModel(trained, scale_frequencies(trained, tf), rows.num_rows, method="priors")


def training_sample(
    rows: Iterable[dict[str, Any]] | pa.Table, labels: Sequence[tuple[str, str, bool]]
) -> pa.Table:
    """All the records, or past TRAIN_MAX_RECORDS a seeded random sample of them that keeps
    every record a reviewer's decision names (first, in the table's order)."""
    table = record_table(rows)
    if table.num_rows <= TRAIN_MAX_RECORDS:
        return table
    labelled = pa.array(
        sorted({str(record) for a, b, _same in labels for record in (a, b)}), type=pa.string()
    )
    is_labelled = pc.is_in(table["unique_id"], value_set=labelled).to_pylist()
    kept = [index for index, flag in enumerate(is_labelled) if flag]
    others = [index for index, flag in enumerate(is_labelled) if not flag]
    wanted = max(0, TRAIN_MAX_RECORDS - len(kept))
    # The sample draws positions only, so it is the one random.sample drew from the records.
    chosen = random.Random(SEED).sample(others, min(wanted, len(others)))
    return table.take(pa.array(kept + chosen, type=pa.int64()))


def _complete(trained: dict[str, Any]) -> dict[str, Any]:
    """Bound m and u away from 0 and fill those training could not estimate (a level never
    seen among matches is rare in matches: m at the floor), so Splink and the Python scorer
    see the same finite parameters."""
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            level["m_probability"] = max(m if m is not None else 0.0, M_FLOOR)
            level["u_probability"] = max(u if u is not None else 0.0, U_FLOOR)
    return trained


def predict(
    model: TrainedModel,
    records: Iterable[dict[str, Any]] | pa.Table,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: str = "duckdb",
    spark: Any = None,
) -> list[Pair]:
    """Candidate pairs of the records scored at or above `threshold`, with their evidence."""
    if not 0 < threshold < 1:
        raise ModelError("threshold: must lie strictly between 0 and 1")
    rows = record_table(records)
    if rows.num_rows < 2:
        return []
    with backends.session(backend, spark=spark) as session:
        linker = _linker(session, rows, model.settings, model.term_frequencies)
        chunks = max(1, math.ceil(rows.num_rows / PREDICT_CHUNK_RECORDS))
        scored = linker.inference.predict(
            threshold_match_probability=threshold,
            warning_mode="never",
            num_chunks_left=chunks,
            num_chunks_right=1,
        )
        result = session.rows(
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {scored.physical_name}"
        )
    # Splink 5 does not return the level of each comparison; the evidence is found with the
    # same conditions in Python, on the records of pairs above the threshold only (taken out
    # of the table as dictionaries), so it stays cheap.
    wanted = pa.array(sorted({str(x) for a, b, _p in result for x in (a, b)}), type=pa.string())
    needed = rows.filter(pc.is_in(rows["unique_id"], value_set=wanted))
    by_id = {row["unique_id"]: row for row in needed.to_pylist()}
    pairs = []
    for a, b, probability in result:
        left, right = by_id[str(a)], by_id[str(b)]
        pattern = {c.name: c.levels[c.level_of(left, right)].label for c in COMPARISONS}
        pairs.append(Pair(str(a), str(b), float(probability), pattern))
    pairs.sort(key=lambda p: (-p.probability, p.a, p.b))
    return pairs


def cluster(pairs: Iterable[Pair], *, threshold: float = DEFAULT_THRESHOLD) -> list[list[str]]:
    """Connected components of the pairs at or above `threshold` (records in no such pair are
    left out); each cluster and the list are sorted, so the output is stable."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for pair in pairs:
        if pair.probability >= threshold:
            ra, rb = find(pair.a), find(pair.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for member in parent:
        groups.setdefault(find(member), []).append(member)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def match_weight(probability: float) -> float:
    if probability <= 0:
        return -math.inf
    if probability >= 1:
        return math.inf
    return math.log2(probability / (1 - probability))
