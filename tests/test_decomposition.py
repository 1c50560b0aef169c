"""The decomposition of change by mechanism: the Shapley arithmetic and the switches."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from model.decomposition import MECHANISMS, OUTCOMES, REST, decompose, shapley
from model.inclusion_model import InclusionModel
from model.loader import load_scenario
from model.params import defaults
from tests.simhelpers import SCENARIOS


def game(weights: dict[str, float], pair: tuple[str, str], bonus: float):
    """Additive game plus a bonus when both players of ``pair`` are in."""
    names = list(weights)
    return {
        frozenset(s): np.array([sum(weights[x] for x in s) + bonus * set(pair).issubset(s)])
        for k in range(len(names) + 1)
        for s in combinations(names, k)
    }


def test_shapley_gives_each_its_own_part_and_splits_an_interaction_evenly():
    weights = {"a": 1.0, "b": 2.0, "c": -0.5}
    got = shapley(game(weights, ("a", "b"), 0.6), list(weights))
    assert got["a"][0] == pytest.approx(1.3)
    assert got["b"][0] == pytest.approx(2.3)
    assert got["c"][0] == pytest.approx(-0.5)


def test_every_mechanism_switch_is_a_parameter_of_the_model():
    known = defaults()
    for pars in MECHANISMS.values():
        assert pars and all(p in known for p in pars)


def test_switching_mechanisms_off_leaves_2019_as_it_was():
    """The switches act through changes since 2019, so every subset starts from one state."""
    loaded = load_scenario(SCENARIOS / "world" / "baseline.yaml")
    starts = []
    for off in (False, True):
        model = InclusionModel(loaded, seed=1, households=800)
        if off:
            for pars in MECHANISMS.values():
                model.pars.update(dict.fromkeys(pars, 0.0))
        model.run(1)
        starts.append(model.result().timeseries.iloc[0])
    assert starts[0].equals(starts[1])


@pytest.fixture(scope="module")
def world():
    return decompose(load_scenario(SCENARIOS / "world" / "baseline.yaml"), 1, 800)


@pytest.mark.slow
def test_contributions_and_the_rest_add_up_to_the_change(world):
    parts = world.drop(index="total").sum()
    np.testing.assert_allclose(parts.to_numpy(), world.loc["total"].to_numpy(), atol=1e-12)
    assert list(world.columns) == list(OUTCOMES)
    assert list(world.index) == [*MECHANISMS, REST, "total"]


@pytest.mark.slow
def test_every_mechanism_but_skills_adds_to_growth_online_and_skills_barely_move_it(world):
    # Skills grow slowly with use (IDB: about 30% of LAC adults with basic skills around
    # 2020-22, as in 2019) and fade without it, so the skills gained since 2019 are about
    # zero on average: their pull neither carries growth nor holds much of it back.
    growth = world[OUTCOMES[0]]
    assert growth["total"] > 0.05
    for mechanism in MECHANISMS:
        if mechanism != "skills":
            assert growth[mechanism] > 0, mechanism
    assert abs(growth["skills"]) < 0.1 * growth["total"], growth["skills"]


@pytest.mark.slow
def test_calibrate_decompose_prints_each_baselines_table(tmp_path, capsys):
    from experiments.cli import main

    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n  - {scenario: ldc/baseline.yaml, indicator: share_internet_use, "
        "year: 2024, target: 0.35, tolerance: 0.04, source: test}\n"
    )
    code = main(
        [
            "calibrate",
            "--decompose",
            "--seeds",
            "1",
            "--households",
            "300",
            "--targets",
            str(targets),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "ldc/baseline.yaml" in out and "world/baseline.yaml" not in out
    header = next(line for line in out.splitlines() if line.startswith("change of"))
    assert header.split()[2:] == [*MECHANISMS, REST, "total"]
    assert "Share of people using the Internet" in out
    assert "share of the growth online" in out


@pytest.mark.slow
def test_calibrate_decompose_region_prints_that_regions_baseline(capsys):
    from experiments.cli import main

    code = main(
        ["calibrate", "--decompose", "--region", "africa", "--seeds", "1", "--households", "300"]
    )
    out = capsys.readouterr().out
    assert code == 0
    tables = [line for line in out.splitlines() if line.endswith("baseline.yaml")]
    assert [Path(t).parts[-2:] for t in tables] == [("africa", "baseline.yaml")]
    header = next(line for line in out.splitlines() if line.startswith("change of"))
    assert header.split()[2:] == [*MECHANISMS, REST, "total"]
