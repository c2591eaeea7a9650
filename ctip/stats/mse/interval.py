"""Bootstrap intervals for the estimated total: BCa with jackknife acceleration (DiCiccio and
Efron 1996, as SparseMSE's `estimatepopulation` and `bcaconfvalues`) and the percentile
interval of a parametric bootstrap."""

import math

import numpy as np
from scipy.special import ndtr, ndtri


def resample(counts: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Nonparametric bootstrap tables: the observed people drawn with replacement. Drawing
    n people from the cells in proportion to their counts is one multinomial draw of the
    cell counts, which is what is done (SparseMSE's `rmultinom`)."""
    n = int(counts.sum())
    return rng.multinomial(n, counts / n, size=replicates).astype(float)


def jackknife_tables(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One table per non-empty cell with one person of that cell left out, and how many
    people each stands for (the cell's count)."""
    cells = np.flatnonzero(counts > 0)
    tables = np.repeat(counts[None, :], len(cells), axis=0)
    tables[np.arange(len(cells)), cells] -= 1
    return tables, counts[cells]


def acceleration(estimates: np.ndarray, weights: np.ndarray) -> float:
    """The BCa acceleration from leave-one-person-out estimates, each counted as often as
    people share its cell: sum(w d^3) / (6 (sum(w d^2))^1.5), d = weighted mean - estimate."""
    d = np.sum(weights * estimates) / np.sum(weights) - estimates
    spread = np.sum(weights * d**2)
    if spread <= 0:
        return 0.0
    return float(np.sum(weights * d**3) / (6 * spread**1.5))


def bca(
    replicates: np.ndarray, estimate: float, accel: float, level: float
) -> tuple[float, float, float] | None:
    """(lower, upper, bias correction z0), or None where BCa is undefined: every replicate on
    one side of the estimate, or an acceleration so large that the adjusted level folds."""
    share_below = float(np.mean(replicates < estimate))
    if share_below in (0.0, 1.0):
        return None
    z0 = float(ndtri(share_below))
    za = ndtri(np.array([(1 - level) / 2, (1 + level) / 2]))
    shifted = z0 + za
    denominator = 1 - accel * shifted
    if np.any(denominator <= 0):
        return None
    probs = ndtr(z0 + shifted / denominator)
    # R's quantile type 8 (median-unbiased), as SparseMSE uses; unbounded replicates (+inf)
    # make a limit that falls among them infinite.
    lower, upper = (_quantile(replicates, p) for p in probs)
    return lower, upper, z0


def _quantile(values: np.ndarray, prob: float) -> float:
    with np.errstate(invalid="ignore"):
        q = float(np.quantile(values, prob, method="median_unbiased"))
    return q if not math.isnan(q) else math.inf


def percentile(replicates: np.ndarray, level: float) -> tuple[float, float]:
    alpha = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        lower, upper = (float(v) for v in np.quantile(replicates, [alpha, 1 - alpha]))
    return lower, (upper if not math.isnan(upper) else math.inf)
