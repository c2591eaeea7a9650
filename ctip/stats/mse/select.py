"""Model selection over many tables at once: SparseMSE's stepwise rule, and BIC over every
model (lowest BIC, or BIC-weighted averaging).

Each function takes a batch of count vectors (the data, bootstrap replicates, jackknife
tables) and returns one result per table. Tables move through the search in lockstep: those
whose current model is the same are fitted together in one batched IRLS call.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import pdtr, pdtrc

from .fit import Existence, Model, ModelSpace, fit_model, fits_exist

P_THRESHOLD = 0.02
# BIC over every model: 2^(k(k-1)/2) models, 1,024 for five lists but 32,768 for six.
MAX_LISTS_ALL_MODELS = 5


@dataclass
class Selection:
    """Per table: the chosen model, the estimated hidden count (nan: no model has an
    estimate), its fitted values and, for averaging, how many models had weight."""

    models: list[Model | None]
    hidden: np.ndarray
    mu: np.ndarray
    averaged: np.ndarray | None = None


def by_model(tables: list[int], models: list[Model | None]) -> dict[Model, list[int]]:
    """The tables still searching, grouped by their current model: one batched fit each."""
    groups: dict[Model, list[int]] = defaultdict(list)
    for r in tables:
        groups[models[r] or ()].append(r)
    return groups


def poisson_pvalues(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """SparseMSE's test of a pair: the smaller tail, P(X <= n) or P(X >= n), of a Poisson
    with the current model's expected count in the pair's overlap."""
    lower = pdtr(observed, expected)
    upper = np.where(observed > 0, pdtrc(np.maximum(observed - 1, 0), expected), 1.0)
    return np.asarray(np.minimum(lower, upper))


def stepwise(
    space: ModelSpace, y: np.ndarray, exists: Existence, threshold: float = P_THRESHOLD
) -> Selection:
    """SparseMSE's `stepwisefit` for every row of `y`.

    Start from the main effects. At each step, every pair not yet in the model gets the
    p-value of its overlap count under the current model; the pair with the smallest p-value
    (the first in list order on a tie) among those whose model passes `checkident` is added
    if that p-value is below `threshold`; otherwise stop. Checking candidates in p-value order
    and stopping at the first that passes picks the same pair as checking them all.
    """
    r_count, n_pairs = len(y), len(space.pairs)
    models: list[Model | None] = [None] * r_count
    hidden = np.full(r_count, np.nan)
    mu = np.zeros_like(y, dtype=float)
    nstar = y @ space.overlap
    eta = np.log(y + 0.5)
    running = []
    for r in range(r_count):
        # SparseMSE fits the main effects unchecked; a table where even they have no
        # estimate (two lists with nobody in common) has no estimate here.
        if exists((), y[r]):
            models[r] = ()
            running.append(r)
    while running:
        groups = by_model(running, models)
        running = []
        for model, members in groups.items():
            rows = np.array(members)
            fit = fit_model(space, model, y[rows], eta[rows])
            eta[rows], mu[rows] = fit.eta, fit.mu
            hidden[rows] = np.where(fit.converged, fit.hidden, np.nan)
            pvalues = poisson_pvalues(nstar[rows], fit.mu @ space.overlap)
            pvalues[:, list(model)] = np.inf
            order = np.argsort(pvalues, axis=1, kind="stable")
            for i, r in enumerate(members):
                for q in order[i]:
                    if not pvalues[i, q] < threshold or len(model) == n_pairs:
                        break
                    candidate = tuple(sorted((*model, int(q))))
                    if exists(candidate, y[r]):
                        models[r] = candidate
                        running.append(r)
                        break
    return Selection(models, hidden, mu)


def all_models_depth_first(n_pairs: int, prefix: Model = ()) -> Iterator[Model]:
    """Every subset of the pairs, each right after the subset it extends by one pair."""
    yield prefix
    for q in range((prefix[-1] + 1) if prefix else 0, n_pairs):
        yield from all_models_depth_first(n_pairs, (*prefix, q))


def bic_all(space: ModelSpace, y: np.ndarray, exists: Existence, average: bool) -> Selection:
    """BIC = -2 log-likelihood + log(observed) x parameters over every model of main effects
    and two-list interactions (all hierarchical models of order two, as Rcapture's
    `closedpMS.t` with maxorder 2). A pair at minus infinity counts as a parameter, as
    SparseMSE counts it in its AIC. `average`: BIC-weighted mean of the hidden count over the
    models whose estimate exists (weights exp(-BIC/2)); otherwise the lowest-BIC model's."""
    r_count = len(y)
    log_n = np.log(np.maximum(y.sum(axis=1), 2))
    best = np.full(r_count, np.inf)
    best_model: list[Model | None] = [None] * r_count
    hidden = np.full(r_count, np.nan)
    mu = np.zeros_like(y, dtype=float)
    # Running log-sum-exp of -BIC/2 and the weighted sum of hidden counts, per table.
    log_weight = np.full(r_count, -np.inf)
    weighted = np.zeros(r_count)
    count = np.zeros(r_count, int)
    # Depth first, each model warm-started from the fit of its parent (one pair fewer).
    starts: dict[Model, np.ndarray] = {}
    for model in all_models_depth_first(len(space.pairs)):
        fit = fit_model(space, model, y, starts.get(model[:-1]))
        starts = {m: e for m, e in starts.items() if model[: len(m)] == m}
        starts[model] = fit.eta
        ok = fits_exist(fit, y, model, space, exists)
        bic = np.where(ok, -2 * fit.loglik + log_n * (1 + space.k + len(model)), np.inf)
        better = bic < best
        best[better] = bic[better]
        hidden_m = fit.hidden
        if average:
            lw = -bic / 2
            new = np.logaddexp(log_weight, lw)
            with np.errstate(invalid="ignore", over="ignore"):
                scale = np.where(np.isfinite(new), np.exp(log_weight - new), 0.0)
                share = np.where(ok, np.exp(lw - new), 0.0)
            weighted = np.where(np.isfinite(new), weighted * scale, 0.0) + np.where(
                ok, share * np.where(ok, hidden_m, 0.0), 0.0
            )
            log_weight = new
            count += ok
        for r in np.flatnonzero(better):
            best_model[r] = model
        hidden[better] = hidden_m[better]
        mu[better] = fit.mu[better]
    if average:
        hidden = np.where(count > 0, weighted, np.nan)
    return Selection(best_model, hidden, mu, count if average else None)


def bic_forward(space: ModelSpace, y: np.ndarray, exists: Existence) -> Selection:
    """Greedy forward BIC (for more lists than BIC over every model can afford): from the
    main effects, add the pair that lowers BIC most while one does."""
    r_count = len(y)
    log_n = np.log(np.maximum(y.sum(axis=1), 2))
    models: list[Model | None] = [None] * r_count
    hidden = np.full(r_count, np.nan)
    mu = np.zeros_like(y, dtype=float)
    base = fit_model(space, (), y)
    ok = fits_exist(base, y, (), space, exists)
    current = np.where(ok, -2 * base.loglik + log_n * (1 + space.k), np.inf)
    hidden[ok], mu[ok] = base.hidden[ok], base.mu[ok]
    running: list[int] = [int(r) for r in np.flatnonzero(ok)]
    for r in running:
        models[r] = ()
    eta = base.eta
    while running:
        groups = by_model(running, models)
        running = []
        for model, members in groups.items():
            rows = np.array(members)
            yy = y[rows]
            best = current[rows].copy()
            choice: list[Model | None] = [None] * len(rows)
            for q in range(len(space.pairs)):
                if q in model:
                    continue
                candidate = tuple(sorted((*model, q)))
                fit = fit_model(space, candidate, yy, eta[rows])
                ok = fits_exist(fit, yy, candidate, space, exists)
                size = 2 + space.k + len(model)
                bic = np.where(ok, -2 * fit.loglik + log_n[rows] * size, np.inf)
                for i in map(int, np.flatnonzero(bic < best)):
                    best[i], choice[i] = bic[i], candidate
                    hidden[rows[i]], mu[rows[i]] = fit.hidden[i], fit.mu[i]
                    eta[rows[i]] = fit.eta[i]
            for i, member in enumerate(members):
                if choice[i] is not None:
                    models[member], current[member] = choice[i], best[i]
                    running.append(member)
    return Selection(models, hidden, mu)


def select(method: str, space: ModelSpace, y: np.ndarray, exists: Existence) -> Selection:
    if method == "stepwise":
        return stepwise(space, y, exists)
    if space.k <= MAX_LISTS_ALL_MODELS:
        return bic_all(space, y, exists, average=method == "bic-average")
    if method == "bic-average":
        raise ValueError("BIC model averaging needs every model: at most five lists")
    return bic_forward(space, y, exists)
