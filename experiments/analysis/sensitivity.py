"""Sensitivity indices of a finished sweep (``inclusim analyse``).

Which input moves which outcome, by the method that matches the sweep's design.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.batch.runner import design_seed
from experiments.batch.store import RERUN, Store, experiment_manifest, folder_lock, read_frame
from experiments.design.designs import MAIN_MEASURE, Design, Input, analyse
from model.errors import InputError, Problem

SWEEP_FOLDER = "give the folder a sweep wrote, e.g. outputs/<spec name>."
"""What to do when ``analyse`` is given a folder that is no experiment's."""

METHODS = {
    "sobol": "Sobol indices (S1 first order, ST total; conf = 95% half-width)",
    "morris": "Morris screening (mu* = mean |elementary effect|)",
    "latin_hypercube": "RBD-FAST first-order indices",
    "full_factorial": "main effects (range of the mean outcome across an input's values)",
}
"""How each design's indices are computed, as the terminal and the report say it."""


@dataclasses.dataclass(frozen=True)
class Sensitivity:
    """A sweep's sensitivity indices.

    Attributes:
        name: the sweep's name.
        method: how the indices were computed, in words.
        measure: the column that ranks inputs (e.g. ``ST``, ``mu_star``).
        points: design points analysed.
        replications: replications per point (averaged before the analysis).
        table: one row per outcome and input (None if no outcome could be analysed).
        missing: outcomes that could not be analysed, each with its reason.

    """

    name: str
    method: str
    measure: str
    points: int
    replications: int
    table: pd.DataFrame | None
    missing: dict[str, str]


def sensitivity(folder: str | Path) -> Sensitivity:
    """Compute, write (``sensitivity.csv``) and return the indices of a finished sweep.

    Raises:
        InputError: the folder holds no sweep, no outcomes yet, or a manifest that does not
            describe its tables.

    """
    folder = Path(folder)
    manifest = experiment_manifest(folder, SWEEP_FOLDER)
    if manifest["kind"] != "sweep":
        raise InputError(
            str(folder),
            [
                Problem(
                    "",
                    "holds a comparison, not a sweep.",
                    "read its summary.csv and differences.csv; analyse works on sweep folders.",
                )
            ],
        )
    experiments = read_frame(folder, "experiments", ("run_id", "point"))
    outcomes = read_frame(folder, "outcomes", ("run_id",))
    if outcomes is None or experiments is None:
        raise InputError(
            str(folder),
            [
                Problem(
                    "",
                    "has no outcomes table yet.",
                    "finish the sweep first (run the same 'inclusim sweep' command again).",
                )
            ],
        )
    with folder_lock(folder):
        try:
            return _indices(Store(folder), manifest, experiments, outcomes)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                str(folder / "manifest.json"),
                [
                    Problem(
                        "",
                        f"does not describe the sweep's tables ({type(exc).__name__}: {exc}).",
                        f"{RERUN}.",
                    )
                ],
            ) from None


def _indices(
    store: Store, manifest: dict[str, Any], experiments: pd.DataFrame, outcomes: pd.DataFrame
) -> Sensitivity:
    """Sensitivity indices of a sweep whose manifest and tables have been read."""
    d = manifest["definition"]
    design = Design(**d["design"])
    inputs = [
        Input(**{**i, "values": None if i["values"] is None else tuple(i["values"])})
        for i in d["inputs"]
    ]
    merged = experiments.merge(outcomes, on="run_id")
    out_cols = [c for c in outcomes.columns if c != "run_id"]
    per_point = merged.groupby("point", sort=True)[out_cols].mean()
    x = (
        experiments.drop_duplicates("point")
        .set_index("point")
        .sort_index()[[i.address for i in inputs]]
    )
    per_point = per_point.reindex(x.index)
    frames = []
    missing: dict[str, str] = {}
    for col in out_cols:
        try:
            res = analyse(design, inputs, x, per_point[col].to_numpy(), design_seed(d["seed"]))
        except ValueError as exc:
            missing[col] = str(exc)
            continue
        frames.append(res.assign(outcome=col))
    table = None
    if frames:
        table = pd.concat(frames, ignore_index=True)
        table = table[["outcome", *[c for c in table.columns if c != "outcome"]]]
        store.write_table("sensitivity", table)
    return Sensitivity(
        name=str(manifest["name"]),
        method=METHODS[design.kind],
        measure=MAIN_MEASURE[design.kind],
        points=len(x),
        replications=int(d["replications"]),
        table=table,
        missing=missing,
    )
