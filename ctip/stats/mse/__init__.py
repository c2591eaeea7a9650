"""Multiple systems estimation of a hidden population from overlapping lists (SparseMSE's method).

The reference is Chan, Silverman and Vincent, "Multiple systems estimation for sparse capture
data: inferential challenges when there are non-overlapping lists" (arXiv:1902.05156; JASA
2021), implemented in the R package SparseMSE 2.0 and behind the UK Home Office estimate.
Poisson log-linear models over the 2^k - 1 observable capture patterns (main effects plus a
chosen set of two-list interactions); the hidden count is exp(intercept). By default:

- model choice by SparseMSE's stepwise rule, threshold p = 0.02 (`select.stepwise`), only
  among models whose estimate exists and is identifiable (`fit.Existence`);
- a pair of lists with nobody in common has its interaction at minus infinity: the cells in
  which both appear are structural zeros, left out of the fit (`fit.ModelSpace.masks`);
- a 95% BCa interval: the observed people resampled, the whole selection repeated in every
  replicate, the acceleration from a leave-one-person-out jackknife (`interval`).

Options: `method="bic"` (lowest BIC over every model) or `"bic-average"` (BIC-weighted
averaging), and `interval="parametric-percentile"` (cell counts redrawn from the fitted
model, 2.5% and 97.5% percentiles). Decision 0301 says why the fitting is our own.
"""

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from threadpoolctl import threadpool_limits

from .fit import Existence, ModelSpace, fit_model, irls, mle_exists
from .interval import acceleration, bca, jackknife_tables, percentile, resample
from .select import MAX_LISTS_ALL_MODELS, P_THRESHOLD, select
from .table import MAX_LISTS, CaptureTable, check_lists, read_capture_csv, table_from_rows

__all__ = [
    "INTERVALS",
    "MAX_LISTS",
    "METHODS",
    "P_THRESHOLD",
    "CaptureTable",
    "Estimate",
    "design",
    "estimate_population",
    "irls",
    "mle_exists",
    "read_capture_csv",
    "table_from_rows",
]

METHODS = ("stepwise", "bic", "bic-average")
INTERVALS = ("bca", "parametric-percentile")
METHOD_TEXT = {
    "stepwise": "stepwise selection (SparseMSE, p < 0.02)",
    "bic": "lowest BIC over every model",
    "bic-forward": "lowest BIC by greedy forward search",
    "bic-average": "BIC-weighted average over every model",
}
INTERVAL_TEXT = {
    "bca": "BCa interval, nonparametric bootstrap, jackknife acceleration",
    "parametric-percentile": "percentile interval, parametric bootstrap",
}


def design(table: CaptureTable, pairs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The design matrix of main effects and the given two-list interactions."""
    space = ModelSpace(len(table.lists))
    return space.design(tuple(space.pairs.index(p) for p in pairs))


@dataclass
class Estimate:
    estimate: float
    lower: float | None
    upper: float | None
    terms: list[str]
    method: str
    observed: int
    lists: list[str]
    selection: str = "stepwise"
    interval: str = "bca"
    level: float = 0.95
    bootstrap: int = 0
    bootstrap_failed: int = 0
    acceleration: float | None = None
    bias_correction: float | None = None
    structural_zeros: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def r(v: float | None, digits: int = 1) -> float | None:
            return None if v is None else round(v, digits)

        return {
            "estimate": r(self.estimate),
            "lower": r(self.lower),
            "upper": r(self.upper),
            "level": self.level,
            "terms": self.terms,
            "structural_zeros": self.structural_zeros,
            "method": self.method,
            "selection": self.selection,
            "interval_method": self.interval if self.bootstrap else None,
            "acceleration": r(self.acceleration, 6),
            "bias_correction": r(self.bias_correction, 6),
            "observed": self.observed,
            "lists": self.lists,
            "bootstrap": self.bootstrap,
            "bootstrap_failed": self.bootstrap_failed,
            "notes": self.notes,
        }


def _check_arguments(
    table: CaptureTable, method: str, interval: str, bootstrap: int, level: float
) -> None:
    if method not in METHODS:
        raise ValidationError({"method": _("Unknown method %(m)r.") % {"m": method}})
    if interval not in INTERVALS:
        raise ValidationError({"interval": _("Unknown interval %(m)r.") % {"m": interval}})
    if bootstrap < 0:
        raise ValidationError({"bootstrap": _("The number of replicates cannot be negative.")})
    if not 0 < level < 1:
        raise ValidationError({"level": _("The level must lie between 0 and 1.")})
    if method == "bic-average" and len(table.lists) > MAX_LISTS_ALL_MODELS:
        raise ValidationError(
            {
                "method": _("BIC averaging weighs every model: at most %(n)d lists.")
                % {"n": MAX_LISTS_ALL_MODELS}
            }
        )
    check_lists(table)


def estimate_population(
    table: CaptureTable,
    method: str = "stepwise",
    bootstrap: int = 1000,
    seed: int = 2024,
    level: float = 0.95,
    interval: str = "bca",
    resampled: np.ndarray | None = None,
) -> Estimate:
    """The estimated total (observed plus hidden), its interval and the selected model.

    `resampled`: nonparametric bootstrap tables drawn elsewhere (one row per replicate, cells
    in `ModelSpace` order) instead of drawing `bootstrap` of them with `seed`, so that an
    interval can be recomputed on another program's own draws (see docs/statistics.md).
    """
    if resampled is not None:
        resampled = np.atleast_2d(np.asarray(resampled, dtype=float))
        bootstrap = len(resampled)
        if (
            interval != "bca"
            or resampled.shape[1] != 2 ** len(table.lists) - 1
            or not np.all(resampled >= 0)
            or not np.all(resampled.sum(axis=1) == table.observed)
        ):
            raise ValidationError(
                {
                    "resampled": _(
                        "Resampled tables need the BCa interval, one column a cell and the "
                        "observed total in every row."
                    )
                }
            )
    _check_arguments(table, method, interval, bootstrap, level)
    # Thousands of tiny matrix products: BLAS threads cost far more than they give here
    # (a 1,000 x 31 by 31 x 256 product took 28 ms with threads, 1.8 ms without, on 2 cores).
    with threadpool_limits(limits=1, user_api="blas"):
        return _estimate(table, method, bootstrap, seed, level, interval, resampled)


def _estimate(
    table: CaptureTable,
    method: str,
    bootstrap: int,
    seed: int,
    level: float,
    interval: str,
    resampled: np.ndarray | None = None,
) -> Estimate:
    space = ModelSpace(len(table.lists))
    exists = Existence(space)
    y = table.counts.astype(float)
    point = select(method, space, y[None, :], exists)
    model = point.models[0]
    if model is None or not math.isfinite(point.hidden[0]):
        raise ValidationError(
            {"file": _("No model has an estimate for these data: the lists barely overlap.")}
        )
    hidden = _verify_with_statsmodels(space, model, y, float(point.hidden[0]), method)
    observed = table.observed
    estimate = observed + hidden
    empty = space.empty_pairs(y)[0]
    names = table.lists
    terms = list(names) + [
        f"{names[space.pairs[q][0]]}:{names[space.pairs[q][1]]}" for q in model if not empty[q]
    ]
    structural = [
        f"{names[space.pairs[q][0]]}:{names[space.pairs[q][1]]}" for q in model if empty[q]
    ]
    selection = method
    if method == "bic" and len(names) > MAX_LISTS_ALL_MODELS:
        selection = "bic-forward"
    result = Estimate(
        estimate,
        None,
        None,
        terms,
        "",
        observed,
        list(names),
        selection=selection,
        interval=interval,
        level=level,
        bootstrap=bootstrap,
        structural_zeros=structural,
    )
    if point.averaged is not None:
        result.notes.append(
            _(
                "Averaged over the %(n)d models whose estimate exists, weighted by BIC; the "
                "terms shown are those of the lowest-BIC model."
            )
            % {"n": int(point.averaged[0])}
        )
    if structural:
        result.notes.append(
            _(
                "Pairs of lists with nobody in common, their interaction at minus infinity "
                "(cells where both appear left out of the fit): %(pairs)s."
            )
            % {"pairs": ", ".join(structural)}
        )
    if bootstrap:
        _interval(result, space, exists, y, point.mu[0], method, bootstrap, seed, resampled)
    result.method = f"Poisson log-linear model, {METHOD_TEXT[selection]}" + (
        f"; {INTERVAL_TEXT[interval]} ({bootstrap} replicates)" if bootstrap else ""
    )
    return result


def _interval(
    result: Estimate,
    space: ModelSpace,
    exists: Existence,
    y: np.ndarray,
    fitted: np.ndarray,
    method: str,
    bootstrap: int,
    seed: int,
    resampled: np.ndarray | None = None,
) -> None:
    """Fill in the interval: BCa on a nonparametric bootstrap, or a parametric percentile."""
    rng = np.random.default_rng(seed)
    observed = result.observed
    if result.interval == "parametric-percentile":
        tables = rng.poisson(fitted, size=(bootstrap, len(fitted))).astype(float)
        hidden = select(method, space, tables, exists).hidden
        failed = int(np.sum(~np.isfinite(hidden)))
        values = tables.sum(axis=1) + _unbounded(space, tables, hidden)
    else:
        tables = resample(y, bootstrap, rng) if resampled is None else resampled
        jack, weights = jackknife_tables(y)
        both = np.vstack([tables, jack])
        hidden = select(method, space, both, exists).hidden
        failed = int(np.sum(~np.isfinite(hidden[:bootstrap])))
        hidden = _unbounded(space, both, hidden)
        values = observed + hidden[:bootstrap]
        jack_values = observed - 1 + hidden[bootstrap:]
    result.bootstrap_failed = failed
    if result.bootstrap_failed:
        result.notes.append(
            _(
                "%(n)d bootstrap replicates had no model with an estimate; each counts as its "
                "main-effects fit, without bound where that fit runs off (as in SparseMSE)."
            )
            % {"n": result.bootstrap_failed}
        )
    if result.interval == "parametric-percentile":
        result.lower, result.upper = percentile(values, result.level)
    else:
        if np.all(np.isfinite(jack_values)):
            result.acceleration = acceleration(jack_values, weights)
        else:
            result.acceleration = 0.0
            result.notes.append(
                _("A leave-one-out table had no model with an estimate; acceleration taken as 0.")
            )
        limits = bca(values, result.estimate, result.acceleration, result.level)
        if limits is None:
            result.notes.append(
                _(
                    "No BCa interval: the replicates lie all on one side of the estimate or the "
                    "acceleration is too large."
                )
            )
            return
        result.lower, result.upper, result.bias_correction = limits
    if result.upper is not None and not math.isfinite(result.upper):
        result.upper = None
        result.notes.append(_("No upper limit: too many replicates have no finite estimate."))
    if result.lower is not None and not math.isfinite(result.lower):
        result.lower = result.upper = None


# A main-effects fit whose hidden count passes this many times the observed is running off to
# infinity (IRLS stops there only because the deviance no longer changes).
DIVERGED = 1e6


def _unbounded(space: ModelSpace, tables: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Replicates where no model has an estimate, counted as SparseMSE counts them: it fits
    their main effects unchecked, so they take that fit's value, which runs off to infinity
    when lists no longer overlap (then +inf here, so that the interval says it is unbounded)."""
    bad = ~np.isfinite(hidden)
    if not bad.any():
        return hidden
    fit = fit_model(space, (), tables[bad])
    runaway = ~np.isfinite(fit.hidden) | (fit.hidden > DIVERGED * tables[bad].sum(axis=1))
    hidden = hidden.copy()
    hidden[bad] = np.where(runaway, np.inf, fit.hidden)
    return hidden


def _verify_with_statsmodels(
    space: ModelSpace, model: tuple[int, ...], y: np.ndarray, hidden: float, method: str
) -> float:
    """Refit the chosen model with statsmodels' GLM on its live cells; its hidden count is the
    one reported (for averaging, the lowest-BIC model is checked and the average reported)."""
    import statsmodels.api as sm

    live, dead = space.masks(model, space.empty_pairs(y))
    x = space.design(model)[live[0]][:, ~dead[0]]
    with warnings.catch_warnings():
        # A saturated model (two lists, or every interaction) fits the data exactly and has no
        # residual degrees of freedom: statsmodels warns about a scale and a "separation" that
        # a Poisson count model does not use, which would only alarm a command-line user. A
        # fit that really went wrong still fails the comparison with IRLS below.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", sm.tools.sm_exceptions.PerfectSeparationWarning)
        params = sm.GLM(y[live[0]], x, family=sm.families.Poisson()).fit().params
    reference = float(math.exp(params[0]))
    ours = float(fit_model(space, model, y[None, :]).hidden[0])
    if not math.isclose(reference, ours, rel_tol=1e-4, abs_tol=1e-3):
        raise ArithmeticError(f"IRLS and statsmodels disagree: {ours} vs {reference}")
    return hidden if method == "bic-average" else reference
