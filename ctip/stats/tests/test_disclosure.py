"""Small-cell and complementary suppression (checked by an attacker's linear program), and
OpenDP noise made into non-negative integers with consistent margins."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from ctip.stats.disclosure import Grid, laplace_counts, suppress


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
