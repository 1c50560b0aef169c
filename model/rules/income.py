"""Household income, poverty, social transfers and their take-up.

Labour income follows the job: kept (minus shorter hours) while employed, reduced to
``share_income_kept_jobless`` of the 2019 level after a job loss (World Bank PSP 2022: the
poorest lost twice the income share of the richest). Poor households receive a transfer if
they take it up; online households reach the unified digital registry more easily than
offline ones, who need assisted channels (Chair's summary, CSocD59).
"""

from __future__ import annotations

import numpy as np


def labour_income(
    income_base: np.ndarray,
    employed_2019: np.ndarray,
    lost_job: np.ndarray,
    hours_cut: float,
    share_kept_jobless: float,
) -> np.ndarray:
    """Monthly labour and other income before transfers and platform earnings."""
    working = employed_2019 & ~lost_job
    return np.where(
        working,
        income_base * (1 - hours_cut),
        np.where(lost_job, income_base * share_kept_jobless, income_base),
    )


def transfer_takeup(
    is_poor: np.ndarray,
    is_online: np.ndarray,
    p_online: float | np.ndarray,
    p_offline: float | np.ndarray,
    u: np.ndarray,
) -> np.ndarray:
    """Poor households that receive the transfer this quarter.

    The take-up chances may be scalars or per-household arrays (policy can raise them).
    """
    return is_poor & (u < np.where(is_online, p_online, p_offline))


def poverty_line_for(
    income: np.ndarray,
    weight: np.ndarray,
    rate: float,
    transfer_share: float,
    would_take_up: np.ndarray,
    iterations: int = 60,
) -> float:
    """The poverty line at which the published poverty rate holds after transfers.

    Transfers (``transfer_share`` of the line, to poor households that take them up) lift
    some households above the line, so the line is found by bisection rather than read off
    as a quantile of pre-transfer income.

    Args:
        income: pre-transfer household income, US$ a month.
        weight: real households per entry.
        rate: published share of households below the line after transfers.
        transfer_share: transfer as a share of the line.
        would_take_up: households that take the transfer up when poor.
        iterations: bisection steps.

    """
    lo = weighted_quantile(income, weight, rate)
    hi = weighted_quantile(income, weight, min(1.0, 4 * rate))
    total = weight.sum()
    for _ in range(iterations):
        line = (lo + hi) / 2
        post = income + transfer_share * line * ((income < line) & would_take_up)
        if np.sum(weight * (post < line)) / total < rate:
            lo = line
        else:
            hi = line
    return (lo + hi) / 2


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` with ``weights``."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q * cum[-1])])


def inequality(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted Gini coefficient (0 = equal) and Palma ratio (top 10% / bottom 40% share)."""
    order = np.argsort(values, kind="stable")
    return inequality_sorted(values[order], weights[order])


def inequality_sorted(v: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """:func:`inequality` of values already in ascending order."""
    cum_w = np.cumsum(w)
    vw = v * w
    cum_vw = np.cumsum(vw)
    total_w, total_vw = cum_w[-1], cum_vw[-1]
    if total_vw <= 0:
        return 0.0, 0.0
    lorenz = cum_vw / total_vw
    gini = float(1 - np.sum(w / total_w * (2 * lorenz - vw / total_vw)))
    pos = cum_w / total_w
    bottom = float(vw[pos <= 0.4].sum())
    palma = float(vw[pos > 0.9].sum() / bottom) if bottom > 0 else 0.0
    return gini, palma
