"""The Python API (``inclusim``): runs, validation with the YAML's messages, comparisons."""

from __future__ import annotations

from pathlib import Path

import pytest

import inclusim
from inclusim.scenarios import shipped_names
from model.errors import InputError
from model.inclusion_model import InclusionModel
from model.loader import LoadedScenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
LAC = ROOT / "scenarios" / "lac"


def yaml_message(tmp_path: Path, source: Path, old: str, new: str) -> str:
    """The loader's message for ``source`` with ``old`` replaced by ``new`` (its own file)."""
    text = source.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / source.name
    bad.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    return caught.value.problems[0].message


def test_a_shipped_name_and_its_file_give_the_same_run():
    a = inclusim.Sim("lac/baseline", households=300, seed=3).run(3)
    b = inclusim.Sim(LAC / "baseline.yaml", households=300, seed=3).run(3)
    assert a.timeseries.equals(b.timeseries)
    assert "lac/baseline" in shipped_names()


def test_to_df_is_tidy_with_labels_and_units():
    sim = inclusim.Sim("lac/baseline", households=300, seed=1).run(2)
    df = sim.to_df()
    assert list(df.columns) == [
        "scenario",
        "seed",
        "quarter",
        "indicator",
        "value",
        "label",
        "unit",
    ]
    assert len(df) == sim.timeseries.size
    row = df[df["indicator"] == "share_internet_use"].iloc[0]
    assert row["unit"] and row["label"] != row["indicator"]


def test_reading_before_running_says_what_to_do():
    with pytest.raises(RuntimeError, match="run"):
        inclusim.Sim("lac/baseline", households=300).timeseries  # noqa: B018


def test_a_parameter_changes_the_run():
    base = inclusim.Sim("lac/baseline", households=400, seed=2).run(8)
    other = inclusim.Sim("lac/baseline", households=400, seed=2, pars={"beta_peer": 5.0}).run(8)
    assert not base.timeseries["share_internet_use"].equals(other.timeseries["share_internet_use"])


def test_an_unknown_parameter_gets_the_yaml_message(tmp_path: Path):
    with pytest.raises(InputError) as caught:
        inclusim.Sim("lac/baseline", pars={"bad": 1})
    expected = yaml_message(
        tmp_path, LAC / "baseline.yaml", "region: lac\n", "region: lac\nparameters:\n  bad: 1\n"
    )
    assert caught.value.problems[0].message == expected
    assert caught.value.problems[0].path == "parameters.bad"


def test_an_out_of_range_policy_value_gets_the_yaml_message(tmp_path: Path):
    with pytest.raises(InputError) as caught:
        inclusim.Sim("lac/affordability", overrides={"policies.affordability.service_subsidy": 5.0})
    text = (LAC / "affordability.yaml").read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if "service_subsidy:" in line)
    expected = yaml_message(tmp_path, LAC / "affordability.yaml", old, old.split(":")[0] + ": 5.0")
    assert caught.value.problems[0].message == expected


def test_an_address_that_names_nothing_is_refused_with_a_suggestion():
    with pytest.raises(InputError, match="did you mean 'beta_peer'"):
        inclusim.Sim("lac/baseline", overrides={"beta_per": 1.0})


def test_an_unknown_scenario_name_is_refused_with_a_suggestion():
    with pytest.raises(InputError, match="lac/baseline"):
        inclusim.Sim("lac/baselin")


@pytest.mark.parametrize("kw", [{"households": 0}, {"households": 2.5}, {"seed": -1}])
def test_bad_sizes_and_seeds_are_refused(kw):
    with pytest.raises(InputError):
        inclusim.Sim("lac/baseline", **kw)


def test_a_copy_changed_in_code_meets_the_yaml_checks():
    loaded = load_scenario(LAC / "affordability.yaml")
    bad = loaded.policies[0].model_copy(update={"service_subsidy": 5.0})
    changed = LoadedScenario(loaded.scenario, loaded.region, (bad,), loaded.path, loaded.text)
    with pytest.raises(InputError, match=r"at most 1\.0"):
        InclusionModel(changed, seed=0, households=200)


@pytest.mark.slow
def test_compare_returns_tables_in_memory_and_writes_a_report(tmp_path: Path):
    res = inclusim.compare(
        ["lac/baseline", "lac/affordability"],
        replications=2,
        households=400,
        workers=1,
        out=tmp_path / "cmp",
    )
    assert res.kind == "compare" and res.names == ["lac_baseline", "lac_affordability"]
    assert set(res.table["scenario"]) == set(res.names)
    spend = res.cost.set_index("scenario")["spend_mean"]
    assert spend["lac_affordability"] > 0 == spend["lac_baseline"]
    again = inclusim.load_results(tmp_path / "cmp")
    assert again.table.equals(res.table)
    page = res.report(tmp_path / "copy")
    assert page == tmp_path / "copy" / "report.html" and page.read_text().startswith("<!DOCTYPE")
