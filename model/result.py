"""``RunResult``: what one simulation run produces."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class RunResult:
    """What one run produces.

    Attributes:
        scenario: scenario name.
        seed: run seed.
        households: simulated households.
        timeseries: one row per quarter (index: quarter as ``2030Q4``), one float column per
            indicator (see :mod:`model.indicators` for the names).
        summary: final-quarter labels that are not numbers (e.g. the worst-off group).
        cells: final-quarter intersections (sex x age band x location x quintile x
            disability) with people counts and rates (see :func:`model.indicators.cell_table`).

    """

    scenario: str
    seed: int
    households: int
    timeseries: pd.DataFrame
    summary: dict[str, str] = field(default_factory=dict)
    cells: pd.DataFrame | None = None

    def tidy(self) -> pd.DataFrame:
        """Long table: scenario, seed, quarter, indicator, value."""
        long = (
            self.timeseries.rename_axis("quarter")
            .reset_index()
            .melt(id_vars="quarter", var_name="indicator", value_name="value")
        )
        long.insert(0, "seed", self.seed)
        long.insert(0, "scenario", self.scenario)
        return long
