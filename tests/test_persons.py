"""Persons in households: who lives with whom, indicators counted over persons, eligibility
of persons and households, and bit-identical runs (time series and cell tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from model.errors import InputError
from model.indicators import Cells, IncomeOrder, indicators
from model.loader import scenario_from_dict
from model.policies.base import Eligibility
from model.run import simulate
from tests.simhelpers import (
    first_members,
    hand_population,
    loaded,
    make_policy,
    population,
    scenario_data,
)

REGIONS = ("lac", "ldc", "world")


# --- who lives with whom ------------------------------------------------------------------


@pytest.mark.parametrize("name", REGIONS)
def test_women_and_men_live_in_households_whose_first_member_is_of_the_other_sex(name) -> None:
    """The first member stands where the household head stood; everyone else keeps their
    own sex, so many women live in households whose first member is a man and vice versa."""
    pop = population(20_000, seed=2, region=name)
    p = pop.p
    first_is_female = p.is_female[first_members(pop)][p.household]
    women_with_a_man_first = np.count_nonzero(p.is_female & ~first_is_female)
    men_with_a_woman_first = np.count_nonzero(~p.is_female & first_is_female)
    assert women_with_a_man_first > 0.2 * np.count_nonzero(p.is_female)
    assert men_with_a_woman_first > 0.2 * np.count_nonzero(~p.is_female)
    mixed = pop.p.household_sum(p.is_female, pop.h.n)
    assert np.count_nonzero((mixed > 0) & (mixed < pop.h.size)) > 0.3 * pop.h.n


def _indicators(pop) -> dict[str, float]:
    h = pop.h
    values, _ = indicators(pop, Cells(pop), 100.0, IncomeOrder(h.income / h.size))
    return values


@pytest.mark.parametrize("man_first", [True, False], ids=["man first", "woman first"])
def test_sex_split_of_internet_use_is_over_persons(man_first: bool) -> None:
    """One connected household: an online man and an offline woman. Counted over persons,
    women use the Internet less than men whichever of them is the first member."""
    is_female = [False, True] if man_first else [True, False]
    pop = hand_population(
        [2],
        weight=10.0,
        households={"connection": 1, "has_coverage": True, "income": 1_000.0},
        people={"is_female": is_female, "age": [40, 38], "is_online": np.logical_not(is_female)},
    )
    got = _indicators(pop)
    assert got["share_internet_use:sex=female"] == 0.0
    assert got["share_internet_use:sex=male"] == 1.0
    assert got["share_internet_use:sex=female"] < got["share_internet_use:sex=male"]
    assert got["gps_internet_use"] == 0.0
    assert got["share_internet_use"] == 0.5
    assert got["n_people_internet_use:sex=male"] == 10.0
    assert got["n_people_internet_use:sex=female"] == 0.0
    assert got["share_households_connected"] == 1.0
    assert got["n_people"] == 20.0 and got["n_households"] == 10.0


def test_people_counts_count_every_member() -> None:
    """Two households of three and one: four persons, each counted with the weight."""
    pop = hand_population(
        [3, 1],
        weight=5.0,
        households={"connection": [1, 0], "has_coverage": True, "income": 900.0},
        people={
            "age": [35, 70, 8, 20],
            "is_female": [True, False, True, False],
            "is_online": [True, False, True, True],
            "is_employed": [True, False, False, False],
            "job": [1, 0, 0, 0],
        },
    )
    got = _indicators(pop)
    assert got["n_people"] == 20.0
    assert got["n_people_internet_use"] == 15.0
    assert got["share_internet_use:age=65+"] == 0.0
    assert got["share_internet_use:age=5-12"] == 1.0
    # employment is a share of persons 15+: one of three
    assert got["share_employed"] == pytest.approx(1 / 3)
    assert got["n_people_employed"] == 5.0
    assert got["share_households_connected"] == 0.5


# --- eligibility -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pop():
    return population(2000, seed=1)


def _members_in(pop, persons: np.ndarray) -> np.ndarray:
    return np.bincount(pop.p.household, weights=persons, minlength=pop.h.n) > 0


def _restricts(mask: np.ndarray) -> None:
    assert mask.any() and not mask.all()


def test_sex_selects_women_and_households_with_a_woman(pop) -> None:
    rule = Eligibility(sex=["female"])
    persons = rule.person_mask(pop)
    np.testing.assert_array_equal(persons, pop.p.is_female)
    households = rule.household_mask(pop)
    np.testing.assert_array_equal(households, _members_in(pop, pop.p.is_female))
    _restricts(persons)
    _restricts(households)  # some households have no woman
    assert Eligibility(sex=["male", "female"]).person_mask(pop).all()


PERSON_RULES = [
    ("quintile", {"quintile": [1, 2]}, lambda h, p: (h.quintile <= 1)[p.household]),
    (
        "quintile 2 and 5",
        {"quintile": [2, 5]},
        lambda h, p: np.isin(h.quintile[p.household], [1, 4]),
    ),
    ("location", {"location": ["rural"]}, lambda h, p: h.is_rural[p.household]),
    ("age 65+", {"age": ["65+"]}, lambda h, p: p.age >= 65),
    ("age 15-24", {"age": ["15-24"]}, lambda h, p: (p.age >= 15) & (p.age <= 24)),
    ("two ages", {"age": ["0-4", "65+"]}, lambda h, p: (p.age < 5) | (p.age >= 65)),
    ("disability", {"disability": ["with"]}, lambda h, p: p.has_disability),
    ("no disability", {"disability": ["without"]}, lambda h, p: ~p.has_disability),
    ("offline in 2019", {"offline_in_2019": True}, lambda h, p: ~h.was_online_2019[p.household]),
    ("online in 2019", {"offline_in_2019": False}, lambda h, p: h.was_online_2019[p.household]),
    (
        "rural women of Q1",
        {"quintile": [1], "location": ["rural"], "sex": ["female"]},
        lambda h, p: ((h.quintile == 0) & h.is_rural)[p.household] & p.is_female,
    ),
]


@pytest.mark.parametrize(
    ("rule", "expected"), [pytest.param(r, e, id=i) for i, r, e in PERSON_RULES]
)
def test_each_condition_restricts_persons_and_households(pop, rule, expected) -> None:
    eligibility = Eligibility.model_validate(rule)
    want = expected(pop.h, pop.p)
    persons = eligibility.person_mask(pop)
    np.testing.assert_array_equal(persons, want)
    _restricts(persons)
    households = eligibility.household_mask(pop)
    np.testing.assert_array_equal(households, _members_in(pop, want))
    _restricts(households)


def test_household_conditions_apply_to_every_member(pop) -> None:
    rule = Eligibility(quintile=[1], location=["urban"])
    households = rule.household_mask(pop)
    np.testing.assert_array_equal(households, (pop.h.quintile == 0) & ~pop.h.is_rural)
    np.testing.assert_array_equal(rule.person_mask(pop), households[pop.p.household])


def test_no_condition_is_everyone(pop) -> None:
    assert Eligibility().person_mask(pop).all()
    assert Eligibility().household_mask(pop).all()


def test_person_level_policies_reach_persons_and_household_level_ones_households(pop) -> None:
    training = make_policy(pop, type="skills_training", eligibility={"sex": ["female"]})
    subsidy = make_policy(pop, type="affordability", eligibility={"sex": ["female"]})
    assert training.level == "person" and subsidy.level == "household"
    np.testing.assert_array_equal(training.eligible(pop), pop.p.is_female)
    np.testing.assert_array_equal(subsidy.eligible(pop), _members_in(pop, pop.p.is_female))
    assert training.reached.shape == (pop.p.n,)
    assert subsidy.reached.shape == (pop.h.n,)


@pytest.mark.parametrize("value", ["older", "65", "youth", "15-64", "adult"])
def test_unknown_age_values_are_refused_with_the_valid_ones(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        Eligibility.model_validate({"age": ["65+", value]})
    text = str(info.value)
    assert f"unknown value '{value}' for age" in text
    assert "use one of 0-4, 5-12, 13-17, 18-24, 25-64, 65+, 15-24, 15+, 0-24" in text


def _refusal(eligibility: dict) -> str:
    data = scenario_data("lac/baseline.yaml")
    data["policies"] = [{"type": "affordability", "eligibility": eligibility}]
    with pytest.raises(InputError) as info:
        scenario_from_dict(data)
    return info.value.render()


def test_a_scenario_with_an_unknown_age_says_which_values_are_valid() -> None:
    text = _refusal({"age": ["older"]})
    assert "policies[0].eligibility.age: unknown value 'older' for age." in text
    valid = "0-4, 5-12, 13-17, 18-24, 25-64, 65+, 15-24, 15+, 0-24, not-15-24"
    assert f"Fix: use one of {valid}." in text


@pytest.mark.parametrize(
    ("old", "message"),
    [
        ({"quintiles": [1, 2]}, "unknown key 'quintiles'; Fix: did you mean 'quintile'?"),
        ({"disability": True}, "policies[0].eligibility.disability: True has the wrong type"),
        ({"sex": ["women"]}, "policies[0].eligibility.sex[0]"),
        ({"location": ["rual"]}, "policies[0].eligibility.location[0]"),
    ],
)
def test_old_and_misspelt_eligibility_keys_are_refused(old: dict, message: str) -> None:
    assert message in _refusal(old)


# --- determinism -------------------------------------------------------------------------------


def _run(seed: int):
    return simulate(loaded(scenario_data("lac/four_is.yaml")), seed, households=1_500, quarters=8)


def test_same_scenario_and_seed_give_bit_identical_time_series_and_cell_tables() -> None:
    a, b = _run(7), _run(7)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    assert a.cells is not None and b.cells is not None
    pd.testing.assert_frame_equal(a.cells, b.cells, check_exact=True)
    c = _run(8)
    assert not a.timeseries.equals(c.timeseries)
    assert not a.cells.equals(c.cells)


def test_cell_table_adds_up_to_the_final_quarter() -> None:
    result = _run(7)
    cells, last = result.cells, result.timeseries.iloc[-1]
    assert list(cells.columns[:5]) == ["sex", "age", "location", "quintile", "disability"]
    assert cells["people"].sum() == pytest.approx(last["n_people"], rel=1e-9)
    for measure in ("internet_use", "meaningful", "basic_skills", "employed", "smartphone"):
        assert cells[f"n_people_{measure}"].sum() == pytest.approx(
            last[f"n_people_{measure}"], rel=1e-9
        ), measure
    women = cells[cells["sex"] == "female"]
    assert women["n_people_internet_use"].sum() == pytest.approx(
        last["n_people_internet_use:sex=female"], rel=1e-9
    )
