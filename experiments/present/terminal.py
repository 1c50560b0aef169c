"""What the batch commands print on the terminal: headline tables, costs, outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.analysis.comparison import HEADLINE
from experiments.analysis.costs import GAINS, reading
from experiments.analysis.sensitivity import Sensitivity
from experiments.analysis.stats import describe
from experiments.present.tables import format_table
from model.errors import printable


def fmt(x: float, sign: bool = False) -> str:
    """A number for the terminal: counts with thousands separators, rates with 3 decimals."""
    if x is None or not np.isfinite(x):
        return "n/a"
    plus = "+" if sign else ""
    if abs(x) >= 1000:
        return f"{x:{plus},.0f}"
    if abs(x) >= 10:
        return f"{x:{plus}.1f}"
    return f"{x:{plus}.3f}"


def whole(x: float, sign: bool = False) -> str:
    """Money and counts: whole numbers with thousands separators."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:{'+' if sign else ''},.0f}"


def headline_text(tables: dict[str, pd.DataFrame], names: list[str]) -> str:
    """The headline indicators, per scenario, with differences from the baseline."""
    t = tables["table"]
    rows = []
    for ind in HEADLINE:
        sub = t[t["indicator"] == ind].set_index("scenario")
        if sub.empty or sub["n"].max() == 0:
            continue
        for k, n in enumerate(names):
            if n not in sub.index:
                continue
            r = sub.loc[n]
            cells = [
                ind if k == 0 else "",
                n,
                fmt(r["mean"]),
                f"{fmt(r['ci_low'])} to {fmt(r['ci_high'])}",
            ]
            if k == 0:
                cells += ["", ""]
            else:
                cells += [
                    fmt(r["mean_diff"], True),
                    f"{fmt(r['ci_low_diff'], True)} to {fmt(r['ci_high_diff'], True)}",
                ]
            rows.append(cells)
    if not rows:
        return "(none of the headline indicators is reported by the model; see summary.csv)"
    return format_table(
        ["indicator", "scenario", "mean", "95% CI", f"minus {names[0]}", "95% CI"], rows
    )


def cost_text(cost: pd.DataFrame, names: list[str], quarter: str) -> str:
    """Spending, its present value and US$ per unit of each gain, per scenario.

    A gain whose interval includes zero reads "no clear effect"; a clear loss reads "loss".
    """
    gains = [g for g in GAINS if f"extra_{g.key}_mean" in cost.columns and g.key in TERMINAL_GAINS]
    rows = []
    for _, r in cost.iterrows():
        base = r["scenario"] == names[0]
        rows.append(
            [
                r["scenario"],
                whole(r["spend_mean"]),
                whole(r.get("spend_pv_mean", np.nan)),
                *("" if base else _per_gain(r, g.key) for g in gains),
            ]
        )
    return format_table(
        [
            "scenario",
            f"spend to {quarter} (US$)",
            "present value (US$)",
            *(f"US$ per {g.short}" for g in gains),
        ],
        rows,
    )


TERMINAL_GAINS = ("online", "meaningful", "jobs", "not_poor")
"""Gains the terminal shows (households connected are in cost.csv and the report)."""


def _per_gain(row: pd.Series, key: str) -> str:
    """US$ per unit of a gain, or why there is none (:func:`experiments.analysis.costs.reading`)."""
    value = reading(row, key)
    return value if isinstance(value, str) else whole(value)


def outcome_text(outcomes: pd.DataFrame) -> str:
    """Each outcome over all runs: runs with a value, mean, 5-95% band."""
    rows = []
    for col in outcomes.columns[1:]:
        d = describe(outcomes[col].to_numpy())
        rows.append(
            [
                col,
                str(int(d["n"])),
                fmt(float(d["mean"])),
                f"{fmt(float(d['p5']))} to {fmt(float(d['p95']))}",
            ]
        )
    return format_table(["outcome", "runs", "mean over runs", "5-95% of runs"], rows)


def sensitivity_text(s: Sensitivity) -> str:
    """The indices of each outcome, inputs ranked by the design's main measure."""
    lines = [
        printable(f"{s.name}: {s.method}, {s.points} design points x {s.replications} replications")
    ]
    if s.table is None:
        return lines[0]
    for col, sub in s.table.groupby("outcome", sort=False):
        sub = sub.sort_values(s.measure, ascending=False, key=lambda v: v.abs())
        cols = [c for c in sub.columns if c not in ("outcome", "input")]
        rows = [
            [r["input"], *[fmt(r[c]) if isinstance(r[c], float) else str(r[c]) for c in cols]]
            for _, r in sub.iterrows()
        ]
        lines += ["", str(col), format_table(["input", *cols], rows)]
    return "\n".join(lines)


def missing_text(folder: str, missing: dict[str, str]) -> list[str]:
    """One error line per reason some outcomes could not be analysed."""
    out = []
    for reason in dict.fromkeys(missing.values()):
        cols = [c for c, r in missing.items() if r == reason]
        out.append(printable(f"error: {folder}: cannot analyse {', '.join(cols)}: {reason}."))
    return out
