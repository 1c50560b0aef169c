"""Indicators on hand-made populations: group rates, gaps, inequality, intersections."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model import groups
from model import indicators as ind
from model.households import Households, People, Population
from model.indicator_registry import HEADLINE, INDICATORS, MEASURES, is_known
from model.rules import income

T, F = True, False
WEIGHT = 100.0


def population(households: dict[str, Any], persons: dict[str, Any], weight: float = 1.0):
    """Hand-made households and persons: every attribute at its default except those given."""
    n_h = len(next(iter(households.values())))
    n_p = len(next(iter(persons.values())))
    h, p = Households(n_h, weight), People(n_p, weight)
    for table, values in ((h, households), (p, persons)):
        for name, column in values.items():
            getattr(table, name)[:] = column
    p.age_band[:] = groups.age_band_code(p.age)
    return Population(h, p)


def _family() -> Population:
    """Three households, seven persons (numbers worked out by hand in the tests below).

    h0 urban Q1 poor, meaningful plan: a woman of 30 with a disability, a girl of 8, a man of 70.
    h1 rural Q5, no home connection: a man of 20 and a girl of 16, both online on mobile.
    h2 rural Q1 poor, basic plan: a man of 40 and a girl of 6, both offline.
    """
    return population(
        {
            "is_rural": [F, T, T],
            "quintile": [0, 4, 0],
            "size": [3, 2, 2],
            "n_children": [1, 0, 1],
            "income": [300.0, 2000.0, 200.0],
            "connection": [2, 0, 1],
            "is_poor": [T, F, T],
            "gets_transfer": [T, F, F],
            "children_learning": [T, F, F],
        },
        {
            "household": [0, 0, 0, 1, 1, 2, 2],
            "is_female": [T, T, F, F, T, F, T],
            "age": [30, 8, 70, 20, 16, 40, 6],
            "has_disability": [T, F, F, F, F, F, F],
            # the girl of 8 has a high score and a phone: she must not count for measures of 15+
            "skill": [0.5, 0.9, 0.1, 0.3, 0.25, 0.0, 0.0],
            "has_smartphone": [T, T, F, T, T, F, F],
            "is_online": [T, T, F, T, T, F, F],
            "is_employed": [T, F, F, T, F, T, F],
        },
        WEIGHT,
    )


def _indicators(pop: Population) -> dict[str, float]:
    cells = ind.Cells(pop)
    out, _ = ind.indicators(pop, cells, 100.0, ind.IncomeOrder(pop.h.income / pop.h.size))
    return out


# -- inequality -----------------------------------------------------------------------------


def test_gini_of_equal_incomes_is_zero():
    gini, _ = income.inequality(np.full(10, 300.0), np.ones(10))
    assert gini == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 10, 1000])
def test_gini_of_one_has_all_is_one_minus_one_over_n(n):
    values = np.zeros(n)
    values[-1] = 50.0
    gini, _ = income.inequality(values, np.ones(n))
    assert gini == pytest.approx(1 - 1 / n)


def test_gini_hand_computed_and_weights_act_as_repetition():
    # pairs (1, 3): mean absolute difference / (2 * mean) = 0.25
    assert income.inequality(np.array([1.0, 3.0]), np.ones(2))[0] == pytest.approx(0.25)
    # 1, 1, 1, 3: sum |xi - xj| = 12, n^2 = 16, mean 1.5 -> 12 / (2 * 16 * 1.5) = 0.25
    weighted = income.inequality(np.array([3.0, 1.0]), np.array([1.0, 3.0]))[0]
    repeated = income.inequality(np.array([1.0, 1.0, 1.0, 3.0]), np.ones(4))[0]
    assert weighted == pytest.approx(0.25)
    assert repeated == pytest.approx(0.25)


def test_gini_is_scale_invariant_and_zero_income_safe():
    rng = np.random.default_rng(0)
    v, w = rng.lognormal(0, 1, 500), rng.uniform(1, 5, 500)
    assert income.inequality(v, w)[0] == pytest.approx(income.inequality(10 * v, 3 * w)[0])
    assert income.inequality(np.zeros(4), np.ones(4)) == (0.0, 0.0)


def test_palma_hand_made():
    values = np.array([1, 1, 1, 1, 2, 2, 2, 2, 2, 10], dtype=float)
    # richest 10%: 10; poorest 40%: 4
    assert income.inequality(values, np.ones(10))[1] == pytest.approx(2.5)
    # the same population as three weighted entries, in shuffled order
    assert income.inequality(np.array([10.0, 1.0, 2.0]), np.array([1.0, 4.0, 5.0]))[1] == (
        pytest.approx(2.5)
    )
    # equal incomes: 10% / 40%
    assert income.inequality(np.full(10, 7.0), np.ones(10))[1] == pytest.approx(0.25)


def test_income_order_follows_changing_incomes_exactly():
    rng = np.random.default_rng(3)
    values, weights = rng.lognormal(5, 1, 2000), rng.integers(1, 6, 2000).astype(float)
    order = ind.IncomeOrder(values)
    for _ in range(5):
        values = values * rng.lognormal(0, 0.3, values.size)  # reorders many entries
        reference = income.inequality(values, weights)
        assert order.inequality(values, weights) == pytest.approx(reference)


# -- gaps -----------------------------------------------------------------------------------


def test_gaps_from_group_rates():
    rate = {
        "sex=female": 0.45,
        "sex=male": 0.5,
        "location=urban": 0.7,
        "location=rural": 0.35,
        "quintile=1": 0.2,
        "quintile=5": 0.8,
        "age=15-24": 0.9,
        "age=65+": 0.3,
        "disability=without": 0.6,
        "disability=with": 0.4,
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
    zero = rate | {"sex=male": 0.0, "location=rural": 0.0, "quintile=1": 0.0}
    assert ind.gaps(zero, "x")["gps_x"] == 0.0  # an empty denominator: 0, not an error
    assert ind.gaps(zero, "x")["ratio_q5_q1_x"] == 0.0


# -- cells and group rates -------------------------------------------------------------------


def test_cells_count_persons_in_every_group():
    pop = _family()
    cells = ind.Cells(pop)
    people = cells.table(np.zeros(pop.p.n, dtype=np.int32)).sum(axis=1).astype(float)
    count = cells.by_group(people)
    assert set(count) == set(groups.all_groups())
    expect = {
        "all": 7,
        "sex=female": 4,
        "sex=male": 3,
        "age=5-12": 2,
        "age=13-17": 1,
        "age=18-24": 1,
        "age=25-64": 2,
        "age=65+": 1,
        "age=15-24": 2,
        "age=15+": 5,
        "age=0-24": 4,
        "disability=with": 1,
        "location=rural": 4,
        "quintile=1": 5,
        "quintile=5": 2,
        "quintile=3": 0,
    }
    for group, n in expect.items():
        assert count[group] == n, group
    for group in groups.all_groups():  # the masks of the vocabulary agree with the cells
        assert count[group] == groups.person_mask(pop, group).sum(), group


def test_person_rates_count_everyone_or_persons_15_plus():
    out = _indicators(_family())
    assert out["n_people"] == pytest.approx(7 * WEIGHT)
    assert out["n_households"] == pytest.approx(3 * WEIGHT)
    # Internet use: every person (the girls of 6 and 8 count)
    assert out["share_internet_use"] == pytest.approx(4 / 7)
    assert out["n_people_internet_use"] == pytest.approx(4 * WEIGHT)
    assert out["share_internet_use:sex=female"] == pytest.approx(3 / 4)
    assert out["n_people_internet_use:sex=female"] == pytest.approx(3 * WEIGHT)
    assert out["share_internet_use:sex=male"] == pytest.approx(1 / 3)
    assert out["share_internet_use:age=5-12"] == pytest.approx(1 / 2)
    assert out["share_internet_use:location=rural"] == pytest.approx(2 / 4)
    assert out["share_internet_use:quintile=1"] == pytest.approx(2 / 5)
    assert out["share_internet_use:disability=without"] == pytest.approx(3 / 6)
    # skills, work and phones: persons 15+ only (the skilled girl of 8 with a phone does not count)
    assert out["share_basic_skills"] == pytest.approx(3 / 5)
    assert out["n_people_basic_skills"] == pytest.approx(3 * WEIGHT)
    assert out["share_employed"] == pytest.approx(3 / 5)
    assert out["share_smartphone"] == pytest.approx(3 / 5)
    assert out["share_basic_skills:sex=female"] == pytest.approx(2 / 2)


def test_gap_indicators_compare_persons():
    out = _indicators(_family())
    assert out["gps_internet_use"] == pytest.approx((3 / 4) / (1 / 3))
    assert out["ratio_urban_rural_internet_use"] == pytest.approx((2 / 3) / (2 / 4))
    assert out["diff_urban_rural_internet_use"] == pytest.approx(2 / 3 - 2 / 4)
    assert out["ratio_q5_q1_internet_use"] == pytest.approx(1 / (2 / 5))
    assert out["gap_age_internet_use"] == pytest.approx(1.0)  # youth 15-24 all online, 65+ not
    assert out["gap_disability_internet_use"] == pytest.approx(0.5 - 1.0)


def test_meaningful_use_needs_use_a_meaningful_plan_and_a_device():
    pop = population(
        {"connection": [2, 2, 1], "has_computer": [F, T, T]},
        {
            "household": [0, 0, 0, 1, 2],
            "age": [30, 10, 40, 40, 40],
            "is_online": [T, T, T, T, T],
            "has_smartphone": [F, F, T, F, T],
        },
    )
    # no device / a child (family device) / own phone / the household's computer / basic plan
    assert ind.meaningful_use(pop).tolist() == [F, T, T, T, F]
    pop.p.is_online[:] = False
    assert not ind.meaningful_use(pop).any()


def test_household_indicators_on_a_hand_made_population():
    pop = _family()
    out = _indicators(pop)
    assert out["share_households_connected"] == pytest.approx(2 / 3)
    assert out["n_households_connected"] == pytest.approx(2 * WEIGHT)
    assert out["share_households_connected:location=rural"] == pytest.approx(1 / 2)
    assert out["n_households_connected:quintile=1"] == pytest.approx(2 * WEIGHT)
    assert out["share_households_meaningful"] == pytest.approx(1 / 3)
    assert out["share_meaningful"] == pytest.approx(2 / 7)  # the woman and the girl of h0
    assert out["mean_income"] == pytest.approx(2500 / 3)
    assert out["mean_income:location=urban"] == pytest.approx(300)
    assert out["ratio_urban_rural_income"] == pytest.approx(300 / 1100)
    assert out["ratio_q5_q1_income"] == pytest.approx(2000 / 250)
    assert out["share_poor"] == pytest.approx(5 / 7)  # persons in poor households
    assert out["share_working_poor"] == pytest.approx(2 / 3)  # workers in poor households
    assert out["share_transfer"] == pytest.approx(1 / 3)
    assert out["share_children_no_remote_learning"] == pytest.approx(1 / 2)
    assert out["n_children_no_remote_learning"] == pytest.approx(1 * WEIGHT)
    h = pop.h
    gini, palma = income.inequality(h.income / h.size, h.size.astype(float))
    assert out["gini_income"] == pytest.approx(gini) and out["palma_income"] == pytest.approx(palma)
    assert all(np.isfinite(v) for v in out.values())


def test_indicator_names_follow_the_registry():
    out = _indicators(_family())
    unknown = [name for name in out if not is_known(name)]
    assert not unknown, unknown
    for m in MEASURES:
        for base in (f"share_{m.name}", f"n_people_{m.name}"):
            expect = {base, *(f"{base}:{g}" for g in INDICATORS[base].groups())}
            assert expect <= set(out), sorted(expect - set(out))
    assert set(HEADLINE) <= set(out)


# -- intersections -------------------------------------------------------------------------


def _persons(n: int, **fixed: Any) -> dict[str, list]:
    """``n`` persons with the same attributes, each alone in a household (filled in later)."""
    return {k: [v] * n for k, v in fixed.items()}


def _singles(*parts: dict[str, list]) -> Population:
    """One household per person from groups of persons with household and person columns."""
    merged = {k: [v for part in parts for v in part[k]] for k in parts[0]}
    n = len(merged["age"])
    household_keys = {"is_rural", "quintile"}
    households = {k: v for k, v in merged.items() if k in household_keys}
    persons = {k: v for k, v in merged.items() if k not in household_keys}
    persons["household"] = list(range(n))
    return population(households, persons)


def _part(n, female, age, rural, quintile, disability, online):
    out = _persons(
        n, is_female=female, age=age, is_rural=rural, quintile=quintile, has_disability=disability
    )
    out["is_online"] = [True] * online + [False] * (n - online)
    return out


def _worst(pop: Population) -> ind.Worst:
    cells = ind.Cells(pop)
    table = cells.table(ind.person_state(pop))
    online = table[:, 1::2].sum(axis=1)  # bit 0 of the state: Internet use
    return ind.worst_intersection(cells, table.sum(axis=1).astype(float), online)


def test_worst_intersection_hand_made_population():
    pop = _singles(
        _part(40, F, 30, F, 2, F, 40),
        _part(40, T, 70, T, 0, T, 10),  # worst among the large intersections
        _part(40, T, 20, F, 4, F, 30),
        _part(10, F, 40, T, 1, F, 0),  # worse, but fewer than WORST_MIN_PERSONS
        _part(40, F, 2, F, 2, F, 0),  # children under 5 are not Internet users by definition
    )
    worst = _worst(pop)
    assert worst.label == "Women, Aged 65+, Rural, Q1 (poorest fifth), With disability"
    assert worst.share == pytest.approx(0.25)
    assert worst.lag == pytest.approx(80 / 130 - 0.25)


def test_worst_intersection_merges_the_fine_ages_of_a_band():
    # 13-14 and 15-17 are separate cells (ITU youth starts at 15) but one band of the label
    pop = _singles(
        _part(100, F, 30, F, 2, F, 90),
        _part(20, T, 14, T, 0, F, 0),
        _part(20, T, 16, T, 0, F, 5),
    )
    worst = _worst(pop)
    assert worst.label == "Women, Aged 13-17, Rural, Q1 (poorest fifth), Without disability"
    assert worst.share == pytest.approx(5 / 40)


def test_worst_intersection_none_large_enough():
    pop = _singles(_part(20, F, 30, F, 2, F, 5))
    worst = _worst(pop)
    assert worst.label == "none large enough"
    assert worst.share == pytest.approx(0.25)
    assert worst.lag == 0.0


def test_band_cells_round_trip_every_attribute():
    pop = _singles(_part(1, T, 3, F, 3, F, 0), _part(1, F, 70, T, 0, T, 0))
    cells = ind.Cells(pop)
    band = ind.band_cells(cells)[cells.code // ind.N_STATES]
    assert [cells.label(int(b)) for b in band] == [
        "Women, Aged 0-4, Urban, Q4, Without disability",
        "Men, Aged 65+, Rural, Q1 (poorest fifth), With disability",
    ]
    for cell in range(ind.N_BAND_CELLS):
        for group in ind.band_cell_groups(cell):
            assert groups.parse_group(group) is not None


def test_cell_table_adds_up_to_the_indicators():
    pop = _family()
    cells = ind.Cells(pop)
    table = ind.cell_table(pop, cells)
    out = _indicators(pop)
    assert list(table.columns[:6]) == ["sex", "age", "location", "quintile", "disability", "people"]
    assert table["people"].sum() == pytest.approx(out["n_people"])
    for m in MEASURES:
        assert table[f"n_people_{m.name}"].sum() == pytest.approx(out[f"n_people_{m.name}"])
    girl = table[(table["age"] == "5-12") & (table["location"] == "urban")].iloc[0]
    assert (girl["sex"], girl["quintile"], girl["disability"]) == ("female", "1", "without")
    assert girl["people"] == pytest.approx(WEIGHT) and girl["share_internet_use"] == 1.0
    assert np.isnan(girl["share_basic_skills"])  # a measure of persons 15+
    assert girl["n_people_basic_skills"] == 0.0
