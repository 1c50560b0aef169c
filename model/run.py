"""One simulation run as a function: ``simulate(scenario, seed) -> RunResult``.

This is the only door the ``experiments`` package uses into the model.
"""

from __future__ import annotations

from model.inclusion_model import InclusionModel
from model.loader import LoadedScenario
from model.result import RunResult


def simulate(
    loaded: LoadedScenario, seed: int, households: int | None = None, quarters: int | None = None
) -> RunResult:
    """Run one scenario with one seed.

    Args:
        loaded: a validated scenario with its region and policies.
        seed: run seed; the same scenario and seed give identical results anywhere.
        households: simulated households (default: the scenario's ``households``).
        quarters: stop after this many steps (default: run to the scenario's end).

    """
    model = InclusionModel(loaded, seed=seed, households=households)
    model.run(quarters)
    return model.result()
