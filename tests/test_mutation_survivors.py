"""Behaviour that the mutation run (``make mutation``) showed no fast test checked.

Each test holds a rule, a policy helper or an indicator to something it must do and that
a realistic one-character slip would break (``<`` for ``<=``, ``=`` for ``&=``, a dropped
``dtype``, a wrong shift): the edges of chance draws, small quantities, combined
eligibility conditions, single-person intersections, the reference packing of person states.
docs/testing.md lists the mutants that still survive and why each is harmless.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from model import indicators as ind
from model.households import Population
from model.policies import outcomes
from model.policies.base import MAX_LABOUR_RULE_SETS, Eligibility, take
from model.rules import connectivity as conn
from model.rules import income, labour, network, schooling
from tests.simhelpers import context, hand_population, levers, make_policy, population

T, F = True, False


def arr(*values, dtype=None) -> np.ndarray:
    return np.array(values, dtype=dtype)


# --- a chance p fires for draws u < p, never for u == p -------------------------------------
# Draws come from [0, 1): firing on u < p gives probability exactly p; firing on u <= p would
# add the draw u == p (and make p = 0 fire on u == 0).


def test_a_draw_equal_to_the_chance_does_not_fire_in_any_rule():
    half = arr(0.5, 0.5)
    zero = arr(0.0, 0.0)
    # telework right 0.5 for a skilled worker on a basic connection; the second has none
    tele = labour.telework_protected(arr(T, T), arr(1, 1), arr(0.9, 0.9), 0.5, arr(0.5, 0.49))
    np.testing.assert_array_equal(tele, [F, T])
    assert not labour.telework_protected(arr(T), arr(1), arr(0.9), 0.0, arr(0.0)).any()
    # rehiring at 0.5, and at 0.5 * 0.5 for a person with a disability (no accessible hiring)
    back = labour.rehires(arr(T, T), arr(F, F), arr(F, T), (0.5, 0.0), 0.5, 0.0, arr(0.5, 0.25))
    np.testing.assert_array_equal(back, [F, F])
    assert not labour.rehires(arr(T, T), arr(F, F), arr(F, F), (0.0, 0.0), 0.5, 0.0, zero).any()
    # connection stress at 0.5: both households pay over 5% of a fallen income
    stressed = conn.stress_drop(
        arr(1, 2), arr(0.1, 0.1), arr(50.0, 50.0), arr(100.0, 100.0), 0.5, arr(0.5, 0.0)
    )
    np.testing.assert_array_equal(stressed, [F, T])
    # transfer take-up 0.5 online, 0.25 offline
    takeup = income.transfer_takeup(arr(T, T, T), arr(T, F, F), 0.5, 0.25, arr(0.5, 0.25, 0.2))
    np.testing.assert_array_equal(takeup, [F, F, T])
    assert not income.transfer_takeup(arr(T, T), arr(T, F), 0.0, 0.0, zero).any()
    # remote learning on a basic connection at 0.5
    learn = schooling.can_learn_remotely(arr(1, 1), arr(1, 1), 0.5, half - arr(0.0, 0.01))
    np.testing.assert_array_equal(learn, [F, T])
    assert not schooling.can_learn_remotely(arr(1), arr(1), 0.0, arr(0.0)).any()


def test_a_draw_equal_to_the_job_loss_hazard_keeps_the_job():
    at_risk, weight, rel, none = arr(T, T), arr(1.0, 1.0), arr(1.0, 1.0), np.zeros(2, bool)
    # exposure 2, wanted loss 1: hazard 0.5 for each
    lost = labour.job_losses(at_risk, weight, rel, none, 1.0, 0.25, arr(0.5, 0.49))
    np.testing.assert_array_equal(lost, [F, T])


def test_a_person_whose_pull_exactly_cancels_stays_offline():
    latent = arr(0.25, -0.5, 1.0, dtype=np.float32)
    home = arr(0, 1, 2, dtype=np.int8)
    at_zero = -(latent + conn.HOME_USE_SHIFT[home])  # latent + shift + pull == 0 exactly
    able = np.ones(3, bool)
    assert not conn.person_uses(latent, home, able, at_zero).any()
    assert conn.person_uses(latent, home, able, at_zero + 1e-6).all()


# --- small quantities ----------------------------------------------------------------------


@pytest.mark.parametrize("wanted", [0.5, 1.0])
def test_a_wanted_loss_below_one_real_job_still_costs_jobs(wanted: float):
    """Losses are in real jobs: half a job wanted among four workers of weight 1 sets a hazard
    of 1/8 each, not none."""
    at_risk, weight, rel, none = np.ones(4, bool), np.ones(4), np.ones(4), np.zeros(4, bool)
    hazard = wanted / 4
    u = arr(0.0, hazard - 1e-9, hazard, 0.99)
    lost = labour.job_losses(at_risk, weight, rel, none, wanted, 0.25, u)
    np.testing.assert_array_equal(lost, [T, T, F, F])


def test_workers_standing_for_less_than_one_person_can_lose_their_job():
    """Exposure below 1 (weights 0.2) is still exposure: wanted 0.2 of 0.4 sets hazard 0.5."""
    lost = labour.job_losses(
        arr(T, T), arr(0.2, 0.2), arr(1.0, 1.0), np.zeros(2, bool), 0.2, 0.25, arr(0.49, 0.5)
    )
    np.testing.assert_array_equal(lost, [T, F])


@pytest.mark.parametrize(
    ("at_risk", "wanted"), [(arr(T, T), 0.0), (arr(T, T), -1.0), (arr(F, F), 1.0)]
)
def test_nobody_to_lose_or_nothing_wanted_gives_a_boolean_nobody(at_risk, wanted):
    lost = labour.job_losses(
        at_risk, arr(1.0, 1.0), arr(1.0, 1.0), np.zeros(2, bool), wanted, 0.25, np.zeros(2)
    )
    assert lost.dtype == bool
    assert not lost.any()


class _Draw:
    """A generator stand-in whose ``random()`` returns a fixed draw."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self) -> float:
        return self.u


@pytest.mark.parametrize(
    ("real", "weight", "u", "units"),
    [
        (0.25, 1.0, 0.24, 1),  # a quarter of a unit: one unit with chance 0.25
        (0.25, 1.0, 0.25, 0),
        (0.25, 1.0, 0.9, 0),
        (250.0, 100.0, 0.49, 3),  # 2.5 units: two, and a third with chance 0.5
        (250.0, 100.0, 0.5, 2),
        (-3.0, 1.0, 0.0, 0),  # nothing for a negative count
        (0.0, 1.0, 0.0, 0),
    ],
)
def test_take_rounds_real_counts_to_units_stochastically(real, weight, u, units):
    assert take(real, weight, _Draw(u)) == units


def test_take_keeps_the_expected_count_for_counts_below_one_unit():
    rng = np.random.default_rng(5)
    draws = [take(30.0, 100.0, rng) for _ in range(20_000)]
    assert np.mean(draws) == pytest.approx(0.3, abs=0.01)


# --- eligibility and reach -----------------------------------------------------------------


def test_household_eligibility_needs_both_its_own_conditions_and_an_eligible_member():
    """Rural households with a woman: an urban household with a woman is not eligible."""
    pop = hand_population(
        [2, 2, 1],
        households={"is_rural": [T, F, T]},
        people={"is_female": [T, F, T, F, F], "age": [30, 40, 30, 40, 50]},
    )
    rule = Eligibility.model_validate({"location": ["rural"], "sex": ["female"]})
    np.testing.assert_array_equal(rule.household_mask(pop), [T, F, F])
    np.testing.assert_array_equal(rule.person_mask(pop), [T, F, F, F, F])


def test_households_reached_by_a_person_level_policy_are_a_boolean_mask_of_their_homes():
    pop = population(2000, seed=3)
    policy = make_policy(pop, type="skills_training")
    assert policy.level == "person"
    reached = np.zeros(pop.p.n, bool)
    reached[[0, 5, 700]] = True
    policy.reached[:] = reached
    homes = policy.reached_households(pop)
    assert homes.dtype == bool and homes.shape == (pop.h.n,)
    np.testing.assert_array_equal(np.flatnonzero(homes), np.unique(pop.p.household[reached]))


def test_outcome_rows_move_between_households_and_persons():
    """A household policy's persons are its households' members; a person policy's households
    are those with an eligible member."""
    pop = hand_population([2, 1, 2], people={"age": [30, 40, 30, 40, 50]})
    households = arr(T, F, T)
    persons = arr(F, F, T, F, T)
    np.testing.assert_array_equal(
        outcomes.eligible_rows(pop, households, "household", "person"), [T, T, F, T, T]
    )
    homes = outcomes.eligible_rows(pop, persons, "person", "household")
    assert homes.dtype == bool
    np.testing.assert_array_equal(homes, [F, T, T])
    assert outcomes.eligible_rows(pop, households, "household", "household") is households


def test_outcome_share_is_over_the_eligible_rows_of_the_outcomes_level():
    # connected: household 0 and 2 of three; a person-level policy reaching persons 2 and 4
    pop = hand_population(
        [2, 1, 2], households={"connection": [1, 0, 2]}, people={"age": [30, 40, 30, 40, 50]}
    )
    persons = arr(F, F, T, F, T)  # homes 1 (offline) and 2 (connected)
    assert outcomes.outcome_share(pop, "connected", persons, "person") == 0.5
    assert outcomes.outcome_share(pop, "connected", np.ones(5, bool), "person") == 2 / 3
    assert outcomes.outcome_share(pop, "connected", np.zeros(5, bool), "person") == 0.0


# --- indicators ----------------------------------------------------------------------------


def test_reference_person_states_equal_the_compiled_table_with_poverty():
    """The packed states of :func:`person_state` (used for the cell table) count the same
    persons per cell and state as the compiled pass the indicators use, poverty bit included."""
    pop = population(2000, seed=4)
    rng = np.random.default_rng(0)
    pop.h.is_poor[:] = rng.random(pop.h.n) < 0.3
    assert pop.h.is_poor.any()
    cells = ind.Cells(pop)
    meaningful = ind.meaningful_use(pop)
    np.testing.assert_array_equal(
        cells.table(ind.person_state(pop, meaningful)), cells.table_of(pop, meaningful)
    )
    state = ind.person_state(pop)
    poor_bit = ind.STATE_BITS.index("poor")
    np.testing.assert_array_equal((state >> poor_bit) & 1 == 1, pop.h.is_poor[pop.p.household])


def test_cell_table_keeps_an_intersection_of_one_person():
    """A single person in a cell is a row of the table (people = the weight), not dropped."""
    pop = hand_population(
        [1, 1],
        weight=1.0,
        households={"is_rural": [F, T], "quintile": [0, 4], "connection": [2, 0]},
        people={"age": [30, 70], "is_female": [T, F], "is_online": [T, F]},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # empty intersections are not divided by zero
        table = ind.cell_table(pop, ind.Cells(pop))
    assert len(table) == 2
    assert list(table["people"]) == [1.0, 1.0]
    assert table["n_people_internet_use"].sum() == 1.0


# --- policies ------------------------------------------------------------------------------

TARGETING = {"women": 2.0, "older": 3.0, "disability": 5.0, "rural": 7.0, "low_income": 11.0}
"""Distinct primes, so each person's priority says which multipliers applied."""


def test_training_priority_is_the_product_of_every_targeting_multiplier_that_applies():
    pop = population(2000, seed=6)
    h, p = pop.h, pop.p
    policy = make_policy(pop, type="skills_training", targeting=TARGETING)
    pool, cum = policy._candidates(pop)
    np.testing.assert_array_equal(pool, np.flatnonzero(p.is_working_age))
    hh = p.household[pool]
    expected = (
        np.where(p.is_female[pool], 2.0, 1.0)
        * np.where(p.age[pool] >= 65, 3.0, 1.0)
        * np.where(p.has_disability[pool], 5.0, 1.0)
        * np.where(h.is_rural[hh], 7.0, 1.0)
        * np.where(h.quintile[hh] <= 1, 11.0, 1.0)  # quintiles 1 and 2 (codes 0 and 1)
    )
    np.testing.assert_allclose(np.diff(cum, prepend=0.0), expected)
    assert (h.quintile[hh] == 1).any() and p.has_disability[pool].any()
    untargeted = make_policy(pop, type="skills_training")._candidates(pop)[1]
    np.testing.assert_allclose(np.diff(untargeted, prepend=0.0), 1.0)


@pytest.mark.parametrize("places", [40, 400, 5000])
def test_training_offers_distinct_open_persons_of_the_pool_up_to_the_places(places: int):
    pop = population(2000, seed=7)
    p = pop.p
    p.is_trained[::3] = True
    policy = make_policy(pop, type="skills_training", targeting=TARGETING)
    pool, _ = policy._candidates(pop)
    open_ = pool[(p.skill[pool] < 0.7) & ~p.is_trained[pool]]
    offers = policy._offers(pop, places, np.random.default_rng(places))
    assert np.unique(offers).size == offers.size
    assert np.isin(offers, open_).all()
    assert offers.size == min(places, open_.size)
    if places >= open_.size:
        np.testing.assert_array_equal(np.sort(offers), open_)


def test_training_offers_follow_the_priority_when_places_are_scarce():
    """Few places among many: persons of priority 2 are offered about twice as often."""
    pop = population(2000, seed=8)
    p = pop.p
    policy = make_policy(pop, type="skills_training", targeting={"women": 2.0})
    pool, _ = policy._candidates(pop)
    open_ = pool[(p.skill[pool] < 0.7) & ~p.is_trained[pool]]
    women, men = (open_[p.is_female[open_]], open_[~p.is_female[open_]])
    rng = np.random.default_rng(9)
    offered = np.concatenate([policy._offers(pop, 20, rng) for _ in range(300)])
    rate_w = np.isin(offered, women).sum() / women.size
    rate_m = np.isin(offered, men).sum() / men.size
    assert rate_w / rate_m == pytest.approx(2.0, rel=0.12)


def test_connectivity_picks_rural_households_first_and_at_random_among_them():
    pop = population(2000, seed=10)
    h = pop.h
    policy = make_policy(pop, type="connectivity")
    candidates = np.arange(h.n)
    rural = np.flatnonzero(h.is_rural)
    k = rural.size // 4
    rng = np.random.default_rng(11)
    counts = np.zeros(h.n)
    for _ in range(200):
        picked = policy._pick(h, candidates, k, rng)
        assert picked.size == k and h.is_rural[picked].all()
        counts[picked] += 1
    # every rural household picked about a quarter of the time, not the same ones each time
    assert counts[rural].min() > 0.1 * 200 and counts[rural].max() < 0.45 * 200


@pytest.mark.parametrize("kind", ["labour_regulation", "social_protection"])
def test_whom_a_policy_reached_accumulates_over_quarters(kind: str):
    """Reach is cumulative: a person or household reached once stays reached after leaving
    platform work or the transfer."""
    pop = population(2000, seed=12)
    policy = make_policy(pop, type=kind)
    rows = pop.p.is_platform if kind == "labour_regulation" else pop.h.gets_transfer
    rows[:] = False
    first = np.zeros(rows.size, bool)
    first[: rows.size // 2 : 7] = True
    second = np.zeros(rows.size, bool)
    second[rows.size // 2 :: 7] = True
    for now in (first, second):
        rows[:] = now
        policy.act(pop, levers(pop), context())
    np.testing.assert_array_equal(policy.reached, first | second)


def _lone_open_persons(n_pool: int, n_open: int, women_open: int) -> Population:
    """Single-person households aged 30 with skill 0: all but the first ``n_open`` trained;
    the last ``women_open`` of those are women."""
    female = np.zeros(n_pool, bool)
    female[n_open - women_open : n_open] = True
    trained = np.ones(n_pool, bool)
    trained[:n_open] = False
    return hand_population(
        [1] * n_pool,
        people={"age": 30, "skill": 0.0, "is_female": female, "is_trained": trained},
    )


@pytest.mark.parametrize("n_pool", [1, 2, 3])
def test_a_lone_open_person_gets_the_one_place(n_pool: int):
    pop = _lone_open_persons(n_pool, 1, 0)
    policy = make_policy(pop, type="skills_training")
    offers = policy._offers(pop, 1, np.random.default_rng(0))
    np.testing.assert_array_equal(offers, [0])


def test_a_person_at_advanced_skill_is_not_offered_a_place():
    """Skill is stored in float32: a score of exactly 0.7 (advanced) is not below it."""
    pop = _lone_open_persons(1, 1, 0)
    pop.p.skill[:] = 0.7
    policy = make_policy(pop, type="skills_training")
    assert policy._offers(pop, 1, np.random.default_rng(0)).size == 0


def test_offers_among_few_open_persons_follow_the_priority():
    """Ten open persons among twenty thousand trained (the draws rarely meet them, so the
    final weighted ordering decides): women of priority 4 take one place in 4 x 5 / (4 x 5 +
    5) = 4/5 of the draws, and every open man keeps his chance of 1/25, the first included."""
    pop = _lone_open_persons(20_000, 10, 5)
    policy = make_policy(pop, type="skills_training", targeting={"women": 4.0})
    rng = np.random.default_rng(13)
    picks = np.concatenate([policy._offers(pop, 1, rng) for _ in range(3000)])
    assert picks.size == 3000
    assert np.mean(picks >= 5) == pytest.approx(0.8, abs=0.03)
    share = np.bincount(picks, minlength=10)[:10] / picks.size
    np.testing.assert_allclose(share[:5], 1 / 25, atol=0.015)
    np.testing.assert_allclose(share[5:], 4 / 25, atol=0.025)


@pytest.mark.parametrize("accessible", [False, True])
def test_uptake_barrier_holds_back_women_persons_65_plus_and_persons_with_disabilities(
    accessible: bool,
):
    """With a barrier of 0 every offered woman, person aged 65 or more, or person with a
    disability declines unless delivery is accessible; the others start at the uptake rate."""
    n = 4000
    ages = np.resize([30, 64, 65, 80], n)
    female = np.resize([F, F, F, F, T], n)
    disability = np.resize([F, F, F, T, F, F, F], n)
    pop = hand_population(
        [1] * n, people={"age": ages, "is_female": female, "has_disability": disability}
    )
    pars = {"p_training_uptake": 0.5, "rel_uptake_barrier": 0.0}
    policy = make_policy(
        pop, pars, type="skills_training", places_per_quarter=n, accessible_delivery=accessible
    )
    policy.act(pop, levers(pop), context(seed=14))
    barrier = female | (ages >= 65) | disability
    started = policy.reached
    if accessible:
        assert started[barrier].mean() == pytest.approx(0.5, abs=0.04)
    else:
        assert not started[barrier].any()
    assert started[~barrier].mean() == pytest.approx(0.5, abs=0.04)
    assert started[(ages == 64) & ~female & ~disability].any()


def test_two_price_declines_compound():
    pop = population(2000, seed=15)
    lv = levers(pop)
    for decline in (0.1, 0.2):
        policy = make_policy(
            pop, type="affordability", start="2020Q1", extra_price_decline_per_year=decline
        )
        policy.act(pop, lv, context(quarter="2022Q1"))
    assert lv.price_factor == pytest.approx((0.9 * 0.8) ** 2)


def test_at_most_the_stated_number_of_labour_regulations_can_be_in_force():
    pop = population(2000, seed=16)
    lv = levers(pop)
    everyone = np.ones(pop.p.n, bool)
    rules = (0.5, 0.5, 0.5, 0.5, 0.8)
    for _ in range(MAX_LABOUR_RULE_SETS):
        lv.add_labour_rules(everyone, rules, owner="regulation")
    with pytest.raises(ValueError, match=f"at most {MAX_LABOUR_RULE_SETS} labour regulations"):
        lv.add_labour_rules(everyone, rules, owner="regulation")


@pytest.mark.parametrize(("at_risk", "wanted"), [(arr(T, T), 0.0), (arr(F, F), 1.0)])
def test_job_losses_with_nothing_to_lose_divide_by_nothing(at_risk, wanted):
    """No one at risk, or nothing wanted: no hazard is computed (no division by zero)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lost = labour.job_losses(
            at_risk, arr(1.0, 1.0), arr(1.0, 1.0), np.zeros(2, bool), wanted, 0.25, np.zeros(2)
        )
    assert not lost.any()


def test_peers_within_a_group_are_drawn_from_all_its_members():
    group = np.repeat(np.arange(2), 100)
    peers = network.build_peers(group, np.random.default_rng(17), k=8, homophily=1.0)
    for g in (0, 1):
        drawn = peers[group == g]
        # 800 draws from 100 members: nearly all of them appear, each about 8 times
        assert np.unique(drawn).size > 95
        assert np.bincount(drawn.ravel(), minlength=200).max() < 25


def test_peers_from_anywhere_include_every_household():
    group = np.repeat(np.arange(5), 10)
    peers = network.build_peers(group, np.random.default_rng(18), k=40, homophily=0.0)
    counts = np.bincount(peers.ravel(), minlength=50)
    assert counts.min() > 15  # 2,000 draws from 50 households: 40 each on average


def _indicators(pop: Population) -> dict[str, float]:
    cells = ind.Cells(pop)
    out, _ = ind.indicators(pop, cells, 100.0, ind.IncomeOrder(pop.h.income / pop.h.size))
    return out


def test_children_cut_off_are_those_in_households_without_remote_learning():
    """Two children who can learn remotely at home and one who cannot: a third are cut off."""
    pop = hand_population(
        [3, 2, 1],
        weight=10.0,
        households={"children_learning": [T, F, F]},
        people={"age": [35, 8, 10, 30, 6, 40]},
    )
    out = _indicators(pop)
    assert out["share_children_no_remote_learning"] == pytest.approx(1 / 3)
    assert out["n_children_no_remote_learning"] == pytest.approx(10.0)


def test_household_indicators_by_location_and_quintile():
    """Urban Q5 meaningful (income 900), urban Q1 offline (300), rural Q1 basic (200): the
    richer fifths and the rural Q5 cell are empty."""
    pop = hand_population(
        [1, 1, 1],
        weight=2.0,
        households={
            "is_rural": [F, F, T],
            "quintile": [4, 0, 0],
            "connection": [2, 0, 1],
            "income": [900.0, 300.0, 200.0],
        },
        people={"age": 40},
    )
    out = _indicators(pop)
    assert out["share_households_connected:location=urban"] == 0.5
    assert out["share_households_connected:location=rural"] == 1.0
    assert out["share_households_meaningful:location=urban"] == 0.5
    assert out["share_households_connected:quintile=5"] == 1.0
    assert out["n_households_connected:quintile=1"] == 2.0
    assert out["mean_income:location=urban"] == 600.0
    assert out["mean_income:quintile=5"] == 900.0
    assert out["ratio_urban_rural_income"] == 3.0
    assert out["ratio_q5_q1_income"] == 900.0 / 250.0


def test_empty_groups_have_shares_and_ratios_of_zero():
    """No rural household and no person with a disability: their shares, mean income and the
    ratios over them are 0 (by convention), never 1, infinite or an error."""
    pop = hand_population(
        [1, 1],
        households={"is_rural": [F, F], "quintile": [4, 1], "connection": [2, 1]},
        people={"age": 40, "is_online": True},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _indicators(pop)
    assert out["share_households_connected:location=rural"] == 0.0
    assert out["share_households_meaningful:location=rural"] == 0.0
    assert out["mean_income:location=rural"] == 0.0
    assert out["ratio_urban_rural_income"] == 0.0
    assert out["ratio_q5_q1_income"] == 0.0  # nobody in Q1
    assert out["share_internet_use:disability=with"] == 0.0
    assert out["share_internet_use:disability=without"] == 1.0


def test_income_ratio_of_incomes_below_one_dollar():
    pop = hand_population(
        [1, 1],
        households={"is_rural": [F, T], "income": [0.5, 0.25]},
        people={"age": 40},
    )
    assert _indicators(pop)["ratio_urban_rural_income"] == 2.0


def _worst_of(pop: Population) -> ind.Worst:
    cells = ind.Cells(pop)
    table = cells.table(ind.person_state(pop))
    return ind.worst_intersection(cells, table.sum(axis=1).astype(float), table[:, 1::2].sum(1))


def _offline_rural_women(n: int, k: int):
    """``n`` one-person households aged 40 in the second fifth: ``k`` offline rural women, the
    rest online urban men."""
    small = np.arange(n) < k
    return hand_population(
        [1] * n,
        households={"is_rural": small, "quintile": 2},
        people={"age": 40, "is_female": small, "is_online": ~small},
    )


def test_an_intersection_of_exactly_the_minimum_size_counts_for_the_worst_off():
    """30 offline rural women among 6,000 persons: exactly 0.5% and exactly 30 persons, the
    smallest intersection that counts."""
    assert ind.WORST_MIN_SHARE * 6000 == ind.WORST_MIN_PERSONS
    worst = _worst_of(_offline_rural_women(6000, ind.WORST_MIN_PERSONS))
    assert worst.label.startswith("Women, Aged 25-64, Rural")
    assert worst.share == 0.0


def test_an_intersection_below_the_minimum_share_does_not_count_for_the_worst_off():
    """40 offline rural women among 10,000 persons: more than 30 persons but only 0.4%."""
    worst = _worst_of(_offline_rural_women(10_000, 40))
    assert worst.label.startswith("Men, Aged 25-64, Urban")
    assert worst.share == 1.0


def test_children_aged_5_to_12_count_for_the_worst_off():
    """Persons under 5 are not Internet users by definition, but children of 5-12 are."""
    n = 1000
    kids = np.arange(n) < 100
    pop = hand_population(
        [1] * n,
        households={"quintile": 2},
        people={"age": np.where(kids, 8, 40), "is_online": ~kids},
    )
    worst = _worst_of(pop)
    assert worst.label == "Men, Aged 5-12, Urban, Q3, Without disability"
    assert worst.share == 0.0


def test_cell_table_of_a_population_of_one():
    pop = hand_population([1], households={"connection": 2}, people={"age": 30})
    table = ind.cell_table(pop, ind.Cells(pop))
    assert len(table) == 1
    assert table.loc[0, ["sex", "age", "location", "quintile"]].tolist() == [
        "male",
        "25-64",
        "urban",
        "1",
    ]


@pytest.mark.parametrize(("age", "meaningful"), [(12, True), (13, False), (14, False)])
def test_only_children_under_13_use_a_family_device(age: int, meaningful: bool):
    """Online on a meaningful home plan, no phone of their own and no computer at home."""
    pop = hand_population(
        [2],
        households={"connection": 2, "has_computer": False},
        people={"age": [40, age], "is_online": True, "has_smartphone": [T, F]},
    )
    np.testing.assert_array_equal(ind.meaningful_use(pop), [T, meaningful])


def test_inequality_of_incomes_below_one_dollar():
    """Incomes 0.1, 0.2, 0.3 and 0.4 of four, three, two and one persons, each of weight 1/16
    (total weighted income 0.125): the Gini is the mean absolute difference over twice
    the mean, the Palma the top tenth's 0.4 over the bottom 40%'s 4 x 0.1."""
    values = np.repeat([0.1, 0.2, 0.3, 0.4], [4, 3, 2, 1]).astype(float)
    gini, palma = income.inequality_sorted(values, np.full(values.size, 0.0625))
    by_hand = np.abs(values[:, None] - values[None, :]).mean() / (2 * values.mean())
    assert gini == pytest.approx(by_hand)
    assert palma == pytest.approx(0.4 / (4 * 0.1))


def test_eligibility_combines_every_household_condition():
    """Rural, in the poorest fifth and offline in 2019: each condition removes households."""
    pop = hand_population(
        [1] * 5,
        households={
            "is_rural": [T, F, T, T, T],
            "quintile": [0, 0, 1, 0, 0],
            "was_online_2019": [F, F, F, T, F],
        },
        people={"age": 40},
    )
    rule = Eligibility.model_validate(
        {"location": ["rural"], "quintile": [1], "offline_in_2019": True}
    )
    np.testing.assert_array_equal(rule.household_mask(pop), [T, F, F, F, T])
    online_before = Eligibility.model_validate({"offline_in_2019": False})
    np.testing.assert_array_equal(online_before.household_mask(pop), [F, F, F, T, F])
    everyone = Eligibility.model_validate({})
    assert everyone.household_mask(pop).all()
