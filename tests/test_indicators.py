"""Indicators on hand-made households: rates by group, gaps, inequality, the worst-off group."""

from __future__ import annotations

import numpy as np
import pytest

from model import indicators as ind
from tests.simhelpers import households

T, F = True, False


def test_gini_of_equal_incomes_is_zero():
    gini, _ = ind.inequality(np.full(10, 300.0), np.ones(10))
    assert gini == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 10, 1000])
def test_gini_of_one_has_all_is_one_minus_one_over_n(n):
    values = np.zeros(n)
    values[-1] = 50.0
    gini, _ = ind.inequality(values, np.ones(n))
    assert gini == pytest.approx(1 - 1 / n)


def test_gini_hand_computed_and_weights_act_as_repetition():
    # pairs (1, 3): mean absolute difference / (2 * mean) = 0.25
    assert ind.inequality(np.array([1.0, 3.0]), np.ones(2))[0] == pytest.approx(0.25)
    # 1, 1, 1, 3: sum |xi - xj| = 12, n^2 = 16, mean 1.5 -> 12 / (2 * 16 * 1.5) = 0.25
    weighted = ind.inequality(np.array([3.0, 1.0]), np.array([1.0, 3.0]))[0]
    repeated = ind.inequality(np.array([1.0, 1.0, 1.0, 3.0]), np.ones(4))[0]
    assert weighted == pytest.approx(0.25)
    assert repeated == pytest.approx(0.25)


def test_gini_is_scale_invariant_and_zero_income_safe():
    rng = np.random.default_rng(0)
    v, w = rng.lognormal(0, 1, 500), rng.uniform(1, 5, 500)
    assert ind.inequality(v, w)[0] == pytest.approx(ind.inequality(10 * v, 3 * w)[0])
    assert ind.inequality(np.zeros(4), np.ones(4)) == (0.0, 0.0)


def test_palma_hand_made():
    values = np.array([1, 1, 1, 1, 2, 2, 2, 2, 2, 10], dtype=float)
    # richest 10%: 10; poorest 40%: 4
    assert ind.inequality(values, np.ones(10))[1] == pytest.approx(2.5)
    # the same population as three weighted entries, in shuffled order
    assert ind.inequality(np.array([10.0, 1.0, 2.0]), np.array([1.0, 4.0, 5.0]))[1] == (
        pytest.approx(2.5)
    )
    # equal incomes: 10% / 40%
    assert ind.inequality(np.full(10, 7.0), np.ones(10))[1] == pytest.approx(0.25)


def _mixed():
    return households(
        6,
        is_female=[F, F, T, T, T, F],
        is_rural=[F, T, F, T, T, F],
        quintile=[0, 0, 4, 4, 2, 1],
        age_group=[0, 1, 2, 1, 0, 2],
        has_disability=[F, F, T, F, F, T],
        weight=[1.0, 2.0, 3.0, 1.0, 1.0, 2.0],
    )


def test_rates_by_group_weighted_means():
    h = _mixed()
    values = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    rate = ind.rates_by_group(values, h.weight, ind.Cells(h))
    assert rate["all"] == pytest.approx((1 + 3 + 1) / 10)
    assert rate["female"] == pytest.approx((3 + 1) / 5)
    assert rate["male"] == pytest.approx(1 / 5)
    assert rate["rural"] == pytest.approx(1 / 4)
    assert rate["urban"] == pytest.approx(4 / 6)
    assert rate["q1"] == pytest.approx(1 / 3)
    assert rate["q5"] == pytest.approx(1.0)
    assert rate["q4"] == 0.0  # empty group: 0, not a division error
    assert rate["youth"] == pytest.approx(1 / 2)
    assert rate["older"] == pytest.approx(3 / 5)
    assert rate["disability"] == pytest.approx(3 / 5)
    assert rate["no_disability"] == pytest.approx(2 / 5)
    names = {"all", *(g for groups in ind.GROUPS.values() for g in groups)}
    assert set(rate) == names


def test_rates_by_group_with_given_denominators():
    h = _mixed()
    cells = ind.Cells(h)
    values = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    den = {g: 2 * v for g, v in cells.totals(h.weight).items()}
    rate = ind.rates_by_group(values, h.weight, cells, den)
    assert rate["all"] == pytest.approx(0.25)


def test_gaps_from_group_rates():
    rate = {
        "female": 0.45,
        "male": 0.5,
        "urban": 0.7,
        "rural": 0.35,
        "q1": 0.2,
        "q5": 0.8,
        "youth": 0.9,
        "older": 0.3,
        "no_disability": 0.6,
        "disability": 0.4,
    }
    got = ind.gaps(rate, "x")
    assert got == pytest.approx(
        {
            "gps_x": 0.9,
            "ratio_urban_rural_x": 2.0,
            "diff_urban_rural_x": 0.35,
            "ratio_q5_q1_x": 4.0,
            "gap_age_x": 0.6,
            "gap_disability_x": 0.2,
        }
    )
    assert ind.gaps(rate | {"male": 0.0, "rural": 0.0, "q1": 0.0}, "x")["gps_x"] == 0.0


def _cell(n, female, rural, quintile, age, disability, online):
    return {
        "is_female": [female] * n,
        "is_rural": [rural] * n,
        "quintile": [quintile] * n,
        "age_group": [age] * n,
        "has_disability": [disability] * n,
        "connection": [1] * online + [0] * (n - online),
    }


def test_worst_intersection_hand_made_population():
    parts = [
        _cell(40, F, F, 0, 1, F, 40),
        _cell(40, T, T, 0, 2, T, 10),  # worst among the large cells
        _cell(40, T, F, 4, 0, F, 30),
        _cell(10, F, T, 2, 1, F, 0),  # worse, but under WORST_MIN_HOUSEHOLDS
    ]
    arrays = {k: [v for p in parts for v in p[k]] for k in parts[0]}
    h = households(130, **arrays)
    worst = ind.worst_intersection(ind.Cells(h), h.weight, h.is_online)
    assert worst.label == "female, rural, q1, older, disability"
    assert worst.share == pytest.approx(0.25)
    assert worst.lag == pytest.approx(80 / 130 - 0.25)


def test_worst_intersection_none_large_enough():
    h = households(20, connection=[1] * 5 + [0] * 15)
    worst = ind.worst_intersection(ind.Cells(h), h.weight, h.is_online)
    assert worst.label == "none large enough"
    assert worst.share == pytest.approx(0.25)
    assert worst.lag == 0.0


def test_cells_label_round_trips_every_attribute():
    h = households(1, is_female=[T], is_rural=[F], quintile=[3], age_group=[0], has_disability=[F])
    cells = ind.Cells(h)
    assert cells.label(int(cells.cell[0])) == "female, urban, q4, youth, no_disability"


def test_household_indicators_on_a_hand_made_population():
    h = households(
        4,
        weight=[10.0, 10.0, 20.0, 20.0],
        n_adults=[3, 1, 2, 2],
        n_children=[1, 0, 2, 0],
        is_female=[F, T, T, F],
        is_rural=[F, F, T, T],
        quintile=[4, 0, 1, 3],
        connection=[2, 0, 1, 0],
        skill=[0.5, 0.1, 0.25, 0.0],
        income=[1000.0, 100.0, 300.0, 500.0],
        is_poor=[F, T, T, F],
        gets_transfer=[F, T, F, F],
        children_learning=[T, F, F, F],
    )
    employed = np.array([T, F, T, F])
    out, worst = ind.household_indicators(h, ind.Cells(h), employed, 250.0)
    people = 10 * 3 + 10 * 1 + 20 * 2 + 20 * 2  # weight x adults = 120
    assert out["share_internet_use"] == pytest.approx((30 + 40) / people)
    assert out["n_people_internet_use"] == pytest.approx(70)
    assert out["n_households_internet_use"] == pytest.approx(30)
    assert out["share_meaningful"] == pytest.approx(30 / people)
    assert out["share_basic_skills"] == pytest.approx(70 / people)  # skill >= 0.2
    assert out["share_employed"] == pytest.approx(70 / people)
    assert out["share_internet_use:female"] == pytest.approx(40 / 50)
    assert out["share_internet_use:male"] == pytest.approx(30 / 70)
    assert out["gps_internet_use"] == pytest.approx((40 / 50) / (30 / 70))
    assert out["share_internet_use:rural"] == pytest.approx(40 / 80)
    assert out["ratio_urban_rural_internet_use"] == pytest.approx((30 / 40) / (40 / 80))
    assert out["mean_income"] == pytest.approx((10000 + 1000 + 6000 + 10000) / 60)
    assert out["share_poor"] == pytest.approx(30 / 60)
    assert out["share_working_poor"] == pytest.approx(20 / 30)
    assert out["share_transfer"] == pytest.approx(10 / 60)
    kids = 10 * 1 + 20 * 2
    assert out["share_children_no_remote_learning"] == pytest.approx(40 / kids)
    assert out["n_children_no_remote_learning"] == pytest.approx(40)
    assert out["worst_share_internet_use"] == worst.share
    gini, palma = ind.inequality(
        h.income / (h.n_adults + h.n_children), h.weight * (h.n_adults + h.n_children)
    )
    assert out["gini_income"] == gini and out["palma_income"] == palma
    assert all(np.isfinite(v) for v in out.values())


def test_indicator_names_follow_the_scheme():
    h = households(3, connection=[0, 1, 2], income=[1.0, 2.0, 3.0])
    out, _ = ind.household_indicators(h, ind.Cells(h), np.zeros(3, bool), 1.5)
    for measure in ind.MEASURES:
        assert f"share_{measure}" in out and f"n_households_{measure}" in out
        for groups in ind.GROUPS.values():
            for g in groups:
                assert f"share_{measure}:{g}" in out and f"n_people_{measure}:{g}" in out
    for name in ind.HEADLINE:
        assert name in out
    prefixes = (
        "share_",
        "n_people_",
        "n_households_",
        "n_children_",
        "gps_",
        "ratio_",
        "diff_",
        "gap_",
        "mean_income",
        "gini_",
        "palma_",
        "worst_",
        "lag_",
    )
    assert all(k.startswith(prefixes) for k in out), [k for k in out if not k.startswith(prefixes)]
