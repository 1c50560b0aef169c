"""The compiled quarter on hand-made rows: skill paths and rehiring against hand-computed values.

The kernels are what the model runs, so these paths are checked on them directly, with
tolerances a one-line change of a rule cannot pass.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import kernels
from model.policies.base import NO_LABOUR_RULES
from model.rules.connectivity import HOME_USE_SHIFT
from model.rules.skills import USE_BY_CONNECTION

RATE_USE = 0.08
RATE_FADE = 0.05
QUARTERS = 6


def skill_path(start: float, home: int, quarters: int = QUARTERS) -> np.ndarray:
    """Skill of one adult online whenever the home is connected, quarter by quarter."""
    one = np.ones(1, dtype=np.float32)
    skill = np.array([start], dtype=np.float32)
    path = []
    for _ in range(quarters):
        kernels.use_and_skills(
            np.zeros(1, dtype=np.int32),  # household
            np.array([home], dtype=np.int8),  # connection
            np.array([home], dtype=np.int8),  # connection in 2019
            np.array([True]),  # has_computer
            np.ones(1, dtype=np.float32),  # coverage_ramp: established
            np.uint64(0),  # ramp key
            np.array([30], dtype=np.int8),  # age
            np.array([5.0], dtype=np.float32),  # use_latent: online whenever connected
            one,  # damp
            (np.zeros(1, dtype=bool), np.float32(1.0)),  # women and their access
            (np.zeros(1, dtype=bool), np.zeros(1, dtype=bool), np.float32(0.0)),  # disability
            0.0,  # common pull
            np.zeros(1, dtype=np.float32),  # lockdown need
            0.0,  # beta_skill
            skill.copy(),  # skill_2019
            np.array([-50.0, 0.0, 0.0], dtype=np.float32) if home == 0 else HOME_USE_SHIFT,
            USE_BY_CONNECTION,
            np.zeros(1, dtype=np.float32),  # training gain
            RATE_USE,
            RATE_FADE,
            13,
            15,
            skill,
            np.zeros(1, dtype=bool),
            np.zeros(1, dtype=bool),
            np.zeros(1, dtype=bool),
            np.zeros(1),
        )
        path.append(float(skill[0]))
    return np.array(path)


@pytest.mark.parametrize("start", [0.0, 0.3, 0.8])
def test_skills_grow_by_a_share_of_the_distance_to_full_skill(start):
    """Meaningful use closes ``rate_use`` of the distance to 1 a quarter; basic use half that."""
    n = np.arange(1, QUARTERS + 1)
    meaningful = 1 - (1 - start) * (1 - RATE_USE) ** n
    basic = 1 - (1 - start) * (1 - RATE_USE * 0.5) ** n
    np.testing.assert_allclose(skill_path(start, home=2), meaningful, atol=2e-6)
    np.testing.assert_allclose(skill_path(start, home=1), basic, atol=2e-6)


@pytest.mark.parametrize("start", [0.2, 0.6, 1.0])
def test_skills_fade_by_a_share_of_the_score_offline(start):
    n = np.arange(1, QUARTERS + 1)
    np.testing.assert_allclose(skill_path(start, home=0), start * (1 - RATE_FADE) ** n, atol=2e-6)


NO_RULES = (np.zeros(1, dtype=np.uint8), np.array([NO_LABOUR_RULES]), np.zeros(1))
COUNTS = np.zeros(len(kernels.LABOUR_COUNTS), dtype=np.int64)
"""No labour regulation for anyone."""
WORKERS = 20_000
P_REHIRE = 0.3


def rehire_quarters(quarters: int) -> tuple[np.ndarray, np.ndarray]:
    """Share back in work among formal and informal job losers after each quarter of rehiring."""
    n = WORKERS
    household = np.arange(n, dtype=np.int32)
    job = np.where(np.arange(n) % 2 == 0, 1, 2).astype(np.int8)
    lost = np.ones(n, dtype=bool)
    fixed = (
        household,
        np.full(n, 40, dtype=np.int8),
        job,
        np.full(n, 500.0),
        np.full(n, 500.0, dtype=np.float32),
        np.ones(n),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    state = (lost, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    state = (
        *state,
        np.zeros(n, dtype=np.float32),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    shock = (0.0, 0.5, True, P_REHIRE, 0.0, 0.3, 0.0, 0.0, 0.0)
    platform = (0.45, 0.1, 0.0, 1.0, 0.7)
    formal, informal = [], []
    for q in range(quarters):
        keys = tuple(np.uint64(1000 * q + k) for k in range(5))
        kernels.labour_quarter(
            fixed,
            state,
            np.zeros(n, dtype=np.int8),
            shock,
            platform,
            NO_RULES,
            keys,
            np.zeros(n),
            COUNTS,
        )
        formal.append(1 - lost[job == 1].mean())
        informal.append(1 - lost[job == 2].mean())
    return np.array(formal), np.array(informal)


def test_job_losers_of_every_kind_of_job_are_rehired_at_the_stated_rate():
    """1 - (1 - p)^q back in work after q quarters, formal and informal alike."""
    expected = 1 - (1 - P_REHIRE) ** np.arange(1, 5)
    formal, informal = rehire_quarters(4)
    tolerance = 4 * np.sqrt(0.25 / (WORKERS / 2))
    np.testing.assert_allclose(formal, expected, atol=tolerance)
    np.testing.assert_allclose(informal, expected, atol=tolerance)


def test_rehired_workers_earn_their_2019_earnings_again():
    n = 4
    earnings = np.zeros(n)
    lost = np.array([True, True, False, False])
    fixed = (
        np.arange(n, dtype=np.int32),
        np.full(n, 40, dtype=np.int8),
        np.ones(n, dtype=np.int8),
        np.array([100.0, 200.0, 300.0, 400.0]),
        np.zeros(n, dtype=np.float32),
        np.ones(n),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    state = (lost, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    state = (
        *state,
        np.zeros(n, dtype=np.float32),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    shock = (0.0, 0.5, True, 1.0, 0.1, 0.3, 0.0, 0.0, 0.0)
    platform = (0.45, 0.1, 0.0, 1.0, 0.7)
    keys = tuple(np.uint64(k) for k in range(5))
    kernels.labour_quarter(
        fixed, state, np.zeros(n, dtype=np.int8), shock, platform, NO_RULES, keys, earnings, COUNTS
    )
    assert not lost.any()
    np.testing.assert_allclose(earnings, [90.0, 180.0, 270.0, 360.0])


def test_platform_pay_follows_each_persons_own_labour_rules():
    """Two platform workers with gigs; only the first is covered by a floor of 0.9."""
    n = 2
    earnings = np.zeros(n)
    fixed = (
        np.arange(n, dtype=np.int32),
        np.full(n, 30, dtype=np.int8),
        np.zeros(n, dtype=np.int8),
        np.zeros(n),
        np.array([100.0, 100.0], dtype=np.float32),
        np.ones(n),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    on_platform = np.ones(n, dtype=bool)
    state = (np.zeros(n, dtype=bool), on_platform, np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    state = (*state, np.ones(n, dtype=np.float32), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    shock = (0.0, 0.5, False, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0)
    platform = (0.45, 0.0, 0.0, 1.0, 0.7)
    rules = (
        np.array([1, 0], dtype=np.uint8),
        np.array([NO_LABOUR_RULES, [0.9, 0, 0, 0, 1.0]]),
        np.zeros(2),
    )
    keys = tuple(np.uint64(k) for k in range(5))
    kernels.labour_quarter(
        fixed, state, np.zeros(n, dtype=np.int8), shock, platform, rules, keys, earnings, COUNTS
    )
    assert on_platform.all()
    np.testing.assert_allclose(earnings, [90.0, 70.0])


def test_social_insurance_replaces_lost_earnings_of_the_covered_and_is_paid_for_them_alone():
    """Two workers lost their jobs (share kept 0.3); only the first is insured at 0.5."""
    n = 2
    earnings = np.zeros(n)
    fixed, state = workers(n)
    state[0][:] = True  # lost_job
    state[5][:] = True  # left_labour_force
    shock = (0.0, 0.5, False, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0)
    paid = np.zeros(2)
    rules = (
        np.array([1, 0], dtype=np.uint8),
        np.array([NO_LABOUR_RULES, [0.0, 0.5, 0, 0, 1.0]]),
        paid,
    )
    keys = tuple(np.uint64(k) for k in range(5))
    kernels.labour_quarter(
        fixed, state, np.zeros(n, dtype=np.int8), shock, (0.45, 0.0, 0.0, 1.0, 0.5), rules, keys,
        earnings, COUNTS,
    )  # fmt: skip
    np.testing.assert_allclose(earnings, [30.0 + 0.5 * 70.0, 30.0])
    np.testing.assert_allclose(paid, [0.0, 35.0])


def workers(n: int, *, teleworkable: bool = False, online: bool = False, skill: float = 0.0):
    """Fixed arrays and state of ``n`` formal workers aged 40 in their own households."""
    fixed = (
        np.arange(n, dtype=np.int32),
        np.full(n, 40, dtype=np.int8),
        np.ones(n, dtype=np.int8),
        np.full(n, 100.0),
        np.full(n, 100.0, dtype=np.float32),
        np.ones(n),
        np.full(n, teleworkable),
        np.zeros(n, dtype=bool),
    )
    state = (
        np.zeros(n, dtype=bool),  # lost_job
        np.zeros(n, dtype=bool),  # is_platform
        np.zeros(n, dtype=bool),  # is_employed
        np.full(n, online),
        np.full(n, skill, dtype=np.float32),
        np.zeros(n, dtype=bool),  # left_labour_force
        np.zeros(n, dtype=bool),  # works_from_home
    )
    return fixed, state


def labour_step(fixed, state, shock, *, home: int = 0, seed: int = 0) -> np.ndarray:
    """One labour pass without platform work; returns the counts."""
    n = fixed[0].size
    counts = np.zeros(len(kernels.LABOUR_COUNTS), dtype=np.int64)
    kernels.labour_quarter(
        fixed,
        state,
        np.full(n, home, dtype=np.int8),
        shock,
        (0.45, 0.0, 0.0, 1.0, 0.5),
        NO_RULES,
        tuple(np.uint64(100 * seed + k) for k in range(5)),
        np.zeros(n),
        counts,
    )
    return counts


def test_job_losers_split_into_unemployed_and_out_of_the_labour_force():
    """Everyone loses the job (hazard 1); a share 0.8 leaves the labour force."""
    fixed, state = workers(WORKERS)
    counts = dict(
        zip(
            kernels.LABOUR_COUNTS,
            labour_step(fixed, state, (1.0, 1.0, False, 0.0, 0.5, 0.3, 0.8, 0.0, 0.0)),
            strict=True,
        )
    )
    lost, left = state[0], state[5]
    assert lost.all()
    assert left.mean() == pytest.approx(0.8, abs=4 * np.sqrt(0.16 / WORKERS))
    assert counts["employed"] == 0
    assert counts["unemployed"] + counts["left_labour_force"] == WORKERS
    assert counts["left_labour_force"] == np.count_nonzero(left)


def test_those_who_left_return_to_work_at_their_rate_and_searchers_at_the_rehire_rate():
    fixed, state = workers(WORKERS)
    state[0][:] = True
    state[5][: WORKERS // 2] = True  # the first half left the labour force
    labour_step(fixed, state, (0.0, 1.0, True, 0.1, 0.0, 0.3, 0.8, 0.4, 0.0))
    back = ~state[0]
    tolerance = 4 * np.sqrt(0.25 / (WORKERS / 2))
    assert back[: WORKERS // 2].mean() == pytest.approx(0.4, abs=tolerance)
    assert back[WORKERS // 2 :].mean() == pytest.approx(0.1, abs=tolerance)
    assert not state[5][back].any()  # whoever is back in work is in the labour force


@pytest.mark.parametrize(
    ("home", "basic_share", "skill", "expected"),
    [
        (2, 0.0, 0.2, 1.0),
        (2, 0.0, 0.1, 0.0),
        (1, 0.0, 0.5, 0.0),
        (1, 0.6, 0.5, 0.6),
        (0, 1.0, 0.5, 0.0),
    ],
)
def test_working_from_home_needs_a_teleworkable_job_basic_skills_and_a_home_connection(
    home, basic_share, skill, expected
):
    """Meaningful plan: all who have basic skills; basic plan: the stated share; none offline."""
    fixed, state = workers(WORKERS, teleworkable=True, online=True, skill=skill)
    counts = labour_step(
        fixed, state, (0.0, 1.0, False, 0.0, 0.2, 0.3, 0.8, 0.0, basic_share), home=home
    )
    assert state[6].mean() == pytest.approx(expected, abs=4 * np.sqrt(0.25 / WORKERS))
    assert counts[kernels.LABOUR_COUNTS.index("from_home")] == np.count_nonzero(state[6])


def test_no_one_works_from_home_outside_a_lockdown():
    fixed, state = workers(100, teleworkable=True, online=True, skill=0.9)
    labour_step(fixed, state, (0.0, 1.0, False, 0.0, 0.0, 0.3, 0.8, 0.0, 1.0), home=2)
    assert not state[6].any()


def test_working_from_home_lowers_the_job_loss_hazard_by_rel_protected():
    fixed, state = workers(WORKERS, teleworkable=True, online=True, skill=0.9)
    labour_step(fixed, state, (0.5, 0.2, False, 0.0, 0.2, 0.3, 0.0, 0.0, 0.0), home=2)
    assert state[0].mean() == pytest.approx(0.1, abs=4 * np.sqrt(0.09 / WORKERS))


@pytest.mark.parametrize("rehire", [False, True])
def test_shock_rules_over_everyone_match_the_rules_over_the_workers_listed(rehire):
    """Without rows the labour pass runs the shock's rules over every person with the market's.

    Persons of every age, with and without a 2019 job, some already without it, under two
    cover codes: the state, earnings, counts and insurance paid equal those of the shock's
    rules over the workers 15+ listed (:func:`kernels.shock_rules`) then the market's.
    """
    rng = np.random.default_rng(7)
    n = 5_000
    age = rng.integers(0, 80, n).astype(np.int8)
    fixed = (
        np.sort(rng.integers(0, n // 3, n)).astype(np.int32),
        age,
        np.where(age >= 15, rng.integers(0, 3, n), 0).astype(np.int8),
        rng.uniform(0.0, 900.0, n),
        rng.uniform(0.0, 900.0, n).astype(np.float32),
        rng.uniform(0.5, 2.0, n),
        rng.random(n) < 0.4,
        rng.random(n) < 0.1,
    )
    state = (
        (rng.random(n) < 0.3) & (fixed[2] > 0),  # lost_job
        rng.random(n) < 0.05,  # is_platform
        np.zeros(n, dtype=bool),  # is_employed
        rng.random(n) < 0.6,  # is_online
        rng.random(n).astype(np.float32),  # skill
        rng.random(n) < 0.2,  # left_labour_force
        np.zeros(n, dtype=bool),  # works_from_home
    )
    table = np.array([NO_LABOUR_RULES, (0.9, 0.5, 0.5, 0.5, 1.5)])
    shock = (0.4, 0.5, rehire, 0.3, 0.2, 0.3, 0.6, 0.2, 0.4)
    keys = tuple(np.uint64(31 * k + 5) for k in range(5))
    connection = rng.integers(0, 3, n // 3).astype(np.int8)
    cover = (rng.random(n) < 0.5).astype(np.uint8)
    runs = []
    for rows in (None, np.flatnonzero((fixed[2] > 0) & (age >= 15))):
        copy = tuple(a.copy() for a in state)
        earnings = np.zeros(n // 3)
        counts = np.zeros(len(kernels.LABOUR_COUNTS), dtype=np.int64)
        paid = np.zeros(2)
        platform = (0.45, 0.1, 0.2, 0.7, 0.5)
        kernels.labour_quarter(
            fixed, copy, connection, shock, platform, (cover, table, paid), keys, earnings, counts,
            rows,
        )  # fmt: skip
        runs.append((*copy, earnings, counts, paid))
    assert runs[0][6].any()
    for everyone, listed in zip(*runs, strict=True):
        np.testing.assert_array_equal(everyone, listed)


HOMES = 20_000
RATE_ADJUST = 0.25


def adoption_path(propensity: float, start: int, quarters: int = 4) -> np.ndarray:
    """Share connected after each quarter of households that all want (or all refuse) a plan."""
    n = HOMES
    f32 = np.zeros(n, dtype=np.float32)
    fixed = (
        np.full(n, propensity, dtype=np.float32),
        np.full(n, -50.0, dtype=np.float32),  # never a meaningful plan
        np.ones(n, dtype=np.float32),  # coverage established
        np.zeros(n, dtype=bool),
        np.full(n, 1000.0),  # income in 2019
        f32,
        f32,
        f32,
        np.zeros(n),
        np.zeros(n),
    )
    now = (np.full(n, 1000.0), f32, f32, f32)
    cost = (1.0, 2.0, 0.0, np.zeros(n), np.zeros(n), np.full(n, 24.0))
    pars = (0.0, 0.0, 0.0, 0.0, 0.05, 0.5, RATE_ADJUST, 0.1, 0.0, 0.05)
    connection = np.full(n, start, dtype=np.int8)
    shares = []
    for q in range(quarters):
        keys = tuple(np.uint64(100 * q + k) for k in range(4))
        kernels.connection_quarter(fixed, now, cost, pars, keys, connection)
        shares.append(np.mean(connection > 0))
    return np.array(shares)


@pytest.mark.slow
def test_households_that_want_a_connection_close_the_gap_at_the_adjustment_rate():
    expected = 1 - (1 - RATE_ADJUST) ** np.arange(1, 5)
    np.testing.assert_allclose(
        adoption_path(2.0, start=0), expected, atol=4 * np.sqrt(0.25 / HOMES)
    )


def test_households_that_no_longer_want_one_drop_at_the_adjustment_rate():
    expected = (1 - RATE_ADJUST) ** np.arange(1, 5)
    np.testing.assert_allclose(
        adoption_path(-2.0, start=1), expected, atol=4 * np.sqrt(0.25 / HOMES)
    )


def test_households_that_want_what_they_have_keep_it():
    np.testing.assert_array_equal(adoption_path(-2.0, start=0), 0.0)
    np.testing.assert_array_equal(adoption_path(2.0, start=1), 1.0)
