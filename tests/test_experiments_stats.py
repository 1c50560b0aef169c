"""Statistics over replications and experimental designs, on hand-made arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.analysis.stats import describe, paired_differences, ratio_of_means, summary_frame
from experiments.batch.runner import design_seed, replication_seed
from experiments.design.designs import Design, Input, analyse, count_points, sample

T_975_3 = 3.182446305284263  # Student's t, 97.5th percentile, 3 degrees of freedom


def test_describe_by_hand() -> None:
    s = describe([1.0, 2.0, 3.0, 4.0])
    sd = math.sqrt(sum((x - 2.5) ** 2 for x in (1, 2, 3, 4)) / 3)
    assert s["n"] == 4
    assert s["mean"] == pytest.approx(2.5)
    assert s["median"] == pytest.approx(2.5)
    assert s["sd"] == pytest.approx(sd)
    # linear interpolation between order statistics: 1 + 0.05 * 3 and 1 + 0.95 * 3
    assert s["p5"] == pytest.approx(1.15)
    assert s["p95"] == pytest.approx(3.85)
    half = T_975_3 * sd / 2
    assert s["ci_low"] == pytest.approx(2.5 - half)
    assert s["ci_high"] == pytest.approx(2.5 + half)


def test_describe_keeps_trailing_axes_and_skips_nan() -> None:
    x = np.array([[1.0, 10.0], [3.0, np.nan], [5.0, 30.0]])
    s = describe(x)
    assert s["n"].tolist() == [3, 2]
    assert s["mean"].tolist() == pytest.approx([3.0, 20.0])
    assert s["median"].tolist() == pytest.approx([3.0, 20.0])


def test_one_value_has_no_interval() -> None:
    s = describe([0.7])
    assert s["mean"] == pytest.approx(0.7)
    assert math.isnan(s["ci_low"]) and math.isnan(s["ci_high"]) and math.isnan(s["sd"])


def test_all_missing_is_nan_not_an_error() -> None:
    s = describe(np.full((3, 2), np.nan))
    assert s["n"].tolist() == [0, 0]
    assert np.isnan(s["mean"]).all()


def test_paired_differences_use_pairs_not_two_samples() -> None:
    base = np.array([0.50, 0.60, 0.70, 0.80])
    other = base + np.array([0.010, 0.012, 0.011, 0.013])
    d = paired_differences(other, base)
    assert d["mean"] == pytest.approx(0.0115)
    # the spread of the pairs' differences, not of the scenarios, sets the interval
    sd = np.std([0.010, 0.012, 0.011, 0.013], ddof=1)
    assert d["ci_high"] - d["ci_low"] == pytest.approx(2 * T_975_3 * sd / 2)
    assert d["ci_low"] > 0
    unpaired = describe(other)["ci_high"] - describe(other)["ci_low"]
    assert d["ci_high"] - d["ci_low"] < unpaired / 10


def test_paired_differences_drop_incomplete_pairs() -> None:
    d = paired_differences(np.array([2.0, np.nan, 5.0]), np.array([1.0, 1.0, np.nan]))
    assert d["n"] == 1 and d["mean"] == pytest.approx(1.0)


def test_paired_differences_need_equal_shapes() -> None:
    with pytest.raises(ValueError, match="same shape"):
        paired_differences(np.zeros(3), np.zeros(4))


def test_summary_frame_is_long() -> None:
    cube = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    frame = summary_frame(cube, ["2020Q1", "2020Q2", "2020Q3"], ["a", "b"])
    assert len(frame) == 6
    row = frame[(frame["quarter"] == "2020Q2") & (frame["indicator"] == "b")].iloc[0]
    assert row["mean"] == pytest.approx((3 + 9) / 2)
    assert row["n"] == 2


def test_ratio_of_means() -> None:
    assert ratio_of_means([100.0, 300.0], [1.0, 3.0]) == pytest.approx(100.0)
    assert math.isnan(ratio_of_means([100.0], [0.0]))
    assert ratio_of_means([100.0, np.nan], [2.0, 5.0]) == pytest.approx(50.0)


def test_replication_seeds_are_spawned_children() -> None:
    children = np.random.SeedSequence(42).spawn(3)
    for k, child in enumerate(children):
        expected = int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        assert replication_seed(42, k) == expected
    seeds = [replication_seed(42, k) for k in range(100)]
    assert len(set(seeds)) == 100 and all(0 <= s < 2**63 for s in seeds)
    assert replication_seed(43, 0) != replication_seed(42, 0)
    assert design_seed(42) == design_seed(42) != design_seed(43)


RANGES = [
    Input("parameters.a", "uncertainty", 0.0, 1.0),
    Input("parameters.b", "uncertainty", 2.0, 4.0),
    Input("parameters.c", "uncertainty", -1.0, 1.0),
]


def test_full_factorial() -> None:
    inputs = [
        Input("policies.x.intensity", "lever", 0.0, 1.0),
        Input("policies.x.flag", "lever", values=(False, True)),
    ]
    design = Design("full_factorial", levels=3)
    frame = sample(design, inputs, 0)
    assert count_points(design, inputs) == len(frame) == 6
    assert sorted(frame["policies.x.intensity"].unique()) == [0.0, 0.5, 1.0]
    assert frame.drop_duplicates().shape[0] == 6
    assert len(sample(design, [], 0)) == 1


@pytest.mark.parametrize(
    ("design", "rows"),
    [
        (Design("latin_hypercube", samples=10), 10),
        (Design("sobol", samples=8), 8 * (3 + 2)),
        (Design("sobol", samples=8, second_order=True), 8 * (2 * 3 + 2)),
        (Design("morris", levels=4, trajectories=5), 5 * (3 + 1)),
    ],
)
def test_sampled_designs_are_deterministic_and_in_range(design: Design, rows: int) -> None:
    a = sample(design, RANGES, 123)
    assert len(a) == rows == count_points(design, RANGES)
    assert a.equals(sample(design, RANGES, 123))
    assert not a.equals(sample(design, RANGES, 124))
    for inp in RANGES:
        assert a[inp.address].between(inp.low, inp.high).all()


def test_sampled_designs_refuse_lists() -> None:
    with pytest.raises(ValueError, match="range for every input"):
        sample(Design("sobol", samples=8), [Input("policies.x.flag", "lever", values=(1, 2))], 0)


def test_sobol_finds_the_input_that_matters() -> None:
    design = Design("sobol", samples=256)
    x = sample(design, RANGES, 5)
    y = 10 * x["parameters.a"] + 0.1 * x["parameters.b"]
    res = analyse(design, RANGES, x, y.to_numpy(), 5).set_index("input")
    assert res.loc["parameters.a", "ST"] > 0.9
    assert res.loc["parameters.c", "ST"] < 0.05


def test_morris_ranks_inputs() -> None:
    design = Design("morris", levels=4, trajectories=20)
    x = sample(design, RANGES, 5)
    y = 10 * x["parameters.a"] + 0.1 * x["parameters.b"]
    res = analyse(design, RANGES, x, y.to_numpy(), 5).set_index("input")
    assert res["mu_star"].idxmax() == "parameters.a"
    assert res.loc["parameters.c", "mu_star"] == pytest.approx(0.0)


def test_analysis_refuses_missing_points() -> None:
    design = Design("morris", levels=4, trajectories=2)
    x = sample(design, RANGES, 5)
    y = np.ones(len(x))
    y[3] = np.nan
    with pytest.raises(ValueError, match="1 design points have no value"):
        analyse(design, RANGES, x, y, 5)


def test_grid_values_stay_inside_their_range() -> None:
    # 0.3 + 3 * 0.2 is 0.9000000000000001 in floating point; the scenario would reject it
    inputs = [
        Input("parameters.p_training_uptake", "uncertainty", 0.3, 0.9),
        Input("parameters.jobs_per_hour_lost", "uncertainty", 0.3, 0.9),
    ]
    for design in (Design("morris", levels=4, trajectories=10), Design("full_factorial", levels=4)):
        x = sample(design, inputs, 1)
        for inp in inputs:
            assert x[inp.address].max() <= 0.9 and x[inp.address].min() >= 0.3
            assert set(x[inp.address].round(12)) <= {0.3, 0.5, 0.7, 0.9}
