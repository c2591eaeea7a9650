"""The change between periods: exact interval for the ratio of two Poisson counts, verdicts."""

import math

import pytest
from scipy.stats import beta, poisson

from ctip.stats.compare import compare_counts


def test_small_change_is_within_normal_variation():
    change = compare_counts(99, 104)
    assert change.direction == "down" and not change.significant
    assert change.ratio_low < 1 < change.ratio_high
    assert "within normal variation" in change.verdict
    assert change.change_pct == pytest.approx(-4.81, abs=0.01)


def test_large_change_is_called_out():
    change = compare_counts(197, 120)
    assert change.significant and change.direction == "up"
    assert change.ratio_low > 1
    assert "larger than chance" in change.verdict


def test_interval_is_the_clopper_pearson_interval_mapped_to_the_ratio():
    # Computed independently from beta quantiles: p_low = B(0.025; x, y+1), p_high =
    # B(0.975; x+1, y); ratio = p / (1 - p).
    x, y = 10, 20
    p_low, p_high = beta.ppf(0.025, x, y + 1), beta.ppf(0.975, x + 1, y)
    change = compare_counts(x, y)
    assert change.ratio_low == pytest.approx(p_low / (1 - p_low), rel=1e-6)
    assert change.ratio_high == pytest.approx(p_high / (1 - p_high), rel=1e-6)


def test_coverage_of_the_interval_is_at_least_nominal():
    # Simulate pairs of Poisson counts with a known ratio: the exact interval must cover it.
    rng_counts = [
        (int(a), int(b))
        for a, b in zip(
            poisson.rvs(30, size=400, random_state=1),
            poisson.rvs(30, size=400, random_state=2),
            strict=True,
        )
    ]
    covered = sum(
        compare_counts(a, b).ratio_low <= 1 <= compare_counts(a, b).ratio_high
        for a, b in rng_counts
    )
    assert covered / len(rng_counts) >= 0.95


def test_zero_baseline_and_no_records():
    up = compare_counts(5, 0)
    assert up.ratio == math.inf and up.ratio_high == math.inf and up.change_pct is None
    assert up.as_dict()["ratio"] is None
    none = compare_counts(0, 0)
    assert none.verdict == "Nothing was recorded in either period."
