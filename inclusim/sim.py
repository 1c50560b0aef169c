"""``Sim``: one scenario, one seed, run from Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from experiments.cli import MAX_HOUSEHOLDS
from inclusim.scenarios import load
from model.errors import InputError, Problem
from model.inclusion_model import InclusionModel
from model.indicator_registry import label, unit
from model.result import RunResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOTTED = (
    "share_internet_use",
    "share_internet_use:sex=female",
    "share_internet_use:location=rural",
)
"""Indicators :meth:`Sim.plot` draws unless told otherwise."""


class Sim:
    """One run of one scenario: build, run, read as a tidy table, plot.

    Args:
        scenario: a scenario file, or a shipped scenario's name (``"lac/four_is"``).
        households: simulated households (None: the scenario's).
        seed: run seed; the same scenario and seed give identical results anywhere.
        pars: behavioural parameters, as the scenario's ``parameters:`` section sets them.
        overrides: scenario fields by address, the sweep's syntax
            (``{"policies.affordability.service_subsidy": 1.0}``).

    Raises:
        InputError: anything the YAML loader would refuse, with its message.

    Example:
        >>> sim = Sim("lac/baseline", households=2_000, seed=1).run()  # doctest: +SKIP
        >>> sim.to_df().query("indicator == 'share_internet_use'").tail(1)  # doctest: +SKIP

    """

    def __init__(
        self,
        scenario: str | Path,
        *,
        households: int | None = None,
        seed: int = 0,
        pars: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        _check_count("households", households)
        _check_seed(seed)
        self.loaded = load(scenario, pars=pars, overrides=overrides)
        self.households = households or self.loaded.scenario.households
        self.seed = seed
        self.model: InclusionModel | None = None
        self.result: RunResult | None = None

    def __repr__(self) -> str:
        state = "run" if self.result is not None else "not run"
        return (
            f"Sim({self.loaded.scenario.name!r}, households={self.households:,}, "
            f"seed={self.seed}; {state})"
        )

    def run(self, quarters: int | None = None) -> Sim:
        """Build the population and run to the scenario's end (or ``quarters`` steps)."""
        _check_count("quarters", quarters)
        self.model = InclusionModel(self.loaded, seed=self.seed, households=self.households)
        self.model.run(quarters)
        self.result = self.model.result()
        return self

    def _done(self) -> RunResult:
        if self.result is None:
            raise RuntimeError("call run() first: the simulation has not been run.")
        return self.result

    @property
    def timeseries(self) -> pd.DataFrame:
        """One row per quarter, one column per indicator (see docs/indicators)."""
        return self._done().timeseries

    def to_df(self) -> pd.DataFrame:
        """Tidy table: scenario, seed, quarter, indicator, value, label, unit."""
        tidy = self._done().tidy()
        names = tidy["indicator"].unique()
        tidy["label"] = tidy["indicator"].map({n: label(n) for n in names})
        tidy["unit"] = tidy["indicator"].map({n: unit(n) for n in names})
        return tidy

    def plot(self, indicators: Sequence[str] = PLOTTED, ax: Any = None) -> Figure:
        """Line chart of indicators over the quarters, labelled from the indicator registry.

        Raises:
            InputError: an indicator the run does not report.

        """
        import matplotlib.pyplot as plt

        ts = self.timeseries
        missing = [i for i in indicators if i not in ts.columns]
        if missing:
            from model.errors import did_you_mean

            raise InputError(
                "plot",
                [
                    Problem(
                        "indicators",
                        f"no indicator '{missing[0]}';",
                        did_you_mean(missing[0], ts.columns),
                    )
                ],
            )
        if ax is None:
            fig, ax = plt.subplots(figsize=(8, 4.5))
        else:
            fig = ax.figure
        for name in indicators:
            ax.plot(range(len(ts)), ts[name].to_numpy(), label=label(name))
        ticks = [k for k, q in enumerate(ts.index) if str(q).endswith("Q4")]
        ax.set_xticks(ticks, [str(ts.index[k])[:4] for k in ticks])
        ax.set_ylabel(unit(indicators[0]))
        ax.set_title(self.loaded.scenario.label)
        ax.legend(frameon=False)
        return fig


def _check_count(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOUSEHOLDS:
        raise InputError(
            name,
            [
                Problem(
                    "",
                    f"{value!r} is not a whole number from 1 to {MAX_HOUSEHOLDS:,}.",
                    f"pass {name}= a whole number in that range.",
                )
            ],
        )


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError(
            "seed",
            [
                Problem(
                    "",
                    f"{seed!r} is not a whole number from 0 to 2**63 - 1.",
                    "pass seed= such a number.",
                )
            ],
        )
