"""Baselines against published paths: the targets file, the comparison and the report.

``inclusim calibrate --check`` runs each baseline named in ``scenarios/calibration_targets.yaml``
over several seeds and prints every target beside the mean simulated value, the error and
whether it passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from model.calendar import Quarter
from model.loader import ROOT, load_scenario, validate
from model.run import simulate
from model.schema import Strict
from model.yamlio import read_yaml

TARGETS_FILE = ROOT / "scenarios" / "calibration_targets.yaml"


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


def check(targets: PathTargets, seeds: int, households: int) -> pd.DataFrame:
    """Run each baseline over ``seeds`` seeds; one row per target with mean, error, pass."""
    runs: dict[str, list[pd.DataFrame]] = {}
    for name in dict.fromkeys(t.scenario for t in targets.targets):
        loaded = load_scenario(ROOT / "scenarios" / name)
        runs[name] = [simulate(loaded, seed, households).timeseries for seed in range(seeds)]
    rows = []
    for t in targets.targets:
        values = [value_of(ts, t) for ts in runs[t.scenario]]
        mean = float(np.mean(values))
        error = mean - t.target if t.target is not None else np.nan
        rows.append(
            {
                "scenario": t.scenario,
                "indicator": t.indicator + (f" - {t.versus}" if t.versus else ""),
                "period": t.period_label,
                "target": t.wanted(),
                "simulated": mean,
                "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                "error": error,
                "pass": t.passes(mean),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)
