"""Scenarios given to the Python API: a file, a shipped name, and validated changes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.errors import InputError, Problem, did_you_mean
from model.loader import ROOT, LoadedScenario, load_scenario, scenario_from_dict
from model.settings import scenario_data, with_settings

SCENARIOS = ROOT / "scenarios"
"""Shipped scenarios, named by their path under this folder without ``.yaml``."""


def shipped_names() -> list[str]:
    """Names of the shipped scenarios (``lac/baseline``, ``world/four_is``, ...)."""
    return sorted(
        str(p.relative_to(SCENARIOS).with_suffix(""))
        for p in SCENARIOS.glob("*/*.yaml")
        if p.parent.name not in ("regions", "sweeps")
    )


def scenario_file(scenario: str | Path) -> Path:
    """The file of a scenario given as a path or as a shipped name (``lac/four_is``).

    Raises:
        InputError: neither a file nor a shipped name.

    """
    path = Path(scenario)
    if path.is_file():
        return path
    shipped = SCENARIOS / f"{scenario}.yaml"
    if shipped.is_file():
        return shipped
    raise InputError(
        str(scenario),
        [
            Problem(
                "",
                "is neither a scenario file nor a shipped scenario;",
                did_you_mean(str(scenario), shipped_names()),
            )
        ],
    )


def load(
    scenario: str | Path,
    *,
    pars: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> LoadedScenario:
    """Load a scenario with parameter values and field changes, validated like its YAML.

    Args:
        scenario: a scenario file or a shipped name.
        pars: behavioural parameters (``{"beta_afford": 1.5}``), as the scenario's
            ``parameters:`` section would set them.
        overrides: fields by address, the sweep's syntax
            (``{"policies.digital_basket.service_subsidy": 1.0}``).

    Raises:
        InputError: the file, a parameter or a changed field is not valid; the message is
            the one the YAML loader gives for the same content.

    """
    path = scenario_file(scenario)
    if not pars and not overrides:
        return load_scenario(path)
    data = scenario_data(path)
    if pars:  # exactly as the file's parameters: section, so the loader's messages apply
        data["parameters"] = {**(data.get("parameters") or {}), **pars}
    if overrides:
        data = with_settings(data, overrides, str(path))
    return scenario_from_dict(data, str(path))
