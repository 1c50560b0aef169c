"""What each run stored besides its indicators: final-quarter labels such as the worst-off group.

Runs keep them in their part's metadata (:func:`experiments.batch.runner.run_labels`); older
folders may hold a ``labels`` table instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from experiments.batch.store import read_frame

if TYPE_CHECKING:
    from experiments.present.exports import Results


def run_labels(folder: Path) -> pd.DataFrame | None:
    """The runs' final-quarter labels (run_id, name, value), or None when none are stored.

    ``labels.parquet`` when the folder has one, else the labels each run's part carries in
    its metadata (:func:`experiments.batch.runner.run_labels`).
    """
    labels = read_frame(folder, "labels")
    if labels is not None:
        return labels
    import pyarrow.parquet as pq

    from experiments.batch.runner import LABELS_KEY

    rows = []
    for path in sorted((folder / "parts").glob("run-*.parquet")):
        try:
            meta = pq.read_schema(path).metadata or {}
            stored = json.loads(meta[LABELS_KEY]) if LABELS_KEY in meta else {}
            run_id = int(path.stem.split("-", 1)[1])
        except (OSError, ValueError):
            continue
        rows += [{"run_id": run_id, "name": k, "value": v} for k, v in stored.items()]
    return pd.DataFrame(rows) if rows else None


def labels_by_scenario(folder: Path, res: Results) -> pd.DataFrame | None:
    """The runs' labels with each run's scenario, or None when none are stored."""
    labels = run_labels(folder)
    if labels is None or res.experiments is None:
        return None
    if not {"run_id", "name", "value"} <= set(labels.columns) or "scenario" not in res.experiments:
        return None
    return labels.merge(res.experiments[["run_id", "scenario"]], on="run_id")


def worst_labels(folder: Path, res: Results) -> dict[str, str]:
    """Most frequent label of the worst-off group per scenario, if the runs stored labels."""
    sub = labels_by_scenario(folder, res)
    if sub is None:
        return {}
    sub = sub[sub["name"] == "worst_internet_use"]
    return {str(s): str(g["value"].mode().iloc[0]) for s, g in sub.groupby("scenario") if len(g)}


def worst_people(folder: Path, res: Results) -> dict[str, float]:
    """People in each scenario's worst-off group, averaged over the runs that name it."""
    sub = labels_by_scenario(folder, res)
    if sub is None or not res.worst_labels:
        return {}
    wide = sub.pivot_table(
        index=["run_id", "scenario"], columns="name", values="value", aggfunc="first"
    ).reset_index()
    if "worst_internet_use_people" not in wide:
        return {}
    out = {}
    for scenario, label in res.worst_labels.items():
        runs = wide[(wide["scenario"] == scenario) & (wide["worst_internet_use"] == label)]
        people = pd.to_numeric(runs["worst_internet_use_people"], errors="coerce").dropna()
        if len(people):
            out[scenario] = float(people.mean())
    return out
