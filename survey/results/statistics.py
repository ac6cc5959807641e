"""The statistics of published results: raking weights, intervals and tests.

Pure functions on numbers (numpy and the standard library, no database), so that each can be
tested against a hand-computed or textbook example (tests/survey_results/test_statistics.py):

- ``rake``: weights by raking (iterative proportional fitting) over several characteristics,
  trimmed to a range, and ``kish_design_effect`` / the effective sample size;
- ``wilson``: the 95 % Wilson interval of a share, on the effective sample size;
- ``mean_interval``: the 95 % interval of a mean;
- ``chi_square_test`` with the first-order Rao-Scott correction for weighted data (the
  statistic divided by the design effect), ``chi2_sf`` its p-value, and
  ``adjusted_residuals`` with a Bonferroni correction for the cells of a table.

No library on PyPI did all of this without pulling in a large dependency (scipy or
statsmodels, hundreds of megabytes, for two special functions); ``ipfn`` rakes but does not
trim, and an unmaintained package would sit on the path of every published figure. The
regularized incomplete gamma function and the inverse normal are short and tested instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# The 97.5 % quantile of the standard normal distribution: a two-sided 95 % interval.
Z95 = 1.959963984540054
MISSING = -1


# --- Weighting ------------------------------------------------------------------------------


def rake(
    classes: np.ndarray,
    counts: np.ndarray,
    targets: list[np.ndarray],
    *,
    bounds: tuple[float, float] = (0.3, 3.0),
    max_sweeps: int = 200,
    tolerance: float = 1e-10,
) -> np.ndarray:
    """The weight of one respondent in each cell, by raking.

    ``classes[cell, margin]`` is the class (0 …) of the cell's respondents in each margin
    (a characteristic such as municipality), ``MISSING`` (−1) where they did not give it or
    belong to a group too small to be a class of its own: they are left out of that
    margin (its adjustment factor is 1 for them) and the margin's targets are spread over
    the weighted total of those who are in it. ``counts[cell]`` is the number of respondents
    in the cell, ``targets[margin][class]`` the population of each class (only the shares
    matter). Each sweep adjusts the margins one after the other, scales the weights to a
    mean of 1 and trims them to ``bounds``; it ends when no weight changes any more.
    """
    counts = np.asarray(counts, dtype=float)
    classes = np.asarray(classes, dtype=int).reshape(len(counts), len(targets))
    weights = np.ones(len(counts))
    total = counts.sum()
    low, high = bounds
    for _sweep in range(max_sweeps):
        before = weights.copy()
        for margin, target in enumerate(targets):
            target = np.asarray(target, dtype=float)
            column = classes[:, margin]
            inside = column != MISSING
            if not inside.any() or target.sum() <= 0:
                continue
            reached = np.bincount(
                column[inside], weights=(weights * counts)[inside], minlength=len(target)
            )
            wanted = target / target.sum() * reached.sum()
            factors = np.divide(wanted, reached, out=np.ones_like(wanted), where=reached > 0)
            weights[inside] *= factors[column[inside]]
        if total:
            weights *= total / (weights * counts).sum()
        weights = np.clip(weights, low, high)
        if np.max(np.abs(weights - before)) < tolerance:
            break
    return weights


def kish_design_effect(weights: np.ndarray, counts: np.ndarray) -> float:
    """Kish's design effect of weighting: n · Σw² / (Σw)² (1 without weights)."""
    weights = np.asarray(weights, dtype=float)
    counts = np.asarray(counts, dtype=float)
    n = counts.sum()
    total = (weights * counts).sum()
    if not n or not total:
        return 1.0
    return float(n * (weights**2 * counts).sum() / total**2)


def effective_size(n: float, design_effect: float) -> float:
    """The effective sample size: how many unweighted answers the weighted ones are worth."""
    return n / design_effect if design_effect else n


# --- Intervals ------------------------------------------------------------------------------


def wilson(share: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share (0 … 1) among ``n`` (the effective sample size
    for weighted shares); (0, 1) for n = 0."""
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(
    values: list[float], weights: list[float], n_effective: float, z: float = Z95
) -> tuple[float, float, float] | None:
    """The mean of ``values`` (each counted ``weights`` times) and its 95 % interval, with the
    standard error on the effective sample size; None without two answers."""
    total = sum(weights)
    if total <= 0 or n_effective < 2:
        return None
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total
    variance = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)) / total
    # The sample variance (n − 1) on the effective size.
    variance *= n_effective / (n_effective - 1)
    half = z * math.sqrt(variance / n_effective)
    return mean, mean - half, mean + half


# --- Tests ----------------------------------------------------------------------------------


def _gamma_lower_series(a: float, x: float) -> float:
    """The regularized lower incomplete gamma function P(a, x) by its series (x < a + 1)."""
    term = total = 1.0 / a
    k = a
    for _ in range(1000):
        k += 1
        term *= x / k
        total += term
        if abs(term) < abs(total) * 1e-15:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_upper_fraction(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) by its continued fraction
    (x ≥ a + 1; modified Lentz, as in Numerical Recipes 6.2)."""
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def chi2_sf(statistic: float, df: int) -> float:
    """P(X ≥ statistic) for a chi-square distribution with ``df`` degrees of freedom."""
    if statistic <= 0:
        return 1.0
    a, x = df / 2, statistic / 2
    if x < a + 1:
        return 1.0 - _gamma_lower_series(a, x)
    return _gamma_upper_fraction(a, x)


def normal_sf(z: float) -> float:
    """P(Z ≥ z) for the standard normal distribution."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def normal_quantile(p: float) -> float:
    """The z with P(Z ≤ z) = p (bisection on ``normal_sf``; exact to 1e-12)."""
    low, high = -40.0, 40.0
    for _ in range(200):
        middle = (low + high) / 2
        if 1 - normal_sf(middle) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass
class TableTest:
    """The chi-square test of independence of a table (rows × groups)."""

    statistic: float
    df: int
    p_value: float
    # Per cell: the adjusted standardized residual (positive: more often than expected).
    residuals: list[list[float]]
    # The critical |residual| after the Bonferroni correction for all cells.
    critical: float
    design_effect: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05

    def marked(self, row: int, column: int) -> int:
        """+1 / −1 where a cell differs from the average by more than chance, else 0."""
        value = self.residuals[row][column]
        if not self.significant or abs(value) < self.critical:
            return 0
        return 1 if value > 0 else -1


def chi_square_test(
    table: list[list[float]], *, design_effect: float = 1.0, alpha: float = 0.05
) -> TableTest | None:
    """Pearson's chi-square test of a table of counts (rows × groups), with the adjusted
    standardized residual of every cell (Agresti 2007, section 2.4.5).

    Weighted tables are given as weighted shares scaled to the unweighted sample size; the
    statistic and the residuals are then divided by the design effect (first-order
    Rao-Scott correction, with Kish's design effect). None when the table has fewer than
    two rows or groups with answers, or when expected counts are too small for the test
    (any below 1, or more than a fifth below 5: Cochran's rule).
    """
    full = np.asarray(table, dtype=float)
    if full.ndim != 2 or not full.size:
        return None
    rows, columns = full.sum(axis=1) > 0, full.sum(axis=0) > 0
    observed = full[rows][:, columns]
    if min(observed.shape) < 2:
        return None
    n = observed.sum()
    row_totals = observed.sum(axis=1, keepdims=True)
    column_totals = observed.sum(axis=0, keepdims=True)
    expected = row_totals @ column_totals / n
    if (expected < 1).any() or (expected < 5).mean() > 0.2:
        return None
    deff = max(design_effect, 1e-9)
    statistic = float(((observed - expected) ** 2 / expected).sum()) / deff
    df = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    spread = expected * (1 - row_totals / n) * (1 - column_totals / n)
    residuals = np.zeros_like(full)  # an empty row or group differs from nothing
    residuals[np.ix_(rows, columns)] = (observed - expected) / np.sqrt(spread * deff)
    cells = observed.size
    critical = normal_quantile(1 - alpha / (2 * cells))
    return TableTest(
        statistic=statistic,
        df=df,
        p_value=chi2_sf(statistic, df),
        residuals=residuals.tolist(),
        critical=critical,
        design_effect=design_effect,
    )
