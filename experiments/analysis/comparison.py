"""The comparison's tables.

Every indicator per scenario and quarter, the paired differences from the baseline, the table
at one quarter, and spending with cost per extra household.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.stats import (
    STATS,
    describe,
    effect_is_clear,
    ratio_of_means,
    summary_frame,
)
from experiments.batch.store import Store
from model.errors import InputError, Problem

HEADLINE = (
    "share_internet_use",
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_disability_internet_use",
    "share_meaningful",
    "gini_income",
    "n_people_internet_use",
)
"""Indicators printed by ``compare`` (those the model does not report are skipped)."""


CONNECTED = "n_households_connected"
"""Indicator counting connected households (real, weighted), for cost-effectiveness."""


SPEND_PREFIX = "spend:"
"""Prefix of the indicators holding a policy's cumulative spending (US$)."""


def _cube(store: Store, run_ids: list[int]) -> tuple[np.ndarray, list[str], list[str]] | None:
    """Replications x quarters x indicators of the given runs (NaN for a missing run)."""
    frames: list[pd.DataFrame | None] = []
    done = store.done_ids()
    for r in run_ids:
        frames.append(store.read_part(r) if r in done else None)
    present = [f for f in frames if f is not None]
    if not present:
        return None
    quarters = list(present[0].index)
    indicators = list(present[0].columns)
    for f in present[1:]:
        indicators += [c for c in f.columns if c not in indicators]
    cube = np.full((len(run_ids), len(quarters), len(indicators)), np.nan)
    for k, f in enumerate(frames):
        if f is not None:
            cube[k] = f.reindex(index=quarters, columns=indicators).to_numpy(dtype=float)
    return cube, quarters, indicators


def compare_tables(
    store: Store, names: list[str], reps: int, quarter: str
) -> dict[str, pd.DataFrame] | None:
    """Write summary, differences, the table at ``quarter`` and costs; return them."""
    cubes = {}
    for s, name in enumerate(names):
        got = _cube(store, list(range(s * reps, (s + 1) * reps)))
        if got is not None:
            cubes[name] = got
    if names[0] not in cubes:
        return None
    quarters = cubes[names[0]][1]
    indicators: list[str] = []
    for _, _, ind in cubes.values():
        indicators += [i for i in ind if i not in indicators]

    def aligned(name: str) -> np.ndarray:
        if name not in cubes:
            return np.full((reps, len(quarters), len(indicators)), np.nan)
        cube, q, ind = cubes[name]
        frame_idx = [q.index(x) if x in q else -1 for x in quarters]
        col_idx = [ind.index(x) if x in ind else -1 for x in indicators]
        out = np.full((reps, len(quarters), len(indicators)), np.nan)
        for a, qa in enumerate(frame_idx):
            for b, ib in enumerate(col_idx):
                if qa >= 0 and ib >= 0:
                    out[:, a, b] = cube[:, qa, ib]
        return out

    full = {n: aligned(n) for n in names}
    spend = [j for j, ind in enumerate(indicators) if ind.startswith(SPEND_PREFIX)]
    for n in names:
        # a policy spends nothing in a scenario that does not have it
        present = ~np.isnan(full[n]).all(axis=(1, 2))
        block = full[n][present][:, :, spend]
        block[np.isnan(block)] = 0.0
        full[n][np.ix_(present, np.arange(len(quarters)), spend)] = block
    summary = pd.concat(
        [summary_frame(full[n], quarters, indicators).assign(scenario=n) for n in names],
        ignore_index=True,
    )
    diffs = [
        summary_frame(full[n] - full[names[0]], quarters, indicators).assign(scenario=n)
        for n in names[1:]
    ]
    differences = (
        pd.concat(diffs, ignore_index=True)
        if diffs
        else pd.DataFrame(columns=["quarter", "indicator", *STATS, "scenario"])
    )
    order = ["scenario", "quarter", "indicator", *STATS]
    summary, differences = summary[order], differences[order]
    if quarter not in quarters:
        raise InputError(
            "--quarter",
            [
                Problem(
                    "",
                    f"the runs have no row for {quarter} "
                    f"(they cover {quarters[0]} to {quarters[-1]}).",
                    "choose a quarter the runs reach.",
                )
            ],
        )
    at = summary[summary["quarter"] == quarter].drop(columns="quarter")
    dat = differences[differences["quarter"] == quarter].drop(columns="quarter")
    table = at.merge(dat, on=["scenario", "indicator"], how="left", suffixes=("", "_diff"))
    cost = _cost_table(full, names, indicators, quarters.index(quarter))
    for name, frame in (
        ("summary", summary),
        ("differences", differences),
        ("table", table),
        ("cost", cost),
    ):
        store.write_table(name, frame)
    return {"summary": summary, "differences": differences, "table": table, "cost": cost}


def _cost_table(
    full: dict[str, np.ndarray], names: list[str], indicators: list[str], qi: int
) -> pd.DataFrame:
    """Spending to the quarter and cost per additional household connected, per scenario."""
    spend_cols = [j for j, i in enumerate(indicators) if i.startswith(SPEND_PREFIX)]
    conn = indicators.index(CONNECTED) if CONNECTED in indicators else None

    def spend(n: str) -> np.ndarray:
        x = full[n][:, qi, :]
        total = x[:, spend_cols].sum(axis=1) if spend_cols else np.zeros(len(x))
        return np.where(np.isnan(x).all(axis=1), np.nan, total)

    base_spend = spend(names[0])
    base_conn = full[names[0]][:, qi, conn] if conn is not None else None
    rows = []
    for n in names:
        s = spend(n)
        ds = describe(s)
        extra_spend = describe(s - base_spend)
        row: dict[str, Any] = {
            "scenario": n,
            "spend_mean": float(ds["mean"]),
            "spend_ci_low": float(ds["ci_low"]),
            "spend_ci_high": float(ds["ci_high"]),
            "extra_spend_mean": float(extra_spend["mean"]),
        }
        if conn is not None and base_conn is not None:
            extra = full[n][:, qi, conn] - base_conn
            de = describe(extra)
            clear = effect_is_clear(float(de["ci_low"]), float(de["ci_high"]))
            row.update(
                extra_households_mean=float(de["mean"]),
                extra_households_ci_low=float(de["ci_low"]),
                extra_households_ci_high=float(de["ci_high"]),
                extra_households_clear=clear,
                cost_per_extra_household=(
                    ratio_of_means(s - base_spend, extra)
                    if n != names[0] and clear
                    else float("nan")
                ),
            )
        rows.append(row)
    return pd.DataFrame(rows)
