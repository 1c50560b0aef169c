"""Reproducible fit of the adoption parameters to the ITU world path (docs/calibration.md).

A full grid over the lockdown needs (``pull_school``, ``pull_telework``, ``pull_transfer``,
``pull_persist``), the residual ``trend_per_year`` and ``beta_peer`` is run on the world
baseline with a few seeds (the same seeds at every grid point: common random
numbers), and each point is scored by its squared error to the world targets of
``scenarios/calibration_targets.yaml``. Run it with::

    .venv/bin/python -m tools.calibration_fit [--households 5000] [--seeds 3]

It prints the best points beside the current defaults; it never edits ``model/params.py``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis.calibration import (
    FIT_PARAMETERS,
    PathTarget,
    PathTargets,
    baseline_runs,
    load_targets,
    value_of,
)
from model.params import PARAMETERS, defaults

FIT_SCENARIO = "world/baseline.yaml"
"""The baseline whose published path the fit follows (scenario file under ``scenarios/``)."""

DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "pull_school": (0.4, 0.6, 0.8),
    "pull_telework": (0.0, 0.25, 0.5),
    "pull_transfer": (0.0, 0.25, 0.5),
    "pull_persist": (0.85, 1.0),
    "trend_per_year": (0.0, 0.03, 0.06),
    "beta_peer": (0.75, 2.0, 3.0),
}
"""Grid values of each fitted parameter, inside its plausible range in :mod:`model.params`."""


@dataclass(frozen=True)
class FitResult:
    """What a grid search found.

    Attributes:
        table: one row per grid point: the parameter values, ``loss`` and one column per
            target (mean simulated value over seeds), sorted by loss (best first).
        default: the same row for the current defaults of :mod:`model.params`.
        seeds: seeds used at every point.
        households: simulated households per run.
        seconds: wall time of the search.

    """

    table: pd.DataFrame
    default: pd.Series
    seeds: tuple[int, ...]
    households: int
    seconds: float

    @property
    def best(self) -> dict[str, float]:
        """The parameter values of the best grid point."""
        row = self.table.iloc[0]
        return {name: float(row[name]) for name in FIT_PARAMETERS}


def target_label(t: PathTarget) -> str:
    """Short column name of a target, e.g. ``share_internet_use@2021``."""
    return f"{t.indicator}@{t.period}"


def world_targets(targets: PathTargets | None = None, scenario: str = FIT_SCENARIO) -> list:
    """The targets of ``scenario`` in the calibration targets file."""
    targets = targets or load_targets()
    return [t for t in targets.targets if t.scenario == scenario]


def target_loss(t: PathTarget, value: float) -> float:
    """Squared error of one target, in units of its tolerance.

    A point target (``target ± tolerance``) contributes ``((value - target) / tolerance)**2``;
    a range target (``[min, max]``) contributes the squared distance outside the range in
    units of its half-width (zero inside), so that ranges act as soft constraints.
    """
    if t.target is not None:
        return ((value - t.target) / t.tolerance) ** 2
    lo = -np.inf if t.min is None else t.min
    hi = np.inf if t.max is None else t.max
    finite = [x for x in (t.min, t.max) if x is not None]
    scale = (hi - lo) / 2 if len(finite) == 2 else max(abs(finite[0]), 1.0) * 0.1
    outside = max(lo - value, value - hi, 0.0)
    return (outside / scale) ** 2


def evaluate(
    values: Mapping[str, float],
    targets: Sequence[PathTarget],
    seeds: Sequence[int],
    households: int,
    scenario: str = FIT_SCENARIO,
) -> dict[str, float]:
    """Mean simulated value of each target over ``seeds``, and the total ``loss``.

    Args:
        values: parameter overrides (the rest keep their defaults).
        targets: targets of ``scenario``.
        seeds: run seeds (the same at every point of a search).
        households: simulated households per run.
        scenario: scenario file under ``scenarios/``.

    """
    chosen = [t for t in targets if t.scenario == scenario]
    runs = baseline_runs(chosen, seeds, households, values)[scenario]
    out: dict[str, float] = {}
    loss = 0.0
    for t in chosen:
        mean = float(np.mean([value_of(ts, t) for ts in runs]))
        out[target_label(t)] = mean
        loss += target_loss(t, mean)
    out["loss"] = loss
    return out


def grid_search(
    grid: Mapping[str, Sequence[float]] | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    households: int = 5_000,
    scenario: str = FIT_SCENARIO,
    targets: PathTargets | None = None,
) -> FitResult:
    """Score every point of ``grid`` on ``scenario`` against its calibration targets.

    Args:
        grid: values per fitted parameter (default :data:`DEFAULT_GRID`); a parameter left
            out keeps its default.
        seeds: seeds run at every point.
        households: simulated households per run.
        scenario: the baseline to fit, under ``scenarios/``.
        targets: the targets file (default ``scenarios/calibration_targets.yaml``).

    Raises:
        ValueError: a grid value lies outside its parameter's plausible range, or the
            scenario has no targets.

    """
    grid = dict(DEFAULT_GRID if grid is None else grid)
    for name, vals in grid.items():
        p = PARAMETERS[name]
        bad = [v for v in vals if not p.low <= v <= p.high]
        if bad:
            raise ValueError(f"{name}: {bad} outside the plausible range [{p.low}, {p.high}]")
    chosen = world_targets(targets, scenario)
    if not chosen:
        raise ValueError(f"no calibration targets name {scenario}")
    began = time.perf_counter()
    names = list(grid)
    rows = []
    for point in itertools.product(*(grid[n] for n in names)):
        values = dict(zip(names, point, strict=True))
        rows.append({**values, **evaluate(values, chosen, seeds, households, scenario)})
    pars = defaults()
    default_values = {n: pars[n] for n in names}
    default = pd.Series(
        {**default_values, **evaluate(default_values, chosen, seeds, households, scenario)}
    )
    table = pd.DataFrame(rows).sort_values("loss", kind="stable").reset_index(drop=True)
    return FitResult(table, default, tuple(seeds), households, time.perf_counter() - began)


def report(result: FitResult, top: int = 10) -> str:
    """The best grid points and the current defaults as a plain-text table."""
    frame = pd.concat(
        [
            result.default.to_frame().T.assign(point="defaults"),
            result.table.head(top).assign(
                point=[f"#{i + 1}" for i in range(min(top, len(result.table)))]
            ),
        ],
        ignore_index=True,
    ).set_index("point")
    head = (
        f"grid of {len(result.table)} points x {len(result.seeds)} seeds x "
        f"{result.households:,} households on {FIT_SCENARIO} ({result.seconds:.0f} s)"
    )
    return head + "\n" + frame.to_string(float_format=lambda v: f"{v:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the default grid search and print the best points."""
    ap = argparse.ArgumentParser(prog="python -m tools.calibration_fit", description=__doc__)
    ap.add_argument("--households", type=int, default=5_000)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    result = grid_search(seeds=tuple(range(args.seeds)), households=args.households)
    print(report(result, args.top))
    print("suggested values: " + ", ".join(f"{k} = {v:g}" for k, v in result.best.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
