"""The policy levers on a small synthetic LAC population of persons in households, with
hand-checkable results."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from model import ledger
from model.calendar import Quarter
from model.errors import InputError
from model.loader import load_region, scenario_from_dict
from model.params import defaults
from model.policies.affordability import Affordability
from model.policies.base import NO_LABOUR_RULES, Context, Levers, take
from model.policies.connectivity import Connectivity
from model.policies.labour_regulation import LabourRegulation
from model.policies.registry import POLICY_TYPES, build_policy
from model.policies.skills_training import SkillsTraining, priority_pool
from model.policies.social_protection import SocialProtection, SocialProtectionConfig
from tests.simhelpers import (
    PRICES,
    act,
    context,
    hand_population,
    levers,
    make_policy,
    new_model,
    population,
    scenario_data,
)

N = 2000
W = load_region("lac").population.households / N  # LAC households per simulated household


@pytest.fixture
def pop():
    return population(N, seed=1)


@pytest.fixture
def h(pop):
    return pop.h


@pytest.fixture
def p(pop):
    return pop.p


def test_population_weights(pop):
    assert pop.weight == pytest.approx(W, rel=1e-12)
    assert pop.h.weight == pop.p.weight == pop.weight


# --- take: from real counts to simulated units -------------------------------------------------


def test_take_exact_and_stochastic_rounding():
    rng = np.random.default_rng(0)
    assert take(10 * W, W, rng) == 10
    assert take(0.0, W, rng) == 0
    assert take(-5.0, W, rng) == 0
    draws = [take(2.5 * W, W, rng) for _ in range(4000)]
    assert set(draws) == {2, 3}
    assert np.mean(draws) == pytest.approx(2.5, abs=0.03)


# --- connectivity ------------------------------------------------------------------------------


def test_connectivity_covers_rural_first_the_right_number_and_spends_count_weight_cost(pop, h):
    rural_gap = h.is_rural & ~h.has_coverage
    urban_gap = ~h.is_rural & ~h.has_coverage
    k_rural = int(rural_gap.sum())
    assert k_rural > 10 and urban_gap.sum() > 3
    before = h.has_coverage.copy()
    policy = make_policy(
        pop,
        type="connectivity",
        households_covered_per_year=4 * W * (k_rural + 3),
        households_upgraded_per_year=0,
        cost_per_household_covered=500,
        running_cost_per_household_year=40,
        rural_cost_factor=2.0,
    )
    _, spent = act(policy, pop)
    new = h.has_coverage & ~before
    assert new.sum() == k_rural + 3
    assert new[rural_gap].all()  # every rural gap first
    assert new[urban_gap].sum() == 3
    assert h.has_broadband[new].all()  # new sites give 3G+
    cost_units = 2 * k_rural + 3  # a rural household costs twice an urban one
    assert spent == pytest.approx(cost_units * W * (500 + 40 / 4))
    np.testing.assert_array_equal(policy.reached, new)
    assert (h.coverage_ramp[new] == 0).all()  # new coverage starts its ramp-up


BUILT = {
    "has_coverage": {
        "households_covered_per_year": 4 * W * 2,
        "households_upgraded_per_year": 0,
        "cost_per_household_covered": 0,
        "running_cost_per_household_year": 100,
    },
    "has_broadband": {
        "households_covered_per_year": 0,
        "households_upgraded_per_year": 4 * W * 2,
        "cost_per_household_upgraded": 0,
        "running_cost_per_household_upgraded_year": 100,
    },
}
"""Connectivity building only coverage, or only upgrades, at no capital cost: by what it sets."""


@pytest.mark.parametrize("built", list(BUILT))
def test_connectivity_running_costs_follow_every_household_covered_or_upgraded_so_far(
    pop, h, built
):
    policy = make_policy(pop, type="connectivity", rural_cost_factor=1.0, **BUILT[built])
    spends = [act(policy, pop, seed=q)[1] for q in range(3)]
    assert spends == pytest.approx([2 * W * 25, 4 * W * 25, 6 * W * 25])
    # after its window what was built stays, and so do its running costs; nothing new is built
    before = getattr(h, built).copy()
    assert policy.upkeep(pop, context(0, "2031Q1")) == pytest.approx({"running": 6 * W * 25})
    np.testing.assert_array_equal(getattr(h, built), before)


def test_connectivity_quota_is_per_quarter_scaled_by_intensity(pop, h):
    before = h.has_coverage.copy()
    policy = make_policy(
        pop,
        type="connectivity",
        households_covered_per_year=4 * W * 10,
        households_upgraded_per_year=0,
        intensity=0.5,
    )
    _, spent = act(policy, pop)
    new = h.has_coverage & ~before
    assert new.sum() == 5
    assert h.is_rural[new].all()
    assert spent == pytest.approx(5 * W * 2 * (500 + 25 / 4))  # rural: twice the cost


def test_connectivity_upgrades_2g_only_households_and_spends_upgrade_cost(pop, h):
    gap = h.has_coverage & ~h.has_broadband
    rural_gap = gap & h.is_rural
    assert rural_gap.sum() >= 5
    before = h.has_broadband.copy()
    coverage = h.has_coverage.copy()
    policy = make_policy(
        pop,
        type="connectivity",
        households_covered_per_year=0,
        households_upgraded_per_year=4 * W * 5,
        cost_per_household_upgraded=120,
        running_cost_per_household_upgraded_year=8,
    )
    _, spent = act(policy, pop)
    up = h.has_broadband & ~before
    assert up.sum() == 5
    assert rural_gap[up].all()
    np.testing.assert_array_equal(h.has_coverage, coverage)
    # capital and this quarter's running cost; rural upgrades cost twice as much
    assert spent == pytest.approx(5 * W * 2 * (120 + 8 / 4))
    np.testing.assert_array_equal(policy.reached, up)


def test_connectivity_respects_eligibility(pop, h):
    before = h.has_coverage.copy()
    policy = make_policy(
        pop,
        type="connectivity",
        households_covered_per_year=4 * W * N,
        households_upgraded_per_year=0,
        eligibility={"quintile": [1]},
    )
    act(policy, pop)
    new = h.has_coverage & ~before
    assert new.any()
    assert (h.quintile[new] == 0).all()
    assert not (~h.has_coverage & (h.quintile == 0)).any()  # all eligible gaps closed


# --- affordability -----------------------------------------------------------------------------


def test_affordability_subsidises_only_eligible_quintiles(pop, h):
    policy = make_policy(
        pop,
        type="affordability",
        eligibility={"quintile": [1, 2]},
        service_subsidy=0.5,
        device_subsidy=0.8,
        intensity=0.5,
    )
    lv, _ = act(policy, pop)
    elig = h.quintile <= 1
    np.testing.assert_allclose(lv.subsidy_service, np.where(elig, 0.25, 0.0))
    np.testing.assert_allclose(lv.subsidy_device, np.where(elig, 0.4, 0.0))
    np.testing.assert_array_equal(policy.reached, elig & (h.connection > 0))


def test_affordability_spend_matches_the_formula(pop, h):
    policy = make_policy(
        pop,
        type="affordability",
        eligibility={"quintile": [1, 2]},
        service_subsidy=0.5,
        device_subsidy=0.8,
        intensity=0.5,
        extra_price_decline_per_year=0.02,
        admin_cost_per_household=2.0,
        start="2021Q1",
    )
    lv = levers(pop)
    spent = policy.act(pop, lv, context(0, "2022Q1"))
    factor = 1 - 0.5 * 0.02  # one year after the start, at intensity 0.5
    assert lv.price_factor == pytest.approx(factor)
    expected, revenue = 0.0, 0.0
    for i in range(h.n):
        if h.connection[i] == 0:
            continue
        meaningful = h.connection[i] == 2
        market = PRICES["meaningful"] + PRICES["device"] / 24 if meaningful else PRICES["basic"]
        revenue += W * 3 * market * (1 - factor)  # every user's saving is revenue given up
        if h.quintile[i] > 1:
            continue
        if meaningful:
            monthly = 0.25 * PRICES["meaningful"] + 0.4 * PRICES["device"] / 24
        else:
            monthly = 0.25 * PRICES["basic"]
        expected += W * (3 * monthly * factor + 2.0)
    assert spent["revenue_forgone"] == pytest.approx(revenue)
    assert ledger.total(spent) - spent["revenue_forgone"] == pytest.approx(expected)


def low_income_affordability(pop, **settings):
    """Affordability for quintiles I-II without subsidies or admin cost, plus ``settings``."""
    return make_policy(
        pop,
        type="affordability",
        eligibility={"quintile": [1, 2]},
        service_subsidy=0.0,
        device_subsidy=0.0,
        admin_cost_per_household=0.0,
        **settings,
    )


def test_affordability_instalments_reach_only_eligible_households_without_credit(pop, h):
    policy = low_income_affordability(pop, device_instalments=True, credit_cost_share=0.1)
    lv, spent = act(policy, pop)
    financed = (h.quintile <= 1) & ~h.has_credit
    assert financed.any() and (h.has_credit & (h.quintile <= 1)).any()
    np.testing.assert_array_equal(lv.instalments, financed)
    using = financed & (h.connection == 2)
    assert policy.reached[using].all()
    assert spent == pytest.approx(W * 3 * np.count_nonzero(using) * 0.1 * PRICES["device"] / 24)


def test_affordability_assistive_technology_equips_eligible_persons_with_disabilities(pop, h, p):
    policy = low_income_affordability(pop, assistive_per_year=4 * W * 10, cost_per_assistive=300.0)
    _, spent = act(policy, pop)
    equipped = p.has_assistive
    assert np.count_nonzero(equipped) == 10
    assert p.has_disability[equipped].all() and (p.age[equipped] >= 5).all()
    assert (h.quintile[p.household[equipped]] <= 1).all()
    assert policy.reached[p.household[equipped]].all()
    assert spent == pytest.approx(10 * W * 300.0)


def test_eligibility_by_2019_job_reaches_informal_workers_only(pop, p):
    policy = make_policy(pop, type="labour_regulation", eligibility={"job": ["informal"]})
    lv, _ = act(policy, pop)
    informal = p.job == 2
    assert informal.any() and (p.job == 1).any()
    np.testing.assert_array_equal(lv.labour_cover.astype(bool), informal)
    household = make_policy(pop, type="affordability", eligibility={"job": ["formal", "none"]})
    members = pop.p.household_sum((p.job == 1) | (p.job == 0), pop.h.n) > 0
    np.testing.assert_array_equal(household.eligible(pop), members)


def test_affordability_price_path_applies_to_everyone_from_its_start(pop):
    policy = make_policy(
        pop,
        type="affordability",
        service_subsidy=0.0,
        device_subsidy=0.0,
        extra_price_decline_per_year=0.1,
        start="2021Q1",
    )
    assert act(policy, pop.copy(), quarter="2021Q1")[0].price_factor == pytest.approx(1.0)
    assert act(policy, pop.copy(), quarter="2023Q1")[0].price_factor == pytest.approx(0.9**2)


def test_two_affordability_policies_take_the_larger_subsidy(pop, h):
    a = make_policy(pop, type="affordability", eligibility={"quintile": [1]}, service_subsidy=0.3)
    b = make_policy(pop, type="affordability", service_subsidy=0.2)
    lv = levers(pop)
    a.act(pop, lv, context())
    b.act(pop, lv, context())
    np.testing.assert_allclose(lv.subsidy_service, np.where(h.quintile == 0, 0.3, 0.2))


def test_affordability_for_households_with_an_older_member(pop, h, p):
    """Person conditions on a household lever: households with at least one member 65+."""
    policy = make_policy(
        pop, type="affordability", eligibility={"age": ["65+"]}, service_subsidy=0.5
    )
    lv, _ = act(policy, pop)
    older = np.bincount(p.household, weights=p.age >= 65, minlength=h.n) > 0
    assert older.any() and not older.all()
    np.testing.assert_allclose(lv.subsidy_service, np.where(older, 0.5, 0.0))
    np.testing.assert_array_equal(policy.reached, older & (h.connection > 0))


# --- skills training: persons ----------------------------------------------------------------

SURE = {"p_training_uptake": 1.0}


def _candidates(p) -> np.ndarray:
    """Persons 15+ below advanced skill who have not been trained."""
    return p.is_working_age & (p.skill < 0.7) & ~p.is_trained


def test_skills_training_offers_the_places_to_persons_and_credits_completers(pop, p):
    policy = make_policy(
        pop,
        SURE,
        type="skills_training",
        places_per_quarter=100 * W,
        accessible_delivery=True,
        completion_rate=1.0,
        skill_gain=0.25,
        cost_per_place=150,
    )
    candidates = _candidates(p)
    lv, spent = act(policy, pop)
    assert policy.level == "person"
    assert policy.reached.shape == (p.n,)
    assert policy.reached.sum() == 100
    assert candidates[policy.reached].all()
    assert lv.skill_gain.shape == (p.n,)
    np.testing.assert_allclose(lv.skill_gain, np.where(policy.reached, 0.25, 0.0))
    np.testing.assert_array_equal(p.is_trained, policy.reached)
    assert spent == pytest.approx(100 * W * 150)


def test_skills_training_never_offers_to_children_the_skilled_or_the_already_trained(pop, p):
    p.is_trained[: p.n // 2] = True
    policy = make_policy(
        pop,
        SURE,
        type="skills_training",
        places_per_quarter=p.n * W,
        accessible_delivery=True,
        completion_rate=1.0,
    )
    expected = _candidates(p)
    act(policy, pop)
    assert expected.any()
    np.testing.assert_array_equal(policy.reached, expected)
    assert not (policy.reached & (p.age < 15)).any()


def test_skills_training_offers_in_proportion_to_targeting(pop, p):
    cand = _candidates(p)
    n_f, n_m = int((cand & p.is_female).sum()), int((cand & ~p.is_female).sum())
    women = total = 0
    for seed in range(40):
        g = pop.copy()
        policy = make_policy(
            g,
            SURE,
            type="skills_training",
            places_per_quarter=100 * W,
            targeting={"women": 3.0},
            accessible_delivery=True,
        )
        act(policy, g, seed=seed)
        women += int((policy.reached & g.p.is_female).sum())
        total += int(policy.reached.sum())
    assert total == 4000
    assert women / total == pytest.approx(3 * n_f / (3 * n_f + n_m), abs=0.02)


def test_skills_training_zero_priority_excludes_a_group(pop, h, p):
    policy = make_policy(
        pop,
        SURE,
        type="skills_training",
        places_per_quarter=p.n * W,
        targeting={"rural": 0.0},
        accessible_delivery=True,
    )
    act(policy, pop)
    assert policy.reached.any()
    assert not (policy.reached & h.is_rural[p.household]).any()


def test_skills_training_reaches_only_eligible_persons(pop, h, p):
    policy = make_policy(
        pop,
        SURE,
        type="skills_training",
        places_per_quarter=p.n * W,
        accessible_delivery=True,
        eligibility={"sex": ["female"], "age": ["15-24"]},
    )
    candidates = _candidates(p)
    act(policy, pop)
    young_women = p.is_female & (p.age >= 15) & (p.age <= 24)
    np.testing.assert_array_equal(policy.reached, young_women & candidates)
    reached_homes = np.bincount(p.household, weights=policy.reached, minlength=h.n) > 0
    np.testing.assert_array_equal(policy.reached_households(pop), reached_homes)
    np.testing.assert_array_equal(policy.reached_people(pop), policy.reached)


def test_accessible_delivery_raises_uptake_of_women_older_and_disabled(pop, p):
    pars = {"p_training_uptake": 0.6, "rel_uptake_barrier": 0.5}
    started = {}
    for accessible in (False, True):
        g = pop.copy()
        policy = make_policy(
            g,
            pars,
            type="skills_training",
            places_per_quarter=300 * W,
            accessible_delivery=accessible,
        )
        act(policy, g, seed=3)
        started[accessible] = policy.reached
    barrier = p.is_female | (p.age >= 65) | p.has_disability
    # same offers and draws: others are unaffected, barrier groups only gain
    np.testing.assert_array_equal(started[False] & ~barrier, started[True] & ~barrier)
    assert not (started[False] & ~started[True]).any()
    assert (started[True] & barrier).sum() > 1.4 * (started[False] & barrier).sum()


@pytest.mark.parametrize("accessible", [False, True])
def test_skills_training_acts_without_deprecated_operations(pop, accessible):
    policy = make_policy(
        pop, type="skills_training", places_per_quarter=50 * W, accessible_delivery=accessible
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act(policy, pop)


def test_skills_training_completion_rate(pop, p):
    policy = make_policy(
        pop,
        SURE,
        type="skills_training",
        places_per_quarter=1000 * W,
        accessible_delivery=True,
        completion_rate=0.5,
        skill_gain=0.2,
    )
    lv, _ = act(policy, pop)
    done = lv.skill_gain > 0
    assert not (done & ~policy.reached).any()
    assert done.sum() / policy.reached.sum() == pytest.approx(0.5, abs=0.06)
    np.testing.assert_array_equal(p.is_trained, done)


def test_skills_uptake_parameters_are_read_from_pars(pop):
    policy = make_policy(
        pop, {"p_training_uptake": 0.33, "rel_uptake_barrier": 0.44}, type="skills_training"
    )
    assert isinstance(policy, SkillsTraining)
    assert (policy.p_uptake, policy.rel_uptake_barrier) == (0.33, 0.44)


# --- labour regulation: persons -----------------------------------------------------------------


def test_labour_regulation_sets_levers_scaled_by_intensity_and_pays_per_platform_worker(pop, p):
    p.is_platform[:] = False
    p.is_platform[:7] = True
    policy = make_policy(
        pop,
        type="labour_regulation",
        intensity=0.5,
        platform_income_floor=0.6,
        social_insurance=0.5,
        accessible_hiring=0.4,
        right_to_telework=0.8,
        gig_reduction=0.2,
        cost_per_platform_worker=30,
    )
    lv, spent = act(policy, pop)
    assert policy.level == "person"
    rules = lv.labour_rules_by_person()
    np.testing.assert_allclose(rules, np.tile([0.3, 0.25, 0.2, 0.4, 0.9], (p.n, 1)))
    assert spent == pytest.approx(7 * W * 30)
    np.testing.assert_array_equal(policy.reached, p.is_platform)


def test_labour_regulation_covers_eligible_platform_workers_only(pop, p):
    p.is_platform[:] = False
    p.is_platform[:40] = True
    women = p.is_platform & p.is_female
    assert 0 < women.sum() < 40
    policy = make_policy(
        pop, type="labour_regulation", eligibility={"sex": ["female"]}, cost_per_platform_worker=30
    )
    lv, spent = act(policy, pop)
    np.testing.assert_array_equal(policy.reached, women)
    assert spent == pytest.approx(women.sum() * W * 30)
    rules = lv.labour_rules_by_person()
    np.testing.assert_allclose(
        rules[p.is_female], np.tile([0.6, 0.5, 0.5, 0.5, 0.8], (p.is_female.sum(), 1))
    )
    np.testing.assert_array_equal(
        rules[~p.is_female], np.tile(NO_LABOUR_RULES, ((~p.is_female).sum(), 1))
    )


def test_two_labour_regulations_combine_max_and_product_where_both_cover(pop, p):
    lv = levers(pop)
    for floor, cut, sex in ((0.6, 0.2, None), (0.3, 0.5, ["female"])):
        eligibility = {"sex": sex} if sex else {}
        make_policy(
            pop,
            type="labour_regulation",
            platform_income_floor=floor,
            gig_reduction=cut,
            eligibility=eligibility,
        ).act(pop, lv, context())
    rules = lv.labour_rules_by_person()
    np.testing.assert_allclose(rules[p.is_female, 0], 0.6)
    np.testing.assert_allclose(rules[p.is_female, 4], 0.8 * 0.5)
    np.testing.assert_allclose(rules[~p.is_female, 4], 0.8)


def test_insurance_paid_is_charged_to_the_regulations_covering_the_persons_paid():
    """Code 1: only ``a`` covers; 2: only ``b``; 3: both share. US$ a month, three a quarter."""
    data = scenario_data("lac/labour.yaml")
    data["policies"] = [dict(data["policies"][0], name=name) for name in ("a", "b")]
    model = new_model(data, 1, 200)
    model.levers.labour_owners = ["a", "b"]
    model.pay_insurance(np.array([0.0, 10.0, 20.0, 30.0]))
    w = 3 * model.pop.weight
    assert model.spend == pytest.approx({"a": w * (10 + 15), "b": w * (20 + 15)})
    assert [q.account.items["insurance"] for q in model.policies] == pytest.approx(
        [w * (10 + 15), w * (20 + 15)]
    )


def test_fresh_levers_are_neutral_and_sized_by_level():
    lv = Levers(4, 9)
    assert lv.price_factor == 1.0 and lv.labour_cover is None
    np.testing.assert_array_equal(lv.labour_rules_by_person(), np.tile(NO_LABOUR_RULES, (9, 1)))
    for a in (lv.subsidy_service, lv.subsidy_device, lv.takeup_online, lv.takeup_offline):
        assert a.shape == (4,) and not a.any()
    assert lv.skill_gain.shape == (9,) and not lv.skill_gain.any()


def test_reset_levers_equal_fresh_ones_and_keep_their_arrays():
    lv = Levers(4, 9)
    arrays = [lv.subsidy_service, lv.instalments, lv.skill_gain, lv.takeup_offline]
    lv.price_factor = 0.5
    lv.subsidy_service[1] = lv.subsidy_device[2] = lv.takeup_online[3] = 0.4
    lv.takeup_offline[0], lv.instalments[1], lv.skill_gain[5] = 0.2, True, 0.25
    lv.add_labour_rules(np.ones(9, dtype=bool), (0.5, 0.5, 0.5, 0.5, 0.5), owner="x")
    lv.reset()
    fresh = Levers(4, 9)
    for name, value in vars(fresh).items():
        np.testing.assert_array_equal(getattr(lv, name), value, err_msg=name)
    kept = [lv.subsidy_service, lv.instalments, lv.skill_gain, lv.takeup_offline]
    assert all(a is b for a, b in zip(arrays, kept, strict=True))


# --- reach, windows, registry -------------------------------------------------------------------


def test_household_level_policies_reach_every_member(pop, h, p):
    policy = make_policy(pop, type="affordability", eligibility={"quintile": [1]})
    act(policy, pop)
    np.testing.assert_array_equal(policy.reached_households(pop), policy.reached)
    np.testing.assert_array_equal(policy.reached_people(pop), policy.reached[p.household])
    assert policy.reached_people(pop).sum() == h.size[policy.reached].sum()


def test_eligibility_rejects_unknown_group_names():
    data = scenario_data("lac/baseline.yaml")
    data["policies"] = [{"type": "affordability", "eligibility": {"location": ["rual"]}}]
    with pytest.raises(InputError, match="rual"):
        scenario_from_dict(data)


@pytest.mark.parametrize(
    ("quarter", "intensity", "expected"),
    [
        ("2020Q4", 1.0, False),
        ("2021Q1", 1.0, True),  # start inclusive
        ("2022Q1", 1.0, True),
        ("2022Q4", 1.0, True),  # end inclusive
        ("2023Q1", 1.0, False),
        ("2022Q1", 0.0, False),  # intensity 0: never in force
        ("2022Q1", 0.01, True),
    ],
)
def test_in_force_window_and_intensity(quarter, intensity, expected):
    policy = make_policy(
        hand_population([2, 1]),
        type="labour_regulation",
        start="2021Q1",
        end="2022Q4",
        intensity=intensity,
    )
    assert policy.in_force(Quarter.parse(quarter)) is expected


@pytest.mark.parametrize(
    ("name", "cls", "level"),
    [
        ("connectivity", Connectivity, "household"),
        ("affordability", Affordability, "household"),
        ("skills_training", SkillsTraining, "person"),
        ("labour_regulation", LabourRegulation, "person"),
        ("social_protection", SocialProtection, "household"),
    ],
)
def test_registry_builds_each_type_sized_by_its_level(name, cls, level):
    assert POLICY_TYPES[name] is cls
    config = cls.Config.model_validate({"type": name})
    two_homes_five_persons = hand_population([2, 3])
    policy = build_policy(config, defaults(), two_homes_five_persons)
    assert type(policy) is cls
    assert policy.name == name
    assert policy.level == level
    size = 2 if level == "household" else 5
    assert policy.reached.shape == (size,) and not policy.reached.any()


def test_registry_lists_the_four_levers_and_the_optional_fifth():
    assert set(POLICY_TYPES) == {
        "connectivity",
        "affordability",
        "skills_training",
        "labour_regulation",
        "social_protection",
    }


def test_social_protection_raises_takeup_of_eligible_households_only(pop, h):
    h.gets_transfer[:] = h.quintile == 0
    pars = defaults()
    cfg = SocialProtectionConfig(
        type="social_protection",
        intensity=0.5,
        eligibility={"quintile": [1]},
        registry_takeup=1.0,
        assisted_takeup=0.9,
        cost_per_beneficiary=10.0,
    )
    policy = build_policy(cfg, pars, pop)
    lv = levers(pop)
    ctx = Context(
        cfg.start, 0, {"basic": 1.0, "meaningful": 2.0, "device": 3.0}, np.random.default_rng(0)
    )
    spent = policy.act(pop, lv, ctx)
    q1 = h.quintile == 0
    online = pars["p_takeup_online"] + 0.5 * (1.0 - pars["p_takeup_online"])
    offline = pars["p_takeup_offline"] + 0.5 * (0.9 - pars["p_takeup_offline"])
    assert np.allclose(lv.takeup_online[q1], online)
    assert np.allclose(lv.takeup_offline[q1], offline)
    assert not lv.takeup_online[~q1].any() and not lv.takeup_offline[~q1].any()
    assert spent == pytest.approx({"administration": q1.sum() * pop.weight * 10.0})
    np.testing.assert_array_equal(policy.reached, q1)


def test_unknown_policy_type_rejected_at_load_with_the_valid_names():
    data = scenario_data("lac/baseline.yaml")
    data["policies"] = [{"type": "conectivity"}]
    with pytest.raises(InputError) as err:
        scenario_from_dict(data)
    text = str(err.value)
    assert "policies[0].type" in text and "unknown policy type 'conectivity'" in text
    assert "did you mean 'connectivity'" in text
    for name in POLICY_TYPES:
        assert name in text


def test_unknown_policy_field_and_out_of_range_intensity_rejected_at_load():
    data = scenario_data("lac/baseline.yaml")
    data["policies"] = [
        {"type": "affordability", "service_subsidyy": 0.5},
        {"type": "connectivity", "intensity": 1.5},
    ]
    with pytest.raises(InputError) as err:
        scenario_from_dict(data)
    text = str(err.value)
    assert "service_subsidyy" in text
    assert "policies[1].intensity" in text


def test_insurance_paid_through_accounts_pulls_households_online_like_a_transfer():
    # Insurance that lifts a household above the poverty line must not take away the pull of
    # public income support paid through apps and accounts that the transfer gave it.
    model = new_model(scenario_data("lac/labour.yaml"), 1, 600)
    while str(model.quarter) < "2020Q3":
        model.step()
    assert model.insured is not None and model.insured.any()
    pull = model.lockdown_pull()
    assert (pull[model.insured] >= np.float32(model.pars["pull_transfer"])).all()
    baseline = new_model(scenario_data("lac/baseline.yaml"), 1, 600)
    baseline.run(4)
    assert baseline.insured is None


def test_priority_pool_equals_the_numpy_products_and_running_sum():
    rng = np.random.default_rng(8)
    n_h, n = 300, 1_000
    home = np.sort(rng.integers(0, n_h, n)).astype(np.int32)
    female, disability = rng.random(n) < 0.5, rng.random(n) < 0.1
    age = rng.integers(0, 100, n).astype(np.int8)
    rural, quintile = rng.random(n_h) < 0.3, rng.integers(0, 5, n_h).astype(np.int8)
    eligible = rng.random(n) < 0.8
    mult = (2.0, 1.5, 3.0, 0.0, 1.7)
    priority = (
        np.where(female, mult[0], 1.0)
        * np.where(age >= 65, mult[1], 1.0)
        * np.where(disability, mult[2], 1.0)
        * np.where(rural[home], mult[3], 1.0)
        * np.where(quintile[home] <= 1, mult[4], 1.0)
    )
    idx = np.flatnonzero(eligible & (age >= 15) & (priority > 0))
    pool, cum = priority_pool(eligible, (home, female, age, disability), (rural, quintile), mult)
    np.testing.assert_array_equal(pool, idx)
    assert np.array_equal(cum, np.cumsum(priority[idx]))
