"""The report of an optimise folder: the Pareto set in words, its cost, and the front figure.

Writes ``report.html`` (the page shell and figure style of every inclusim report),
``figures/optimise_front.png`` / ``.svg`` and ``exports/pareto_set.csv`` from the tables
:func:`experiments.optimise.run.optimise` stored; ``inclusim report DIR`` calls it for a folder
whose manifest has kind ``optimise``.
"""

from __future__ import annotations

import json
import textwrap
from html import escape as esc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from experiments.batch.store import write_atomic
from experiments.present import figures as figs
from experiments.present import style
from experiments.present.exports import shown_factor, shown_unit
from experiments.present.report import page, small_sample_note
from experiments.present.report_sections import figure_html
from model import indicator_registry as registry
from model.errors import InputError, Problem

FIGURE = "optimise_front"


def is_optimise(folder: str | Path) -> bool:
    """The folder holds an optimise search (its manifest's kind is ``optimise``)."""
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") == "optimise"


def load(folder: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The manifest and the candidate table of a finished search.

    Raises:
        InputError: the search has not written its candidate table yet.

    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    path = folder / "pareto.parquet"
    if not path.exists():
        raise InputError(
            str(folder),
            [
                Problem(
                    "",
                    "holds an optimise search that has not finished (no pareto.parquet).",
                    "run the same 'inclusim optimise SPEC.yaml' command again to finish it.",
                )
            ],
        )
    return manifest, pd.read_parquet(path)


def front_table(definition: dict[str, Any], table: pd.DataFrame) -> pd.DataFrame:
    """The Pareto set, cheapest first: mix in words, PV cost, objectives and regrets."""
    names = [o["name"] for o in definition["objectives"]]
    cols = ["candidate", "description", "cost_pv"]
    for n in names:
        cols += [n, f"{n}:mean_regret", f"{n}:p90_regret"]
    cols += ["on_robust_front"]
    front = table[table["on_front"]].sort_values(["cost_pv", "candidate"])
    return front[cols].reset_index(drop=True)


def draw_front(definition: dict[str, Any], table: pd.DataFrame) -> figs.Drawn:
    """Cost against the first objective: every candidate, the Pareto set, the robust front."""
    first = definition["objectives"][0]
    name, ind = first["name"], first["indicator"]
    scale = shown_factor(ind)
    budget = float(definition["budget_pv"]) / 1e9
    fig, ax = style.new_figure(
        "What each mix costs and what it buys",
        f"{registry.label(ind)} against cost, for every mix searched (mean over "
        f"{len(definition['worlds'])} worlds: seeds x parameter sets); budget US$ {budget:,.0f} "
        "billion in present value",
        size=(10.0, 5.6),
        legend_rows=1,
        note=True,
    )
    with style.styled():
        x = table["cost_pv"].to_numpy(dtype=float) / 1e9
        y = table[name].to_numpy(dtype=float) * scale
        feasible = table["feasible"].to_numpy(dtype=bool)
        front = table["on_front"].to_numpy(dtype=bool)
        robust = table["on_robust_front"].to_numpy(dtype=bool)
        grey = style.MUTED
        ax.scatter(x[feasible], y[feasible], s=18, color=grey, alpha=0.55, lw=0)
        ax.scatter(
            x[~feasible], y[~feasible], s=22, marker="x", color=style.OKABE_ITO["vermillion"], lw=1
        )
        ax.scatter(x[front], y[front], s=40, color=style.OKABE_ITO["blue"], zorder=3)
        ax.scatter(
            x[robust],
            y[robust],
            s=130,
            facecolors="none",
            edgecolors=style.OKABE_ITO["orange"],
            lw=2.0,
            zorder=4,
        )
        ax.axvline(budget, color=style.INK, ls="--", lw=1.0)
        ax.annotate(
            " budget", (budget, 1), xycoords=("data", "axes fraction"), va="top", color=style.INK
        )
        unit = shown_unit(ind)
        quarter = first["quarter"] or "the last quarter"
        ax.set_xlabel("cost: present value of all spending to the end of the runs, US$ billion")
        ax.set_ylabel(textwrap.fill(f"{registry.label(ind)} at {quarter} ({unit})", 48))
        handles = [
            Line2D([], [], marker="o", ls="", color=grey, alpha=0.55),
            Line2D([], [], marker="x", ls="", color=style.OKABE_ITO["vermillion"]),
            Line2D([], [], marker="o", ls="", color=style.OKABE_ITO["blue"]),
            Line2D(
                [], [], marker="o", ls="", mfc="none", mec=style.OKABE_ITO["orange"], mew=2, ms=10
            ),
        ]
        labels = [
            "within budget",
            "over budget (infeasible)",
            "Pareto set (mean regret)",
            "robust front (90th-percentile regret)",
        ]
        style.add_legend(fig, handles, labels, ncols=4, note=True)
        style.add_source(
            fig,
            f"Source: inclusim optimise, spec {definition.get('spec_name', '')}".rstrip(", "),
            "Regret: the gap to the best mix within budget in the same world (seed x parameter "
            "set); the front is drawn on all objectives, so a mix can be on it here without "
            "being lowest on this axis.",
        )
    direction = first["direction"]
    better = {"lower": "lower is better", "higher": "higher is better"}.get(
        direction, "closer to parity is better"
    )
    return figs.Drawn(
        FIGURE,
        "Cost and the first objective",
        f"Cost against {registry.label(ind)}",
        f"Each point is a mix the search evaluated ({better}). Blue: the Pareto set on the mean "
        "regret of every objective and the cost; orange rings: the robust front, the same on "
        "the 90th-percentile regret. Crosses cost more than the budget.",
        fig,
    )


def write_optimise_report(folder: str | Path) -> Path:
    """Write ``report.html``, the front figure and ``exports/pareto_set.csv``; return the page."""
    folder = Path(folder)
    manifest, table = load(folder)
    definition = dict(manifest["definition"])
    definition["spec_name"] = manifest.get("name", "")
    front = front_table(definition, table)
    exports = folder / "exports"
    exports.mkdir(exist_ok=True)
    write_atomic(exports / "pareto_set.csv", front.to_csv(index=False).encode("utf-8"))
    drawn = draw_front(definition, table)
    try:
        figs.save(drawn, folder / "figures")
    finally:
        style.close(drawn.figure)
    svg = (folder / "figures" / f"{FIGURE}.svg").read_bytes()
    html = page(
        definition.get("label") or f"The best mix for a budget: {manifest.get('name', '')}",
        [esc(definition.get("description") or "")],
        [("best-mix", "The best mix for a budget", [(f"fig-{FIGURE}", "Cost and objective")])],
        _section(definition, table, front, figure_html(drawn, svg, 1)),
    )
    path = folder / "report.html"
    write_atomic(path, html.encode("utf-8"))
    return path


def _section(
    definition: dict[str, Any], table: pd.DataFrame, front: pd.DataFrame, figure: str
) -> str:
    objectives = definition["objectives"]
    budget = float(definition["budget_pv"])
    n_worlds = len(definition["worlds"])
    draws = sorted({w["draw"] for w in definition["worlds"] if w["draw"] is not None})
    worlds = f"{n_worlds} worlds ({len({w['seed'] for w in definition['worlds']})} seeds"
    worlds += f" x parameter sets {', '.join(map(str, draws))})" if draws else ")"
    n_feasible = int(table["feasible"].sum())
    lead = (
        f"The search (NSGA-II, population {definition['population']}, "
        f"{definition['generations']} generations) evaluated {len(table)} mixes in {worlds} of "
        f"{definition['households']:,} households each; {n_feasible} stayed within the budget "
        f"of US$ {budget / 1e9:,.1f} billion in present value. {len(front)} are in the Pareto "
        f"set, {int(front['on_robust_front'].sum())} of them also on the robust front."
    )
    head = "".join(
        f"<th>{esc(registry.label(o['indicator']))}<br>"
        f"<small>{esc(objective_unit(o['indicator']))}; mean, then regret mean / p90</small></th>"
        for o in objectives
    )
    rows = []
    for r in front.itertuples(index=False):
        rec = r._asdict()
        cells = "".join(_objective_cell(o, front, rec) for o in objectives)
        tag = " <span class='tag'>robust</span>" if rec["on_robust_front"] else ""
        rows.append(
            f"<tr><td>{esc(str(rec['description']))}{tag}</td>"
            f"<td class='num'>{rec['cost_pv'] / 1e9:,.1f}</td>{cells}</tr>"
        )
    table_html = (
        "<div class='scroll'><table><thead><tr><th>mix</th><th>PV cost<br><small>US$ billion"
        f"</small></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    definitions = (
        "<p><strong>How to read it.</strong> Each mix runs in every world with the same seeds "
        "(common random numbers) and sampled parameter sets of the ensemble. Its "
        "<em>regret</em> in a world is how far it falls short, on that objective, of the best "
        "mix within budget evaluated in the same world; the table gives its mean and 90th "
        "percentile over the worlds. The Pareto set holds the mixes within budget that no "
        "other beats on every mean regret and on cost; <em>robust</em> marks those that no "
        "other beats on every 90th-percentile regret and cost either. Cost is the present value "
        "of all spending (the ledger's spend_pv indicators), averaged over the worlds; a mix over "
        "budget is infeasible. Files: pareto.csv (every mix), regret.csv (every mix, world and "
        "objective), exports/pareto_set.csv (this table).</p>"
    )
    return (
        f"<section id='best-mix'><h2>The best mix for a budget</h2><p>{esc(lead)}</p>"
        f"{small_sample_note(definition['households'])}{table_html}{figure}{definitions}"
        "</section>"
    )


def _objective_cell(objective: dict[str, Any], front: pd.DataFrame, rec: dict[str, Any]) -> str:
    """A table cell: the objective's mean, then its mean and 90th-percentile regret."""
    ind, name = objective["indicator"], objective["name"]
    mean, regret_mean, regret_p90 = (
        objective_value(ind, rec[_attr(front, name + suffix)])
        for suffix in ("", ":mean_regret", ":p90_regret")
    )
    return f"<td class='num'>{mean}<br><small>{regret_mean} / {regret_p90}</small></td>"


def _attr(frame: pd.DataFrame, column: str) -> str:
    """The name itertuples gives a column (positional when not an identifier)."""
    k = list(frame.columns).index(column)
    return column if column.isidentifier() else f"_{k}"


def _is_count(indicator: str) -> bool:
    return registry.is_known(indicator) and registry.describe(indicator).indicator.scale == "count"


def objective_unit(indicator: str) -> str:
    """The unit of a table column: millions for counts, % or points for shares."""
    return "million" if _is_count(indicator) else shown_unit(indicator)


def objective_value(indicator: str, value: float) -> str:
    """A value of an objective as the table and the terminal show it (in objective_unit)."""
    if not np.isfinite(value):
        return "-"
    if _is_count(indicator):
        return f"{value / 1e6:,.2f}"
    return f"{value * shown_factor(indicator):.2f}"
