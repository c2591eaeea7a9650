"""Multiple systems estimation: known answers, sparse lists, bad input, the command."""

import itertools
import json

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from ctip.stats.mse import (
    design,
    estimate_population,
    irls,
    mle_exists,
    read_capture_csv,
    table_from_rows,
)


def simulated_table(n=3000, probs=(0.2, 0.25, 0.15, 0.3, 0.1), seed=7):
    """A population of n people, each caught by each list independently."""
    rng = np.random.default_rng(seed)
    caught = rng.random((n, len(probs))) < np.array(probs)
    rows = {}
    for row in caught:
        key = tuple(int(v) for v in row)
        if any(key):
            rows[key] = rows.get(key, 0) + 1
    names = [f"L{i}" for i in range(len(probs))]
    return table_from_rows(names, list(rows.items()))


def as_csv(table):
    lines = [",".join([*table.lists, "count"])]
    for cell, count in zip(table.cells, table.counts, strict=True):
        if count:
            lines.append(",".join([*(str(int(v)) for v in cell), str(int(count))]))
    return "\n".join(lines) + "\n"


def test_two_lists_give_the_lincoln_petersen_estimate():
    table = table_from_rows(["A", "B"], [((1, 0), 60), ((0, 1), 40), ((1, 1), 20)])
    result = estimate_population(table, bootstrap=0)
    assert result.estimate == pytest.approx(80 * 60 / 20)
    assert result.terms == ["A", "B"]


@pytest.mark.parametrize("method", ["stepwise", "bic"])
def test_recovers_a_known_population_with_an_interval_that_covers_it(method):
    table = simulated_table()
    result = estimate_population(table, method=method, bootstrap=100)
    assert table.observed < result.estimate
    assert result.lower < 3000 < result.upper
    assert abs(result.estimate - 3000) / 3000 < 0.1


def test_finds_a_real_dependence_between_two_lists():
    # Lists A and B share cases far more than independence implies (a referral route).
    rng = np.random.default_rng(3)
    n = 4000
    a = rng.random(n) < 0.2
    b = np.where(a, rng.random(n) < 0.6, rng.random(n) < 0.1)
    c, d = rng.random(n) < 0.2, rng.random(n) < 0.25
    rows = {}
    for key in zip(a.astype(int), b.astype(int), c.astype(int), d.astype(int), strict=True):
        if any(key):
            rows[key] = rows.get(key, 0) + 1
    table = table_from_rows(["A", "B", "C", "D"], list(rows.items()))
    result = estimate_population(table, bootstrap=50)
    assert "A:B" in result.terms
    assert result.lower < n < result.upper


def test_non_overlapping_lists_never_get_an_interaction_whose_estimate_does_not_exist():
    # C and D never share a case: a C:D term would send the estimate to infinity.
    rows = [
        ((1, 0, 0, 0), 50),
        ((0, 1, 0, 0), 40),
        ((1, 1, 0, 0), 10),
        ((0, 0, 1, 0), 30),
        ((1, 0, 1, 0), 8),
        ((0, 0, 0, 1), 25),
        ((0, 1, 0, 1), 6),
        ((1, 0, 0, 1), 4),
    ]
    table = table_from_rows(["A", "B", "C", "D"], rows)
    x = design(table, ((2, 3),))
    assert not mle_exists(x, table.counts)
    for method in ("stepwise", "bic"):
        result = estimate_population(table, method=method, bootstrap=30)
        assert "C:D" not in result.terms
        assert np.isfinite(result.estimate) and result.upper < 10 * table.observed


def test_lists_that_never_overlap_have_no_estimate():
    table = table_from_rows(["A", "B"], [((1, 0), 60), ((0, 1), 40)])
    with pytest.raises(ValidationError) as error:
        estimate_population(table, bootstrap=0)
    assert "file" in error.value.message_dict


def test_irls_agrees_with_statsmodels():
    import statsmodels.api as sm

    table = simulated_table(seed=11)
    pairs = tuple(itertools.combinations(range(5), 2))[:4]
    x = design(table, pairs)
    beta, _loglik, _mu, converged = irls(x, table.counts)
    assert converged
    reference = sm.GLM(table.counts, x, family=sm.families.Poisson()).fit().params
    assert np.allclose(beta, reference, atol=1e-6)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("A,B,n\n1,0,3\n", "count"),
        ("A,count\n1,3\n", "columns"),
        ("A,B,count\n1,2,3\n", "B"),
        ("A,B,count\n1,0,-3\n", "count"),
        ("A,B,count\n1,0,2.5\n", "count"),
        ("A,B,count\n1,0,x\n", "count"),
        ("A,B,count\n0,0,4\n", "count"),
        ("A,B,count\n1,0,4\n1,0,5\n", "columns"),
        ("A,B,count\n1,0\n", "columns"),
        ("", "file"),
    ],
)
def test_bad_capture_files_are_refused_naming_the_field(text, field):
    with pytest.raises(ValidationError) as error:
        read_capture_csv(text)
    assert field in error.value.message_dict


def test_command_prints_the_estimate_as_json(tmp_path, capsys):
    path = tmp_path / "lists.csv"
    path.write_text(as_csv(simulated_table()))
    call_command("stats", "mse", str(path), "--json", "--bootstrap", "40")
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"estimate", "lower", "upper", "terms", "method"}
    assert result["lower"] <= result["estimate"] <= result["upper"]


def test_command_refuses_a_bad_file_and_prints_nothing(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("A,B,count\n1,7,3\n")
    with pytest.raises(CommandError, match="B"):
        call_command("stats", "mse", str(path), "--json")
    assert capsys.readouterr().out == ""


def test_capture_table_from_the_registry_counts_matched_victims_per_kind_of_agency(make_member):
    import datetime

    from ctip.stats.periods import parse_period
    from ctip.stats.selectors import registry_capture_table

    from .builders import Registry

    police = Registry(make_member("case_officer", "AHTJP"))
    ministry = Registry(make_member("case_officer", "MOSVY"), "MOSVY")
    shared = police.person(name="Shared")
    p_case = police.case(datetime.date(2024, 2, 1))
    m_case = ministry.case(datetime.date(2024, 3, 1))
    police.victim(p_case, shared)
    ministry.victim(m_case, shared)
    police.victim(p_case, police.person(name="PoliceOnly"))
    ministry.victim(m_case, ministry.person(name="MinistryOnly"))
    ministry.victim(m_case, ministry.person(name="MinistryOnly2"))
    analyst = make_member("analyst", "NCCT")
    table = registry_capture_table(actor=analyst, period=parse_period("2024H1"))
    assert table.lists == ["ministry", "police_unit"]
    counts = {
        tuple(int(v) for v in c): int(n) for c, n in zip(table.cells, table.counts, strict=True)
    }
    assert counts == {(1, 0): 2, (0, 1): 1, (1, 1): 1}
    with pytest.raises(PermissionDenied):
        registry_capture_table(
            actor=make_member("case_officer", "GDI"), period=parse_period("2024H1")
        )
