"""Multiple systems estimation against the reference method (SparseMSE 2.0) and by hand.

The UK and Netherlands tables are SparseMSE's data sets `UKdat_5` and `Ned_5` (the UK Home
Office 2013 lists with police forces and the National Crime Agency combined; the Dutch lists
with I and O combined), as published with the package and in Chan, Silverman and Vincent,
arXiv:1902.05156. The expected estimates are SparseMSE's.
"""

import csv
import itertools
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from ctip.stats.mse import estimate_population, read_capture_csv, table_from_rows
from ctip.stats.mse.fit import Existence, ModelSpace, fit_model
from ctip.stats.mse.interval import acceleration, bca, jackknife_tables
from ctip.stats.mse.select import poisson_pvalues, select

from .test_mse import as_csv, simulated_table

UK_LISTS = ["LA", "NG", "PFNCA", "GO", "GP"]
UK_5 = [
    ((1, 0, 0, 0, 0), 54),
    ((0, 1, 0, 0, 0), 463),
    ((0, 0, 1, 0, 0), 995),
    ((0, 0, 0, 1, 0), 695),
    ((0, 0, 0, 0, 1), 316),
    ((1, 1, 0, 0, 0), 15),
    ((1, 0, 1, 0, 0), 19),
    ((1, 0, 0, 1, 0), 3),
    ((0, 1, 1, 0, 0), 62),
    ((0, 1, 0, 1, 0), 19),
    ((0, 1, 0, 0, 1), 1),
    ((0, 0, 1, 1, 0), 76),
    ((0, 0, 1, 0, 1), 11),
    ((0, 0, 0, 1, 1), 8),
    ((1, 1, 1, 0, 0), 1),
    ((1, 1, 0, 1, 0), 1),
    ((0, 1, 1, 1, 0), 4),
    ((1, 1, 1, 1, 0), 1),
]
NED_LISTS = ["IO", "K", "P", "R", "Z"]
NED_5 = [
    ((1, 0, 0, 0, 0), 756),
    ((0, 1, 0, 0, 0), 1299),
    ((0, 0, 1, 0, 0), 4466),
    ((0, 0, 0, 1, 0), 650),
    ((0, 0, 0, 0, 1), 632),
    ((1, 1, 0, 0, 0), 1),
    ((1, 0, 1, 0, 0), 81),
    ((1, 0, 0, 1, 0), 5),
    ((1, 0, 0, 0, 1), 73),
    ((0, 1, 1, 0, 0), 44),
    ((0, 1, 0, 0, 1), 4),
    ((0, 0, 1, 1, 0), 82),
    ((0, 0, 1, 0, 1), 125),
    ((0, 0, 0, 1, 1), 2),
    ((1, 0, 1, 1, 0), 2),
    ((1, 0, 1, 0, 1), 11),
    ((0, 0, 1, 1, 1), 1),
]


def model_of(space, names, *pairs):
    return tuple(sorted(space.pairs.index((names.index(a), names.index(b))) for a, b in pairs))


def test_uk_five_lists_give_sparsemse_estimate_and_model():
    table = table_from_rows(UK_LISTS, UK_5)
    result = estimate_population(table, bootstrap=0)
    assert table.observed == 2744
    assert round(result.estimate) == 11313
    assert result.terms[5:] == ["LA:NG", "LA:PFNCA", "NG:GO", "NG:GP", "PFNCA:GP", "GO:GP"]
    assert result.structural_zeros == []


def test_netherlands_non_overlapping_pair_is_at_minus_infinity_as_in_sparsemse():
    # K and R have nobody in common. SparseMSE adds K:R (its overlap test: 0 seen where the
    # model expects several) and drops the cells where K and R both appear: 121,522.
    table = table_from_rows(NED_LISTS, NED_5)
    result = estimate_population(table, bootstrap=0)
    assert table.observed == 8234
    assert round(result.estimate) == 121522
    assert result.structural_zeros == ["K:R"]
    assert result.terms[5:] == ["IO:K", "IO:P", "IO:Z", "P:R", "P:Z"]
    # The same five interactions with the K-and-R cells kept as observed zeros give the
    # figure ctip printed before it followed the paper.
    space = ModelSpace(5)
    kept = model_of(space, NED_LISTS, ("IO", "K"), ("IO", "P"), ("IO", "Z"), ("P", "R"), ("P", "Z"))
    assert round(table.observed + fit_model(space, kept, table.counts[None]).hidden[0]) == 133184


def test_a_non_overlapping_pair_drops_its_cells_worked_by_hand():
    # A and B share nobody. With A:B at minus infinity and A:C, the five remaining cells
    # (A, B, C, AC, BC) are fitted exactly by five parameters, and the hidden count is the
    # Lincoln-Petersen estimate of lists B and C among people not on A: n_B * n_C / n_BC.
    rows = [((1, 0, 0), 30), ((0, 1, 0), 40), ((0, 0, 1), 25), ((1, 0, 1), 9), ((0, 1, 1), 8)]
    table = table_from_rows(["A", "B", "C"], rows)
    space = ModelSpace(3)
    model = model_of(space, ["A", "B", "C"], ("A", "B"), ("A", "C"))
    fit = fit_model(space, model, table.counts[None])
    assert fit.hidden[0] == pytest.approx(40 * 25 / 8, rel=1e-9)
    # The cells with A and B together take no part: their fitted values are zero.
    both = (space.cells[:, 0] == 1) & (space.cells[:, 1] == 1)
    assert np.all(fit.mu[0][both] == 0)
    assert np.allclose(fit.mu[0][~both], table.counts[~both])


def test_the_overlap_test_is_sparsemse_poisson_tail():
    # min(P(X <= n), P(X >= n)) for X ~ Poisson(expected); for n = 0 it is exp(-expected).
    observed = np.array([0.0, 3.0, 12.0])
    expected = np.array([4.0, 3.0, 5.0])
    lower = [
        sum(math.exp(-m) * m**i / math.factorial(i) for i in range(int(n) + 1))
        for n, m in zip(observed, expected, strict=True)
    ]
    upper = [
        1 - sum(math.exp(-m) * m**i / math.factorial(i) for i in range(int(n)))
        for n, m in zip(observed, expected, strict=True)
    ]
    want = np.minimum(lower, upper)
    assert np.allclose(poisson_pvalues(observed, expected), want)
    assert poisson_pvalues(np.array([0.0]), np.array([4.0]))[0] == pytest.approx(math.exp(-4))


def test_bca_matches_scipy_for_a_mean():
    # scipy's BCa (bias correction from the share of replicates below the estimate, the
    # acceleration from the jackknife) on the same replicates: only the quantile rule differs.
    from scipy.stats import bootstrap

    rng = np.random.default_rng(4)
    sample = rng.exponential(2.0, size=60)
    res = bootstrap((sample,), np.mean, n_resamples=20000, method="BCa", random_state=1)
    jack = np.array([np.delete(sample, i).mean() for i in range(len(sample))])
    a = acceleration(jack, np.ones_like(jack))
    lower, upper, _z0 = bca(res.bootstrap_distribution, float(sample.mean()), a, 0.95)
    assert lower == pytest.approx(res.confidence_interval.low, rel=2e-3)
    assert upper == pytest.approx(res.confidence_interval.high, rel=2e-3)
    # Skewed data: BCa moves the interval away from the plain percentiles.
    plain = np.quantile(res.bootstrap_distribution, [0.025, 0.975])
    assert upper - plain[1] > 0.01 * upper


def test_bca_without_bias_or_acceleration_is_the_percentile_interval():
    # Half the replicates below the estimate (z0 = 0) and a = 0: the 5% and 95% quantiles.
    replicates = np.arange(1.0, 1001.0)
    lower, upper, z0 = bca(replicates, 500.5, 0.0, 0.9)
    assert z0 == 0.0
    want = np.quantile(replicates, [0.05, 0.95], method="median_unbiased")
    assert (lower, upper) == pytest.approx(tuple(want), rel=1e-12)
    # A positive acceleration stretches the upper side: the interval moves up.
    skewed = bca(replicates, 500.5, 0.1, 0.9)
    assert skewed is not None and skewed[1] > upper and skewed[0] > lower


def test_jackknife_counts_each_left_out_person_by_cell():
    counts = np.array([3.0, 0.0, 2.0])
    tables, weights = jackknife_tables(counts)
    assert tables.tolist() == [[2.0, 0.0, 2.0], [3.0, 0.0, 1.0]]
    assert weights.tolist() == [3.0, 2.0]
    # Weighted by cell, the acceleration equals the one from five separate people.
    per_cell = np.array([10.0, 13.0])
    per_person = np.repeat(per_cell, [3, 2])
    assert acceleration(per_cell, weights) == pytest.approx(acceleration(per_person, np.ones(5)))


def test_default_interval_is_bca_and_the_parametric_percentile_is_an_option():
    table = table_from_rows(UK_LISTS, UK_5)
    bca_result = estimate_population(table, bootstrap=300).as_dict()
    assert bca_result["interval_method"] == "bca"
    assert "BCa" in bca_result["method"]
    assert bca_result["lower"] < 11313 < bca_result["upper"]
    assert bca_result["acceleration"] is not None and bca_result["bias_correction"] is not None
    parametric = estimate_population(
        table, bootstrap=300, interval="parametric-percentile"
    ).as_dict()
    assert parametric["interval_method"] == "parametric-percentile"
    assert "percentile interval, parametric bootstrap" in parametric["method"]
    assert parametric["acceleration"] is None
    assert parametric["lower"] < 11313 < parametric["upper"]
    assert (parametric["lower"], parametric["upper"]) != (bca_result["lower"], bca_result["upper"])


def test_bootstrap_is_reproducible_by_seed():
    table = table_from_rows(UK_LISTS, UK_5)
    a = estimate_population(table, bootstrap=100, seed=5).as_dict()
    b = estimate_population(table, bootstrap=100, seed=5).as_dict()
    c = estimate_population(table, bootstrap=100, seed=6).as_dict()
    assert a == b and a["lower"] != c["lower"]


def statsmodels_bic_fits(table):
    """Every model of three lists fitted by statsmodels: (BIC, hidden count)."""
    import statsmodels.api as sm

    space = ModelSpace(len(table.lists))
    n = table.observed
    out = []
    for size in range(len(space.pairs) + 1):
        for model in itertools.combinations(range(len(space.pairs)), size):
            x = space.design(model)
            with warnings.catch_warnings():
                # The saturated model leaves no residual degrees of freedom; harmless here.
                warnings.simplefilter("ignore")
                fit = sm.GLM(table.counts, x, family=sm.families.Poisson()).fit()
            out.append((-2 * fit.llf + math.log(n) * x.shape[1], math.exp(fit.params[0])))
    return out


def test_bic_selection_and_averaging_agree_with_statsmodels():
    table = simulated_table(n=2000, probs=(0.3, 0.2, 0.25), seed=9)
    assert np.all(table.counts > 0)  # no boundary fits: every model exists
    fits = statsmodels_bic_fits(table)
    best = min(fits)
    result = estimate_population(table, method="bic", bootstrap=0)
    assert result.estimate == pytest.approx(table.observed + best[1], rel=1e-6)
    weights = np.exp(-(np.array([b for b, _h in fits]) - best[0]) / 2)
    averaged = np.sum(weights * np.array([h for _b, h in fits])) / weights.sum()
    result = estimate_population(table, method="bic-average", bootstrap=0)
    assert result.estimate == pytest.approx(table.observed + averaged, rel=1e-6)
    assert result.selection == "bic-average"
    assert "Averaged over the 8 models" in result.notes[0]


def test_bic_average_with_bootstrap_gives_a_bca_interval():
    table = simulated_table(n=2000, probs=(0.3, 0.2, 0.25, 0.2), seed=9)
    result = estimate_population(table, method="bic-average", bootstrap=60).as_dict()
    assert result["lower"] < 2000 < result["upper"]
    assert result["interval_method"] == "bca"


def test_bic_average_refuses_more_than_five_lists():
    table = simulated_table(n=800, probs=(0.3, 0.25, 0.2, 0.3, 0.25, 0.3))
    with pytest.raises(ValidationError) as error:
        estimate_population(table, method="bic-average", bootstrap=0)
    assert "method" in error.value.message_dict


def test_a_list_nobody_is_on_is_refused_naming_it():
    with pytest.raises(ValidationError) as error:
        read_capture_csv("A,B,C,count\n1,0,0,5\n0,1,0,4\n1,1,0,2\n")
    assert list(error.value.message_dict) == ["C"]
    table = table_from_rows(["A", "B", "C"], [((1, 0, 0), 5), ((0, 1, 0), 4), ((1, 1, 0), 2)])
    with pytest.raises(ValidationError) as error:
        estimate_population(table, bootstrap=0)
    assert list(error.value.message_dict) == ["C"]


@pytest.mark.parametrize(
    ("argument", "value", "field"),
    [
        ("method", "aic", "method"),
        ("interval", "basic", "interval"),
        ("bootstrap", -1, "bootstrap"),
    ],
)
def test_bad_options_are_refused_naming_the_field(argument, value, field):
    table = table_from_rows(UK_LISTS, UK_5)
    with pytest.raises(ValidationError) as error:
        estimate_population(table, **{argument: value})
    assert field in error.value.message_dict


def test_command_json_names_the_interval_and_refuses_a_too_sparse_table(tmp_path, capsys):
    path = tmp_path / "uk.csv"
    path.write_text(as_csv(table_from_rows(UK_LISTS, UK_5)))
    call_command("stats", "mse", str(path), "--json", "--bootstrap", "200")
    result = json.loads(capsys.readouterr().out)
    assert result["interval_method"] == "bca" and round(result["estimate"]) == 11313
    call_command(
        "stats",
        "mse",
        str(path),
        "--json",
        "--bootstrap",
        "50",
        "--interval",
        "parametric-percentile",
    )
    assert json.loads(capsys.readouterr().out)["interval_method"] == "parametric-percentile"
    sparse = tmp_path / "sparse.csv"
    sparse.write_text("A,B,count\n1,0,60\n0,1,40\n")
    with pytest.raises(CommandError, match="No model has an estimate"):
        call_command("stats", "mse", str(sparse), "--json")
    assert capsys.readouterr().out == ""


def test_replicates_without_an_estimate_count_as_unbounded_not_dropped():
    # Two lists sharing 3 of 93 people: about 5% of resamples share nobody, and their
    # estimate is infinite (SparseMSE's unchecked main-effects fit runs off the same way).
    # Dropping them would cut the upper tail; counting them leaves no upper limit.
    sparse = table_from_rows(["A", "B"], [((1, 0), 50), ((0, 1), 40), ((1, 1), 3)])
    result = estimate_population(sparse, bootstrap=1000)
    assert result.estimate == pytest.approx(53 * 43 / 3)
    assert 20 < result.bootstrap_failed < 100
    assert result.lower is not None and result.upper is None
    assert any("No upper limit" in note for note in result.notes)
    # Sharing 8: hardly any resample shares nobody; the few that do stay in, above the limit.
    denser = table_from_rows(["A", "B"], [((1, 0), 50), ((0, 1), 40), ((1, 1), 8)])
    result = estimate_population(denser, bootstrap=1000)
    assert result.bootstrap_failed < 25
    assert result.lower < result.estimate < result.upper < math.inf


def test_command_text_says_when_there_is_no_upper_limit(tmp_path, capsys):
    path = tmp_path / "sparse.csv"
    path.write_text("A,B,count\n1,0,50\n0,1,40\n1,1,2\n")  # 13% of resamples share nobody
    call_command("stats", "mse", str(path), "--bootstrap", "400")
    assert "bca interval" in (out := capsys.readouterr().out) and "to no upper limit" in out


SPARSEMSE_DRAWS = Path(__file__).with_name("data") / "uk5_sparsemse_bootstrap.csv"


def sparsemse_draws():
    """SparseMSE 2.0.1's `estimatepopulation(UKdat_5, nboot=1000)` (iseed 1234, R 4.2.2):
    the 1,000 tables it resampled (R's `rmultinom` after `set.seed(1234)`, columns named by
    capture pattern) and its estimate for each."""
    with SPARSEMSE_DRAWS.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    patterns, data = rows[0][:-1], np.array(rows[1:], dtype=float)
    space = ModelSpace(5)
    cells = ["".join(str(int(v)) for v in cell) for cell in space.cells]
    tables = np.zeros((len(data), space.n_cells))
    tables[:, [cells.index(p) for p in patterns]] = data[:, :-1]
    return tables, data[:, -1]


def test_on_sparsemse_own_draws_ctip_gives_its_estimates_and_its_bca_interval():
    """Issue 16: ctip's 95% BCa interval on the UK table (9,139-14,432 with seed 2024) was
    not SparseMSE's (8,785-14,701). On the tables SparseMSE itself drew, ctip's stepwise
    estimate equals SparseMSE's in every replicate, and the interval is SparseMSE's to the
    cent: the rules are the same, and the difference is the random draws alone (the lower
    limit sits near the 0.13% quantile of 1,000 replicates, docs/statistics.md)."""
    tables, theirs = sparsemse_draws()
    table = table_from_rows(UK_LISTS, UK_5)
    space = ModelSpace(5)
    ours = tables.sum(axis=1) + select("stepwise", space, tables, Existence(space)).hidden
    np.testing.assert_allclose(ours, theirs, rtol=1e-8)
    result = estimate_population(table, resampled=tables)
    # SparseMSE printed: ahat -0.01218108; 2.5% 8784.780, 97.5% 14700.549.
    assert result.acceleration == pytest.approx(-0.01218108, abs=1e-8)
    assert (result.lower, result.upper) == (
        pytest.approx(8784.780, abs=0.001),
        pytest.approx(14700.549, abs=0.001),
    )
    assert result.bootstrap == 1000 and result.bootstrap_failed == 0
    # With ctip's own draws the limits differ, the lower one most.
    own = estimate_population(table, bootstrap=1000, seed=2024)
    assert round(own.lower) == 9139 and round(own.upper) == 14432


def test_resampled_tables_that_do_not_fit_the_table_are_refused():
    table = table_from_rows(UK_LISTS, UK_5)
    tables, _estimates = sparsemse_draws()
    for bad in (tables[:, :-1], tables - 1, tables[:5] * 2):
        with pytest.raises(ValidationError) as caught:
            estimate_population(table, resampled=bad)
        assert "resampled" in caught.value.message_dict
