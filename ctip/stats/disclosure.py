"""Protection of public tables: small-cell suppression with complementary suppression,
checked by linear programming, and differentially private counts through OpenDP, estimated
jointly for tables of one population (non-negative, shared margins agree).

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
    from scipy.optimize import linprog  # here: importing SciPy costs 0.4 s per process

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


def laplace_measurement(epsilon: float) -> Any:
    """OpenDP's (discrete) Laplace mechanism over an integer vector at scale 1/ε: ε-DP when one
    person changes one cell by one (L1 sensitivity 1); its privacy map is asserted."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = dp.m.make_laplace(*space, scale=1.0 / epsilon)
    assert measurement.map(1) <= epsilon + 1e-9
    return measurement


def laplace_noisy(cells: np.ndarray, epsilon: float) -> np.ndarray:
    """The noisy counts of one table, as drawn (may be negative)."""
    flat = [int(v) for v in np.asarray(cells).ravel()]
    noisy = laplace_measurement(epsilon)(flat)
    return np.array(noisy, dtype=float).reshape(np.asarray(cells).shape)


def laplace_counts(cells: np.ndarray, epsilon: float) -> np.ndarray:
    """Noisy counts of one table on its own, made non-negative (post-processing)."""
    return np.clip(laplace_noisy(cells, epsilon), 0, None)


def allocate_epsilon(sizes: list[int], epsilon: float) -> list[float]:
    """Split a release's ε over its tables in proportion to the square root of their number
    of cells: this minimises the mean absolute error per cell (Σ n_t / ε_t under Σ ε_t = ε),
    where an equal split over-protects small tables and under-serves large ones."""
    weights = [math.sqrt(max(n, 1)) for n in sizes]
    total = sum(weights)
    return [epsilon * w / total for w in weights]


# Tables that share a dimension are margins of one population: estimating them together
# (decision 0305) lets each table borrow the others' measurement of what they share, and
# non-negativity of every cell pulls the many near-zero cells towards zero without the
# upward bias of clipping each table on its own. Everything below uses the noisy counts only.


def _margin_matrix(dims: tuple[str, ...], shape: tuple[int, ...], keep: tuple[str, ...]) -> Any:
    """0/1 matrix summing a table's cells (C order) into its margin over `keep` (in that order)."""
    index = np.indices(shape).reshape(len(shape), -1)
    kept_shape = tuple(shape[dims.index(d)] for d in keep)
    rows = np.ravel_multi_index(tuple(index[dims.index(d)] for d in keep), kept_shape)
    out = np.zeros((int(np.prod(kept_shape)), index.shape[1]))
    out[rows, np.arange(index.shape[1])] = 1
    return out


def _shared_margins(dims: list[tuple[str, ...]], shapes: list[tuple[int, ...]]) -> np.ndarray:
    """Rows C with C x = 0 exactly when every two tables agree on the margin over the
    dimensions they share (the grand total when they share none)."""
    offsets = np.cumsum([0, *(int(np.prod(s)) for s in shapes)])
    rows = []
    for i in range(len(dims)):
        for j in range(i + 1, len(dims)):
            shared = tuple(sorted(set(dims[i]) & set(dims[j])))
            block = np.zeros(
                (int(np.prod([shapes[i][dims[i].index(d)] for d in shared])), offsets[-1])
            )
            block[:, offsets[i] : offsets[i + 1]] = _margin_matrix(dims[i], shapes[i], shared)
            block[:, offsets[j] : offsets[j + 1]] -= _margin_matrix(dims[j], shapes[j], shared)
            rows.append(block)
    return np.vstack(rows) if rows else np.zeros((0, offsets[-1]))


def consistent_counts(
    noisy: list[np.ndarray], dims: list[tuple[str, ...]], epsilons: list[float]
) -> list[np.ndarray]:
    """The non-negative tables that agree on every shared margin and are closest to the noisy
    ones in least squares weighted by each table's ε² (its noise precision).

    That is the projection of the noisy counts onto the intersection of a subspace (shared
    margins agree) and the non-negative orthant, found by Dykstra's alternating projections:
    plain alternation would stop at some point of the intersection, not the nearest one."""
    y = np.concatenate([np.asarray(t, dtype=float).ravel() for t in noisy])
    weight = np.concatenate([np.full(t.size, e * e) for t, e in zip(noisy, epsilons, strict=True)])
    c = _shared_margins(dims, [np.shape(t) for t in noisy])
    # Projection onto {C x = 0} in the metric diag(weight): x - W⁻¹Cᵀ (C W⁻¹ Cᵀ)⁺ C x; the
    # pseudo-inverse because shared margins repeat (two tables' totals agree through a third).
    c_w = c / weight
    gram_inv = np.linalg.pinv(c_w @ c.T) if len(c) else np.zeros((0, 0))

    def agree(x: np.ndarray) -> np.ndarray:
        return x - c_w.T @ (gram_inv @ (c @ x)) if len(c) else x

    x, p, q = y.copy(), np.zeros_like(y), np.zeros_like(y)
    scale = max(1.0, float(np.abs(y).max()))
    for _round in range(5000):
        z = agree(x + p)
        p = x + p - z
        x_next = np.clip(z + q, 0, None)
        q = z + q - x_next
        done = np.abs(x_next - x).max() < 1e-9 * scale and np.abs(z - x_next).max() < 1e-6
        x = x_next
        if done:
            break
    out, start = [], 0
    for t in noisy:
        out.append(x[start : start + t.size].reshape(np.shape(t)))
        start += t.size
    return out


def integer_counts(tables: list[np.ndarray]) -> list[np.ndarray]:
    """Round estimated tables to non-negative integers that all add up to one grand total
    (the rounded mean of their totals): each table keeps the floors of its cells and gives
    the units left over to the cells with the largest remainders."""
    total = round(float(np.mean([t.sum() for t in tables]))) if tables else 0
    out = []
    for table in tables:
        cells = np.clip(np.asarray(table, dtype=float).ravel(), 0, None)
        if cells.sum() > 0:
            cells = cells * (total / cells.sum())  # shares of the common total
        floors = np.floor(cells)
        left = int(total - floors.sum())
        order = np.argsort(-(cells - floors), kind="stable")
        floors[order[:left]] += 1
        out.append(floors.reshape(np.shape(table)).astype(int))
    return out


def release_measurements(sizes: list[int], epsilon: float) -> list[Any]:
    """One OpenDP measurement per table, at the table's share of ε; their privacy maps add
    up to ε (sequential composition)."""
    return [laplace_measurement(e) for e in allocate_epsilon(sizes, epsilon)]


def private_tables(
    cells: list[np.ndarray], dims: list[tuple[str, ...]], budgets: list[float]
) -> list[np.ndarray]:
    """Tables of one population released under Σ budgets-DP: each measured once with OpenDP's
    Laplace at its own ε, then estimated jointly (shared margins agree, no negative cell) and
    rounded to integers with one grand total. Only the noisy counts reach the estimate."""
    noisy = [laplace_noisy(c, e) for c, e in zip(cells, budgets, strict=True)]
    return integer_counts(consistent_counts(noisy, dims, budgets))
