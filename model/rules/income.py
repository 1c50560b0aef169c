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
    is_poor: np.ndarray, is_online: np.ndarray, p_online: float, p_offline: float, u: np.ndarray
) -> np.ndarray:
    """Poor households that receive the transfer this quarter."""
    return is_poor & (u < np.where(is_online, p_online, p_offline))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` with ``weights``."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q * cum[-1])])
