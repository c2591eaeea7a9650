"""Poisson log-linear fits of many capture tables at once, and the checks that a fit exists.

A model is a tuple of pair indices (two-list interactions) on top of the main effects. A pair
of lists with nobody in common has its interaction at minus infinity (Chan, Silverman and
Vincent, arXiv:1902.05156, section 2.3; SparseMSE's `buildmodel`): when such a pair is in the
model, every cell in which both lists appear is a structural zero and leaves the fit, and the
pair's column is dropped. Which pairs are empty depends on the data, so with a batch of tables
(bootstrap replicates) each table carries its own mask of live cells and dead columns.
"""

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.special import xlogy

Model = tuple[int, ...]

# A fitted value this small on a zero cell means the fit is sliding towards the boundary of
# the parameter space (an estimate that does not exist): IRLS moves such a value down by a
# factor of about e an iteration and stops only near 1e-8 (see `fits_exist`).
SMALL_FITTED = 1e-4


class ModelSpace:
    """The cells, two-list overlaps and design matrices of every model for k lists."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.cells = np.array(
            [p for p in itertools.product((0, 1), repeat=k) if any(p)], dtype=float
        )
        self.pairs: list[tuple[int, int]] = list(itertools.combinations(range(k), 2))
        self.overlap = np.column_stack([self.cells[:, i] * self.cells[:, j] for i, j in self.pairs])
        self.base = np.column_stack([np.ones(len(self.cells)), self.cells])
        self._designs: dict[Model, np.ndarray] = {}
        self._products: dict[Model, np.ndarray] = {}

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    def design(self, model: Model) -> np.ndarray:
        if model not in self._designs:
            self._designs[model] = np.column_stack([self.base, self.overlap[:, list(model)]])
        return self._designs[model]

    def products(self, model: Model) -> np.ndarray:
        """Each cell's outer product x x' flattened, (cells, parameters^2): X'WX for a batch
        of weight vectors is then one matrix product."""
        if model not in self._products:
            x = self.design(model)
            self._products[model] = np.einsum("ni,nj->nij", x, x).reshape(len(x), -1)
        return self._products[model]

    def empty_pairs(self, counts: np.ndarray) -> np.ndarray:
        """Which pairs of lists have nobody in common, per table: (tables, pairs) booleans."""
        return np.asarray(np.atleast_2d(counts) @ self.overlap == 0)

    def masks(self, model: Model, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Live cells (tables, cells) and dead columns (tables, parameters) of `model` for
        tables whose empty pairs are `empty`."""
        empty = np.atleast_2d(empty)
        dead_pairs = empty[:, list(model)] if model else np.zeros((len(empty), 0), bool)
        removed = (dead_pairs.astype(float) @ self.overlap[:, list(model)].T) > 0
        dead = np.zeros((len(empty), 1 + self.k + len(model)), bool)
        dead[:, 1 + self.k :] = dead_pairs
        return ~removed, dead


@dataclass
class BatchFit:
    """Fits of one model to a batch of tables; fitted values are zero on structural zeros."""

    beta: np.ndarray  # (tables, parameters)
    eta: np.ndarray  # (tables, cells) linear predictor
    mu: np.ndarray  # (tables, cells) fitted values, 0 where the cell is a structural zero
    loglik: np.ndarray  # (tables,) Poisson log-likelihood without the log(y!) constant
    converged: np.ndarray  # (tables,)

    @property
    def hidden(self) -> np.ndarray:
        """The estimated number that no list holds: exp(intercept)."""
        return np.asarray(np.exp(self.beta[:, 0]))


def fit_batch(
    x: np.ndarray,
    products: np.ndarray | None,
    y: np.ndarray,
    live: np.ndarray,
    dead: np.ndarray,
    eta0: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> BatchFit:
    """Poisson IRLS for one design over many count vectors at once.

    Rows of `y` are tables; `live` masks the cells that take part; `dead` marks columns that
    are identically zero on the live cells (pairs at minus infinity), whose coefficient is
    held at 0. Each table stops iterating when its deviance settles.
    """
    r, p = len(y), x.shape[1]
    if products is None:
        products = np.einsum("ni,nj->nij", x, x).reshape(len(x), -1)
    eta = np.log(y + 0.5) if eta0 is None else np.array(eta0, dtype=float)
    beta = np.zeros((r, p))
    converged = np.zeros(r, bool)
    previous = np.full(r, np.inf)
    ylogy = xlogy(y, y)
    deviance = np.zeros(r)
    todo = np.arange(r)
    ridge = dead.astype(float) + 1e-10
    diag = np.arange(p)
    for _i in range(max_iter):
        e, yy, lv = eta[todo], y[todo], live[todo]
        mu = np.exp(e)
        w = mu * lv
        z = e + (yy - mu) / mu
        a = (w @ products).reshape(-1, p, p)
        a[:, diag, diag] += ridge[todo]
        b = (w * z) @ x
        coef = np.linalg.solve(a, b[:, :, None])[:, :, 0]
        e = np.clip(coef @ x.T, -50.0, 50.0)
        mu = np.exp(e)
        dev = 2 * np.sum(lv * (ylogy[todo] - yy * e - (yy - mu)), axis=1)
        beta[todo], eta[todo], deviance[todo] = coef, e, dev
        settled = np.abs(previous[todo] - dev) < tol * (1 + np.abs(dev))
        converged[todo[settled]] = True
        previous[todo] = dev
        todo = todo[~settled]
        if not len(todo):
            break
    mu_all = np.exp(eta) * live
    loglik = np.sum(live * (y * eta) - mu_all, axis=1)
    return BatchFit(beta, eta, mu_all, loglik, converged)


def irls(
    x: np.ndarray, y: np.ndarray, iterations: int = 100
) -> tuple[np.ndarray, float, np.ndarray, bool]:
    """One Poisson fit: (coefficients, log-likelihood, fitted values, converged)."""
    y2 = np.atleast_2d(np.asarray(y, dtype=float))
    fit = fit_batch(
        x, None, y2, np.ones_like(y2, bool), np.zeros((1, x.shape[1]), bool), max_iter=iterations
    )
    loglik = float(fit.loglik[0]) - sum(math.lgamma(v + 1) for v in y2[0])
    return fit.beta[0], loglik, fit.mu[0], bool(fit.converged[0])


def mle_exists(x: np.ndarray, y: np.ndarray) -> bool:
    """Fienberg and Rinaldo's condition: some strictly positive fitted table has the data's
    sufficient statistics X'y (the linear program of SparseMSE's `checkident`)."""
    n, p = x.shape
    objective = np.zeros(n + 1)
    objective[-1] = -1.0  # maximise the smallest fitted value t
    result = linprog(
        objective,
        A_ub=np.hstack([-np.eye(n), np.ones((n, 1))]),
        b_ub=np.zeros(n),
        A_eq=np.hstack([x.T, np.zeros((p, 1))]),
        b_eq=x.T @ y,
        bounds=[(0, None)] * n + [(None, 1)],
        method="highs",
    )
    return bool(result.status == 0 and -result.fun > 1e-7)


def _full_rank(x: np.ndarray) -> bool:
    return bool(x.shape[0] >= x.shape[1] and np.linalg.matrix_rank(x) == x.shape[1])


class Existence:
    """Whether a model's estimate exists and is identifiable for given counts (SparseMSE's
    `checkident`), cached: the answer depends only on the model and on which cells are zero."""

    def __init__(self, space: ModelSpace) -> None:
        self.space = space
        self.cache: dict[tuple[Model, bytes], bool] = {}
        self.ranks: dict[tuple[Model, bytes], bool] = {}
        self.linear_programs = 0

    def __call__(self, model: Model, y: np.ndarray) -> bool:
        zero = y == 0
        key = (model, np.packbits(zero).tobytes())
        if key not in self.cache:
            self.cache[key] = self._check(model, y, zero)
        return self.cache[key]

    def _check(self, model: Model, y: np.ndarray, zero: np.ndarray) -> bool:
        space = self.space
        live, dead = space.masks(model, space.empty_pairs(y))
        live, dead = live[0], dead[0]
        x = space.design(model)[live][:, ~dead]
        if not _full_rank(x):
            return False  # not identifiable
        # If the columns are already independent on the cells with cases, no direction can
        # push fitted values to zero on the empty cells alone: the estimate exists.
        if _full_rank(x[~zero[live]]):
            return True
        self.linear_programs += 1
        return mle_exists(x, y[live])

    def identifiable(self, model: Model, dead_pairs: tuple[bool, ...]) -> bool:
        """Full column rank of the reduced design, for a given set of pairs at minus infinity."""
        key = (model, bytes(dead_pairs))
        if key not in self.ranks:
            space = self.space
            empty = np.zeros((1, len(space.pairs)), bool)
            empty[0, list(model)] = dead_pairs
            live, dead = space.masks(model, empty)
            self.ranks[key] = _full_rank(space.design(model)[live[0]][:, ~dead[0]])
        return self.ranks[key]


def fit_model(
    space: ModelSpace, model: Model, y: np.ndarray, eta0: np.ndarray | None = None
) -> BatchFit:
    """Fit `model` to each row of `y`, each with its own structural zeros."""
    live, dead = space.masks(model, space.empty_pairs(y))
    return fit_batch(space.design(model), space.products(model), y, live, dead, eta0)


def fits_exist(
    fit: BatchFit, y: np.ndarray, model: Model, space: ModelSpace, exists: Existence
) -> np.ndarray:
    """Which fits are true maximum-likelihood fits, cheaply where the fit itself shows it.

    A converged fit at finite coefficients with no fitted value near zero on an empty cell is
    a stationary point of a strictly concave log-likelihood (when identifiable): the MLE,
    which therefore exists. Every other fit is decided by the exact check (`Existence`)."""
    empty_all = space.empty_pairs(y)
    live, _dead = space.masks(model, empty_all)
    near_zero = np.where(live & (y == 0), fit.mu, np.inf).min(axis=1) < SMALL_FITTED
    ok = fit.converged & ~near_zero
    result = np.zeros(len(y), bool)
    empty = empty_all[:, list(model)]
    patterns, which = np.unique(empty, axis=0, return_inverse=True)
    rank_ok = np.array([exists.identifiable(model, tuple(bool(v) for v in p)) for p in patterns])
    result[ok] = rank_ok[which.reshape(-1)][ok]
    for r in np.flatnonzero(~ok):
        result[r] = exists(model, y[r])
    return result
