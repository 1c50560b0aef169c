"""Whole runs: determinism, common random numbers, metamorphic relations, invariants, the
shipped scenarios, the COVID-19 shock, Mesa integration and the regression baseline."""

from __future__ import annotations

import hashlib
import inspect
import os
import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

from model import groups
from model.calendar import Quarter
from model.inclusion_model import InclusionModel
from model.indicator_registry import INDICATORS, MEASURES, is_known
from model.loader import load_scenario
from model.rules.schooling import schools_closed
from model.run import simulate
from tests.simhelpers import (
    BASELINE_HOUSEHOLDS,
    BASELINE_PATH,
    BASELINE_SEED,
    REGENERATE,
    ROOT,
    baseline_differences,
    compute_baseline,
    loaded,
    mean_final,
    new_model,
    read_baseline,
    run,
    scenario_data,
    shipped_scenarios,
    with_policies,
)

SMALL = 2000
SEEDS = (1, 2, 3)
BASE = "lac/baseline.yaml"


def shared_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Every column the two runs share is identical, bit for bit."""
    shared = [c for c in a.columns if c in b.columns]
    assert len(shared) > 150
    pd.testing.assert_frame_equal(a[shared], b[shared], check_exact=True)


# --- determinism ----------------------------------------------------------------------------


def _digest(frame: pd.DataFrame) -> str:
    h = hashlib.sha256(",".join(frame.columns).encode())
    h.update(",".join(frame.index).encode())
    h.update(np.ascontiguousarray(frame.to_numpy(dtype=np.float64)).tobytes())
    return h.hexdigest()


def test_same_scenario_and_seed_give_identical_timeseries():
    ls = loaded(scenario_data("lac/four_is.yaml"))
    a = simulate(ls, 7, households=SMALL, quarters=12).timeseries
    b = simulate(ls, 7, households=SMALL, quarters=12).timeseries
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.index) == [str(Quarter(2019, 4) + i) for i in range(12)]


@pytest.mark.slow
@pytest.mark.subprocess
def test_identical_in_a_fresh_process_with_another_hash_seed():
    code = (
        "import hashlib, numpy as np\n"
        "from model.loader import load_scenario\n"
        "from model.run import simulate\n"
        "f = simulate(load_scenario('scenarios/lac/four_is.yaml'), 7, households=1000,"
        " quarters=8).timeseries\n"
        "h = hashlib.sha256(','.join(f.columns).encode())\n"
        "h.update(','.join(f.index).encode())\n"
        "h.update(np.ascontiguousarray(f.to_numpy(dtype=np.float64)).tobytes())\n"
        "print(h.hexdigest())\n"
    )
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    here = simulate(
        load_scenario(ROOT / "scenarios/lac/four_is.yaml"), 7, households=1000, quarters=8
    ).timeseries
    assert out.stdout.strip() == _digest(here)


def test_different_seeds_differ():
    data = scenario_data(BASE)
    a, b = run(data, 1, SMALL, 8), run(data, 2, SMALL, 8)
    assert not a.equals(b)
    assert (a["share_internet_use"] != b["share_internet_use"]).any()


# --- common random numbers --------------------------------------------------------------------

NULL_POLICIES = {
    "connectivity": {"households_covered_per_year": 0, "households_upgraded_per_year": 0},
    "affordability": {
        "service_subsidy": 0.0,
        "device_subsidy": 0.0,
        "extra_price_decline_per_year": 0.0,
    },
    "skills_training": {"places_per_quarter": 0},
    "labour_regulation": {
        "platform_income_floor": 0.0,
        "social_insurance": 0.0,
        "accessible_hiring": 0.0,
        "right_to_telework": 0.0,
        "gig_reduction": 0.0,
    },
}


@pytest.mark.parametrize("kind", sorted(NULL_POLICIES))
def test_policy_at_zero_intensity_reproduces_the_baseline(kind):
    base = run(scenario_data(BASE), 1, SMALL)
    with_zero = run(with_policies(BASE, {"type": kind, "intensity": 0.0}), 1, SMALL)
    shared_equal(base, with_zero)
    assert (with_zero[f"spend:{kind}"] == 0).all()
    assert (with_zero[f"n_new_connected:{kind}"] == 0).all()


@pytest.mark.parametrize("kind", sorted(NULL_POLICIES))
def test_policy_acting_without_effect_leaves_every_other_draw_unchanged(kind):
    """In force at intensity 1 (drawing from its own streams) but with nothing to give."""
    base = run(scenario_data(BASE), 1, SMALL)
    policy = {"type": kind, "start": "2020Q1", **NULL_POLICIES[kind]}
    shared_equal(base, run(with_policies(BASE, policy), 1, SMALL))


def test_inserting_a_policy_before_another_leaves_its_draws_unchanged():
    cover = {"type": "connectivity", "households_covered_per_year": 300_000}
    null = {"type": "labour_regulation", **NULL_POLICIES["labour_regulation"]}
    alone = run(with_policies(BASE, cover), 1, SMALL)
    after_null = run(with_policies(BASE, null, cover), 1, SMALL)
    shared_equal(alone, after_null)


def test_a_policy_does_not_change_the_population_or_network_built_at_step_zero():
    base = new_model(scenario_data(BASE), 3, SMALL)
    skills = new_model(scenario_data("lac/four_is.yaml"), 3, SMALL)
    for table in ("h", "p"):
        for name, arr in getattr(base, table).arrays().items():
            np.testing.assert_array_equal(arr, getattr(getattr(skills, table), name), err_msg=name)
    np.testing.assert_array_equal(base.peers, skills.peers)
    assert base.poverty_line == skills.poverty_line


def test_a_policy_changes_nothing_before_its_start():
    # lac_skills starts 2021Q1: the five quarters 2019Q4-2020Q4 equal the baseline's
    base = run(scenario_data(BASE), 2, SMALL, 5)
    shared_equal(base, run(scenario_data("lac/skills.yaml"), 2, SMALL, 5))


def test_repeated_policy_names_are_made_unique():
    data = with_policies(BASE, {"type": "affordability"}, {"type": "affordability"})
    frame = run(data, 1, 500, 2)
    assert "spend:affordability" in frame and "spend:affordability_2" in frame


# --- metamorphic relations (mean over seeds, common random numbers) ------------------------


def _levels(make, levels, column):
    return [mean_final(with_policies(BASE, make(x)), column, SEEDS, SMALL) for x in levels]


@pytest.mark.slow
def test_more_affordability_subsidy_never_lowers_poorest_quintile_connection():
    got = _levels(
        lambda s: {
            "type": "affordability",
            "eligibility": {"quintile": [1, 2]},
            "service_subsidy": s,
            "device_subsidy": s,
        },
        (0.0, 0.25, 0.5),
        "share_households_connected:quintile=1",
    )
    assert got == sorted(got), got
    assert got[-1] > got[0]


@pytest.mark.slow
def test_more_coverage_never_lowers_rural_connection():
    got = _levels(
        lambda c: {
            "type": "connectivity",
            "households_covered_per_year": c,
            "households_upgraded_per_year": 0,
        },
        (0, 250_000, 1_000_000),
        "share_households_connected:location=rural",
    )
    assert got == sorted(got), got
    assert got[-1] > got[0] + 0.05


@pytest.mark.slow
def test_more_training_places_never_lower_basic_skills():
    got = _levels(
        lambda p: {"type": "skills_training", "places_per_quarter": p},
        (0, 200_000, 1_000_000),
        "share_basic_skills",
    )
    assert got == sorted(got), got
    assert got[-1] > got[0]


# --- invariants -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def four_is_run():
    """lac_four_is at 2,000 households, stepped by hand to check the state every quarter."""
    model = new_model(scenario_data("lac/four_is.yaml"), 5, SMALL)
    states = []
    while model.running:
        model.step()
        h, p = model.h, model.p
        reach = h.has_coverage[p.household] & (p.age >= 5)
        states.append(
            {
                "min_income": float(h.income.min()),
                "min_skill": float(p.skill.min()),
                "max_skill": float(p.skill.max()),
                "connections": set(np.unique(h.connection).tolist()),
                "online_needs_coverage": bool(np.all(h.has_coverage | (h.connection == 0))),
                "meaningful_needs_broadband": bool(np.all(h.has_broadband | (h.connection < 2))),
                "broadband_within_coverage": bool(np.all(h.has_coverage | ~h.has_broadband)),
                "own_use_needs_reach": bool(np.all(reach | ~p.is_online)),
                "work_from_15": bool(np.all(p.is_working_age | ~(p.is_employed | p.is_platform))),
                "lost_only_2019_jobs": bool(np.all((p.job > 0) | ~p.lost_job)),
                "trained_from_15": bool(np.all(p.is_working_age | ~p.is_trained)),
            }
        )
    return model, model.result().timeseries, states


def test_run_covers_the_whole_window(four_is_run):
    _, frame, _ = four_is_run
    assert len(frame) == 45
    assert frame.index[0] == "2019Q4" and frame.index[-1] == "2030Q4"


def test_no_nan_or_infinity_anywhere(four_is_run):
    _, frame, _ = four_is_run
    assert np.isfinite(frame.to_numpy()).all()


def test_shares_within_zero_and_one(four_is_run):
    _, frame, _ = four_is_run
    shares = [c for c in frame.columns if c.startswith("share_") or c.startswith("worst_share")]
    assert len(shares) > 60
    assert (frame[shares] >= 0).all().all() and (frame[shares] <= 1).all().all()
    assert frame["gini_income"].between(0, 1).all()
    assert (frame["palma_income"] >= 0).all()
    ratios = [c for c in frame.columns if c.startswith(("gps_", "ratio_"))]
    assert (frame[ratios] >= 0).all().all()


def test_weights_stand_for_the_regions_households_and_persons(four_is_run):
    model, frame, _ = four_is_run
    region = model.loaded.region.population
    assert model.h.n * model.pop.weight == pytest.approx(region.households, rel=1e-12)
    assert model.p.n * model.pop.weight == pytest.approx(region.persons.value, rel=0.03)
    assert (frame["n_households"] == model.h.n * model.pop.weight).all()
    assert (frame["n_people"] == model.p.n * model.pop.weight).all()


def test_incomes_never_negative_and_states_consistent(four_is_run):
    _, frame, states = four_is_run
    assert (frame.filter(like="mean_income") >= 0).all().all()
    assert min(s["min_income"] for s in states) >= 0
    assert min(s["min_skill"] for s in states) >= 0 and max(s["max_skill"] for s in states) <= 1
    assert set().union(*(s["connections"] for s in states)) <= {0, 1, 2}
    for key in (
        "online_needs_coverage",
        "meaningful_needs_broadband",
        "broadband_within_coverage",
        "own_use_needs_reach",
        "work_from_15",
        "lost_only_2019_jobs",
        "trained_from_15",
    ):
        assert all(s[key] for s in states), key


def test_people_counts_consistent_with_shares(four_is_run):
    """Every person count is the share times the real persons of its group (all ages, or 15+
    for measures of adults); groups are fixed over a run, so this holds every quarter."""
    model, frame, _ = four_is_run
    pop, w = model.pop, model.pop.weight
    adults = model.p.is_working_age
    for m in MEASURES:
        names = ["all", *INDICATORS[f"share_{m.name}"].groups()]
        assert len(names) >= 15
        for group in names:
            members = groups.person_mask(pop, group) & (adults if m.adults_only else True)
            suffix = "" if group == "all" else f":{group}"
            np.testing.assert_allclose(
                frame[f"n_people_{m.name}{suffix}"],
                frame[f"share_{m.name}{suffix}"] * np.count_nonzero(members) * w,
                rtol=1e-9,
                err_msg=f"{m.name}{suffix}",
            )
    homes = frame["n_households_connected"]
    np.testing.assert_allclose(homes, frame["share_households_connected"] * model.h.n * w)
    assert (homes <= model.h.n * w * (1 + 1e-12)).all()
    assert (frame["n_people_internet_use"] >= frame["n_people_meaningful"]).all()


def test_every_column_is_described_by_the_registry(four_is_run):
    _, frame, _ = four_is_run
    assert [c for c in frame.columns if not is_known(c)] == []


def test_spend_cumulative_and_cost_per_new_connected(four_is_run):
    model, frame, _ = four_is_run
    for policy in model.policies:
        spend = frame[f"spend:{policy.name}"]
        assert (spend >= 0).all() and (spend.diff().dropna() >= 0).all()
        assert spend.iloc[-1] > 0, policy.name
        new = frame[f"n_new_connected:{policy.name}"]
        assert (frame[f"n_new_online:{policy.name}"] >= 0).all()
        np.testing.assert_allclose(
            frame[f"cost_per_new_connected:{policy.name}"], spend / np.maximum(new, 1.0)
        )
    start = {p.name: str(p.config.start) for p in model.policies}
    for name, quarter in start.items():
        before = frame.loc[:quarter, f"spend:{name}"].iloc[:-1]
        assert (before == 0).all(), name


def test_children_cut_off_only_while_schools_are_closed(four_is_run):
    _, frame, _ = four_is_run
    closed = np.array([schools_closed(Quarter.parse(q)) for q in frame.index])
    cut = frame["n_children_cut_off_from_school"]
    assert (cut[~closed] == 0).all()
    np.testing.assert_array_equal(cut[closed], frame["n_children_no_remote_learning"][closed])
    assert (cut[closed] > 0).all()
    np.testing.assert_allclose(frame["cum_child_quarters_cut_off"], cut.cumsum())


@pytest.mark.slow
def test_initial_poverty_meets_the_published_rate_after_transfers():
    for seed in SEEDS:
        model = new_model(scenario_data(BASE), seed, SMALL)
        rate = model.loaded.region.income.poverty_rate.value
        assert model.indicators["share_poor"] == pytest.approx(rate, abs=0.005)
        assert run(scenario_data(BASE), seed, SMALL, 1)["share_poor"].iloc[0] == pytest.approx(
            rate, abs=0.015
        )


@pytest.mark.slow
@pytest.mark.parametrize("region", ["lac", "ldc", "world"])
def test_initial_income_inequality_meets_the_published_gini(region):
    """The published Gini is of income per person as surveys measure it (transfers included)."""
    for seed in SEEDS:
        model = new_model(scenario_data(f"{region}/baseline.yaml"), seed, SMALL)
        gini = model.loaded.region.income.gini.value
        assert model.indicators["gini_income"] == pytest.approx(gini, abs=0.02)


def test_first_quarter_is_at_rest_when_nothing_has_changed():
    data = scenario_data(BASE)
    data["parameters"] = {"p_platform": 0.0}  # no new platform earnings in 2019Q4
    for seed in SEEDS:
        model = new_model(data, seed, SMALL)
        before = model.h.connection.copy()
        online = model.p.is_online.copy()
        model.step()
        assert model.quarter == Quarter(2019, 4)
        np.testing.assert_array_equal(model.h.connection, before)
        np.testing.assert_array_equal(model.p.is_online, online)


def test_persons_in_newly_covered_households_come_online():
    """Coverage built by a policy reaches persons, not only the home connection."""
    model = new_model(scenario_data("lac/connectivity.yaml"), 1, SMALL)
    uncovered = ~model.h.has_coverage[model.p.household]
    assert uncovered.any() and not model.p.is_online[uncovered].any()
    model.run()
    newly = uncovered & model.h.has_coverage[model.p.household]
    assert newly.sum() > 0.5 * uncovered.sum()
    assert model.p.is_online[newly].mean() > 0.3


@pytest.mark.slow
def test_coverage_keeps_costing_after_the_policy_window_ends():
    """What a connectivity policy built stays, and so do its running costs; nothing new is built."""
    data = scenario_data("lac/connectivity.yaml")
    data["policies"][0]["end"] = "2022Q4"
    model = new_model(data, 1, 20_000)
    while model.quarter < Quarter(2022, 4):
        model.step()
    name = model.policies[0].name
    covered, spent = model.h.has_coverage.copy(), model.spend[name]
    model.step()
    np.testing.assert_array_equal(model.h.has_coverage, covered)
    running = model.policies[0].upkeep(model.pop, None)["running"]
    assert running > 0
    assert model.spend[name] - spent == pytest.approx(running)


@pytest.mark.slow
def test_new_coverage_reaches_persons_over_the_ramp_not_at_once():
    """A year after coverage arrives, at most a quarter of its ramp (4 years) is done."""
    model = new_model(scenario_data("lac/connectivity.yaml"), 1, 20_000)
    uncovered = ~model.h.has_coverage[model.p.household] & (model.p.age >= 5)
    while model.quarter < Quarter(2021, 4):
        model.step()
    first = uncovered & model.h.has_coverage[model.p.household]
    assert first.sum() > 100
    ramp = model.h.coverage_ramp[model.p.household[first]]
    assert ramp.min() > 0 and ramp.max() == pytest.approx(0.25)
    assert model.p.is_online[first].mean() < 0.2
    while model.quarter < Quarter(2025, 4):
        model.step()
    assert (model.h.coverage_ramp[model.p.household[first]] == 1).all()
    assert model.p.is_online[first].mean() > 0.4


# --- every shipped scenario -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", shipped_scenarios(), ids=lambda p: str(p.relative_to(ROOT / "scenarios"))
)
def test_every_shipped_scenario_runs(path):
    ls = load_scenario(path)
    assert ls.region.name == path.parent.name
    frame = simulate(ls, 1, households=SMALL, quarters=4).timeseries
    assert len(frame) == 4
    assert frame.index[0] == str(ls.scenario.start)
    assert np.isfinite(frame.to_numpy()).all()
    for policy in ls.policies:
        assert f"spend:{policy.name or policy.type}" in frame


def test_shipped_scenarios_found():
    names = {str(p.relative_to(ROOT / "scenarios")) for p in shipped_scenarios()}
    assert {
        "lac/baseline.yaml",
        "lac/four_is.yaml",
        "ldc/baseline.yaml",
        "world/baseline.yaml",
    } <= names
    assert not any(n.startswith("regions/") for n in names)


# --- schedule and Mesa ------------------------------------------------------------------------

STEP_ORDER = (
    "act_policies",
    "move_economy",
    "decide_connection",
    "use_and_learn",
    "update_welfare",
    "_measure",
)


def test_step_docstring_states_the_order():
    doc = inspect.getdoc(InclusionModel.step)
    heads = [
        "1. policies act",
        "2. the economy moves",
        "3. households decide",
        "4. transfers and poverty",
        "5. indicators are collected",
    ]
    positions = [doc.find(h) for h in heads]
    assert all(p >= 0 for p in positions), doc
    assert positions == sorted(positions)


def test_step_calls_the_stages_in_the_documented_order():
    model = new_model(scenario_data(BASE), 1, 300)
    calls = []
    for name in STEP_ORDER:
        original = getattr(model, name)

        def record(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        setattr(model, name, record)
    collect = model.datacollector.collect

    def record_collect(m):
        calls.append("collect")
        return collect(m)

    model.datacollector.collect = record_collect
    model.step()
    assert calls == [*STEP_ORDER, "collect"]


def _contexts(data, quarters):
    model = new_model(data, 1, 300)
    seen = []
    for policy in model.policies:
        original = policy.act

        def record(pop, levers, ctx, _original=original, _policy=policy):
            seen.append((_policy.name, ctx, model.prices()))
            return _original(pop, levers, ctx)

        policy.act = record
    model.run(quarters)
    return seen


def test_policies_receive_the_quarter_and_market_prices():
    data = with_policies(BASE, {"type": "labour_regulation", "start": "2019Q4"})
    seen = _contexts(data, 3)
    assert [str(ctx.quarter) for _, ctx, _ in seen] == ["2019Q4", "2020Q1", "2020Q2"]
    for _, ctx, prices in seen:
        assert ctx.prices == {
            "basic": prices.basic,
            "meaningful": prices.meaningful,
            "device": prices.device,
        }
    assert seen[0][1].prices["basic"] > seen[2][1].prices["basic"]


def test_policy_context_step_counts_from_zero():
    data = with_policies(BASE, {"type": "labour_regulation", "start": "2019Q4"})
    assert [ctx.step for _, ctx, _ in _contexts(data, 3)] == [0, 1, 2]


def test_inclusion_model_is_a_mesa_model_with_a_datacollector():
    model = new_model(scenario_data("lac/four_is.yaml"), 1, 500)
    assert isinstance(model, mesa.Model)
    assert isinstance(model.datacollector, mesa.DataCollector)
    model.run(6)
    assert model.steps == 6
    result = model.result()
    collected = model.datacollector.get_model_vars_dataframe()
    assert list(collected.columns) == list(result.timeseries.columns)
    np.testing.assert_array_equal(collected.to_numpy(dtype=float), result.timeseries.to_numpy())
    assert set(model.datacollector.model_reporters) == set(result.timeseries.columns)


def test_run_stops_at_the_scenario_end():
    data = scenario_data(BASE) | {"end": "2020Q3"}
    model = new_model(data, 1, 300)
    model.run(10)
    assert not model.running
    assert list(model.result().timeseries.index) == ["2019Q4", "2020Q1", "2020Q2", "2020Q3"]


# --- the COVID-19 shock -----------------------------------------------------------------------


def _employment(column, quarter):
    return float(np.mean([run(scenario_data(BASE), s, SMALL)[column].loc[quarter] for s in SEEDS]))


def _drop(column):
    before = _employment(column, "2019Q4")
    return (before - _employment(column, "2020Q2")) / before


def test_covid_shock_lowers_lac_employment_in_2020q2():
    assert _employment("share_employed", "2020Q2") < _employment("share_employed", "2019Q4") - 0.04


def test_women_and_youth_lose_more_employment():
    assert _drop("share_employed:sex=female") > _drop("share_employed:sex=male")
    assert _drop("share_employed:age=15-24") > _drop("share_employed:age=25-64")


def test_job_losses_happen_to_persons_who_held_a_job_in_2019():
    model = new_model(scenario_data(BASE), 1, SMALL)
    model.run(3)
    assert str(model.quarter) == "2020Q2"
    p = model.p
    assert p.lost_job.any()
    assert not (p.lost_job & (p.job == 0)).any()
    assert not (p.lost_job & p.is_employed & ~p.is_platform).any()
    # a household can lose one earner and keep another
    hh_lost = np.bincount(p.household, weights=p.lost_job, minlength=model.h.n) > 0
    hh_working = np.bincount(p.household, weights=p.is_employed, minlength=model.h.n) > 0
    assert (hh_lost & hh_working).any()


def test_employment_recovers_after_the_shock():
    pre, trough = _employment("share_employed", "2019Q4"), _employment("share_employed", "2020Q2")
    after = _employment("share_employed", "2024Q4")
    assert after > trough + 0.04
    assert after == pytest.approx(pre, abs=0.02)


# --- regression baseline ----------------------------------------------------------------------


def test_regression_baseline():
    stored = read_baseline(BASELINE_PATH)
    assert (stored["households"], stored["seed"]) == (BASELINE_HOUSEHOLDS, BASELINE_SEED)
    changes = baseline_differences(stored["scenarios"], compute_baseline())
    assert not changes, (
        "the simulation no longer reproduces tests/baseline.yaml:\n  "
        + "\n  ".join(changes)
        + f"\nIf the change is intended, regenerate the file on purpose with: {REGENERATE}"
    )
