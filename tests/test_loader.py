"""Broken scenario and region files give one clear message each; good ones load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.errors import InputError, did_you_mean, key_path
from model.loader import load_region, load_scenario, scenario_from_dict
from tests.paths import BAD, REGIONS

EXPECTED: dict[str, object] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
FIXTURES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "expected.yaml")


def _case(name: str) -> object:
    entry = EXPECTED.get(name)
    # an alias bomb takes about a second to stop; tests/test_yamlio.py keeps one in the fast loop
    slow = [pytest.mark.slow] if "alias_bomb" in name else []
    if isinstance(entry, dict):
        marks = [pytest.mark.xfail(strict=True, reason=entry["xfail"]), *slow]
        return pytest.param(name, entry["expect"], marks=marks, id=name)
    return pytest.param(name, entry, marks=slow, id=name)


def test_every_fixture_has_an_expectation() -> None:
    assert len(FIXTURES) >= 15
    assert set(FIXTURES) == set(EXPECTED), "tests/data/bad/expected.yaml and the folder disagree"


HEADER_LINES = 3
"""Region fixtures replace the three comment lines at the top of lac.yaml with their own."""


@pytest.mark.parametrize(
    "name", [n for n in FIXTURES if n.startswith("region_") and not n.startswith("region_table_")]
)
def test_region_fixture_is_lac_with_one_line_changed(name: str) -> None:
    """Each region fixture is today's lac.yaml with one line broken and the same line numbers,
    so it fails for its own reason only and the lines in expected.yaml point at it."""
    lac = (REGIONS / "lac.yaml").read_text(encoding="utf-8").splitlines()
    broken = (BAD / name).read_text(encoding="utf-8").splitlines()
    assert len(broken) == len(lac), "lines were added or removed; regenerate from lac.yaml"
    assert all(line.startswith("# ") for line in broken[:HEADER_LINES])
    changed = [
        k + 1
        for k, (a, b) in enumerate(zip(lac, broken, strict=True))
        if k >= HEADER_LINES and a != b
    ]
    assert len(changed) == 1, f"lines {changed} differ from lac.yaml"
    expect = EXPECTED[name]
    texts = [expect] if isinstance(expect, str) else expect
    lines = {int(t.split(":")[1]) for t in texts if t.startswith(":")}
    if name in NO_LINE:
        assert not lines
    elif name in LINE_OF_THE_MAPPING:
        (line,) = lines
        assert line < changed[0] and lac[line - 1].endswith(":"), (line, changed)
    else:
        assert changed[0] in lines, (changed, lines)


NO_LINE = {"region_target_unmeetable.yaml"}
"""Fixtures whose message names no line: the targets cannot be met together."""
LINE_OF_THE_MAPPING = {"region_age_shares_sum.yaml", "region_broadband_above_coverage.yaml"}
"""Fixtures whose message names the mapping that holds the broken line (a check across keys)."""


@pytest.mark.parametrize(("name", "expect"), [_case(n) for n in FIXTURES])
def test_validate_rejects_broken_file(
    name: str, expect: str | list[str], cli, tmp_path: Path
) -> None:
    result = cli(["validate", str(BAD / name)])
    assert result.code == 2
    for text in [expect] if isinstance(expect, str) else expect:
        assert text in result.err
    assert "Traceback" not in result.err
    assert "1 of 1 files are invalid." in result.err
    assert result.out == ""
    assert not (tmp_path / "outputs").exists()
    assert list(tmp_path.iterdir()) == []


def test_validate_reports_each_file_and_fails_if_any_is_bad(cli) -> None:
    good = str(REGIONS / "ldc.yaml")
    bad = str(BAD / "scenario_parameter_typo.yaml")
    result = cli(["validate", good, bad])
    assert result.code == 2
    assert f"ok: {good}: region ldc" in result.out
    assert "unknown parameter 'beta_pear'" in result.err
    assert "1 of 2 files are invalid." in result.err


GOOD_SCENARIO = """\
name: good
label: A good scenario
region: lac
end: 2025Q4
households: 1_000
parameters:
  beta_peer: 3.0
policies:
  - type: affordability
    start: 2021Q1
    service_subsidy: 0.4
    eligibility: {quintile: [1, 2], offline_in_2019: true}
  - type: skills_training
    targeting: {women: 2.0}
    eligibility: {sex: [female], age: [15-24, 65+], disability: [with]}
"""


def test_good_scenario_loads_with_typed_policies(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded.scenario.households == 1000
    assert str(loaded.scenario.start) == "2019Q4"
    assert str(loaded.scenario.end) == "2025Q4"
    assert loaded.scenario.parameters == {"beta_peer": 3.0}
    assert loaded.region.name == "lac"
    assert [p.type for p in loaded.policies] == ["affordability", "skills_training"]
    assert loaded.policies[0].service_subsidy == 0.4
    assert loaded.policies[0].eligibility.quintile == [1, 2]
    assert loaded.policies[0].eligibility.offline_in_2019 is True
    assert loaded.policies[1].targeting.women == 2.0
    e = loaded.policies[1].eligibility
    assert (e.sex, e.age, e.disability) == (["female"], ["15-24", "65+"], ["with"])
    assert loaded.text == GOOD_SCENARIO
    assert loaded.path == str(path)


def test_region_given_as_a_path_is_found_beside_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "myregion.yaml").write_text((REGIONS / "world.yaml").read_text(encoding="utf-8"))
    (folder / "s.yaml").write_text("name: s\nlabel: S\nregion: myregion.yaml\n")
    monkeypatch.chdir(tmp_path)
    assert load_scenario(folder / "s.yaml").region.name == "world"


def test_all_parameter_and_policy_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(
        "name: two\nlabel: Two\nregion: lac\nparameters:\n  beta_pear: 1.0\n"
        "policies:\n  - type: affordabilty\n  - type: connectivity\n    intensity: 2\n"
    )
    with pytest.raises(InputError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert [(p.path, p.line) for p in problems] == [
        ("parameters.beta_pear", 5),
        ("policies[0].type", 7),
        ("policies[1].intensity", 9),
    ]
    assert "did you mean 'affordability'?" in problems[1].fix


def test_scenario_from_dict_has_no_lines() -> None:
    with pytest.raises(InputError) as info:
        scenario_from_dict(
            {"name": "x", "label": "X", "region": "lac", "parameters": {"beta_peer": 99.0}},
            name="sweep point 3",
        )
    (problem,) = info.value.problems
    assert problem.line is None
    assert problem.path == "parameters.beta_peer"
    assert info.value.render().startswith(
        "error: sweep point 3: parameters.beta_peer: 99.0 is outside"
    )


def test_scenario_from_dict_accepts_a_valid_mapping() -> None:
    loaded = scenario_from_dict(
        {
            "name": "x",
            "label": "X",
            "region": "world",
            "policies": [{"type": "labour_regulation", "intensity": 0.0}],
        }
    )
    assert loaded.region.name == "world"
    assert loaded.policies[0].intensity == 0.0


def test_unknown_region_by_name() -> None:
    with pytest.raises(InputError) as info:
        load_region("wrold")
    assert "unknown region 'wrold'; Fix: did you mean 'world'?" in info.value.render()


@pytest.mark.parametrize("name", ["lac", "ldc", "world"])
def test_shipped_regions_load(name: str) -> None:
    region = load_region(name)
    assert region.name == name
    assert region.targets
    assert all(len(t.source) >= 3 for t in region.targets)


def test_did_you_mean_suggests_or_lists() -> None:
    assert did_you_mean("polices", ["policies", "region"]).startswith("did you mean 'policies'?")
    assert did_you_mean("zzz", ["b", "a"]) == "valid: a, b."


def test_did_you_mean_points_to_a_long_list_instead_of_printing_it() -> None:
    names = [f"indicator_{k}" for k in range(300)]
    hint = did_you_mean("indicator_12x", names, listed_in="the table of X.md")
    assert hint == "did you mean 'indicator_12'? Else the names are listed in the table of X.md."
    assert did_you_mean("zzz", names, listed_in="X.md") == "the names are listed in X.md."


def test_key_path_renders_indices() -> None:
    assert (
        key_path(("policies", 0, "eligibility", "quintile", 2))
        == "policies[0].eligibility.quintile[2]"
    )
    assert key_path(()) == ""
