"""Baselines against published paths: the targets file, the comparison and the report.

``inclusim calibrate --check`` runs each baseline named in ``scenarios/calibration_targets.yaml``
over several seeds and prints every target beside the mean simulated value, the error and
whether it passes, in two sections: in-sample targets (periods up to :data:`FIT_LAST_YEAR`,
which a fit may use) and out-of-sample ones (later periods, only ever checked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from model.errors import InputError, Problem
from model.loader import REGIONS_DIR, ROOT, scenario_from_dict, validate
from model.paths import PublishedPath
from model.run import simulate
from model.schema import Region, Strict
from model.yamlio import read_yaml

FIT_PARAMETERS = (
    "pull_school",
    "pull_telework",
    "pull_transfer",
    "pull_persist",
    "trend_per_year",
    "beta_peer",
)
"""The adoption parameters the fit moves; every other parameter keeps its default."""


TARGETS_FILE = ROOT / "scenarios" / "calibration_targets.yaml"


class PathTarget(PublishedPath):
    """One published value or range a named baseline must reproduce."""

    scenario: str = Field(description="scenario file, relative to scenarios/")


class PathTargets(Strict):
    """The targets file."""

    targets: list[PathTarget]


def load_targets(path: str | Path | None = None) -> PathTargets:
    """Load and validate the calibration targets file."""
    p = Path(path) if path else TARGETS_FILE
    data, lines = read_yaml(p)
    return validate(PathTargets, data, lines, str(p))


CALIBRATION_SEEDS = 3
"""Seeds per baseline of ``calibrate --check`` and ``--decompose`` unless ``--seeds`` is given."""


CALIBRATION_HOUSEHOLDS = 20_000
"""Households per run of ``calibrate --check`` and ``--decompose`` unless ``--households``."""


def value_of(ts: pd.DataFrame, t: PathTarget) -> float:
    """The simulated value a target speaks of, from one run's time series."""

    def at(indicator: str) -> float:
        if t.year is not None:
            v = float(ts.loc[ts.index.str.startswith(str(t.year)), indicator].mean())
        else:
            v = float(ts.loc[str(t.quarter), indicator])
        if t.relative_to is not None:
            v /= float(ts.loc[str(t.relative_to), indicator])
        if t.change_since is not None:
            v -= float(ts.loc[str(t.change_since), indicator])
        return v

    value = at(t.indicator)
    return value - at(t.versus) if t.versus else value


def scenario_with(
    name: str, parameters: Mapping[str, float] | None = None, *, scenario_wins: bool = False
) -> Any:
    """Load a shipped scenario with parameter overrides.

    Args:
        name: scenario file, relative to ``scenarios/``.
        parameters: values to set under ``parameters:``.
        scenario_wins: a parameter the scenario sets itself keeps its value (otherwise the
            given values replace it, as a fit needs).

    """
    path = ROOT / "scenarios" / name
    data, _ = read_yaml(path)
    data = dict(data)
    own = dict(data.get("parameters") or {})
    given = dict(parameters or {})
    data["parameters"] = {**given, **own} if scenario_wins else {**own, **given}
    return scenario_from_dict(data, name, folder=path.parent)


def baseline_runs(
    targets: Sequence[PathTarget],
    seeds: Sequence[int],
    households: int,
    parameters: Mapping[str, float] | None = None,
) -> dict[str, list[pd.DataFrame]]:
    """Time series of every baseline the targets name, one per seed, up to the last quarter read.

    Args:
        targets: the targets to be read.
        seeds: run seeds (the same for every parameter set: common random numbers).
        households: simulated households per run.
        parameters: parameter overrides (the rest keep their defaults).

    """
    runs: dict[str, list[pd.DataFrame]] = {}
    for name in dict.fromkeys(t.scenario for t in targets):
        loaded = scenario_with(name, parameters)
        last = max(t.last_quarter for t in targets if t.scenario == name)
        steps = last - loaded.scenario.start + 1
        runs[name] = [simulate(loaded, seed, households, steps).timeseries for seed in seeds]
    return runs


def target_rows(
    targets: Sequence[PathTarget], runs: Mapping[str, list[pd.DataFrame]]
) -> pd.DataFrame:
    """One row per target: role, mean over the runs, its spread, error, distance and pass."""
    rows = []
    for t in targets:
        values = [value_of(ts, t) for ts in runs[t.scenario]]
        mean = float(np.mean(values))
        rows.append(
            {
                "role": t.role,
                "scenario": t.scenario,
                "indicator": t.label,
                "period": t.period_label,
                "target": t.wanted(),
                "simulated": mean,
                "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                "error": mean - t.target if t.target is not None else np.nan,
                "distance": t.distance(mean),
                "pass": t.passes(mean),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def region_baseline(region: Region, path: Path) -> Path:
    """A region's baseline scenario: ``NAME/baseline.yaml`` beside the region file's folder.

    ``inclusim region new`` writes it there; shipped regions have theirs in
    ``scenarios/NAME/``.

    Raises:
        InputError: the region has no baseline scenario there.

    """
    baseline = path.resolve().parent.parent / region.name / "baseline.yaml"
    if not baseline.is_file():
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    f"has no baseline scenario at {baseline}.",
                    "write one there (inclusim region new does): a scenario with no policies.",
                )
            ],
        )
    return baseline


def region_path_targets(region: Region, path: Path) -> list[PathTarget]:
    """The published paths of a region's baseline (:func:`region_baseline`).

    They are the region file's own (``paths:``) and, for a shipped region, the rows of the
    targets file that name its baseline.

    Raises:
        InputError: the region has no baseline scenario.

    """
    baseline = region_baseline(region, path)
    shipped = path.resolve().parent == REGIONS_DIR.resolve()
    name = f"{region.name}/baseline.yaml" if shipped else str(baseline)
    own = [PathTarget(scenario=name, **p.model_dump(exclude_none=True)) for p in region.paths]
    listed = [t for t in load_targets().targets if t.scenario == name] if shipped else []
    return own + listed
