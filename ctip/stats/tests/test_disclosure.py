"""Small-cell and complementary suppression (checked by an attacker's linear program), and
OpenDP noise made into non-negative integers with consistent margins."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from ctip.stats.disclosure import (
    Grid,
    allocate_epsilon,
    consistent_counts,
    integer_counts,
    laplace_counts,
    private_tables,
    release_measurements,
    suppress,
)


def attacker_bounds(grid, hidden):
    """What someone who sees the published table can work out about each hidden figure."""
    positions = [tuple(p) for p in np.argwhere(hidden)]
    index = {p: i for i, p in enumerate(positions)}
    a_eq, b_eq = [], []
    for parts, total in grid.lines():
        row, rhs = np.zeros(len(positions)), 0.0
        for p in parts:
            if p in index:
                row[index[p]] += 1
            else:
                rhs -= grid.m[p]
        if total in index:
            row[index[total]] -= 1
        else:
            rhs += grid.m[total]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    out = {}
    for p, i in index.items():
        c = np.zeros(len(positions))
        c[i] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * len(positions)).fun
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * len(positions))
        out[p] = (low, -high.fun if high.status == 0 else np.inf)
    return out


def test_one_dimensional_table_hides_a_second_cell():
    grid = Grid.from_cells(["a", "b", "c"], ["count"], np.array([[3], [40], [25]]))
    hidden = suppress(grid)
    assert hidden[0, 0]  # 3 < 11
    assert hidden[2, 0]  # the smallest other cell, so 3 cannot be recovered from the total
    assert not hidden[3, 0]  # the total (68) still shows
    for low, high in attacker_bounds(grid, hidden).values():
        assert high - low >= 1


def test_two_dimensional_table_with_margins():
    cells = np.array([[2, 30, 25], [40, 12, 33], [50, 60, 5]])
    grid = Grid.from_cells(["r1", "r2", "r3"], ["c1", "c2", "c3"], cells)
    hidden = suppress(grid)
    assert hidden[0, 0] and hidden[2, 2]
    shown = grid.m[~hidden]
    assert not ((shown > 0) & (shown < 11)).any()
    for low, high in attacker_bounds(grid, hidden).values():
        assert high - low >= 1


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_never_leak_a_hidden_figure(seed):
    rng = np.random.default_rng(seed)
    shape = (rng.integers(2, 6), rng.integers(1, 5))
    cells = rng.choice([0, 1, 2, 5, 9, 11, 15, 30, 80], size=shape)
    grid = Grid.from_cells(
        [f"r{i}" for i in range(shape[0])], [f"c{j}" for j in range(shape[1])], cells
    )
    hidden = suppress(grid)
    shown = grid.m[~hidden]
    assert not ((shown > 0) & (shown < 11)).any()
    for low, high in attacker_bounds(grid, hidden).values():
        assert high - low >= 0.5


def test_dp_counts_are_non_negative_integers_and_noisy():
    cells = np.array([[0, 5], [100, 40]])
    draws = [laplace_counts(cells, 0.5) for _ in range(30)]
    for noisy in draws:
        assert (noisy >= 0).all() and np.array_equal(noisy, np.round(noisy))
    assert any(not np.array_equal(d, cells) for d in draws)
    mean_error = np.mean([np.abs(d - cells).mean() for d in draws])
    assert mean_error < 10  # scale 2: typical error about 2
    grid = Grid.from_cells(["a", "b"], ["x", "y"], draws[0])
    assert grid.m[2, 2] == draws[0].sum()  # margins are sums of published cells
    assert list(itertools.chain(grid.m[:2, 2])) == list(draws[0].sum(axis=1))


# Joint estimation: tables over dimensions a (4), b (3), c (5) that share margins.
DIMS = [("a", "b"), ("b", "c"), ("a",), ("c", "a")]


def population(seed: int, n: int = 3000) -> np.ndarray:
    """Counts over a x b x c, skewed so that many cells of the tables are near zero."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(60, 0.3)).reshape(4, 3, 5)
    return rng.multinomial(n, p.ravel()).reshape(4, 3, 5).astype(float)


def tables_of(cube: np.ndarray) -> list[np.ndarray]:
    return [cube.sum(axis=2), cube.sum(axis=0), cube.sum(axis=(1, 2)), cube.sum(axis=1).T]


def test_release_measurements_privacy_maps_add_up_to_epsilon():
    measurements = release_measurements([12, 15, 4, 20], 0.7)
    maps = [m.map(1) for m in measurements]
    assert all(m > 0 for m in maps)
    assert sum(maps) == pytest.approx(0.7, abs=1e-6)


def test_joint_estimate_agrees_on_shared_margins_and_is_non_negative():
    truth = tables_of(population(1))
    rng = np.random.default_rng(2)
    budgets = allocate_epsilon([t.size for t in truth], 0.5)
    noisy = [t + rng.laplace(0, 1 / e, t.shape) for t, e in zip(truth, budgets, strict=True)]
    ab, bc, a, ca = consistent_counts(noisy, DIMS, budgets)
    assert min(t.min() for t in (ab, bc, a, ca)) >= 0
    np.testing.assert_allclose(ab.sum(axis=1), a, atol=1e-4)  # a
    np.testing.assert_allclose(ca.sum(axis=0), a, atol=1e-4)  # a
    np.testing.assert_allclose(ab.sum(axis=0), bc.sum(axis=1), atol=1e-4)  # b
    np.testing.assert_allclose(bc.sum(axis=0), ca.sum(axis=1), atol=1e-4)  # c
    rounded = integer_counts([ab, bc, a, ca])
    assert len({int(t.sum()) for t in rounded}) == 1  # one grand total
    for t, r in zip((ab, bc, a, ca), rounded, strict=True):
        assert r.dtype.kind == "i" and (r >= 0).all()
        assert np.abs(r - t).max() < 1.5  # rounding moves no cell by more than about one


def test_private_tables_are_non_negative_integers_with_one_total():
    truth = tables_of(population(3))
    out = private_tables(truth, DIMS, allocate_epsilon([t.size for t in truth], 1.0))
    assert [t.shape for t in out] == [t.shape for t in truth]
    assert all(t.dtype.kind == "i" and (t >= 0).all() for t in out)
    assert len({int(t.sum()) for t in out}) == 1
    assert any(not np.array_equal(o, t) for o, t in zip(out, truth, strict=True))


def test_joint_estimate_beats_clipping_each_table():
    """On the same noisy draws (seeded), the joint estimate has a lower mean absolute error
    than the previous mechanism (each table clipped at zero on its own)."""
    rng = np.random.default_rng(7)
    old, new = [], []
    for seed in range(40):
        truth = tables_of(population(seed))
        budgets = allocate_epsilon([t.size for t in truth], 0.5)
        noisy = [t + rng.laplace(0, 1 / e, t.shape) for t, e in zip(truth, budgets, strict=True)]
        clipped = [np.round(np.clip(y, 0, None)) for y in noisy]
        joint = integer_counts(consistent_counts(noisy, DIMS, budgets))

        def mae(est: list[np.ndarray], truth: list[np.ndarray] = truth) -> float:
            return float(
                np.mean(
                    np.concatenate([np.abs(e - t).ravel() for e, t in zip(est, truth, strict=True)])
                )
            )

        old.append(mae(clipped))
        new.append(mae(joint))
    assert np.mean(new) < 0.95 * np.mean(old)
    assert np.mean(np.array(new) < np.array(old)) > 0.7
