"""Every behavioural parameter changes at least one indicator: no decorative parameters.

Setting: ``lac_four_is`` (all four levers) at 1,500 households from 2019Q4 to 2023Q3, so the
COVID-19 shock, the school closures and the recovery are all inside the window. Each
parameter is moved to ``high`` (``low`` when the default is already ``high``) and run with
the same seed as the default run, which is simulated once.
"""

from __future__ import annotations

import copy

import pytest

from model.params import PARAMETERS
from tests.simhelpers import run, scenario_data

HOUSEHOLDS = 1500
SEED = 1
END = "2023Q3"

ALLOW_LIST: dict[str, str] = {}
"""Parameters that cannot change any indicator in any setting, with the reason (keep empty)."""

OTHER_SETTING: dict[str, tuple[str, dict]] = {
    "rel_uptake_barrier": (
        "lac_four_is delivers training accessibly (accessible_delivery: true), which lifts the "
        "uptake barrier; the parameter is checked with the same scenario delivered as usual",
        {"policies": {"skills_training": {"accessible_delivery": False}}},
    ),
}
"""Parameters that act only in a setting lac_four_is does not contain: why, and the change."""


def setting(name: str | None = None) -> dict:
    """The scenario mapping a parameter is checked in (at its default value)."""
    data = scenario_data("lac/four_is.yaml")
    data["end"] = END
    if name in OTHER_SETTING:
        changes = OTHER_SETTING[name][1]["policies"]
        for policy in data["policies"]:
            policy.update(changes.get(policy["type"], {}))
    return data


def moved_value(name: str) -> float:
    p = PARAMETERS[name]
    return p.low if p.value == p.high else p.high


def test_setting_covers_the_shock_and_all_four_levers():
    data = setting()
    frame = run(data, SEED, HOUSEHOLDS)
    assert len(frame) == 16 and frame.index[-1] == END
    assert {p["type"] for p in data["policies"]} == {
        "connectivity",
        "affordability",
        "skills_training",
        "labour_regulation",
    }


def test_lists_name_real_parameters():
    assert set(ALLOW_LIST) <= set(PARAMETERS)
    assert set(OTHER_SETTING) <= set(PARAMETERS)
    assert not set(ALLOW_LIST) & set(OTHER_SETTING)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_parameter_changes_some_indicator(name):
    if name in ALLOW_LIST:
        pytest.skip(ALLOW_LIST[name])
    p = PARAMETERS[name]
    assert p.low <= p.value <= p.high and p.low < p.high
    data = setting(name)
    default = run(data, SEED, HOUSEHOLDS)
    moved = copy.deepcopy(data)
    moved["parameters"] = {**moved.get("parameters", {}), name: moved_value(name)}
    changed = run(moved, SEED, HOUSEHOLDS)
    assert list(changed.columns) == list(default.columns)
    differs = [c for c in default.columns if not default[c].equals(changed[c])]
    assert differs, f"{name}={moved_value(name)} (default {p.value}) changed no indicator"
