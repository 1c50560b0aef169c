"""Who is left behind: intersections ranked by their lag behind the average, over replications.

An intersection (a *cell*) crosses sex, age band, location, income quintile and disability
(:func:`model.indicators.cell_table`). For a measure such as Internet use, a cell's lag in one
run is the run's average share minus the cell's share (percentage points behind; positive is
behind), the average taken over the same persons (:func:`_lags`). Cells are ranked by the
mean lag over replications, with a t-based 95% interval
(:func:`experiments.analysis.stats.describe`), their real people and the people in them who
lack the measure. In a comparison each scenario is set against the baseline run by run
(replication k with replication k: common random numbers), for the baseline's top cells.

Which cells are large enough to estimate (:func:`eligible`): a cell is kept for a measure only
if, in *every* run of the folder, it holds at least :data:`MIN_PERSONS` simulated persons of
the measure's universe (the model's floor for its worst-off group,
:data:`model.indicators.WORST_MIN_PERSONS`). With 30 persons the standard error of a share is
at most 0.09 in one run; the interval over replications then says how well the mean is known.
Unlike the model's worst-off label, no minimum share of the population is asked: a small group
that can be estimated (older women with disabilities) is exactly what this ranking must not
hide, and its people count says how small it is. Intervals need :data:`MIN_RUNS`
replications; with fewer the ranking is shown without them, and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analysis.stats import describe, effect_is_clear
from experiments.batch.runner import CELL_DIMENSIONS, CELLS_KEY, cells_from_metadata
from experiments.batch.store import RERUN, read_frame
from model import groups
from model.errors import InputError, Problem
from model.indicator_registry import MEASURE_BY_NAME, label
from model.indicators import WORST_MIN_PERSONS

MIN_PERSONS = WORST_MIN_PERSONS
"""Fewest simulated persons of the measure's universe a cell needs in every run."""
MIN_RUNS = 3
"""Fewest replications for an interval (two give a t interval with one degree of freedom,
about six standard errors wide: no use for ranking)."""

HEADLINE_MEASURES = ("internet_use", "meaningful", "basic_skills", "employed")
"""Measures ranked by default (each only if the folder's cells have it)."""

ADULT_BANDS = ("18-24", "25-64", "65+")
"""Age bands wholly inside the universe of a measure of persons 15+. The band 13-17 mixes
persons outside it (13-14) with persons inside (15-17), so its size in that universe is not
stored; it is left out of those measures rather than guessed."""

NOT_USERS = ("0-4",)
"""Age bands left out of all-ages measures: children under 5 are not Internet users by
definition, so they would always rank first (the model's worst-off group leaves them out too,
:func:`model.indicators.worst_intersection`)."""

FOLDER_FIX = (
    "give a folder that 'inclusim run' or 'inclusim compare' wrote with this version, e.g. "
    "outputs/compare_lac_baseline-lac_four_is."
)


@dataclass
class CellRuns:
    """Every run's final-quarter cells of a run or comparison folder.

    Attributes:
        cells: one row per run and cell: ``scenario``, ``replication``, the five dimensions,
            ``people`` (real), ``persons`` (simulated), ``share_<m>`` and ``n_people_<m>``.
        scenarios: scenario names, baseline first.
        quarter: the quarter the cells describe.
        labels: scenario name -> label.

    """

    cells: pd.DataFrame
    scenarios: list[str]
    quarter: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def measures(self) -> list[str]:
        """Measures the cells hold, in the registry's order."""
        return [m for m in MEASURE_BY_NAME if f"share_{m}" in self.cells.columns]

    @property
    def replications(self) -> int:
        """Replications of the baseline."""
        return int(
            self.cells.loc[self.cells["scenario"] == self.scenarios[0], "replication"].nunique()
        )


def cell_label(row: pd.Series | dict) -> str:
    """A cell in a few words ('Women, Aged 65+, Rural, Q1 (poorest fifth), With disability')."""
    return ", ".join(groups.short_label(f"{d}={row[d]}") for d in CELL_DIMENSIONS)


def measure_words(measure: str) -> str:
    """The label of a measure's share, from the indicator registry."""
    return label(f"share_{measure}")


# -- reading a folder ----------------------------------------------------------------------------


def load_cells(folder: str | Path) -> CellRuns:
    """The cells of every run of a folder ``inclusim run`` or ``inclusim compare`` wrote.

    Raises:
        InputError: no such folder, a sweep folder, or a folder whose runs stored no cells.

    """
    path = Path(folder)
    manifest_path = path / "manifest.json"
    if not path.is_dir() or not manifest_path.is_file():
        what = "does not exist" if not path.exists() else "is not a run or comparison folder"
        raise InputError(str(path), [Problem("", f"{what}.", FOLDER_FIX)])
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            str(manifest_path), [Problem("", f"cannot be read ({exc}).", f"{RERUN}.")]
        ) from None
    if not isinstance(manifest, dict):
        raise InputError(str(manifest_path), [Problem("", "is not an object.", f"{RERUN}.")])
    kind = manifest.get("kind")
    if kind == "sweep":
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    "is a sweep: its design points are not scenarios to rank cells in.",
                    "use 'inclusim discover SWEEP_DIR --outcome ... --threshold ...' for a sweep, "
                    "or give a folder 'inclusim run' or 'inclusim compare' wrote.",
                )
            ],
        )
    if kind == "optimise":
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    "holds an 'inclusim optimise' search: its mixes are not scenarios to rank "
                    "cells in.",
                    "its results are in pareto.csv and regret.csv; to see whom a mix leaves "
                    "behind, write it as a scenario, run 'inclusim compare BASELINE MIX' and "
                    "give that folder.",
                )
            ],
        )
    if kind == "compare":
        return _compare_cells(path, manifest)
    if {"scenario", "seed", "households"} <= set(manifest):
        return _run_cells(path, manifest)
    raise InputError(str(path), [Problem("", "is not a run or comparison folder.", FOLDER_FIX)])


def _no_cells(where: Path) -> InputError:
    return InputError(
        str(where),
        [
            Problem(
                "",
                "holds no cell tables (it was written before runs stored their intersections).",
                "run the command that wrote it again: the runs are redone and store them.",
            )
        ],
    )


def _run_cells(path: Path, manifest: dict) -> CellRuns:
    cells = read_frame(path, "cells", ("people",))
    series = read_frame(path, "timeseries", ("quarter", "indicator", "value"))
    if cells is None or series is None:
        raise _no_cells(path / "cells.parquet")
    last = str(series["quarter"].iloc[-1])
    final = series[series["quarter"] == last].set_index("indicator")["value"]
    weight = float(final.get("n_households", np.nan)) / float(manifest["households"])
    cells = cells.assign(persons=cells["people"] / weight)
    name = str(manifest["scenario"])
    cells.insert(0, "replication", 0)
    cells.insert(0, "scenario", name)
    return CellRuns(_tidy(cells), [name], last, {name: name})


def _compare_cells(path: Path, manifest: dict) -> CellRuns:
    import pyarrow.parquet as pq

    from experiments.batch.store import Store

    experiments = read_frame(path, "experiments", ("run_id", "scenario", "replication"))
    if experiments is None:
        raise InputError(str(path / "experiments.parquet"), [Problem("", "is missing.", RERUN)])
    store = Store(path)
    runs = experiments[experiments["run_id"].isin(store.done_ids())]
    if runs.empty:
        raise InputError(
            str(path / "parts"),
            [Problem("", "holds no completed run.", "finish the comparison first.")],
        )
    frames = []
    quarter = ""
    for row in runs.itertuples(index=False):
        part = store.part_path(int(row.run_id))
        meta = pq.read_schema(part).metadata or {}
        if CELLS_KEY not in meta:
            raise _no_cells(Path(part))
        cells = cells_from_metadata(meta[CELLS_KEY])
        cells.insert(0, "replication", int(row.replication))
        cells.insert(0, "scenario", str(row.scenario))
        frames.append(cells)
        if not quarter:
            quarter = str(store.read_part(int(row.run_id)).index[-1])
    cells = pd.concat(frames, ignore_index=True)
    definition = manifest.get("definition") or {}
    labels = {
        str(s["name"]): str((s.get("data") or {}).get("label") or s["name"])
        for s in definition.get("scenarios") or []
    }
    present = list(dict.fromkeys(cells["scenario"]))
    names = [n for n in labels if n in present] or present
    return CellRuns(_tidy(cells), names, quarter, labels)


def _tidy(cells: pd.DataFrame) -> pd.DataFrame:
    for d in CELL_DIMENSIONS:
        cells[d] = cells[d].astype(str)
    return cells


# -- ranking -------------------------------------------------------------------------------------


def _universe(cells: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The cells a measure is ranked over.

    :data:`ADULT_BANDS` for a measure of persons 15+, else everyone but :data:`NOT_USERS` (as
    the model's worst-off group).
    """
    if MEASURE_BY_NAME[measure].adults_only:
        return cells[cells["age"].isin(ADULT_BANDS)]
    return cells[~cells["age"].isin(NOT_USERS)]


def eligible(cells: pd.DataFrame, measure: str) -> pd.Series:
    """Whether each cell (by its five dimensions) is large enough in every run.

    Args:
        cells: rows of :attr:`CellRuns.cells` (any scenarios and replications).
        measure: a measure name (``internet_use``).

    Returns:
        Boolean per cell, indexed by the five dimensions: at least :data:`MIN_PERSONS`
        simulated persons in every run; a cell absent from some run (no one in it) is not
        kept.

    """
    sub = _universe(cells, measure)
    big = sub["persons"] >= MIN_PERSONS
    runs = cells.groupby(["scenario", "replication"]).ngroups
    keys = list(CELL_DIMENSIONS)
    grouped = big.groupby([sub[k] for k in keys])
    return (grouped.sum() == runs) & (grouped.size() == runs)


def _lags(runs: CellRuns, measure: str, keep: pd.Series) -> pd.DataFrame:
    """Per run and kept cell: share, the run's average, lag, people lacking the measure.

    The average is over every cell of the measure's universe (:func:`_universe`), kept or not:
    persons 5+ for an all-ages measure (as the model's ``lag_worst_internet_use``), persons
    18+ for a measure of persons 15+.
    """
    share = f"share_{measure}"
    sub = _universe(runs.cells, measure)
    run = sub.groupby(["scenario", "replication"])
    average = run[f"n_people_{measure}"].transform("sum") / run["people"].transform("sum")
    sub = sub.assign(average=average).join(keep.rename("keep"), on=list(CELL_DIMENSIONS))
    sub = sub[sub["keep"].fillna(False).astype(bool)]
    sub = sub.assign(
        share=sub[share],
        lag=sub["average"] - sub[share],
        lacking=sub["people"] * (1.0 - sub[share]),
    )
    columns = ["people", "persons", "share", "average", "lag", "lacking"]
    return sub[["scenario", "replication", *CELL_DIMENSIONS, *columns]]


def rank(runs: CellRuns, measure: str, scenario: str | None = None) -> pd.DataFrame:
    """The kept cells of one scenario ranked by mean lag, largest first.

    Returns:
        One row per cell: ``rank``, ``measure``, ``scenario``, ``cell`` (words), the five
        dimensions, ``n`` (runs), ``people``, ``people_lacking`` and ``persons`` (means),
        ``share`` and ``average`` (means), ``lag`` with ``lag_ci_low`` and ``lag_ci_high``
        (NaN with fewer than :data:`MIN_RUNS` runs).

    """
    scenario = scenario or runs.scenarios[0]
    keep = eligible(runs.cells, measure)
    per_run = _lags(runs, measure, keep)
    per_run = per_run[per_run["scenario"] == scenario]
    rows = []
    for key, g in per_run.groupby(list(CELL_DIMENSIONS), sort=False):
        s = describe(g["lag"].to_numpy())
        few = len(g) < MIN_RUNS
        cell = dict(zip(CELL_DIMENSIONS, key, strict=True))
        rows.append(
            {
                "measure": measure,
                "scenario": scenario,
                "cell": cell_label(cell),
                **cell,
                "n": len(g),
                "people": g["people"].mean(),
                "people_lacking": g["lacking"].mean(),
                "persons": g["persons"].mean(),
                "share": g["share"].mean(),
                "average": g["average"].mean(),
                "lag": float(s["mean"]),
                "lag_ci_low": np.nan if few else float(s["ci_low"]),
                "lag_ci_high": np.nan if few else float(s["ci_high"]),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out = out.sort_values(["lag", "cell"], ascending=[False, True], kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def changes(runs: CellRuns, measure: str, top: int) -> pd.DataFrame:
    """How each scenario changes the baseline's ``top`` cells, paired run by run.

    Returns:
        One row per scenario (other than the baseline) and top cell: ``cell``, the baseline's
        ``baseline_rank``, ``baseline_lag``, the scenario's ``rank`` and ``lag``, the change
        in the cell's share (``share_diff`` with 95% CI) and in its lag (``lag_diff`` with
        CI; negative: the cell catches up), ``clear`` (the lag change's interval is clear of
        zero), and ``people_reached`` (change in people lacking the measure, sign flipped).

    """
    base = runs.scenarios[0]
    ranked = {s: rank(runs, measure, s) for s in runs.scenarios}
    head = ranked[base].head(top)
    keep = eligible(runs.cells, measure)
    per_run = _lags(runs, measure, keep).set_index(["scenario", "replication", *CELL_DIMENSIONS])
    rows = []
    for other in runs.scenarios[1:] if not head.empty else []:
        other_rank = ranked[other].set_index("cell") if not ranked[other].empty else None
        for r in head.itertuples(index=False):
            key = tuple(getattr(r, d) for d in CELL_DIMENSIONS)
            a = per_run.xs((other, *key), level=["scenario", *CELL_DIMENSIONS])
            b = per_run.xs((base, *key), level=["scenario", *CELL_DIMENSIONS])
            both = a.merge(b, left_index=True, right_index=True, suffixes=("_o", "_b"))
            ds = describe((both["share_o"] - both["share_b"]).to_numpy())
            dl = describe((both["lag_o"] - both["lag_b"]).to_numpy())
            few = len(both) < MIN_RUNS
            lo, hi = (np.nan, np.nan) if few else (float(dl["ci_low"]), float(dl["ci_high"]))
            rows.append(
                {
                    "measure": measure,
                    "scenario": other,
                    "cell": r.cell,
                    "baseline_rank": r.rank,
                    "baseline_lag": r.lag,
                    "rank": int(other_rank.loc[r.cell, "rank"])
                    if other_rank is not None and r.cell in other_rank.index
                    else None,
                    "lag": float(both["lag_o"].mean()),
                    "share_diff": float(ds["mean"]),
                    "share_diff_ci_low": np.nan if few else float(ds["ci_low"]),
                    "share_diff_ci_high": np.nan if few else float(ds["ci_high"]),
                    "lag_diff": float(dl["mean"]),
                    "lag_diff_ci_low": lo,
                    "lag_diff_ci_high": hi,
                    "clear": effect_is_clear(lo, hi),
                    "people_reached": float((both["lacking_b"] - both["lacking_o"]).mean()),
                    "n": len(both),
                }
            )
    return pd.DataFrame(rows)


def check_measure(runs: CellRuns, measure: str, where: str) -> None:
    """Refuse a measure the registry or the folder's cells do not have (exit status 2)."""
    if measure in runs.measures:
        return
    import difflib

    close = difflib.get_close_matches(measure, runs.measures, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise InputError(
        where,
        [
            Problem(
                "--measure",
                f"'{measure}' is not a measure of the stored cells.",
                f"{hint}use one of {', '.join(runs.measures)}.",
            )
        ],
    )
