"""Protection of public tables: small-cell suppression with complementary suppression,
checked by linear programming, and differentially private noisy counts through OpenDP.

A table is a grid of counts with its row totals, column totals and grand total. Suppression
hides every published figure (cell or total) between 1 and k - 1, then hides more figures
until no hidden one can be worked out from what is shown: every row and column with a hidden
figure has at least two, and a linear program finds, for each hidden figure, the smallest and
largest values consistent with everything published — if those are equal the figure would be
recovered, so another one in its row or column is hidden and the check repeats.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

K = 11


@dataclass
class Grid:
    """A table with margins: m[r][c] for cells, m[r][C] row totals, m[R][c] column totals.

    One-column tables have no row-total column (it would repeat the cells)."""

    row_keys: list[str]
    col_keys: list[str]
    m: np.ndarray  # shape (R + 1, C + 1) or (R + 1, 1) when one column

    @classmethod
    def from_cells(cls, row_keys: list[str], col_keys: list[str], cells: np.ndarray) -> "Grid":
        cells = np.asarray(cells, dtype=float).reshape(len(row_keys), len(col_keys))
        if len(col_keys) == 1:
            m = np.vstack([cells, cells.sum(axis=0, keepdims=True)])
        else:
            with_rows = np.hstack([cells, cells.sum(axis=1, keepdims=True)])
            m = np.vstack([with_rows, with_rows.sum(axis=0, keepdims=True)])
        return cls(row_keys, col_keys, m)

    def lines(self) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
        """Every additive constraint: (parts, total)."""
        rows, cols = len(self.row_keys), len(self.col_keys)
        found = []
        if cols > 1:
            for r in range(rows + 1):
                found.append(([(r, c) for c in range(cols)], (r, cols)))
        last_col = cols + 1 if cols > 1 else 1
        for c in range(last_col):
            found.append(([(r, c) for r in range(rows)], (rows, c)))
        return found


def _determined(grid: Grid, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden figures whose value the published ones pin down exactly (LP bounds meet)."""
    positions = [tuple(p) for p in np.argwhere(hidden)]
    if not positions:
        return []
    index = {p: i for i, p in enumerate(positions)}
    a_eq, b_eq = [], []
    for parts, total in grid.lines():
        row = np.zeros(len(positions))
        rhs = 0.0
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
    found = []
    for p, i in index.items():
        bounds = []
        for sign in (1, -1):
            c = np.zeros(len(positions))
            c[i] = sign
            res = linprog(
                c,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=np.array(b_eq) if b_eq else None,
                bounds=[(0, None)] * len(positions),
                method="highs",
            )
            bounds.append(sign * res.fun if res.status == 0 else (math.inf if sign < 0 else 0))
        low, high = bounds[0], bounds[1]
        if high - low < 0.5:
            found.append(p)
    return found


def suppress(grid: Grid, k: int = K) -> np.ndarray:
    """A boolean mask of the figures to hide (cells and totals) so that none below k shows and
    none hidden can be recovered from the rest."""
    m = grid.m
    hidden = (m > 0) & (m < k)
    for _round in range(200):
        changed = False
        for parts, total in grid.lines():
            members = [*parts, total]
            count = sum(bool(hidden[p]) for p in members)
            if count == 1:
                _hide_another(grid, hidden, parts, total)
                changed = True
        if changed:
            continue
        determined = _determined(grid, hidden)
        if not determined:
            return hidden
        p = determined[0]
        for parts, total in grid.lines():
            members = [*parts, total]
            if p in members and _hide_another(grid, hidden, parts, total):
                break
        else:  # nothing left to hide in its lines: hide the whole table
            hidden[:] = True
            return hidden
    hidden[:] = True  # never loop forever; hiding everything is always safe
    return hidden


def _hide_another(grid: Grid, hidden: np.ndarray, parts: list[Any], total: Any) -> bool:
    """Hide the smallest shown figure of the line, preferring non-zero cells over totals."""
    shown = [p for p in parts if not hidden[p]]
    candidates = [p for p in shown if grid.m[p] > 0] or shown
    if not candidates and not hidden[total]:
        candidates = [total]
    if not candidates:
        return False
    hidden[min(candidates, key=lambda p: (grid.m[p], p))] = True
    return True


# --- differential privacy --------------------------------------------------------------------


def laplace_counts(cells: np.ndarray, epsilon: float) -> np.ndarray:
    """Noisy counts through OpenDP's (discrete) Laplace mechanism, ε-DP when one person
    changes one cell by one (L1 sensitivity 1), then made non-negative (post-processing)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    flat = [int(v) for v in np.asarray(cells).ravel()]
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = dp.m.make_laplace(*space, scale=1.0 / epsilon)
    assert measurement.map(1) <= epsilon + 1e-9
    noisy = np.array(measurement(flat), dtype=float).reshape(np.asarray(cells).shape)
    return np.clip(noisy, 0, None)


def allocate_epsilon(sizes: list[int], epsilon: float) -> list[float]:
    """Split a release's ε over its tables in proportion to the square root of their number
    of cells: this minimises the mean absolute error per cell (Σ n_t / ε_t under Σ ε_t = ε),
    where an equal split over-protects small tables and under-serves large ones."""
    weights = [math.sqrt(max(n, 1)) for n in sizes]
    total = sum(weights)
    return [epsilon * w / total for w in weights]
