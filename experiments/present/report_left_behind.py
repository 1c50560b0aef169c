"""The report's "Who is left behind" subsection: ranked intersections, a figure and exports.

Built from the cells every run of a comparison stores (:mod:`experiments.analysis.left_behind`):
a table of the baseline's cells furthest behind on each headline measure, with what each
scenario does to them (paired), a figure for Internet use, and ``exports/left_behind.csv``
and ``exports/left_behind_changes.csv``. A folder whose runs stored no cells gets one line
saying how to obtain them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analysis import left_behind as lb
from experiments.batch.store import write_atomic
from experiments.present import style
from experiments.present.exports import CSV_ENCODING, FLOAT_FORMAT, Results
from experiments.present.wording import esc, number, people
from model.errors import InputError

TOP = 5
"""Cells shown per measure in the report."""

FIGURE = "left_behind"
"""File stem of the figure (``figures/left_behind.png`` and ``.svg``)."""


def left_behind_html(res: Results) -> str:
    """The subsection (``<h3 id="left-behind">``); writes its figure and exports."""
    try:
        runs = lb.load_cells(res.folder)
    except InputError:
        return (
            '<h3 id="left-behind">Who is left behind</h3><p class="note">The runs of this '
            "folder stored no intersections (they predate it): run the same "
            "<code>inclusim compare</code> command again to rank them.</p>"
        )
    measures = [m for m in lb.HEADLINE_MEASURES if m in runs.measures]
    ranked = {m: lb.rank(runs, m) for m in measures}
    change = {m: lb.changes(runs, m, TOP) for m in measures}
    _export(res.folder, ranked, change)
    parts = [
        '<h3 id="left-behind">Who is left behind</h3>',
        f"<p>The intersections of sex, age band, location, income fifth and disability "
        f"furthest below the average in {esc(runs.quarter)} under "
        f"\u2018{esc(res.label(runs.scenarios[0]))}\u2019, for each headline measure: the lag "
        "in percentage points with its 95% interval over replications, the people in the "
        "cell and those in it who lack the measure. Only cells with at least "
        f"{lb.MIN_PERSONS} simulated persons of the measure's universe in every run are "
        "ranked; children under 5 are left out of all-ages measures, and "
        "measures of persons 15+ are ranked over ages 18 and over. The last columns give each "
        "scenario's paired change of the lag (negative: the cell catches up).</p>",
    ]
    for m in measures:
        if ranked[m].empty:
            continue
        parts.append(_table(res, runs, m, ranked[m].head(TOP), change[m]))
    if "internet_use" in ranked and not ranked["internet_use"].empty:
        parts.append(_figure(res, runs, ranked["internet_use"].head(TOP), change["internet_use"]))
    parts.append(
        '<p class="note">Every ranked cell: exports/left_behind.csv; the changes: '
        "exports/left_behind_changes.csv; on the command line: <code>inclusim left-behind "
        f"{esc(res.folder)}</code>.</p>"
    )
    return "".join(parts)


def _pp(x: float, sign: bool = False) -> str:
    return number(x * 100, 1, sign=sign) if np.isfinite(x) else ""


def _ci(lo: float, hi: float, sign: bool = False) -> str:
    return f"{_pp(lo, sign)} to {_pp(hi, sign)}" if np.isfinite(lo) and np.isfinite(hi) else ""


CHANGE_COLUMNS = 3
"""Scenarios per table of lag changes, so that a table fits a 1024 px screen."""


def _table(
    res: Results, runs: lb.CellRuns, measure: str, top: pd.DataFrame, change: pd.DataFrame
) -> str:
    """The baseline's cells furthest behind, then their lag change under each scenario.

    The changes come in tables of :data:`CHANGE_COLUMNS` scenarios, as the gap table's
    panels do, so that no table scrolls sideways at 1024 px.
    """
    rows = "".join(
        f"<tr><td class='num'>{r.rank}</td><td>{esc(r.cell)}</td>"
        f"<td class='num'>{esc(people(r.people))}</td>"
        f"<td class='num'>{esc(people(r.people_lacking))}</td>"
        f"<td class='num'>{_pp(r.share)}%</td>"
        f"<td class='num'>{_pp(r.lag, True)}<br><small>{_ci(r.lag_ci_low, r.lag_ci_high, True)}"
        "</small></td></tr>"
        for r in top.itertuples(index=False)
    )
    base = (
        f"<h4>{esc(lb.measure_words(measure))}</h4><table><thead><tr><th>rank</th><th>cell</th>"
        "<th>people</th><th>lacking it</th><th>share</th><th>lag (pp, 95% CI)</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    others = runs.scenarios[1:]
    chunks = [others[k : k + CHANGE_COLUMNS] for k in range(0, len(others), CHANGE_COLUMNS)]
    return base + "".join(_change_table(res, top, change, chunk) for chunk in chunks)


def _change_table(
    res: Results, top: pd.DataFrame, change: pd.DataFrame, scenarios: list[str]
) -> str:
    """Lag change (pp, 95% CI) of the top cells under ``scenarios``; grey when unclear."""
    head = "".join(f"<th>{esc(res.short_label(s))}: lag change (pp)</th>" for s in scenarios)
    rows = []
    for r in top.itertuples(index=False):
        cells = [f"<td class='num'>{r.rank}</td><td>{esc(r.cell)}</td>"]
        for s in scenarios:
            c = change[(change["scenario"] == s) & (change["cell"] == r.cell)]
            if c.empty:
                cells.append("<td></td>")
                continue
            c = c.iloc[0]
            grey = "" if c["clear"] else " style='color:#777'"
            cells.append(
                f"<td class='num'{grey}>{_pp(c['lag_diff'], True)}<br><small>"
                f"{_ci(c['lag_diff_ci_low'], c['lag_diff_ci_high'], True)}</small></td>"
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<table><thead><tr><th>rank</th><th>cell</th>"
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _figure(res: Results, runs: lb.CellRuns, top: pd.DataFrame, change: pd.DataFrame) -> str:
    from experiments.present.figures import Drawn, save
    from experiments.present.report_sections import figure_html

    title = "Who is left behind: Internet use"
    fig, ax = style.new_figure(
        title,
        f"Lag behind the average in {runs.quarter}, percentage points, mean and 95% interval "
        "over paired replications; the baseline's five cells furthest behind",
        size=(10.0, 1.6 + 0.75 * len(top)),
    )
    styles = style.scenario_styles(runs.scenarios)
    y = np.arange(len(top))[::-1].astype(float)
    offsets = np.linspace(-0.2, 0.2, len(runs.scenarios)) if len(runs.scenarios) > 1 else [0.0]
    for k, s in enumerate(runs.scenarios):
        if k == 0:
            lag, lo, hi = top["lag"], top["lag_ci_low"], top["lag_ci_high"]
        else:
            c = change[change["scenario"] == s].set_index("cell").reindex(top["cell"])
            lag = top["lag"].to_numpy() + c["lag_diff"].to_numpy()
            lo = top["lag"].to_numpy() + c["lag_diff_ci_low"].to_numpy()
            hi = top["lag"].to_numpy() + c["lag_diff_ci_high"].to_numpy()
        lag, lo, hi = (np.asarray(v, dtype=float) * 100 for v in (lag, lo, hi))
        err = np.vstack([lag - lo, hi - lag])
        ax.errorbar(
            lag,
            y + offsets[k],
            xerr=np.where(np.isfinite(err), err, 0.0),
            fmt="o",
            color=styles[s].get("color"),
            label=res.short_label(s),
            capsize=2,
        )
    ax.axvline(0, color=style.MUTED, lw=0.8)
    ax.set_yticks(y, list(top["cell"]))
    ax.set_xlabel("percentage points below the average (0 = average)")
    fig.legend(loc="outside upper right", frameon=False, ncols=len(runs.scenarios))
    style.add_source(fig, "inclusim left-behind; scenarios paired on common random numbers")
    caption = (
        "Each row is one intersection; the baseline's lag, and each scenario's lag as the "
        "baseline's plus the paired change (its interval is that of the change)."
    )
    drawn = Drawn(FIGURE, "Who is left behind", title, caption, fig)
    try:
        paths = save(drawn, res.folder / "figures")
    finally:
        style.close(fig)
    svg = next(p for p in paths if p.suffix == ".svg").read_bytes()
    return figure_html(drawn, svg, 0).replace("Figure 0. ", "")


def _export(folder: Path, ranked: dict[str, pd.DataFrame], change: dict[str, pd.DataFrame]) -> None:
    out = folder / "exports"
    out.mkdir(parents=True, exist_ok=True)
    for name, frames in (("left_behind", ranked), ("left_behind_changes", change)):
        frame = pd.concat(list(frames.values()) or [pd.DataFrame()], ignore_index=True)
        text = frame.to_csv(index=False, float_format=FLOAT_FORMAT)
        write_atomic(out / f"{name}.csv", text.encode(CSV_ENCODING))
