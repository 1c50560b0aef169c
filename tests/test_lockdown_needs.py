"""The lockdowns pull households online by need: school-age members, telework, transfers."""

from __future__ import annotations

import numpy as np
import pytest

from model.calendar import Quarter
from model.params import defaults
from tests.simhelpers import new_model, scenario_data

HOUSEHOLDS = 1500


@pytest.fixture
def model():
    return new_model(scenario_data("world/baseline.yaml"), 1, HOUSEHOLDS)


def step_to(model, quarter: str) -> np.ndarray:
    """Step until ``quarter`` has been simulated; the need pull of that quarter."""
    while model.quarter < Quarter.parse(quarter):
        model.step()
    return model.need.copy()


def test_no_pull_before_the_lockdowns(model):
    assert not step_to(model, "2020Q1").any()


def first_lockdown_quarter(model) -> tuple[np.ndarray, np.ndarray]:
    """Need pull of 2020Q2 and who received the transfer when households decided."""
    step_to(model, "2020Q1")
    transfer = model.h.gets_transfer.copy()
    return step_to(model, "2020Q2"), transfer


def test_while_schools_are_closed_each_need_adds_its_pull(model):
    need, transfer = first_lockdown_quarter(model)
    pars = model.pars
    expected = (
        pars["pull_school"] * model.has_school_age * model.has_electricity
        + pars["pull_telework"] * model.has_teleworker
        + pars["pull_transfer"] * transfer
    )
    np.testing.assert_allclose(need, expected, rtol=1e-6)
    assert model.has_school_age.any() and (~model.has_school_age).any()
    assert model.has_teleworker.any() and transfer.any()


def test_after_the_needs_pass_a_share_of_the_largest_pull_persists(model):
    peak = np.zeros(model.h.n, dtype=np.float32)
    while model.quarter < Quarter.parse("2023Q4"):
        model.step()
        peak = np.maximum(peak, model.need)
    assert model.shock.get(model.quarter, 0.0) == 0
    np.testing.assert_allclose(model.need, model.pars["pull_persist"] * peak, rtol=1e-6)


def test_only_a_household_with_electricity_feels_the_school_pull():
    """LDCs: a third of rural and two thirds of urban people have electricity (UNCTAD 2021)."""
    m = new_model(scenario_data("ldc/baseline.yaml"), 1, HOUSEHOLDS)
    need, transfer = first_lockdown_quarter(m)
    others = m.has_teleworker | transfer
    dark = m.has_school_age & ~m.has_electricity & ~others
    lit = m.has_school_age & m.has_electricity
    assert dark.any() and not need[dark].any()
    assert (need[lit] >= m.pars["pull_school"] - 1e-6).all()


def test_a_household_with_no_need_gets_no_pull(model):
    need, transfer = first_lockdown_quarter(model)
    needless = ~model.has_school_age & ~model.has_teleworker & ~transfer
    assert needless.any() and not need[needless].any()


@pytest.mark.slow
def test_households_with_school_age_members_connect_faster_while_schools_are_closed():
    """2019Q4 to 2021Q2, common random numbers: the school pull on against off, in the LDCs,
    where a third of rural homes have electricity: those with school-age members and power
    connect faster; those with school-age members and no power gain only what their lit
    neighbours pass on."""
    on = defaults()["pull_school"]
    rise = {}
    for pull in (on, 0.0):
        data = scenario_data("ldc/baseline.yaml")
        data["parameters"] = {"pull_school": pull}
        m = new_model(data, 1, 4000)
        start = m.h.connection > 0
        step_to(m, "2021Q2")
        gained = (m.h.connection > 0).astype(float) - start
        dark = m.has_school_age & ~m.has_electricity
        rise[pull] = [gained[g].mean() for g in (m.learns_online, dark, ~m.has_school_age)]
    lit, dark, none = (a - b for a, b in zip(rise[on], rise[0.0], strict=True))
    assert lit > 0.02
    assert lit > 2 * abs(none)
    assert lit > 3 * abs(dark)


def test_transfer_takeup_is_a_lasting_trait_so_its_pull_reaches_recipients_only():
    """The same poor households receive quarter after quarter; with a fresh draw each quarter
    nearly every poor household would receive once in the eleven quarters of the shock and so
    carry the transfer's pull (0.44 of LDC persons against 0.23 receiving in a quarter)."""
    model = new_model(scenario_data("ldc/baseline.yaml"), 3, 2000)
    u = model.takeup_draws()
    ever = np.zeros(model.h.n, dtype=bool)
    shares = []
    while model.quarter < Quarter.parse("2022Q4"):
        model.step()
        h = model.h
        chance = np.where(
            h.connection > 0, model.pars["p_takeup_online"], model.pars["p_takeup_offline"]
        )
        assert not (h.gets_transfer & (u >= chance)).any()
        if model.shock.get(model.quarter, 0.0) > 0:
            ever |= h.gets_transfer
            shares.append(np.average(h.gets_transfer, weights=h.size))
    assert len(shares) >= 8
    assert np.average(ever, weights=model.h.size) < 1.25 * np.mean(shares)
    np.testing.assert_array_equal(model.takeup_draws(), u)
