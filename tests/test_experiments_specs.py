"""Sweep specs: the shipped ones load; broken ones give one clear message each (asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.cli import main
from experiments.design.specs import load_spec
from model.errors import InputError
from model.indicator_registry import is_known
from model.settings import apply_overrides
from tests.paths import ROOT

SPECS = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))

HEAD = """\
name: bad
scenario:
  name: tiny
  label: Tiny
  region: lac
  end: 2021Q1
"""


def test_shipped_specs_load() -> None:
    names = {p.stem for p in SPECS}
    assert {"affordability_skills_grid", "morris_behaviour", "sobol_levers"} <= names
    for path in SPECS:
        spec = load_spec(path)
        assert spec.name == path.stem
        assert spec.n_points >= 2
        assert spec.inputs and spec.outcomes


def test_shipped_specs_measure_indicators_the_model_reports() -> None:
    for path in SPECS:
        unknown = [o.indicator for o in load_spec(path).outcomes if not is_known(o.indicator)]
        assert not unknown, f"{path.name}: indicators the registry does not describe: {unknown}"


def test_shipped_spec_sizes() -> None:
    grid = load_spec(ROOT / "scenarios/sweeps/affordability_skills_grid.yaml")
    assert grid.n_points == 5 * 3 * 2
    morris = load_spec(ROOT / "scenarios/sweeps/morris_behaviour.yaml")
    assert len(morris.inputs) >= 30 and all(i.kind == "uncertainty" for i in morris.inputs)
    sobol = load_spec(ROOT / "scenarios/sweeps/sobol_levers.yaml")
    assert [i.address.split(".")[1] for i in sobol.inputs] == [
        "connectivity",
        "affordability",
        "skills_training",
        "labour_regulation",
    ]


def test_addresses_by_name_type_and_new_policy(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        HEAD
        + """\
  policies:
    - {type: affordability, name: basket, intensity: 1.0}
design: {kind: full_factorial}
levers:
  policies.basket.intensity: [0.0, 1.0]
  policies.skills_training.targeting.women: [1.0, 2.0]
constants:
  p_rehire: 0.2
outcomes:
  - indicator: share_internet_use
""",
        encoding="utf-8",
    )
    spec = load_spec(path)
    assert [p["type"] for p in spec.base["policies"]] == ["affordability", "skills_training"]
    assert spec.base["parameters"] == {"p_rehire": 0.2}
    sc = spec.scenario_for(
        {"policies.basket.intensity": 0.0, "policies.skills_training.targeting.women": 2.0}
    )
    assert sc["policies"][0]["intensity"] == 0.0
    assert sc["policies"][1]["targeting"] == {"women": 2.0}
    assert spec.base["policies"][0]["intensity"] == 1.0  # the base is not changed


def test_apply_overrides_sets_parameters() -> None:
    out = apply_overrides({"policies": []}, {"parameters.beta_peer": 1.0})
    assert out["parameters"] == {"beta_peer": 1.0}


BAD = [
    (
        "unknown_key",
        HEAD + "replication: 3\ndesign: {kind: full_factorial}\n"
        "outcomes: [{indicator: share_internet_use}]\n",
        [":7: replication: unknown key 'replication'; Fix: did you mean 'replications'?"],
    ),
    (
        "bad_kind",
        HEAD + "design: {kind: grid}\noutcomes: [{indicator: x}]\n",
        [":7: design.kind: 'grid' is not allowed."],
    ),
    (
        "no_outcomes",
        HEAD + "design: {kind: full_factorial}\n",
        ["outcomes: is required but missing."],
    ),
    (
        "lever_not_policy",
        HEAD + "design: {kind: full_factorial}\nlevers:\n  beta_peer: [1, 2]\n"
        "outcomes: [{indicator: x}]\n",
        [":9: levers.beta_peer: 'beta_peer' is not a policy setting."],
    ),
    (
        "unknown_parameter",
        HEAD + "design: {kind: full_factorial}\nuncertainties:\n"
        "  beta_pear: {low: 1, high: 2}\noutcomes: [{indicator: x}]\n",
        [
            ":9: uncertainties.beta_pear: unknown behavioural parameter 'beta_pear'; "
            "Fix: did you mean 'beta_peer'?"
        ],
    ),
    (
        "low_above_high",
        HEAD + "design: {kind: full_factorial}\nuncertainties:\n"
        "  beta_peer: {low: 3, high: 2}\noutcomes: [{indicator: x}]\n",
        [":9: uncertainties.beta_peer: low 3 is not below high 2."],
    ),
    (
        "outside_plausible",
        HEAD + "design: {kind: full_factorial}\nuncertainties:\n"
        "  beta_peer: {low: 1, high: 50}\noutcomes: [{indicator: x}]\n",
        [
            ":9: uncertainties.beta_peer: value 50.0 is not valid for the scenario: 50.0",
            "outside the plausible range [0.5, 5.0]",
        ],
    ),
    (
        "intensity_above_one",
        HEAD + "design: {kind: full_factorial}\nlevers:\n"
        "  policies.affordability.intensity: {low: 0, high: 1.5}\noutcomes: [{indicator: x}]\n",
        [
            ":9: levers.policies.affordability.intensity: value 1.5 is not valid for the scenario: "
            "1.5 is out of range: it must be at most 1"
        ],
    ),
    (
        "unknown_field",
        HEAD + "design: {kind: full_factorial}\nlevers:\n"
        "  policies.affordability.intensty: [0, 1]\noutcomes: [{indicator: x}]\n",
        [
            ":9: levers.policies.affordability.intensty: value 0 is not valid for the scenario: "
            "unknown key 'intensty'; Fix: did you mean 'intensity'?"
        ],
    ),
    (
        "unknown_policy_type",
        HEAD + "design: {kind: full_factorial}\nlevers:\n"
        "  policies.afordability.intensity: [0, 1]\noutcomes: [{indicator: x}]\n",
        [
            "levers.policies.afordability.intensity: value 0 is not valid for the scenario: "
            "unknown policy type 'afordability'; Fix: did you mean 'affordability'?"
        ],
    ),
    (
        "sobol_not_power_of_two",
        HEAD + "design: {kind: sobol, samples: 100}\nlevers:\n"
        "  policies.affordability.intensity: {low: 0, high: 1}\noutcomes: [{indicator: x}]\n",
        [":7: design: samples 100 is not a power of 2"],
    ),
    (
        "sobol_with_list",
        HEAD + "design: {kind: sobol, samples: 8}\nlevers:\n"
        "  policies.affordability.intensity: [0, 1]\noutcomes: [{indicator: x}]\n",
        [
            ":9: levers.policies.affordability.intensity: is a list of values, but a sobol design "
            "samples from ranges."
        ],
    ),
    (
        "size_for_other_kind",
        HEAD + "design: {kind: full_factorial, trajectories: 4}\noutcomes: [{indicator: x}]\n",
        ["design: 'trajectories' does not apply to a full_factorial design"],
    ),
    (
        "morris_without_trajectories",
        HEAD + "design: {kind: morris}\nuncertainties: all\noutcomes: [{indicator: x}]\n",
        ["a morris design needs 'trajectories'"],
    ),
    (
        "single_value_input",
        HEAD + "design: {kind: full_factorial}\nlevers:\n"
        "  policies.affordability.intensity: 0.5\noutcomes: [{indicator: x}]\n",
        [
            ":9: levers.policies.affordability.intensity: 0.5 is a single value. "
            "Fix: give a range {low: ..., high: ...} or a list of values, or move it to constants:."
        ],
    ),
    (
        "outcome_quarter_outside",
        HEAD + "design: {kind: full_factorial}\noutcomes:\n  - {indicator: x, quarter: 2030Q4}\n",
        [":9: outcomes[0].quarter: 2030Q4 is outside the runs (2019Q4 to 2021Q1)."],
    ),
    (
        "bad_quarter",
        HEAD + "design: {kind: full_factorial}\noutcomes:\n  - {indicator: x, quarter: 2030-12}\n",
        ["outcomes[0].quarter: '2030-12' is not a quarter."],
    ),
    (
        "duplicate_input",
        HEAD + "design: {kind: full_factorial}\nuncertainties:\n"
        "  beta_peer: {low: 1, high: 2}\nconstants:\n  beta_peer: 1.5\n"
        "outcomes: [{indicator: x}]\n",
        ["'parameters.beta_peer' is given more than once"],
    ),
    (
        "missing_scenario_file",
        "name: bad\nscenario: nowhere/base.yaml\n"
        "design: {kind: full_factorial}\noutcomes: [{indicator: x}]\n",
        [":2: scenario: file 'nowhere/base.yaml' not found"],
    ),
    (
        "bad_inline_scenario",
        "name: bad\nscenario:\n  name: tiny\n  label: T\n  region: lac\n"
        "  housholds: 5\ndesign: {kind: full_factorial}\noutcomes: [{indicator: x}]\n",
        [":6: scenario.housholds: unknown key 'housholds'; Fix: did you mean 'households'?"],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_spec_messages(tmp_path: Path, case: str, text: str, expected: list[str]) -> None:
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_spec(path)
    message = info.value.render()
    assert message.startswith(f"error: {path}")
    for part in expected:
        assert part in message, message


def test_bad_spec_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD[0][1], encoding="utf-8")
    for argv in (["sweep", str(path), "--out", str(tmp_path / "out")], ["validate", str(path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "unknown key 'replication'" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_validate_accepts_shipped_specs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *map(str, SPECS)]) == 0
    out = capsys.readouterr().out
    assert "ok:" in out and "sweep sobol_levers" in out
