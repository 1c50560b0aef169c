"""Baselines against published paths: the targets file, the comparison and the report.

``inclusim calibrate --check`` runs each baseline named in ``scenarios/calibration_targets.yaml``
over several seeds and prints every target beside the mean simulated value, the error and
whether it passes, in two sections: in-sample targets (periods up to :data:`FIT_LAST_YEAR`,
which a fit may use) and out-of-sample ones (later periods, only ever checked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from model.calendar import Quarter
from model.loader import ROOT, scenario_from_dict, validate
from model.run import simulate
from model.schema import Strict
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

FIT_LAST_YEAR = 2021
"""Last year of the fitting window: a target read in 2019-2021 is in-sample (a fit may use
it); one read in 2022 or later is out-of-sample (only ever checked)."""

IN_SAMPLE = "in-sample"
OUT_OF_SAMPLE = "out-of-sample"
ROLES = (IN_SAMPLE, OUT_OF_SAMPLE)
"""The two roles of a target, in the order ``calibrate --check`` prints them."""


class PathTarget(Strict):
    """One published value or range a baseline must reproduce."""

    scenario: str = Field(description="scenario file, relative to scenarios/")
    indicator: str
    year: Annotated[int, Field(ge=2019, le=2030)] | None = None
    quarter: Quarter | None = None
    relative_to: Quarter | None = None
    change_since: Quarter | None = None
    versus: str | None = None
    target: float | None = None
    tolerance: Annotated[float, Field(gt=0)] | None = None
    min: float | None = None
    max: float | None = None
    source: Annotated[str, Field(min_length=3)]

    @model_validator(mode="after")
    def _one_period_one_check(self) -> PathTarget:
        if (self.year is None) == (self.quarter is None):
            raise ValueError("give either year or quarter; add one of them")
        if self.target is None and self.min is None and self.max is None:
            raise ValueError("nothing to check; add target and tolerance, or min and/or max")
        if self.target is not None and self.tolerance is None:
            raise ValueError("target without tolerance; add tolerance")
        if self.relative_to is not None and self.change_since is not None:
            raise ValueError("give relative_to (a ratio) or change_since (a difference), not both")
        return self

    @property
    def period(self) -> str:
        """The year or quarter, as text."""
        return str(self.year if self.year is not None else self.quarter)

    @property
    def period_label(self) -> str:
        """The period with its reference: ``2020Q2 / 2019Q4`` (ratio), ``2020 - 2019Q4``."""
        if self.relative_to is not None:
            return f"{self.period} / {self.relative_to}"
        if self.change_since is not None:
            return f"{self.period} - {self.change_since}"
        return self.period

    @property
    def last_quarter(self) -> Quarter:
        """The last quarter the target reads (a year is read through its fourth quarter)."""
        end = Quarter(self.year, 4) if self.year is not None else self.quarter
        return max(end, self.relative_to or end, self.change_since or end)

    @property
    def role(self) -> str:
        """:data:`IN_SAMPLE` if the target reads nothing after :data:`FIT_LAST_YEAR`."""
        return IN_SAMPLE if self.last_quarter.year <= FIT_LAST_YEAR else OUT_OF_SAMPLE

    @property
    def label(self) -> str:
        """What is compared, e.g. ``share_employed:sex=female - share_employed:sex=male``."""
        return self.indicator + (f" - {self.versus}" if self.versus else "")

    def distance(self, value: float) -> float:
        """How far a value is from the target, in units of its tolerance; <= 1 when it passes.

        A point target gives ``|value - target| / tolerance``. A range target gives, inside
        the range, the distance from its middle in half-widths (0 for a one-sided range);
        outside, 1 plus the distance to the nearer end in half-widths (in tenths of the bound,
        at least 0.1, for a one-sided range).
        """
        if self.target is not None:
            return abs(value - self.target) / self.tolerance
        if self.min is not None and self.max is not None:
            half = (self.max - self.min) / 2
            inside = abs(value - (self.min + self.max) / 2) / half
            outside = max(self.min - value, value - self.max, 0.0) / half
            return 1.0 + outside if outside > 0 else inside
        bound = self.min if self.min is not None else self.max
        scale = max(abs(bound) * 0.1, 0.1)
        outside = (bound - value) if self.min is not None else (value - bound)
        return 1.0 + outside / scale if outside > 0 else 0.0

    def passes(self, value: float) -> bool:
        """The simulated value meets the target or lies in the range."""
        if self.target is not None and abs(value - self.target) > self.tolerance:
            return False
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

    def wanted(self) -> str:
        """The target as text: ``0.63 ± 0.03`` or ``[1.5, 2.0]``."""
        if self.target is not None:
            return f"{self.target:.3f} ± {self.tolerance:.3f}"
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "inf" if self.max is None else f"{self.max:g}"
        return f"[{lo}, {hi}]"


class PathTargets(Strict):
    """The targets file."""

    targets: list[PathTarget]


def load_targets(path: str | Path | None = None) -> PathTargets:
    """Load and validate the calibration targets file."""
    p = Path(path) if path else TARGETS_FILE
    data, lines = read_yaml(p)
    return validate(PathTargets, data, lines, str(p))


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
    data, _ = read_yaml(ROOT / "scenarios" / name)
    data = dict(data)
    own = dict(data.get("parameters") or {})
    given = dict(parameters or {})
    data["parameters"] = {**given, **own} if scenario_wins else {**own, **given}
    return scenario_from_dict(data, name)


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


def check(targets: PathTargets, seeds: int, households: int) -> pd.DataFrame:
    """Run each baseline over ``seeds`` seeds; one row per target with mean, error, pass."""
    runs = baseline_runs(targets.targets, range(seeds), households)
    return target_rows(targets.targets, runs)
