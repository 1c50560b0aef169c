"""Costs of a comparison: the ledger by item and year, and cost-effectiveness against the baseline.

Everything is paired, replication by replication (common random numbers), and incremental: a
scenario's extra spending over the baseline divided by what it buys beyond the baseline. A
cost-effectiveness figure is given only where the effect's interval lies wholly on the side
that counts as a gain (:func:`experiments.analysis.stats.effect_is_clear`); otherwise the
table says why there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.stats import describe, effect_is_clear, ratio_of_means
from model.ledger import ITEMS

SPEND_PREFIX = "spend:"
"""Prefix of the indicators holding a policy's cumulative spending, all items (US$)."""
PV_PREFIX = "spend_pv:"
"""Prefix of a policy's cumulative spending as present value (US$)."""
SUBSIDISED_PREFIX = "n_subsidised:"
"""Prefix of the households whose subsidy from a policy is in use in a quarter."""


@dataclass(frozen=True)
class Gain:
    """What spending can buy, counted replication by replication.

    Attributes:
        key: used in column names (``extra_<key>_mean``, ``cost_per_extra_<key>``).
        per: the unit in words after "US$ per" (``extra person online``).
        short: the same, short enough for a terminal column.
        value: the count from one quarter's indicators (replications x indicators, and the
            indicator names); higher is better.

    """

    key: str
    per: str
    short: str
    value: Callable[[np.ndarray, list[str]], np.ndarray | None]


def _column(name: str) -> Callable[[np.ndarray, list[str]], np.ndarray | None]:
    def value(x: np.ndarray, indicators: list[str]) -> np.ndarray | None:
        return x[:, indicators.index(name)] if name in indicators else None

    return value


def _people_not_poor(x: np.ndarray, indicators: list[str]) -> np.ndarray | None:
    if "share_poor" not in indicators or "n_people" not in indicators:
        return None
    poor = x[:, indicators.index("share_poor")] * x[:, indicators.index("n_people")]
    return -poor


GAINS: tuple[Gain, ...] = (
    Gain(
        "households",
        "extra household connected",
        "extra household",
        _column("n_households_connected"),
    ),
    Gain("online", "extra person online", "extra person online", _column("n_people_internet_use")),
    Gain(
        "meaningful",
        "extra person with meaningful connectivity",
        "extra meaningful",
        _column("n_people_meaningful"),
    ),
    Gain("jobs", "job kept (extra person in work)", "job kept", _column("n_people_employed")),
    Gain("not_poor", "person lifted out of poverty", "person out of poverty", _people_not_poor),
)
"""The gains cost-effectiveness is given for, in the order tables show them."""


def _sum_prefix(x: np.ndarray, indicators: list[str], prefix: str) -> np.ndarray:
    """Sum over the columns whose name starts with ``prefix`` (NaN for a missing run)."""
    cols = [j for j, i in enumerate(indicators) if i.startswith(prefix)]
    total = np.nansum(x[:, cols], axis=1) if cols else np.zeros(len(x))
    return np.where(np.isnan(x).all(axis=1), np.nan, total)


def cost_table(
    full: dict[str, np.ndarray], names: list[str], indicators: list[str], qi: int
) -> pd.DataFrame:
    """Spending to quarter ``qi`` and the cost of each gain beyond the baseline, per scenario.

    Args:
        full: scenario -> replications x quarters x indicators (policies a scenario lacks
            spend 0, not NaN).
        names: scenarios, the baseline first.
        indicators: the cube's indicator names.
        qi: index of the quarter.

    Returns:
        One row per scenario: ``spend_*`` and ``spend_pv_*`` (mean and interval),
        ``extra_spend_mean``; for each of :data:`GAINS`, ``extra_<key>_mean``, ``_ci_low``,
        ``_ci_high``, ``_clear`` and ``cost_per_extra_<key>`` (NaN unless the gain is clear
        and positive and the scenario spends more than the baseline); and for a scenario
        with subsidies, ``subsidised_mean`` (households subsidised at the quarter),
        ``subsidised_years_mean`` (household-years of subsidy to the quarter) and the
        ``inframarginal_*`` share (:func:`inframarginal`).

    """
    at = {n: full[n][:, qi, :] for n in names}
    base = at[names[0]]
    base_spend = _sum_prefix(base, indicators, SPEND_PREFIX)
    rows = []
    for n in names:
        x = at[n]
        spend = _sum_prefix(x, indicators, SPEND_PREFIX)
        row: dict[str, Any] = {"scenario": n}
        row.update(_stats("spend", describe(spend)))
        row.update(_stats("spend_pv", describe(_sum_prefix(x, indicators, PV_PREFIX))))
        row["extra_spend_mean"] = float(describe(spend - base_spend)["mean"])
        for gain in GAINS:
            row.update(_gain_columns(gain, x, base, indicators, spend - base_spend, n == names[0]))
        if n != names[0]:
            row.update(inframarginal(full[n][:, : qi + 1], full[names[0]][:, : qi + 1], indicators))
        rows.append(row)
    return pd.DataFrame(rows)


def _stats(key: str, d: dict[str, np.ndarray]) -> dict[str, float]:
    """``<key>_mean``, ``<key>_ci_low`` and ``<key>_ci_high`` of a :func:`describe`."""
    return {f"{key}_{b}": float(d[b]) for b in ("mean", "ci_low", "ci_high")}


def _gain_columns(
    gain: Gain,
    x: np.ndarray,
    base: np.ndarray,
    indicators: list[str],
    extra_spend: np.ndarray,
    is_baseline: bool,
) -> dict[str, Any]:
    """Extra ``gain`` over the baseline and US$ per unit of it (when it is a clear gain)."""
    mine, theirs = gain.value(x, indicators), gain.value(base, indicators)
    if mine is None or theirs is None:
        return {}
    d = describe(mine - theirs)
    lo, hi = float(d["ci_low"]), float(d["ci_high"])
    clear = effect_is_clear(lo, hi)
    gained = clear and lo > 0 and float(np.nanmean(extra_spend)) > 0
    k = gain.key
    return {
        f"extra_{k}_mean": float(d["mean"]),
        f"extra_{k}_ci_low": lo,
        f"extra_{k}_ci_high": hi,
        f"extra_{k}_clear": clear,
        f"cost_per_extra_{k}": (
            ratio_of_means(extra_spend, mine - theirs)
            if gained and not is_baseline
            else float("nan")
        ),
    }


NO_DATA, UNCLEAR, LOSS, FREE = "n/a", "no clear effect", "loss", "no extra cost"
"""Why a cost table gives no US$ per unit of a gain (:func:`reading`)."""


def reading(row: Any, key: str) -> float | str:
    """US$ per unit of gain ``key`` in a cost-table row, or why there is none.

    :data:`NO_DATA` (the gain is not measured), :data:`UNCLEAR` (its interval includes zero),
    :data:`LOSS` (it is clearly negative) or :data:`FREE` (a clear gain at no extra spending);
    every presentation words these, never a number for them.
    """
    mean = row.get(f"extra_{key}_mean", np.nan)
    if mean is None or not np.isfinite(mean):
        return NO_DATA
    if not bool(row.get(f"extra_{key}_clear", True)):
        return UNCLEAR
    if row.get(f"extra_{key}_ci_high", mean) < 0:
        return LOSS
    value = float(row.get(f"cost_per_extra_{key}", np.nan))
    return value if np.isfinite(value) else FREE


def inframarginal(x: np.ndarray, base: np.ndarray, indicators: list[str]) -> dict[str, float]:
    """Share of the subsidies a scenario pays to households the baseline has connected too.

    Over every quarter to the table's: the household-quarters with a subsidy in use, less the
    extra households connected beyond the baseline in those quarters, over the
    household-quarters subsidised. Paired, replication by replication, then summarised; the
    share is bounded to 0-1. When the scenario has other levers too, "extra households" are
    those of all its levers together, so the share is a lower bound for the subsidies alone.
    Empty for a scenario without subsidies.

    Args:
        x: the scenario's replications x quarters x indicators, to the table's quarter.
        base: the baseline's, same shape.
        indicators: the indicator names.

    """
    cols = [j for j, i in enumerate(indicators) if i.startswith(SUBSIDISED_PREFIX)]
    if not cols or "n_households_connected" not in indicators:
        return {}
    subsidised = np.nansum(x[:, :, cols], axis=2)
    conn = indicators.index("n_households_connected")
    extra = np.where(subsidised > 0, x[:, :, conn] - base[:, :, conn], 0.0)
    paid = subsidised.sum(axis=1)
    if not np.nanmean(paid) > 0:
        return {}
    with np.errstate(invalid="ignore", divide="ignore"):
        d = describe(np.clip(1.0 - extra.sum(axis=1) / paid, 0.0, 1.0))
    return {
        "subsidised_mean": float(np.nanmean(subsidised[:, -1])),
        "subsidised_years_mean": float(np.nanmean(paid)) / 4,
        "inframarginal_share": float(d["mean"]),
        "inframarginal_ci_low": float(np.clip(d["ci_low"], 0.0, 1.0)),
        "inframarginal_ci_high": float(np.clip(d["ci_high"], 0.0, 1.0)),
    }


def ledger_table(
    full: dict[str, np.ndarray], names: list[str], indicators: list[str], quarters: list[str]
) -> pd.DataFrame:
    """Spending by scenario, policy, ledger item and calendar year (mean over replications).

    Read from the cumulative ``spend_<item>:<policy>`` indicators: a year's spending is the
    cumulative value at its last quarter in the runs less the value at the previous year's.

    Returns:
        Columns ``scenario``, ``policy``, ``item`` (a key of :data:`model.ledger.ITEMS`),
        ``year``, ``usd_mean``, ``usd_ci_low``, ``usd_ci_high``; only items a policy spends on.

    """
    years = [int(q[:4]) for q in quarters]
    last = [k for k in range(len(quarters)) if k == len(quarters) - 1 or years[k + 1] != years[k]]
    rows = []
    for n in names:
        for j, name in enumerate(indicators):
            base, _, policy = name.partition(":")
            item = base.removeprefix("spend_")
            if not base.startswith("spend_") or item not in ITEMS:
                continue
            cum = full[n][:, last, j]
            if np.isnan(cum).all():
                continue
            yearly = np.diff(cum, axis=1, prepend=0.0)
            for k, q in enumerate(last):
                d = describe(yearly[:, k])
                rows.append(
                    {"scenario": n, "policy": policy, "item": item, "year": years[q]}
                    | _stats("usd", d)
                )
    columns = ["scenario", "policy", "item", "year", "usd_mean", "usd_ci_low", "usd_ci_high"]
    return pd.DataFrame(rows, columns=columns)
