"""Statistics over replications: mean, median, a 5-95% band and a t-based 95% CI of the mean.

Replications are always the first axis of an array. Missing values (NaN, e.g. a failed run or
a ratio with an empty denominator) are left out, so ``n`` may differ between cells.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

BAND = (0.05, 0.95)
"""Quantiles of the band drawn around the mean: the 5th and 95th percentiles over seeds."""

CONFIDENCE = 0.95
"""Level of the confidence interval of the mean (Student's t, n - 1 degrees of freedom)."""

STATS = ("n", "mean", "median", "p5", "p95", "ci_low", "ci_high", "sd")
"""Columns of every summary table, in order."""


def describe(values: np.ndarray | list[float]) -> dict[str, np.ndarray]:
    """Summarise ``values`` over their first axis (replications), ignoring NaN.

    Args:
        values: array whose first axis is the replication; any further axes are kept.

    Returns:
        ``n`` (replications with a value), ``mean``, ``median``, ``p5`` and ``p95`` (the band),
        ``ci_low`` and ``ci_high`` (the t-based confidence interval of the mean, NaN when fewer
        than two values) and ``sd`` (sample standard deviation, ddof=1), each shaped like one
        replication.

    """
    x = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(x), axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=0)
        median = np.nanmedian(x, axis=0)
        p5, p95 = np.nanquantile(x, BAND, axis=0)
        sd = np.nanstd(x, axis=0, ddof=1)
        sd = np.where(n > 1, sd, np.nan)
        t = _scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return {
        "n": n,
        "mean": mean,
        "median": median,
        "p5": p5,
        "p95": p95,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "sd": sd,
    }


def paired_differences(other: np.ndarray, baseline: np.ndarray) -> dict[str, np.ndarray]:
    """Summarise ``other - baseline`` replication by replication (common random numbers).

    Replication k of both arrays must share its seed. A pair with a missing value on either
    side is left out.

    Args:
        other: values of the scenario, replications on the first axis.
        baseline: values of the baseline, same shape.

    Raises:
        ValueError: the shapes differ.

    """
    a = np.asarray(other, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays must have the same shape, not {a.shape} and {b.shape}")
    return describe(a - b)


def summary_frame(cube: np.ndarray, quarters: list[str], indicators: list[str]) -> pd.DataFrame:
    """Long table of :func:`describe` for a replications x quarters x indicators array.

    Returns:
        One row per quarter and indicator: ``quarter``, ``indicator`` and the :data:`STATS`.

    """
    s = describe(cube)
    index = pd.MultiIndex.from_product([quarters, indicators], names=["quarter", "indicator"])
    frame = pd.DataFrame({k: np.asarray(v).reshape(-1) for k, v in s.items()}, index=index)
    frame["n"] = frame["n"].astype("int64")
    return frame.reset_index()


def effect_is_clear(ci_low: float, ci_high: float) -> bool:
    """The interval of an effect lies wholly on one side of zero.

    A cost-effectiveness figure is given only for such an effect: spending over an effect
    whose interval includes zero is no figure at all ("no clear effect").
    """
    return bool(np.isfinite(ci_low) and np.isfinite(ci_high) and (ci_low > 0 or ci_high < 0))


def ratio_of_means(numerator: np.ndarray, denominator: np.ndarray) -> float:
    """Mean of the numerator over mean of the denominator, over replications where both exist.

    Used for cost-effectiveness (extra spend per extra household connected), where a ratio per
    replication would explode whenever a replication connects almost no one extra. NaN when the
    mean denominator is not positive.
    """
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    if not ok.any():
        return float("nan")
    den = float(b[ok].mean())
    return float(a[ok].mean()) / den if den > 0 else float("nan")
