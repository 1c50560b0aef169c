"""The four policy levers on a small synthetic LAC population, with hand-checkable results."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from model.calendar import Quarter
from model.errors import InputError
from model.loader import scenario_from_dict
from model.policies.affordability import Affordability
from model.policies.base import Eligibility, Levers, take
from model.policies.connectivity import Connectivity
from model.policies.labour_regulation import LabourRegulation
from model.policies.registry import POLICY_TYPES, build_policy
from model.policies.skills_training import SkillsTraining
from tests.simhelpers import PRICES, act, context, make_policy, population, scenario_data

N = 2000
W = 100_000_000 / N  # LAC households per simulated household


@pytest.fixture
def h():
    return population(N, seed=1)


def test_population_weights():
    p = population(N, seed=1)
    assert np.all(p.weight == W)


# --- take: from real counts to simulated households -------------------------------------------


def test_take_exact_and_stochastic_rounding(h):
    rng = np.random.default_rng(0)
    assert take(10 * W, h, rng) == 10
    assert take(0.0, h, rng) == 0
    assert take(-5.0, h, rng) == 0
    draws = [take(2.5 * W, h, rng) for _ in range(4000)]
    assert set(draws) == {2, 3}
    assert np.mean(draws) == pytest.approx(2.5, abs=0.03)


# --- connectivity ------------------------------------------------------------------------------


def test_connectivity_covers_rural_first_the_right_number_and_spends_count_weight_cost(h):
    rural_gap = h.is_rural & ~h.has_coverage
    urban_gap = ~h.is_rural & ~h.has_coverage
    k_rural = int(rural_gap.sum())
    assert k_rural > 10 and urban_gap.sum() > 3
    before = h.has_coverage.copy()
    policy = make_policy(
        N,
        type="connectivity",
        households_covered_per_year=4 * W * (k_rural + 3),
        households_upgraded_per_year=0,
        cost_per_household_covered=500,
    )
    _, spent = act(policy, h)
    new = h.has_coverage & ~before
    assert new.sum() == k_rural + 3
    assert new[rural_gap].all()  # every rural gap first
    assert new[urban_gap].sum() == 3
    assert h.has_broadband[new].all()  # new sites give 3G+
    assert spent == pytest.approx((k_rural + 3) * W * 500)
    np.testing.assert_array_equal(policy.reached, new)


def test_connectivity_quota_is_per_quarter_scaled_by_intensity(h):
    before = h.has_coverage.copy()
    policy = make_policy(
        N,
        type="connectivity",
        households_covered_per_year=4 * W * 10,
        households_upgraded_per_year=0,
        intensity=0.5,
    )
    _, spent = act(policy, h)
    new = h.has_coverage & ~before
    assert new.sum() == 5
    assert h.is_rural[new].all()
    assert spent == pytest.approx(5 * W * 500)


def test_connectivity_upgrades_2g_only_households_and_spends_upgrade_cost(h):
    gap = h.has_coverage & ~h.has_broadband
    rural_gap = gap & h.is_rural
    assert rural_gap.sum() >= 5
    before = h.has_broadband.copy()
    coverage = h.has_coverage.copy()
    policy = make_policy(
        N,
        type="connectivity",
        households_covered_per_year=0,
        households_upgraded_per_year=4 * W * 5,
        cost_per_household_upgraded=120,
    )
    _, spent = act(policy, h)
    up = h.has_broadband & ~before
    assert up.sum() == 5
    assert rural_gap[up].all()
    np.testing.assert_array_equal(h.has_coverage, coverage)
    assert spent == pytest.approx(5 * W * 120)
    np.testing.assert_array_equal(policy.reached, up)


def test_connectivity_respects_eligibility(h):
    before = h.has_coverage.copy()
    policy = make_policy(
        N,
        type="connectivity",
        households_covered_per_year=4 * W * N,
        households_upgraded_per_year=0,
        eligibility={"quintiles": [1]},
    )
    act(policy, h)
    new = h.has_coverage & ~before
    assert new.any()
    assert (h.quintile[new] == 0).all()
    assert not (~h.has_coverage & (h.quintile == 0)).any()  # all eligible gaps closed


# --- affordability -----------------------------------------------------------------------------


def test_affordability_subsidises_only_eligible_quintiles(h):
    policy = make_policy(
        N,
        type="affordability",
        eligibility={"quintiles": [1, 2]},
        service_subsidy=0.5,
        device_subsidy=0.8,
        intensity=0.5,
    )
    levers, _ = act(policy, h)
    elig = h.quintile <= 1
    np.testing.assert_allclose(levers.subsidy_service, np.where(elig, 0.25, 0.0))
    np.testing.assert_allclose(levers.subsidy_device, np.where(elig, 0.4, 0.0))
    np.testing.assert_array_equal(policy.reached, elig & (h.connection > 0))


def test_affordability_spend_matches_the_formula(h):
    policy = make_policy(
        N,
        type="affordability",
        eligibility={"quintiles": [1, 2]},
        service_subsidy=0.5,
        device_subsidy=0.8,
        intensity=0.5,
        extra_price_decline_per_year=0.02,
        admin_cost_per_household=2.0,
        start="2021Q1",
    )
    levers, spent = act(policy, h, quarter="2022Q1")
    factor = 1 - 0.5 * 0.02  # one year after the start, at intensity 0.5
    assert levers.price_factor == pytest.approx(factor)
    expected = 0.0
    for i in range(h.n):
        if h.quintile[i] > 1 or h.connection[i] == 0:
            continue
        if h.connection[i] == 2:
            monthly = 0.25 * PRICES["meaningful"] + 0.4 * PRICES["device"] / 24
        else:
            monthly = 0.25 * PRICES["basic"]
        expected += W * (3 * monthly * factor + 2.0)
    assert spent == pytest.approx(expected)


def test_affordability_price_path_applies_to_everyone_from_its_start(h):
    policy = make_policy(
        N,
        type="affordability",
        service_subsidy=0.0,
        device_subsidy=0.0,
        extra_price_decline_per_year=0.1,
        start="2021Q1",
    )
    assert act(policy, h.copy(), quarter="2021Q1")[0].price_factor == pytest.approx(1.0)
    assert act(policy, h.copy(), quarter="2023Q1")[0].price_factor == pytest.approx(0.9**2)


def test_two_affordability_policies_take_the_larger_subsidy(h):
    a = make_policy(N, type="affordability", eligibility={"quintiles": [1]}, service_subsidy=0.3)
    b = make_policy(N, type="affordability", service_subsidy=0.2)
    levers = Levers(N)
    a.act(h, levers, context())
    b.act(h, levers, context())
    np.testing.assert_allclose(levers.subsidy_service, np.where(h.quintile == 0, 0.3, 0.2))


# --- skills training --------------------------------------------------------------------------

SURE = {"p_training_uptake": 1.0}


def test_skills_training_offers_the_places_and_credits_completers(h):
    policy = make_policy(
        N,
        SURE,
        type="skills_training",
        places_per_quarter=100 * W,
        accessible_delivery=True,
        completion_rate=1.0,
        skill_gain=0.25,
        cost_per_place=150,
    )
    levers, spent = act(policy, h)
    assert policy.reached.sum() == 100
    assert (h.skill[policy.reached] < 0.7).all()
    np.testing.assert_allclose(levers.skill_gain, np.where(policy.reached, 0.25, 0.0))
    np.testing.assert_array_equal(h.is_trained, policy.reached)
    assert spent == pytest.approx(100 * W * 150)


def test_skills_training_never_offers_to_the_skilled_or_already_trained(h):
    h.is_trained[: N // 2] = True
    policy = make_policy(
        N,
        SURE,
        type="skills_training",
        places_per_quarter=N * W,
        accessible_delivery=True,
        completion_rate=1.0,
    )
    act(policy, h)
    candidates = (h.skill < 0.7) & (np.arange(N) >= N // 2)
    np.testing.assert_array_equal(policy.reached, candidates)


def test_skills_training_offers_in_proportion_to_targeting(h):
    cand = h.skill < 0.7
    n_f, n_m = int((cand & h.is_female).sum()), int((cand & ~h.is_female).sum())
    women = total = 0
    for seed in range(40):
        g = h.copy()
        policy = make_policy(
            N,
            SURE,
            type="skills_training",
            places_per_quarter=100 * W,
            targeting={"women": 3.0},
            accessible_delivery=True,
        )
        act(policy, g, seed=seed)
        women += int((policy.reached & g.is_female).sum())
        total += int(policy.reached.sum())
    assert total == 4000
    assert women / total == pytest.approx(3 * n_f / (3 * n_f + n_m), abs=0.02)


def test_skills_training_zero_priority_excludes_a_group(h):
    policy = make_policy(
        N,
        SURE,
        type="skills_training",
        places_per_quarter=N * W,
        targeting={"rural": 0.0},
        accessible_delivery=True,
    )
    act(policy, h)
    assert policy.reached.any()
    assert not (policy.reached & h.is_rural).any()


def test_accessible_delivery_raises_uptake_of_women_older_and_disabled(h):
    pars = {"p_training_uptake": 0.6, "rel_uptake_barrier": 0.5}
    started = {}
    for accessible in (False, True):
        policy = make_policy(
            N,
            pars,
            type="skills_training",
            places_per_quarter=300 * W,
            accessible_delivery=accessible,
        )
        act(policy, h.copy(), seed=3)
        started[accessible] = policy.reached
    barrier = h.is_female | (h.age_group == 2) | h.has_disability
    # same offers and draws: others are unaffected, barrier groups only gain
    np.testing.assert_array_equal(started[False] & ~barrier, started[True] & ~barrier)
    assert not (started[False] & ~started[True]).any()
    assert (started[True] & barrier).sum() > 1.4 * (started[False] & barrier).sum()


@pytest.mark.parametrize("accessible", [False, True])
def test_skills_training_acts_without_deprecated_operations(h, accessible):
    policy = make_policy(
        N, type="skills_training", places_per_quarter=50 * W, accessible_delivery=accessible
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act(policy, h)


def test_skills_training_completion_rate(h):
    policy = make_policy(
        N,
        SURE,
        type="skills_training",
        places_per_quarter=1000 * W,
        accessible_delivery=True,
        completion_rate=0.5,
        skill_gain=0.2,
    )
    levers, _ = act(policy, h)
    done = levers.skill_gain > 0
    assert not (done & ~policy.reached).any()
    assert done.sum() / policy.reached.sum() == pytest.approx(0.5, abs=0.06)
    np.testing.assert_array_equal(h.is_trained, done)


def test_skills_uptake_parameters_are_read_from_pars():
    policy = make_policy(
        10, {"p_training_uptake": 0.33, "rel_uptake_barrier": 0.44}, type="skills_training"
    )
    assert isinstance(policy, SkillsTraining)
    assert (policy.p_uptake, policy.rel_uptake_barrier) == (0.33, 0.44)


# --- labour regulation -------------------------------------------------------------------------


def test_labour_regulation_sets_levers_scaled_by_intensity_and_pays_per_platform_worker(h):
    h.is_platform[:] = False
    h.is_platform[:7] = True
    policy = make_policy(
        N,
        type="labour_regulation",
        intensity=0.5,
        platform_income_floor=0.6,
        social_insurance=0.5,
        accessible_hiring=0.4,
        right_to_telework=0.8,
        gig_reduction=0.2,
        cost_per_platform_worker=30,
    )
    levers, spent = act(policy, h)
    assert levers.platform_floor == pytest.approx(0.3)
    assert levers.social_insurance == pytest.approx(0.25)
    assert levers.hiring_access == pytest.approx(0.2)
    assert levers.telework_right == pytest.approx(0.4)
    assert levers.gig_availability == pytest.approx(0.9)
    assert spent == pytest.approx(7 * W * 30)
    np.testing.assert_array_equal(policy.reached, h.is_platform)


def test_two_labour_regulations_combine_max_and_product(h):
    levers = Levers(N)
    for floor, cut in ((0.6, 0.2), (0.3, 0.5)):
        make_policy(
            N, type="labour_regulation", platform_income_floor=floor, gig_reduction=cut
        ).act(h, levers, context())
    assert levers.platform_floor == pytest.approx(0.6)
    assert levers.gig_availability == pytest.approx(0.8 * 0.5)


def test_fresh_levers_are_neutral():
    lv = Levers(4)
    assert lv.price_factor == 1.0 and lv.gig_availability == 1.0
    assert lv.platform_floor == lv.social_insurance == lv.hiring_access == lv.telework_right == 0
    for a in (lv.subsidy_service, lv.subsidy_device, lv.skill_gain):
        assert a.shape == (4,) and not a.any()


# --- eligibility, windows, registry -----------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({}, lambda h: np.ones(h.n, bool)),
        ({"quintiles": [1]}, lambda h: h.quintile == 0),
        ({"quintiles": [2, 5]}, lambda h: (h.quintile == 1) | (h.quintile == 4)),
        ({"location": ["rural"]}, lambda h: h.is_rural),
        ({"location": ["urban", "rural"]}, lambda h: np.ones(h.n, bool)),
        ({"sex": ["female"]}, lambda h: h.is_female),
        ({"age": ["older"]}, lambda h: h.age_group == 2),
        ({"age": ["youth", "adult"]}, lambda h: h.age_group < 2),
        ({"disability": True}, lambda h: h.has_disability),
        ({"disability": False}, lambda h: ~h.has_disability),
        (
            {"quintiles": [1, 2], "location": ["rural"], "sex": ["female"]},
            lambda h: (h.quintile <= 1) & h.is_rural & h.is_female,
        ),
    ],
)
def test_eligibility_masks(h, rule, expected):
    mask = Eligibility.model_validate(rule).mask(h)
    np.testing.assert_array_equal(mask, expected(h))


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
        10, type="labour_regulation", start="2021Q1", end="2022Q4", intensity=intensity
    )
    assert policy.in_force(Quarter.parse(quarter)) is expected


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("connectivity", Connectivity),
        ("affordability", Affordability),
        ("skills_training", SkillsTraining),
        ("labour_regulation", LabourRegulation),
    ],
)
def test_registry_builds_each_type(name, cls):
    assert POLICY_TYPES[name] is cls
    config = cls.Config.model_validate({"type": name})
    policy = build_policy(config, {"p_training_uptake": 0.6, "rel_uptake_barrier": 0.5}, 5)
    assert type(policy) is cls
    assert policy.name == name
    assert policy.reached.shape == (5,) and not policy.reached.any()


def test_registry_lists_the_four_levers_and_the_optional_fifth():
    assert set(POLICY_TYPES) == {
        "connectivity",
        "affordability",
        "skills_training",
        "labour_regulation",
        "social_protection",
    }


def test_social_protection_raises_takeup_of_eligible_households_only():
    import numpy as np

    from model.loader import load_region
    from model.params import defaults
    from model.policies.base import Context, Levers
    from model.policies.social_protection import SocialProtectionConfig
    from model.population import synthesise

    h = synthesise(load_region("lac"), 2000, 1)
    h.gets_transfer[:] = h.quintile == 0
    pars = defaults()
    cfg = SocialProtectionConfig(
        type="social_protection",
        intensity=0.5,
        eligibility={"quintiles": [1]},
        registry_takeup=1.0,
        assisted_takeup=0.9,
        cost_per_beneficiary=10.0,
    )
    policy = build_policy(cfg, pars, h.n)
    levers = Levers(h.n)
    ctx = Context(
        cfg.start, 0, {"basic": 1.0, "meaningful": 2.0, "device": 3.0}, np.random.default_rng(0)
    )
    spent = policy.act(h, levers, ctx)
    q1 = h.quintile == 0
    online = pars["p_takeup_online"] + 0.5 * (1.0 - pars["p_takeup_online"])
    offline = pars["p_takeup_offline"] + 0.5 * (0.9 - pars["p_takeup_offline"])
    assert np.allclose(levers.takeup_online[q1], online)
    assert np.allclose(levers.takeup_offline[q1], offline)
    assert not levers.takeup_online[~q1].any() and not levers.takeup_offline[~q1].any()
    assert spent == pytest.approx(h.weight[q1].sum() * 10.0)


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
