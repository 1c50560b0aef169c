"""The cost ledger: items that add up, costs that follow who was reached, budgets that ration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.costs import cost_table, inframarginal, ledger_table
from model import ledger
from model.ledger import ITEMS, Account, affordable_prefix, allowance, discount_factor
from model.policies.registry import POLICY_TYPES
from tests.simhelpers import new_model, scenario_data

# --- pure rules ---------------------------------------------------------------------------


def test_allowance_spreads_what_is_left_of_the_year_over_the_quarters_left():
    assert allowance(None, 5.0, 2) == math.inf
    assert allowance(400.0, 0.0, 1) == pytest.approx(100.0)
    assert allowance(400.0, 250.0, 3) == pytest.approx(75.0)  # 150 left over Q3 and Q4
    assert allowance(400.0, 500.0, 4) == 0.0  # overspent: nothing more this year


def test_affordable_prefix_takes_whole_units_in_order_until_the_money_runs_out():
    costs = np.array([3.0, 0.0, 4.0, 2.0])
    assert affordable_prefix(costs, math.inf) == 4
    assert affordable_prefix(costs, 2.9) == 0
    assert affordable_prefix(costs, 3.0) == 2  # the free unit after the first comes along
    assert affordable_prefix(costs, 8.9) == 3
    assert affordable_prefix(costs, 9.0) == 4


def test_discount_factor_is_one_at_the_start_and_one_over_one_plus_rate_a_year_later():
    assert discount_factor(0.03, 0) == 1.0
    assert discount_factor(0.03, 4) == pytest.approx(1 / 1.03)
    assert discount_factor(0.0, 40) == 1.0


def test_account_books_items_years_and_present_value_and_refuses_unknown_items():
    account = Account.of(("capital", "running"))
    assert account.book({"capital": 100.0, "running": 10.0}, year=2021, discount=0.5) == 110.0
    account.book({"running": 10.0}, year=2022, discount=0.25)
    assert account.items == {"capital": 100.0, "running": 20.0}
    assert account.total == 120.0
    assert account.by_year == {2021: 110.0, 2022: 10.0}
    assert account.present_value == pytest.approx(110 * 0.5 + 10 * 0.25)
    with pytest.raises(KeyError, match="transfers"):
        account.book({"transfers": 1.0}, year=2022, discount=1.0)
    with pytest.raises(ValueError, match="unknown ledger items"):
        Account.of(("bribes",))


def test_every_policy_type_declares_ledger_items():
    for name, cls in POLICY_TYPES.items():
        assert cls.items and set(cls.items) <= set(ITEMS), name


# --- the ledger in runs --------------------------------------------------------------------


def _run(path: str, households: int = 600, **changes) -> object:
    data = scenario_data(path)
    for policy in data["policies"]:
        policy.update(changes.get(policy.get("name") or policy["type"], {}))
    model = new_model(data, 3, households)
    model.run()
    return model


@pytest.fixture(scope="module")
def four_levers():
    return _run("lac/four_is.yaml")


def test_ledger_items_add_up_to_each_policys_total_every_quarter(four_levers):
    frame = four_levers.result().timeseries
    for policy in four_levers.policies:
        items = [f"spend_{i}:{policy.name}" for i in policy.items]
        np.testing.assert_allclose(
            frame[items].sum(axis=1), frame[f"spend:{policy.name}"], rtol=1e-12
        )
        assert sum(policy.account.by_year.values()) == pytest.approx(policy.account.total)
        assert 0 < policy.account.present_value < policy.account.total


def test_coverage_pays_capital_and_running_costs_and_prices_cost_revenue(four_levers):
    spent = {q.name: q.account.items for q in four_levers.policies}
    assert spent["rural_coverage"]["capital"] > 0 and spent["rural_coverage"]["running"] > 0
    # the scenario's 2% a year price decline is paid for by revenue given up
    assert spent["digital_basket"]["revenue_forgone"] > 0
    assert spent["decent_digital_work"]["insurance"] > 0


def test_social_protection_pays_exactly_the_transfers_its_take_up_added():
    """Every transfer booked is one a household received with a draw above the base chance."""
    data = scenario_data("lac/social_protection.yaml")
    model = new_model(data, 5, 800)
    (policy,) = model.policies
    pars, h = model.pars, model.h
    expected = 0.0
    for _ in range(8):
        model.step()
        if not policy.in_force(model.quarter):
            continue
        base = np.where(h.connection > 0, pars["p_takeup_online"], pars["p_takeup_offline"])
        extra = h.gets_transfer & (model.takeup_draws() >= base) & policy.active
        per_person = model.poverty_line * pars["transfer_share_of_line"]
        expected += 3 * model.pop.weight * per_person * float(h.size[extra].sum())
    assert expected > 0
    assert policy.account.items["transfers"] == pytest.approx(expected, rel=1e-9)
    assert policy.account.items["administration"] > 0


def test_no_policy_spends_transfers_in_a_scenario_without_social_protection(four_levers):
    assert all("transfers" not in q.account.items for q in four_levers.policies)


# --- budgets -------------------------------------------------------------------------------

BUDGETS = {
    "rural_coverage": 300e6,
    "digital_basket": 2e9,
    "inclusive_skills": 50e6,
}
"""Budgets well below what the four-levers scenario's programmes cost (US$ a year)."""


@pytest.fixture(scope="module")
def budgeted():
    return _run(
        "lac/four_is.yaml",
        **{name: {"budget_per_year": usd} for name, usd in BUDGETS.items()},
    )


def test_budgeted_policies_never_spend_more_than_their_budget_in_a_year(budgeted):
    for policy in budgeted.policies:
        budget = BUDGETS.get(policy.name)
        if budget is None:
            continue
        years = policy.account.by_year
        assert max(years.values()) <= budget * (1 + 1e-9), (policy.name, years)
        assert policy.shortfall > 0, policy.name  # the budget binds, and the run says so


def test_a_budget_reaches_fewer_and_changes_outcomes(four_levers, budgeted):
    full = {q.name: q for q in four_levers.policies}
    for policy in budgeted.policies:
        if policy.name in BUDGETS:
            assert policy.reached.sum() < full[policy.name].reached.sum(), policy.name
    a = four_levers.result().timeseries["n_households_connected"].iloc[-1]
    b = budgeted.result().timeseries["n_households_connected"].iloc[-1]
    assert b < a


def test_a_budget_subsidises_the_poorest_quintile_first():
    data = scenario_data("lac/affordability.yaml")
    (policy,) = data["policies"]
    policy.update(eligibility={"quintile": [1, 2, 3]}, extra_price_decline_per_year=0.0)
    policy["budget_per_year"] = 1.5e9
    model = new_model(data, 2, 1500)
    model.run(12)
    (aff,) = model.policies
    h = model.h
    subsidised = model.levers.subsidy_service > 0
    users = aff.eligible(model.pop) & (h.connection > 0)
    left_out = users & ~subsidised
    assert subsidised.any() and left_out.any()
    assert h.quintile[subsidised & users].max() <= h.quintile[left_out].min()


@pytest.mark.parametrize(
    "fields",
    [
        {"cost_per_household_covered": 50, "running_cost_per_household_year": 200},
        {
            "households_covered_per_year": 0,
            "cost_per_household_upgraded": 10,
            "running_cost_per_household_upgraded_year": 200,
        },
    ],
    ids=["coverage", "upgrades"],
)
def test_building_with_heavy_running_costs_stays_within_its_budget(fields):
    """Running costs are committed: coverage and upgrades stop before they could break a budget."""
    data = scenario_data("lac/connectivity.yaml")
    (policy,) = data["policies"]
    policy.update(fields, budget_per_year=2e8)
    model = new_model(data, 2, 1000)
    model.run()
    (built,) = model.policies
    assert max(built.account.by_year.values()) <= 2e8 * (1 + 1e-9)
    assert built.account.items["running"] > built.account.items["capital"]
    assert built.shortfall > 0


def test_social_protection_holds_its_budget_in_expectation():
    """Extra transfers are entitlements: a year may go over, by little, never on average."""
    data = scenario_data("lac/social_protection.yaml")
    data["policies"][0]["budget_per_year"] = 1e10
    model = new_model(data, 2, 1000)
    model.run()
    years = list(model.policies[0].account.by_year.values())
    assert max(years) <= 1.15e10
    assert np.mean(years[1:]) <= 1.02e10  # the first year starts in 2020Q2
    assert model.policies[0].shortfall > 0


def test_households_subsidised_fall_to_zero_when_the_subsidy_ends():
    data = scenario_data("lac/affordability.yaml")
    data["policies"][0]["end"] = "2024Q4"
    model = new_model(data, 1, 500)
    model.run()
    frame = model.result().timeseries
    column = "n_subsidised:" + model.policies[0].name
    assert frame.loc["2024Q4", column] > 0
    assert (frame.loc["2025Q1":, column] == 0).all()


def test_without_a_budget_the_ledger_changes_no_outcome():
    """Costing is bookkeeping: a budget too large to bind gives the unbudgeted run exactly."""
    data = scenario_data("lac/four_is.yaml")
    data["policies"][1]["assistive_per_year"] = 200_000  # draws of its own after the order's
    plain = new_model(data, 4, 400)
    for policy in data["policies"]:
        policy["budget_per_year"] = 1e13
    rich = new_model(data, 4, 400)
    plain.run()
    rich.run()
    a, b = plain.result().timeseries, rich.result().timeseries
    outcomes = [c for c in a.columns if not c.startswith(("spend", "shortfall", "cost_per"))]
    pd.testing.assert_frame_equal(a[outcomes], b[outcomes])


# --- the comparison's tables ---------------------------------------------------------------

INDICATORS = [
    "n_households_connected",
    "n_people_internet_use",
    "spend:p",
    "spend_pv:p",
    "spend_service_subsidy:p",
    "n_subsidised:p",
]


def _cube(connected: list[float], subsidised: list[float], spend: float) -> np.ndarray:
    """Two replications x len(connected) quarters x :data:`INDICATORS`."""
    q = len(connected)
    cube = np.zeros((2, q, len(INDICATORS)))
    for r, wobble in enumerate((-1.0, 1.0)):
        cube[r, :, 0] = np.array(connected) + wobble
        cube[r, :, 1] = 3 * cube[r, :, 0]
        cube[r, :, 2] = cube[r, :, 4] = np.linspace(spend / q, spend, q)
        cube[r, :, 3] = 0.9 * cube[r, :, 2]
        cube[r, :, 5] = subsidised
    return cube


def test_inframarginal_share_counts_subsidies_paid_to_households_connected_anyway():
    base = _cube([100, 100, 100, 100], [0, 0, 0, 0], 0)
    scen = _cube([100, 110, 120, 130], [0, 40, 40, 40], 1000)
    got = inframarginal(scen, base, INDICATORS)
    # 120 household-quarters subsidised, 60 extra households connected in them
    assert got["inframarginal_share"] == pytest.approx(0.5)
    assert got["subsidised_years_mean"] == pytest.approx(30.0)
    assert inframarginal(base, base, INDICATORS) == {}


def test_cost_per_gain_only_where_the_gain_is_clear_and_positive():
    names = ["base", "good", "none", "bad"]
    full = {
        "base": _cube([100, 100], [0, 0], 0),
        "good": _cube([100, 150], [0, 10], 1000),
        "none": _cube([100, 100], [0, 10], 1000),
        "bad": _cube([100, 60], [0, 10], 1000),
    }
    full["none"][0, :, 0] += 1.0  # the pairs disagree: interval includes zero
    full["none"][1, :, 0] -= 1.0
    cost = cost_table(full, names, INDICATORS, 1).set_index("scenario")
    assert cost.loc["good", "cost_per_extra_households"] == pytest.approx(1000 / 50)
    assert cost.loc["good", "cost_per_extra_online"] == pytest.approx(1000 / 150)
    assert not cost.loc["none", "extra_households_clear"]
    assert np.isnan(cost.loc["none", "cost_per_extra_households"])
    assert cost.loc["bad", "extra_households_clear"]  # a clear loss ...
    assert np.isnan(cost.loc["bad", "cost_per_extra_households"])  # ... has no cost per gain
    assert cost.loc["good", "spend_pv_mean"] == pytest.approx(900)


def test_ledger_table_splits_cumulative_items_into_years():
    quarters = ["2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    cube = np.zeros((2, 4, len(INDICATORS)))
    cube[:, :, 4] = [10, 30, 35, 50]  # cumulative service subsidies
    table = ledger_table({"s": cube}, ["s"], INDICATORS, quarters)
    assert table["item"].unique().tolist() == ["service_subsidy"]
    assert table.set_index("year")["usd_mean"].to_dict() == {2021: 30.0, 2022: 20.0}
    assert ledger.total({"a": 1.0, "b": 2.5}) == 3.5


def test_report_cells_say_no_clear_effect_or_a_loss_rather_than_a_number():
    from experiments.present.report_costs import gain_cell

    row = pd.Series(
        {
            "extra_online_mean": 2e6,
            "extra_online_ci_low": -1e5,
            "extra_online_ci_high": 4e6,
            "extra_online_clear": False,
            "cost_per_extra_online": 123.0,
            "extra_jobs_mean": -7e5,
            "extra_jobs_ci_low": -9e5,
            "extra_jobs_ci_high": -5e5,
            "extra_jobs_clear": True,
            "cost_per_extra_jobs": np.nan,
            "extra_meaningful_mean": 1e6,
            "extra_meaningful_ci_low": 5e5,
            "extra_meaningful_ci_high": 1.5e6,
            "extra_meaningful_clear": True,
            "cost_per_extra_meaningful": 4321.0,
        }
    )
    assert gain_cell(row, "online") == "no clear effect"
    assert gain_cell(row, "jobs") == "a loss (700,000 fewer)"
    assert gain_cell(row, "meaningful") == "4,321"
    assert gain_cell(row, "not_poor") == "n/a"
