"""Where growth and gap closure come from: each adoption mechanism's share, by switching it off.

Every subset of :data:`MECHANISMS` is run with the others switched off (their parameter set to
zero), on common random numbers: the 2019 population and every draw are the same in each
run, because each mechanism acts through a change since 2019 and so leaves the 2019 state as
it is. A mechanism's contribution to a change from ``start`` to ``end`` is its Shapley value
over those runs (the average, over the orders in which mechanisms could be switched on, of
what switching it on adds), so contributions and what no listed mechanism explains add up
exactly to the change with everything on, interactions included.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from model.indicator_registry import GAP_KINDS
from model.loader import LoadedScenario

MECHANISMS: dict[str, tuple[str, ...]] = {
    "trend": ("trend_per_year",),
    "school": ("pull_school",),
    "telework": ("pull_telework",),
    "transfers": ("pull_transfer",),
    "peers": ("beta_peer",),
    "skills": ("beta_skill",),
    "prices/income": ("beta_afford",),
}
"""Each mechanism and the parameters that switch it off when set to zero: the residual trend
(the same for everyone), the lockdown needs of households with school-age members, with
teleworkable jobs and receiving transfers (each with what persists of it), the pull of
peers online, of skills gained, and of affordability (prices and income)."""

REST = "none"
"""Row of the change that remains with every listed mechanism off (the 2019 state settling,
stress drops)."""

MEASURE = "internet_use"
OUTCOMES = (f"share_{MEASURE}", *(f"{prefix}_{MEASURE}" for prefix in GAP_KINDS))
"""The changes decomposed: the share of people online and each of its gaps."""


def _runs(
    loaded: LoadedScenario,
    on: frozenset[str],
    seeds: range,
    households: int,
    period: tuple[str, str],
) -> np.ndarray:
    """Mean change of each outcome over ``period`` with only the mechanisms ``on`` at work."""
    from model.inclusion_model import InclusionModel

    changes = []
    for seed in seeds:
        model = InclusionModel(loaded, seed=seed, households=households)
        for name, pars in MECHANISMS.items():
            if name not in on:
                model.pars.update(dict.fromkeys(pars, 0.0))
        model.run()
        ts = model.result().timeseries
        changes.append([ts.loc[period[1], o] - ts.loc[period[0], o] for o in OUTCOMES])
    return np.mean(changes, axis=0)


def decompose(
    loaded: LoadedScenario,
    seeds: int = 3,
    households: int = 20_000,
    period: tuple[str, str] = ("2019Q4", "2024Q4"),
) -> pd.DataFrame:
    """Shapley decomposition of the change of each outcome over ``period``.

    Args:
        loaded: the scenario (a baseline, usually).
        seeds: seeds per subset of mechanisms (the same seeds in every subset).
        households: simulated households per run.
        period: first and last quarter of the change.

    Returns:
        One row per mechanism, then :data:`REST` and ``total`` (the change with everything
        on); one column per outcome of :data:`OUTCOMES`, in the outcome's own units.

    """
    names = list(MECHANISMS)
    value = {
        frozenset(subset): _runs(loaded, frozenset(subset), range(seeds), households, period)
        for k in range(len(names) + 1)
        for subset in combinations(names, k)
    }
    rows = shapley(value, names)
    rows[REST] = value[frozenset()]
    rows["total"] = value[frozenset(names)]
    return pd.DataFrame(rows, index=list(OUTCOMES)).T


def shapley(value: dict[frozenset[str], np.ndarray], names: list[str]) -> dict[str, np.ndarray]:
    """Shapley value of each player of a game given on every coalition.

    Args:
        value: the game's value (one or more numbers) for every subset of ``names``.
        names: the players.

    Returns:
        Each player's average marginal contribution over all orders of the players; they add
        up to ``value[all] - value[none]``.

    """
    n = len(names)
    out = {}
    for m in names:
        others = [x for x in names if x != m]
        total = np.zeros_like(np.asarray(value[frozenset()], dtype=float))
        for k in range(n):
            w = factorial(k) * factorial(n - k - 1) / factorial(n)
            for subset in combinations(others, k):
                s = frozenset(subset)
                total = total + w * (np.asarray(value[s | {m}]) - np.asarray(value[s]))
        out[m] = total
    return out
