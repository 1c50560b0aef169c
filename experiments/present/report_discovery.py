"""The sweep report's section on where outcomes fail: the boxes ``inclusim discover`` found.

``discover`` writes ``discovery_<outcome>_<side>_<threshold>.csv`` (one row per box and
restricted input) and its peeling-trajectory figure beside the sweep; the report shows every
such file it finds, so the boxes travel with the sweep's other results.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.present.report_sections import svg_figure
from experiments.present.wording import esc

PATTERN = "discovery_*.csv"
"""Files of boxes that ``inclusim discover`` writes into a sweep folder."""


def discovery_files(folder: Path) -> list[Path]:
    """The box tables in ``folder`` (not their trajectories), sorted by name."""
    return sorted(p for p in folder.glob(PATTERN) if not p.stem.endswith("_trajectory"))


def discovery_html(folder: Path) -> str:
    """Each discovery's boxes in words, with coverage and density and its figure."""
    files = discovery_files(folder)
    if not files:
        return (
            "<p>No scenario discovery has been run on this sweep. <code>inclusim discover "
            f"{esc(folder)} --outcome OUTCOME --threshold X</code> finds the boxes of inputs "
            "where an outcome fails; run <code>inclusim report</code> again to show them "
            "here.</p>"
        )
    return "".join(_one(folder, path) for path in files)


def _one(folder: Path, path: Path) -> str:
    boxes = pd.read_csv(path)
    if boxes.empty:
        return f"<p>{esc(path.name)}: no box found.</p>"
    first = boxes.iloc[0]
    items = "".join(
        f"<li>{esc(g['sentence'].iloc[0])} (coverage {g['coverage'].iloc[0]:.0%}, density "
        f"{g['density'].iloc[0]:.0%}, {int(g['runs_in_box'].iloc[0]):,} runs in the box)</li>"
        for _, g in boxes.groupby("box", sort=True)
    )
    svg = folder / "figures" / f"{path.stem}.svg"
    figure = ""
    if svg.exists():
        caption = (
            "Each point a box, coverage against density; ringed, the box chosen. The boxes: "
            f"{path.name}."
        )
        figure = svg_figure(path.stem, "Peeling trajectories", caption, svg.read_bytes())
    return (
        f"<h3>{esc(first['outcome'])} {esc(first['failure'])}</h3>"
        "<p>Boxes found by PRIM (EMA Workbench). Coverage is the share of failing runs inside "
        "the box; density, the share of runs in the box that fail.</p>"
        f"<ul>{items}</ul>{figure}"
    )
