"""The comparisons of the model, each written once and read two ways: as Splink SQL and in Python.

Every level is a small condition (equal, equal across two columns, edit distance, year
difference) that renders to SQL every Splink backend runs unchanged (DuckDB, Spark) and
evaluates in Python for the interactive scorer, so both agree on which level a pair is in.
The first level whose condition holds is the pair's level, as in Splink's CASE expression.
"""

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

Record = Mapping[str, Any]

# Edit distances are compared on short skeletons; this bound keeps hostile input cheap.
MAX_KEY_LENGTH = 64


def levenshtein(a: str, b: str) -> int:
    """Plain Levenshtein distance (the same definition as DuckDB's and Spark's levenshtein)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


@dataclasses.dataclass(frozen=True)
class Condition:
    """One condition on a pair: its SQL (with _l/_r columns) and the same test in Python."""

    sql: str
    test: Callable[[Record, Record], bool]

    def __and__(self, other: "Condition") -> "Condition":
        return Condition(
            f"({self.sql}) AND ({other.sql})",
            lambda a, b: self.test(a, b) and other.test(a, b),
        )


def missing(*columns: str) -> Condition:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return Condition(sql, lambda a, b: any(a.get(c) is None or b.get(c) is None for c in columns))


def equal(left: str, right: str | None = None) -> Condition:
    """left of one record equals right (by default the same column) of the other."""
    right = right or left

    def test(a: Record, b: Record) -> bool:
        return a.get(left) is not None and a.get(left) == b.get(right)

    return Condition(f"{left}_l = {right}_r", test)


def swapped(first: str, second: str) -> Condition:
    """Both columns agree once the two are swapped on one side (family/given order)."""
    return equal(first, second) & equal(second, first)


def within_edits(column: str, edits: int) -> Condition:
    def test(a: Record, b: Record) -> bool:
        left, right = a.get(column), b.get(column)
        if left is None or right is None:
            return False
        return levenshtein(left[:MAX_KEY_LENGTH], right[:MAX_KEY_LENGTH]) <= edits

    return Condition(
        f"levenshtein(substring({column}_l, 1, {MAX_KEY_LENGTH}), "
        f"substring({column}_r, 1, {MAX_KEY_LENGTH})) <= {edits}",
        test,
    )


def within_years(column: str, years: int) -> Condition:
    def test(a: Record, b: Record) -> bool:
        left, right = a.get(column), b.get(column)
        return left is not None and right is not None and abs(left - right) <= years

    return Condition(f"abs({column}_l - {column}_r) <= {years}", test)


def recorded(column: str) -> Condition:
    """Both records carry the column."""
    return Condition(
        f"{column}_l IS NOT NULL AND {column}_r IS NOT NULL",
        lambda a, b: a.get(column) is not None and b.get(column) is not None,
    )


def unrecorded(column: str) -> Condition:
    """Neither record carries the column."""
    return Condition(
        f"{column}_l IS NULL AND {column}_r IS NULL",
        lambda a, b: a.get(column) is None and b.get(column) is None,
    )


def either_true(column: str) -> Condition:
    return Condition(
        f"({column}_l OR {column}_r)", lambda a, b: bool(a.get(column)) or bool(b.get(column))
    )


@dataclasses.dataclass(frozen=True)
class Level:
    label: str
    condition: Condition | None  # None: the "else" level
    null: bool = False
    tf_column: str | None = None
    m: float | None = None  # the starting m: kept where the data cannot estimate it
    # The prior u (share among pairs of different people), used instead of sampling when a
    # file is too small to sample (model.PRIOR_MAX_PAIRS); measured on the generator's data
    # (`python bench/linkage.py accuracy`, docs/linkage.md) and rounded.
    u: float | None = None


@dataclasses.dataclass(frozen=True)
class Comparison:
    name: str
    title: str
    levels: tuple[Level, ...]

    def level_of(self, a: Record, b: Record) -> int:
        """Index into levels of the first level whose condition holds (Splink's order)."""
        for index, level in enumerate(self.levels):
            if level.condition is None or level.condition.test(a, b):
                return index
        raise AssertionError("a comparison ends with an else level")

    def splink(self, *, priors: bool = False) -> dict[str, Any]:
        """Splink's dictionary for this comparison; with `priors`, u set to the prior u."""
        levels = []
        for level in self.levels:
            entry: dict[str, Any] = {
                "sql_condition": level.condition.sql if level.condition else "ELSE",
                "label_for_charts": level.label,
            }
            if level.null:
                entry["is_null_level"] = True
            else:
                entry["m_probability"] = level.m
                if priors:
                    entry["u_probability"] = level.u
            if level.tf_column:
                # Each name level is adjusted against its own u, not the exact level's.
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = 1.0
                entry["disable_tf_exact_match_detection"] = True
            levels.append(entry)
        return {
            "output_column_name": self.name,
            "comparison_description": self.title,
            "comparison_levels": levels,
        }


def _name(part: str, other: str, title: str, edits: int) -> Comparison:
    norm, key, cons, freq = f"{part}_norm", f"{part}_sk", f"{part}_cons", f"{part}_tf"
    return Comparison(
        part,
        title,
        (
            Level("missing", missing(key), null=True),
            Level("exact", equal(norm), tf_column=freq, m=0.45, u=0.02),
            Level("romanisation variant", equal(key), tf_column=f"{freq}v", m=0.3, u=0.005),
            Level(
                "family/given swapped",
                equal(key, f"{other}_sk"),
                tf_column=f"{freq}s",
                m=0.1,
                u=0.003,
            ),
            Level("sounds alike", equal(cons), m=0.05, u=0.002),
            Level("close spelling", within_edits(key, edits), m=0.05, u=0.03),
            Level("different", None, m=0.05, u=0.94),
        ),
    )


def _same_or_not(
    name: str, title: str, column: str, m: float, u: float, tf_column: str | None = None
) -> Comparison:
    """A comparison that is only equal or not (sex, nationality, phone, document)."""
    return Comparison(
        name,
        title,
        (
            Level("missing", missing(column), null=True),
            Level("same", equal(column), tf_column=tf_column, m=m, u=u),
            Level("different", None, m=round(1 - m, 2), u=1 - u),
        ),
    )


COMPARISONS: tuple[Comparison, ...] = (
    _name("family", "given", "Family name (Latin or Khmer, through skeletons)", 1),
    _name("given", "family", "Given name (Latin or Khmer, through skeletons)", 2),
    Comparison(
        "birth",
        "Date or year of birth",
        (
            Level("missing", missing("birth_year"), null=True),
            Level("exact date", equal("birth_date"), m=0.4, u=3e-5),
            Level(
                "day/month swapped",
                equal("birth_year") & equal("birth_md", "birth_dm"),
                m=0.01,
                u=1e-5,
            ),
            Level("date one key off", within_edits("birth_date", 1), m=0.03, u=6e-4),
            # Two recorded dates that differ (not by a key or a swap): a date typed twice with
            # slips keeps its year more often than two strangers' dates do; otherwise they
            # disagree. Before these two levels such pairs counted as "year only" or "±1 year",
            # with the weight of a year estimated on a side.
            Level(
                "same year, dates differ",
                recorded("birth_date") & equal("birth_year"),
                m=0.01,
                u=0.013,
            ),
            Level("different dates", recorded("birth_date"), m=0.01, u=0.27),
            # A person without papers is estimated again each time: two estimates agreeing
            # say more than an estimate agreeing with a recorded date (the u halves, the m
            # triples; docs/linkage.md, decision 0665).
            Level(
                "year only, no date on either",
                equal("birth_year") & unrecorded("birth_date"),
                m=0.3,
                u=0.006,
            ),
            Level("year only", equal("birth_year"), m=0.08, u=0.015),
            Level(
                "±1 year, no date on either",
                within_years("birth_year", 1) & unrecorded("birth_date"),
                m=0.1,
                u=0.012,
            ),
            Level("±1 year", within_years("birth_year", 1), m=0.04, u=0.03),
            Level(
                "±3 years, estimated age",
                within_years("birth_year", 3) & either_true("birth_estimated"),
                m=0.05,
                u=0.08,
            ),
            Level("different", None, m=0.04, u=0.57),
        ),
    ),
    _same_or_not("sex", "Sex", "sex", 0.98, 0.5),
    # Adjusted by the nationality's share: two persons of a nationality few records have are
    # rarely strangers (their names, counted within the nationality, are common among them).
    _same_or_not("nationality", "Nationality", "nationality", 0.97, 0.7, "nationality"),
    Comparison(
        "place",
        "Province and village",
        (
            Level("missing", missing("province"), null=True),
            Level("same village", equal("province") & equal("village"), m=0.15, u=3e-4),
            Level("same province", equal("province"), m=0.5, u=0.08),
            Level("different", None, m=0.35, u=0.92),
        ),
    ),
    _same_or_not("phone", "Phone number (E.164)", "phone", 0.8, 1e-5),
    _same_or_not("document", "Identity document (blind index)", "document_index", 0.9, 1e-5),
)
COMPARISON_BY_NAME = {comparison.name: comparison for comparison in COMPARISONS}
# Term-frequency columns: a name skeleton's share among records of the same nationality
# (records.frequency_key), and the nationality's share among all records. The exact and the
# variant level of a name each have their own table of the same keys
# (model.scale_frequencies), so the variant level's column is an alias, filled from the other
# where the records go to the backend. A swapped name is adjusted by its frequency in the
# place it moved to (a family name written as the given name: the given names' table), so
# two common names swapped count for less than two rare ones, as exact names do.
TF_COLUMNS = (
    "family_tf", "given_tf", "family_tfv", "given_tfv", "family_tfs", "given_tfs", "nationality"
)  # fmt: skip
TF_SOURCE = {
    "family_tfv": "family_tf",
    "given_tfv": "given_tf",
    "family_tfs": "given_tf",
    "given_tfs": "family_tf",
}
# Tables of a share among all records, not within a nationality.
PLAIN_TF = frozenset({"nationality"})
SWAPPED_TF = frozenset({"family_tfs", "given_tfs"})

# Candidate pairs: records agreeing on at least one of these are compared. Khmer family and
# given names are few (a few dozen common ones each), so name rules also ask for the birth year
# (or the year next to it, for ages estimated by eye): names alone would make blocks of
# hundreds of thousands of pairs at a million persons. Every rule is an equi-join (one with a
# filter on what it joins).
BLOCKING_RULES: tuple[str, ...] = (
    "l.family_sk = r.family_sk AND l.given_sk = r.given_sk AND l.birth_year = r.birth_year",
    "l.family_sk = r.family_sk AND l.given_sk = r.given_sk AND l.birth_year = r.birth_year + 1",
    "l.family_sk = r.family_sk AND l.given_sk = r.given_sk AND l.birth_year + 1 = r.birth_year",
    "l.family_sk = r.given_sk AND l.given_sk = r.family_sk AND l.birth_year = r.birth_year",
    "l.family_sk = r.given_sk AND l.given_sk = r.family_sk AND l.birth_year = r.birth_year + 1",
    "l.family_sk = r.given_sk AND l.given_sk = r.family_sk AND l.birth_year + 1 = r.birth_year",
    "l.family_cons = r.family_cons AND l.given_cons = r.given_cons AND l.birth_year = r.birth_year",
    # Names and province find the records without a birth year (nearly all the true pairs only
    # this rule finds: 202 of 204 on 20,000 synthetic persons; the other 2 two years apart);
    # records whose years are further apart than the birth comparison's widest level (±3) are
    # strangers of a common name, and were 80% of the pairs only this rule made. The window is
    # a filter on the equi-join of names and province (bench/linkage.py blocks).
    "l.family_sk = r.family_sk AND l.given_sk = r.given_sk AND l.province = r.province "
    "AND (l.birth_year IS NULL OR r.birth_year IS NULL "
    "OR abs(l.birth_year - r.birth_year) <= 3)",
    # A full date of birth with the sex: about 45 dated records share a day at a million
    # persons, and this rule alone made half the candidate pairs (18 of 36 million); the true
    # pairs only it finds all agree on sex (bench/linkage.py blocks, docs/benchmarks.md).
    # Records without a sex (FEBRL, files) meet each other: with "l.sex = r.sex" the rule
    # lost 405 of FEBRL3's 6,538 true pairs (F1 at 0.9 0.981 -> 0.955).
    "l.birth_date = r.birth_date AND coalesce(l.sex, '') = coalesce(r.sex, '')",
    "l.phone = r.phone",
    "l.document_index = r.document_index",
)
