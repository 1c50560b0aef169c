"""The comparison's tables.

Every indicator per scenario and quarter, the paired differences from the baseline, the table
at one quarter, and the costs (:mod:`experiments.analysis.costs`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.analysis.costs import SPEND_PREFIX, cost_table, ledger_table
from experiments.analysis.stats import STATS, summary_frame
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
    tables = {
        "summary": summary,
        "differences": differences,
        "table": table,
        "cost": cost_table(full, names, indicators, quarters.index(quarter)),
        "ledger": ledger_table(full, names, indicators, quarters),
    }
    for name, frame in tables.items():
        store.write_table(name, frame)
    return tables
