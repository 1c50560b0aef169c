"""Compiled loops over persons and households for the rules that touch every row each quarter.

Each kernel does in one pass what would take a dozen whole-array numpy operations, and is
written as the sequential loop its rule describes (:mod:`model.rules` keeps the same rules
as pure numpy functions for tests and for readers). Loops run in index order without
parallelism or fast-math, so results are bit-identical across runs, processes and machines
with the same numba and numpy. Compiled code is cached beside the module.

Indices read from arrays (a person's household, a connection level, a cell code) are cast to
unsigned integers before they index another array: numba then skips the wrap-around of
negative indices, which costs a compare and an add on every such access in the hot loops.

The use, labour-market and welfare passes go by blocks of :data:`BLOCK` rows: what a block
reads through an index is gathered first, its rules then run as one loop without branches
or indexed reads, which the compiler turns into vector instructions (each lane computes
exactly what the scalar loop computes, so results do not change), and household sums,
counts and lists follow in index order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.households import SKILL_LEVELS, WORKING_AGE

MIN_USE_AGE = 5
"""Persons younger than this are not Internet users themselves (they use family devices)."""
SKILL_BASIC = np.float32(SKILL_LEVELS[0][1])
"""Skill score from which a person has basic digital skills (ITU levels)."""
BLOCK = 1024
"""Rows per block of the passes that vectorise (use, labour market, welfare). Each runs its
rules over a block as one loop without branches or reads through the household index, which
the compiler turns into vector instructions, then does what cannot be vectorised (household
sums, counts, lists) over the same block in index order, while it is still in the fastest
cache. Results do not depend on it."""


@njit(cache=True, inline="always")
def person_state(
    online: bool, meaningful: bool, skill: float, employed: bool, smartphone: bool, poor: bool
) -> int:
    """A person's state as the bits of :data:`model.indicators.STATE_BITS`.

    Online, meaningful, basic skills, employed, smartphone, poor household: the one packing
    every compiled pass uses.
    """
    return (
        int(online)
        | int(meaningful) << 1
        | int(skill >= SKILL_BASIC) << 2
        | int(employed) << 3
        | int(smartphone) << 4
        | int(poor) << 5
    )


# --- counter-based draws --------------------------------------------------------------------

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_2 = np.uint64(0x94D049BB133111EB)
TO_UNIT = 1.0 / 16777216.0


@njit(cache=True, inline="always")
def uniform(key: np.uint64, i: int) -> float:
    """The uniform draw in [0, 1) of row ``i`` in the stream ``key`` (24 random bits).

    The SplitMix64 output function (Steele, Lea & Flood 2014) applied to the counter
    ``key + (i + 1) * golden ratio``: each row's draw depends only on the stream and the row,
    so a decision draws for any subset of rows without shifting anyone else's draw, and
    scenarios that differ in who is eligible still share every row's draw (common random
    numbers).
    """
    z = key + np.uint64(i + 1) * GOLDEN
    z = (z ^ (z >> np.uint64(30))) * MIX_1
    z = (z ^ (z >> np.uint64(27))) * MIX_2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(40)) * TO_UNIT


@njit(cache=True, inline="always")
def covered_now(ramp: float, key: np.uint64, i: int) -> bool:
    """Row ``i`` is reached by coverage: established (ramp 1), or its fixed draw is below the ramp.

    ``key`` is the same every quarter, so a row once reached stays reached while the ramp
    grows (:func:`model.rules.connectivity.reached_by_coverage`).
    """
    return ramp >= 1.0 or (ramp > 0.0 and uniform(key, i) < ramp)


@njit(cache=True)
def uniforms(key: np.uint64, n: int) -> np.ndarray:
    """Draws of rows ``0 .. n-1`` of stream ``key`` (see :func:`uniform`)."""
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        out[i] = uniform(key, i)
    return out


# --- persons ---------------------------------------------------------------------------------


@njit(cache=True)
def use_and_skills(
    household: np.ndarray,
    connection: np.ndarray,
    connection_2019: np.ndarray,
    has_computer: np.ndarray,
    coverage_ramp: np.ndarray,
    ramp_key: np.uint64,
    age: np.ndarray,
    use_latent: np.ndarray,
    damp: np.ndarray,
    women: tuple,
    barrier: tuple,
    common: float,
    need: np.ndarray,
    beta_skill: float,
    skill_2019: np.ndarray,
    home_shift: np.ndarray,
    use_weight: np.ndarray,
    skill_gain: np.ndarray,
    rate_use: float,
    rate_fade: float,
    own_device_age: int,
    adult_age: int,
    skill: np.ndarray,
    is_online: np.ndarray,
    has_smartphone: np.ndarray,
    meaningful: np.ndarray,
    adult_skill_sum: np.ndarray,
    states: tuple | None = None,
) -> None:
    """Each person's use this quarter, then skills; household sums of adults' skills.

    Use, for persons 5+ where the network reaches the household now and whom the ramp-up of
    new coverage has reached (:func:`covered_now` with the person's draw of ``ramp_key``):
    ``use_latent + shift + damp * (common + need[household] + beta_skill * (skill -
    skill_2019)) > 0`` (:func:`model.rules.connectivity.person_uses`), where ``shift`` is the
    shift of the home connection (for a woman, ``women[0]``: the shift of the household's
    2019 connection plus ``women[1]`` of its change since, as devices go to men first) less
    ``barrier[2]`` for a person with a disability (``barrier[0]``) without assistive
    technology (``barrier[1]``).
    A person 13+ who comes online without the household's computer at a connected home buys a
    smartphone. Meaningful use needs a
    meaningful home plan and a device (own smartphone, the household computer, or a family
    device under 13). Skills then move as :func:`model.rules.skills.update_skills` says.
    Writes ``skill``, ``is_online``, ``has_smartphone``, ``meaningful`` and
    ``adult_skill_sum`` (zeroed here).

    Given ``states`` (cell codes, ``is_employed``, ``is_poor`` of households, counts per cell
    and state, each person's state as last counted, and whether that count is to be made
    afresh), the same pass keeps the counts of persons per cell and state that
    :func:`state_table` makes, from the values just written, so the indicators need no
    second pass over persons: only persons whose state changed since they were last counted
    move from their old state's count to their new one's.

    The persons go by blocks of :data:`BLOCK` (:func:`_use_block`), and the household
    sums and the counts follow each block in index order, so every sum adds the same values
    in the same order as one loop over persons would.
    """
    adult_skill_sum[:] = 0.0
    if states is not None:
        code, is_employed, is_poor, counts, last, fresh = states
        if fresh:
            counts[:] = 0
    home = (
        np.empty(BLOCK, dtype=connection.dtype),
        np.empty(BLOCK, dtype=has_computer.dtype),
        np.empty(BLOCK, dtype=coverage_ramp.dtype),
        np.empty(BLOCK, dtype=need.dtype),
        np.empty(BLOCK, dtype=connection_2019.dtype),
    )
    poor = np.empty(BLOCK, dtype=np.bool_)
    pars = (common, beta_skill, home_shift, use_weight, rate_use, rate_fade)
    ages = (own_device_age, adult_age)
    person = (age, use_latent, damp, skill_2019, skill_gain)
    out = (skill, is_online, has_smartphone, meaningful)
    adult_skill = np.empty(BLOCK)
    state = np.empty(BLOCK, dtype=np.uint8)
    moved = np.empty(BLOCK, dtype=np.int64)
    for start in range(0, household.size, BLOCK):
        n = min(BLOCK, household.size - start)
        _gather_homes(household, start, n, (connection, has_computer, coverage_ramp, need), home)
        if women[1] < 1.0:  # else no rule reads the 2019 connection
            _gather(household, start, n, connection_2019, home[4])
        _use_block(start, n, home, ramp_key, person, women, barrier, pars, ages, out, adult_skill)
        for k in range(n):
            adult_skill_sum[np.uint32(household[start + k])] += adult_skill[k]
        if states is not None:
            _gather(household, start, n, is_poor, poor)
            for k in range(n):
                i = np.uint64(start + k)
                state[k] = person_state(
                    is_online[i],
                    meaningful[i],
                    skill[i],
                    is_employed[i],
                    has_smartphone[i],
                    poor[k],
                )
            _move_states(start, n, state, code, counts, last, fresh, moved)


@njit(cache=True, inline="always")
def _gather(household: np.ndarray, start: int, n: int, values: np.ndarray, out: np.ndarray) -> None:
    """The household ``values`` of persons ``start .. start + n - 1``, into ``out[0 .. n - 1]``."""
    for k in range(n):
        out[k] = values[np.uint32(household[start + k])]


@njit(cache=True, inline="always")
def _gather_homes(
    household: np.ndarray, start: int, n: int, households: tuple, home: tuple
) -> None:
    """:func:`_gather` of four household arrays at once (connection, computer, ramp, need)."""
    connection, has_computer, coverage_ramp, need = households
    home_connection, home_computer, home_ramp, home_need, _ = home
    for k in range(n):
        h = np.uint32(household[start + k])
        home_connection[k] = connection[h]
        home_computer[k] = has_computer[h]
        home_ramp[k] = coverage_ramp[h]
        home_need[k] = need[h]


@njit(cache=True, inline="always")
def _use_block(
    start: int,
    n: int,
    home: tuple,
    ramp_key: np.uint64,
    person: tuple,
    women: tuple,
    barrier: tuple,
    pars: tuple,
    ages: tuple,
    out: tuple,
    adult_skill: np.ndarray,
) -> None:
    """The use and skill rules of :func:`use_and_skills` for persons ``start .. start + n - 1``.

    ``home`` holds their household values (connection, computer, coverage ramp, lockdown
    need, connection in 2019), gathered by :func:`_gather_homes` and :func:`_gather`. Writes
    ``out`` (skill, is_online, has_smartphone, meaningful) and each person's new skill if 15+
    (else 0) to ``adult_skill[0 .. n - 1]``. Each person's values are read once, before any
    decision, and the home connection picks its shift and use weight by selects rather than
    by indexing, so the loop has no branches and vectorises.
    """
    connection, has_computer, coverage_ramp, need, connection_2019 = home
    age, use_latent, damp, skill_2019, skill_gain = person
    is_female, women_access = women
    disability, assistive, disability_barrier = barrier
    common, beta_skill, home_shift, use_weight, rate_use, rate_fade = pars
    own_device_age, adult_age = ages
    skill, is_online, has_smartphone, meaningful = out
    damp_women = women_access < 1.0
    c = np.float32(common)
    beta = np.float32(beta_skill)
    up, fade_rate = np.float32(rate_use), np.float32(rate_fade)
    shift_0, shift_1, shift_2 = home_shift[0], home_shift[1], home_shift[2]
    weight_0, weight_1, weight_2 = use_weight[0], use_weight[1], use_weight[2]
    for k in range(n):
        i = np.uint64(start + k)
        level = connection[k]
        computer = has_computer[k]
        s = skill[i]
        a = age[i]
        phone = has_smartphone[i]
        was_online = is_online[i]
        pull = damp[i] * (c + need[k] + beta * (s - skill_2019[i]))
        shift = shift_0 if level == 0 else (shift_1 if level == 1 else shift_2)
        if damp_women:
            was = connection_2019[k]
            before = shift_0 if was == 0 else (shift_1 if was == 1 else shift_2)
            shift = before + women_access * (shift - before) if is_female[i] else shift
        barred = disability[i] & (not assistive[i])
        shift = shift - disability_barrier if barred else shift
        can_use = (a >= MIN_USE_AGE) & covered_now(coverage_ramp[k], ramp_key, start + k)
        online = can_use & (use_latent[i] + shift + pull > 0)
        computer_at_home = computer & (level > 0)
        phone = phone | (online & (not was_online) & (a >= own_device_age) & (not computer_at_home))
        has_smartphone[i] = phone
        is_online[i] = online
        m = online & (level == 2) & (phone | computer | (a < 13))
        meaningful[i] = m
        use = int(online) + int(m)
        weight = weight_0 if use == 0 else (weight_1 if use == 1 else weight_2)
        gain = up * weight * (np.float32(1.0) - s)
        fade = fade_rate * s if use == 0 else np.float32(0.0)
        s = s + gain - fade + skill_gain[i]
        s = min(max(s, np.float32(0.0)), np.float32(1.0))
        skill[i] = s
        adult_skill[k] = s if a >= adult_age else 0.0


@njit(cache=True, inline="always")
def _move_states(
    start: int,
    n: int,
    state: np.ndarray,
    code: np.ndarray,
    counts: np.ndarray,
    last: np.ndarray,
    fresh: bool,
    moved: np.ndarray,
) -> None:
    """Count persons ``start .. start + n - 1`` in their new ``state`` (see :func:`use_and_skills`).

    Afresh, each person adds one to its cell and state; otherwise a person whose state
    changed since it was last counted moves from the old state's count to the new one's.
    The few who changed are listed first (in ``moved``, without a branch), so the moves do
    not branch on every person.
    """
    if fresh:
        for k in range(n):
            i = start + k
            counts[np.uint32(code[i]) + state[k]] += 1
            last[i] = state[k]
        return
    n_moved = 0
    for k in range(n):
        moved[n_moved] = k
        n_moved += state[k] != last[start + k]
    for k in moved[:n_moved]:
        i = start + k
        at = np.uint32(code[i])
        counts[at + last[i]] -= 1
        counts[at + state[k]] += 1
        last[i] = state[k]


# --- labour market --------------------------------------------------------------------------


LABOUR_COUNTS = ("working_age", "employed", "unemployed", "left_labour_force", "from_home")
"""What :func:`labour_quarter` counts over persons 15+ (simulated persons, in this order)."""


@njit(cache=True)
def labour_quarter(
    person: tuple,
    state: tuple,
    connection: np.ndarray,
    shock: tuple,
    platform: tuple,
    rules: tuple,
    keys: tuple,
    earnings_sum: np.ndarray,
    counts: np.ndarray,
    shock_rows: np.ndarray | None = None,
) -> None:
    """Job losses, leaving and re-entering the labour force, rehiring, platform work, earnings.

    Persons under 15 hold no job and do no platform work; they are skipped (their
    ``is_employed`` stays false).

    The rules of :mod:`model.rules.labour` and :func:`model.rules.income.labour_income`.
    Each person's labour rules (floor, insurance, hiring duty, right to telework,
    gigs) are the row of ``rules[1]`` given by the person's cover code
    (:meth:`model.policies.base.Levers.labour_table`):

    - working from home: in a lockdown quarter (``shock[4]`` > 0) a worker still in the
      2019 job works from home when the job is teleworkable and the worker online, with
      basic skills and meaningfully connected at home, or with a basic connection for a
      share ``shock[8]``, which the person's right to telework raises by its share of the
      rest (``basic + right * (1 - basic)``);
    - losses (``shock[0]`` > 0): each worker still in the 2019 job loses it with hazard
      ``min(rel_loss * shock[0], 1)``, lowered by ``rel_protected`` for those working from
      home; a share ``shock[6]`` of those who lose a job leave the labour force, the rest
      search (unemployed);
    - recovery (``shock[2]``): those who left return to work as their jobs reopen at
      ``shock[7]`` a quarter, and searchers find a job at ``p_rehire`` a quarter (both
      times the disability hiring penalty, which the person's hiring duty reduces);
    - platform work: online, skilled persons aged 15-64 leave at ``p_exit`` or, without a
      formal job, enter at ``p_platform`` times the person's gigs (and the hiring penalty),
      rejoining the labour force; a platform worker gets gigs with that chance and is paid a
      share of a reference income raised to the person's floor, or the insurance's share
      without gigs (then counted unemployed);
    - earnings: the 2019 job's earnings less the shorter hours, or ``share_kept`` of them
      after a loss plus the person's insurance share of the earnings lost, plus platform
      pay; summed per household into ``earnings_sum``. What insurance pays (to job losers
      and to platform workers without gigs) is added to ``paid`` by cover code.

    The first three rules touch only workers in the 2019 job, and in most quarters only the
    few who lost it, so they run first over ``shock_rows`` (:func:`shock_rules`); the
    market rules then run over every person 15+ (:func:`market_rules`). Each person's rules
    depend on the person alone, so the two passes give what one pass would. Without
    ``shock_rows`` (a lockdown or loss quarter, when the first three rules can change every
    worker), the market pass runs them too, before the market rules of each block.

    Args:
        person: fixed arrays (household, age, job, earnings_base, platform_reference,
            rel_loss, is_teleworkable, has_disability).
        state: arrays updated in place (lost_job, is_platform, is_employed, is_online, skill,
            left_labour_force, works_from_home).
        connection: home connection of each household.
        shock: (hazard scale, rel_protected, rehire on, p_rehire, hours_cut, share_kept,
            share of losers leaving the labour force, p_return, share who can work from
            home on a basic connection).
        platform: (skilled, p_exit, p_platform, relative hiring with a disability, pay
            share).
        rules: (cover code per person, or one code for everyone; rules per code; insurance
            paid per code, US$ a month, added to here).
        keys: streams (loss and rehiring, telework, platform, gigs, leaving).
        earnings_sum: per household, written here.
        counts: persons 15+ by :data:`LABOUR_COUNTS`, written here.
        shock_rows: the persons the first three rules can change this quarter, each once:
            every worker 15+ in a lockdown or loss quarter, those who lost their job while
            rehiring, none otherwise; ``works_from_home`` must be false for everyone else
            (default: every person 15+).

    """
    if shock_rows is None:
        counts[4] = market_rules(
            person, state, shock, platform, rules, keys, earnings_sum, counts, connection
        )
        return
    counts[4] = shock_rules(shock_rows, person, state, connection, shock, platform[3], rules, keys)
    market_rules(person, state, shock, platform, rules, keys, earnings_sum, counts)


@njit(cache=True)
def shock_rules(
    rows: np.ndarray,
    person: tuple,
    state: tuple,
    connection: np.ndarray,
    shock: tuple,
    rel_hire: float,
    rules: tuple,
    keys: tuple,
) -> int:
    """Working from home, job losses and rehiring of the persons ``rows`` (15+).

    The first three rules of :func:`labour_quarter`, whose arguments these are; writes
    ``lost_job``, ``left_labour_force`` and ``works_from_home`` of ``rows``.

    Returns:
        How many of them work from home.

    """
    household, _, job, _, _, rel_loss, teleworkable, disability = person
    lost, _, _, online, skill, left, at_home = state
    scale, rel_protected, rehire, p_rehire, hours_cut, _, p_leave, p_return, basic = shock
    cover, table, _ = rules
    stride = 1 if cover.size == household.size else 0
    k_loss, k_tele, _, _, k_exit = keys
    lockdown = hours_cut > 0
    losses = scale > 0
    n_home = 0
    for i in rows:
        had_job = job[i] > 0
        code = cover[i * stride]
        hire = 1.0 - (1.0 - rel_hire) * (1.0 - table[code, 2]) if disability[i] else 1.0
        was_lost = lost[i]
        home_work = False
        if lockdown and had_job and not was_lost:
            home = connection[household[i]]
            able = teleworkable[i] and online[i] and skill[i] >= SKILL_BASIC
            right = table[code, 3]
            on_basic = home == 1 and uniform(k_tele, i) < basic + right * (1.0 - basic)
            home_work = able and (home == 2 or on_basic)
        if losses and had_job and not was_lost:
            hazard = min(rel_loss[i] * scale, 1.0) * (rel_protected if home_work else 1.0)
            if uniform(k_loss, i) < hazard:
                lost[i] = True
                left[i] = uniform(k_exit, i) < p_leave
                home_work = False
        elif rehire and was_lost and had_job:
            rate = p_return if left[i] else p_rehire
            if uniform(k_loss, i) < rate * hire:
                lost[i] = False
                left[i] = False
        at_home[i] = home_work
        n_home += home_work
    return n_home


@njit(cache=True)
def market_rules(
    person: tuple,
    state: tuple,
    shock: tuple,
    platform: tuple,
    rules: tuple,
    keys: tuple,
    earnings_sum: np.ndarray,
    counts: np.ndarray,
    connection: np.ndarray | None = None,
) -> int:
    """Platform work, earnings and the labour counts of every person 15+.

    The last two rules of :func:`labour_quarter`, whose arguments these are, after
    :func:`shock_rules`; writes ``earnings_sum`` and the first four of ``counts``, and adds the
    insurance paid to ``rules[2]``. Given ``connection``, the first three rules run too,
    over every person 15+, before the market rules of each block (:func:`_shock_block`).

    The persons go by blocks of :data:`BLOCK`: each person's rules from the cover code
    are looked up first, the rules then run over the block as one loop that vectorises
    (:func:`_market_block`), and the household sums and insurance paid follow in index order,
    so every sum adds the same values in the same order as one loop over persons would.

    Returns:
        How many work from home (0 without ``connection``).

    """
    household = person[0]
    cover, table, paid = rules
    stride = 1 if cover.size == household.size else 0
    earnings_sum[:] = 0.0
    code = np.empty(BLOCK, dtype=cover.dtype)
    own = (np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK))
    home = np.empty(BLOCK, dtype=np.int8)
    earnings = np.empty(BLOCK)
    insured = (np.empty(BLOCK), np.empty(BLOCK))
    counts[:4] = 0
    n_home = 0
    for start in range(0, household.size, BLOCK):
        n = min(BLOCK, household.size - start)
        _own_rules(cover[start * stride :], stride, table, n, code, own, connection is not None)
        if connection is not None:
            _gather(household, start, n, connection, home)
            n_home += _shock_block(start, n, person, state, shock, platform[3], own, home, keys)
        _market_block(
            start, n, person, state, shock, platform, own, keys, earnings, insured, counts
        )
        for k in range(n):
            earnings_sum[np.uint32(household[start + k])] += earnings[k]
            if insured[0][k] != 0.0:
                paid[code[k]] += insured[0][k]
            if insured[1][k] != 0.0:
                paid[code[k]] += insured[1][k]
    return n_home


@njit(cache=True, inline="always")
def _own_rules(
    cover: np.ndarray,
    stride: int,
    table: np.ndarray,
    n: int,
    code: np.ndarray,
    own: tuple,
    telework: bool,
) -> None:
    """The cover code and rules of ``n`` persons.

    ``cover`` starts at the first of them (``stride`` 1) or holds one code for everyone
    (``stride`` 0); writes ``code[0 .. n - 1]`` and ``own[.][0 .. n - 1]``, the columns of
    ``table`` (floor, insurance, hiring duty, right to telework, gigs); the right to
    telework only when ``telework`` (only the shock's rules read it).
    """
    floor, insurance, hiring, right, gigs = own
    for k in range(n):
        r = cover[k * stride]
        code[k] = r
        floor[k] = table[r, 0]
        insurance[k] = table[r, 1]
        hiring[k] = table[r, 2]
        if telework:
            right[k] = table[r, 3]
        gigs[k] = table[r, 4]


@njit(cache=True, inline="always")
def _shock_block(
    start: int,
    n: int,
    person: tuple,
    state: tuple,
    shock: tuple,
    rel_hire: float,
    own: tuple,
    home: np.ndarray,
    keys: tuple,
) -> int:
    """The rules of :func:`shock_rules` for the persons 15+ of ``start .. start + n - 1``.

    ``own`` holds each person's rules (:func:`_own_rules`) and ``home`` the home connection.
    A person 15+ without a job in 2019 comes out as it went in, not working from home;
    persons under 15 keep their states. Each person's values are read once, before any
    decision, and every draw is taken, so the loop has no branches and vectorises.

    Returns:
        How many work from home.

    """
    _, age, job, _, _, rel_loss, teleworkable, disability = person
    lost, _, _, online, skill, left, at_home = state
    scale, rel_protected, rehire, p_rehire, hours_cut, _, p_leave, p_return, basic = shock
    _, _, hiring, right, _ = own
    k_loss, k_tele, _, _, k_exit = keys
    lockdown = hours_cut > 0
    losses = scale > 0
    n_home = 0
    for k in range(n):
        i = np.uint64(start + k)
        adult = age[i] >= WORKING_AGE
        had_job = job[i] > 0
        hire = 1.0 - (1.0 - rel_hire) * (1.0 - hiring[k]) if disability[i] else 1.0
        was_lost = lost[i]
        was_left = left[i]
        in_job = had_job & (not was_lost)
        able = teleworkable[i] & online[i] & (skill[i] >= SKILL_BASIC)
        share = basic + right[k] * (1.0 - basic)
        on_basic = (home[k] == 1) & (uniform(k_tele, start + k) < share)
        home_work = adult & lockdown & in_job & able & ((home[k] == 2) | on_basic)
        u = uniform(k_loss, start + k)
        hazard = min(rel_loss[i] * scale, 1.0) * (rel_protected if home_work else 1.0)
        loses = adult & losses & in_job & (u < hazard)
        rate = p_return if was_left else p_rehire
        back = adult & rehire & was_lost & had_job & (u < rate * hire)
        leaves = uniform(k_exit, start + k) < p_leave
        lost[i] = True if loses else (False if back else was_lost)
        left[i] = leaves if loses else (False if back else was_left)
        home_work = home_work & (not loses)
        at_home[i] = home_work if adult else at_home[i]
        n_home += home_work
    return n_home


@njit(cache=True, inline="always")
def _market_block(
    start: int,
    n: int,
    person: tuple,
    state: tuple,
    shock: tuple,
    platform: tuple,
    own: tuple,
    keys: tuple,
    earnings: np.ndarray,
    insured: tuple,
    counts: np.ndarray,
) -> None:
    """The market rules of :func:`market_rules` for persons ``start .. start + n - 1``.

    ``own`` holds each person's rules (:func:`_own_rules`). Writes the
    platform, labour-force and employment states of persons 15+ (others keep theirs), their
    earnings to ``earnings`` and the insurance paid for a lost job and to a platform worker
    without gigs to ``insured`` (zero for persons under 15), and adds to the first four of
    ``counts``. Each person's values are read once, before any decision, and both draws are
    taken for everyone, so the loop has no branches and vectorises (each draw depends on its
    row alone, so taking a draw that is not used changes nothing).
    """
    _, age, job, base, reference, _, _, disability = person
    lost, on_platform, employed, online, skill, left, _ = state
    hours_cut, share_kept = shock[4], shock[5]
    skilled, p_exit, p_platform, rel_hire, pay_share = platform
    floor, insurance_of, hiring_of, _, gigs_of = own
    k_platform, k_gigs = keys[2], keys[3]
    c0 = c1 = c2 = c3 = 0
    for k in range(n):
        i = np.uint64(start + k)
        a = age[i]
        adult = a >= WORKING_AGE
        j = job[i]
        had_job = j > 0
        gigs = gigs_of[k]
        insurance = insurance_of[k]
        hire = 1.0 - (1.0 - rel_hire) * (1.0 - hiring_of[k]) if disability[i] else 1.0
        is_lost = lost[i]
        able = online[i] & (skill[i] >= skilled) & (a < 65)
        u = uniform(k_platform, start + k)
        stays = able & (u >= p_exit)
        enters = able & ((j != 1) | is_lost) & (u < p_platform * gigs * hire)
        was_platform = on_platform[i]
        platform_now = stays if was_platform else enters
        was_left = left[i]
        is_left = was_left & (was_platform | (not enters))
        left[i] = is_left if adult else was_left
        on_platform[i] = platform_now if adult else was_platform
        e = base[i] * (share_kept if is_lost else 1.0 - hours_cut)
        insured_loss = had_job & is_lost & (insurance > 0.0)
        loss_paid = insurance * (base[i] * (1.0 - share_kept))
        e = e + loss_paid if insured_loss else e
        e = e if had_job else 0.0
        gig = platform_now & (uniform(k_gigs, start + k) < min(gigs, 1.0))
        pay = reference[i] * max(pay_share, floor[k])
        e = e + (pay if gig else insurance * pay) if platform_now else e
        working = (had_job & (not is_lost)) | gig
        employed[i] = working if adult else employed[i]
        earnings[k] = e if adult else 0.0
        insured[0][k] = loss_paid if adult & insured_loss else 0.0
        insured[1][k] = insurance * pay if adult & platform_now & (not gig) else 0.0
        jobless = had_job & is_lost
        c0 += adult
        c1 += adult & working
        c2 += adult & (not working) & ((jobless & (not is_left)) | platform_now)
        c3 += adult & jobless & is_left & (not platform_now)
    counts[0] += c0
    counts[1] += c1
    counts[2] += c2
    counts[3] += c3


@njit(cache=True)
def households_insured(
    workers: np.ndarray,
    household: np.ndarray,
    lost_job: np.ndarray,
    cover: np.ndarray,
    insurance: np.ndarray,
    out: np.ndarray,
) -> None:
    """Mark the households of workers paid social insurance for a lost job.

    A worker (a person with a 2019 job, one of ``workers``) who lost the job is paid when
    the insurance of the worker's cover code is above zero.

    Args:
        workers: persons with a 2019 job.
        household: household of every person.
        lost_job: every person's job loss.
        cover: cover code per person, or one code for everyone.
        insurance: insurance share per cover code.
        out: per household, zeroed and written here.

    """
    stride = 1 if cover.size == household.size else 0
    out[:] = False
    for i in workers:
        if lost_job[i] and insurance[cover[i * stride]] > 0.0:
            out[household[i]] = True


# --- households -----------------------------------------------------------------------------


@njit(cache=True)
def connection_quarter(
    fixed: tuple,
    now: tuple,
    cost: tuple,
    pars: tuple,
    keys: tuple,
    connection: np.ndarray,
) -> None:
    """Each household's home connection next quarter (:mod:`model.rules.connectivity`).

    A covered household that the ramp-up of new coverage has reached (:func:`covered_now`)
    wants a connection when its raked propensity plus the pull (common
    pull, the household's lockdown need, peers and skills gained since 2019) less
    ``beta_afford`` times the change since 2019 of log(monthly cost / income + non-price
    cost share) is positive (:func:`model.rules.connectivity.log_cost_share`), and a
    meaningful plan likewise
    (its cost includes the device, paid over the household's device months; with broadband
    coverage and the pull of skills around ``skill_mid``). It closes the gap between what it
    has and what it wants at ``rate_adjust`` (connection) and ``rate_upgrade`` (plan) a
    quarter, and drops one level with chance ``p_stress`` when its plan costs over 5% of an
    income that has fallen.

    What a household wants is worked out only when one of its two draws lets it move: a
    household that does not move keeps its connection whatever it wants, and the logarithms
    and the logistic of what it wants are most of the pass's work.

    Args:
        fixed: (propensity, propensity_meaningful, coverage_ramp, has_broadband,
            income_base, peers_2019, skill_2019, readiness for meaningful use in 2019,
            unafford_2019, unafford_meaningful_2019).
        now: (income, peers share, mean skill of members 15+, lockdown need pull).
        cost: (basic price, meaningful price, device price, service subsidy, device
            subsidy, months over which each household pays a device) after the policy price
            factor.
        pars: (common pull, beta_peer, beta_skill, beta_afford, non-price cost share,
            skill_mid, rate_adjust, rate_upgrade, p_stress, stress share).
        keys: streams (adjust, upgrade, stress, and the fixed key of the coverage ramp-up).
        connection: updated in place.

    """
    prop, prop_m, ramp, broadband, income_base, peers_0, skill_0, ready_0, aff_0, aff_m0 = fixed
    income, peers, skill, need = now
    basic, meaningful, device, sub_service, sub_device, months = cost
    common, b_peer, b_skill, b_afford, nonprice, mid, rate_adjust, rate_up, p_stress, stress = pars
    k_adjust, k_up, k_stress, k_ramp = keys
    for i in range(connection.size):
        level = connection[i]
        move = uniform(k_adjust, i) < rate_adjust
        move_m = uniform(k_up, i) < rate_up
        inc = max(income[i], 1.0)
        c_basic = basic * (1.0 - sub_service[i])
        c_m = meaningful * (1.0 - sub_service[i]) + device / months[i] * (1.0 - sub_device[i])
        new = level
        wants = True
        if move or move_m:
            afford = np.log(c_basic / inc + nonprice)
            pull = common + need[i] + b_peer * (peers[i] - peers_0[i])
            pull += b_skill * (skill[i] - skill_0[i])
            reached = covered_now(ramp[i], k_ramp, i)
            wants = reached and prop[i] + pull - b_afford * (afford - aff_0[i]) > 0
            wants_m = False
            if move_m and wants and broadband[i]:
                afford_m = np.log(c_m / inc + nonprice)
                ready = 1.0 / (1.0 + np.exp(-10.0 * (skill[i] - mid)))
                pull_m = common + need[i] + b_skill * (ready - ready_0[i])
                wants_m = prop_m[i] + pull_m - b_afford * (afford_m - aff_m0[i]) > 0
            new = _plan_change(level, wants, wants_m, move, move_m)
        stressed = level > 0 and income[i] < income_base[i]
        stressed = stressed and (c_m if level == 2 else c_basic) / inc > stress
        if stressed and uniform(k_stress, i) < p_stress:
            new = max(new - 1, 0)
        if level > 0 and not wants and move:
            new = 0
        connection[i] = new


@njit(cache=True, inline="always")
def _plan_change(level: int, wants: bool, wants_m: bool, move: bool, move_m: bool) -> int:
    """A household's connection after connecting and changing plan (before stress and drops)."""
    new = level
    if level == 0 and wants and move:
        new = 1
    if level != 2 and wants_m and move_m and new >= 1:
        new = 2
    if level == 2 and not wants_m and move_m and new == 2:
        new = 1
    return new


@njit(cache=True)
def household_income(
    nonlabour: np.ndarray,
    earnings: np.ndarray,
    size: np.ndarray,
    gets_transfer: np.ndarray,
    transfer_per_person: float,
    income: np.ndarray,
) -> None:
    """Household income: other income plus earnings plus the transfer of those receiving it.

    The transfer is ``transfer_per_person`` times the household's size; written to
    ``income``.
    """
    for i in range(income.size):
        transfer = transfer_per_person * size[i] if gets_transfer[i] else 0.0
        income[i] = nonlabour[i] + earnings[i] + transfer


@njit(cache=True)
def welfare_quarter(
    size: np.ndarray,
    n_children: np.ndarray,
    connection: np.ndarray,
    takeup: tuple,
    line: tuple,
    p_learn_basic: float,
    keys: tuple,
    income: np.ndarray,
    gets_transfer: np.ndarray,
    is_poor: np.ndarray,
    children_learning: np.ndarray,
    poverty_changed: np.ndarray,
) -> int:
    """Transfer take-up, income after transfers, poverty and children's remote learning.

    The rules of :func:`model.rules.income.transfer_takeup` and
    :func:`model.rules.schooling.can_learn_remotely` in one pass over households: a
    household poor before transfers receives the transfer when its draw is below its
    take-up chance (the larger of the base chance and the policy's, online with a home
    connection and offline without); it is poor when its income after transfers is below
    the line; its children follow remote learning on a meaningful plan, or on a basic one
    with chance ``p_learn_basic`` (already in the precision the draws are compared in).
    The households go by blocks of :data:`BLOCK`: the rules run over a block as one loop
    that vectorises (:func:`_welfare_block`), then the households whose poverty changed are
    listed in index order.

    Args:
        size: persons per household.
        n_children: children 5-12 per household.
        connection: home connection (0 none, 1 basic, 2 meaningful).
        takeup: (base online chance, policy online chances, base offline chance, policy
            offline chances).
        line: (poverty line per person, transfer per person).
        p_learn_basic: chance of following remote learning on a basic connection.
        keys: streams (take-up, learning).
        income: income with last quarter's transfer in, updated in place.
        gets_transfer: receipt last quarter, updated in place.
        is_poor: updated in place.
        children_learning: written here.
        poverty_changed: written here: the households whose poverty changed, first.

    Returns:
        The number of households whose poverty changed.

    """
    households = (size, n_children, connection)
    rules = (takeup, line, p_learn_basic, keys)
    out = (income, gets_transfer, is_poor, children_learning)
    changed = np.empty(BLOCK, dtype=np.uint8)
    n_changed = 0
    for start in range(0, income.size, BLOCK):
        n = min(BLOCK, income.size - start)
        _welfare_block(start, n, households, rules, out, changed)
        for k in range(n):
            poverty_changed[n_changed] = start + k
            n_changed += changed[k]
    return n_changed


@njit(cache=True, inline="always")
def _welfare_block(
    start: int, n: int, households: tuple, rules: tuple, out: tuple, changed: np.ndarray
) -> None:
    """The rules of :func:`welfare_quarter` for households ``start .. start + n - 1``.

    ``households`` holds (size, n_children, connection), ``rules`` (takeup, line,
    p_learn_basic, keys) and ``out`` (income, gets_transfer, is_poor, children_learning), as
    :func:`welfare_quarter` names them; writes whether each household's poverty changed to
    ``changed[0 .. n - 1]``. Each household's values are read before deciding and both
    draws are taken, so the loop has no branches and vectorises.
    """
    size, n_children, connection = households
    takeup, line, p_learn_basic, keys = rules
    income, gets_transfer, is_poor, children_learning = out
    p_online, policy_online, p_offline, policy_offline = takeup
    per_person_line, per_person_transfer = line
    k_takeup, k_learn = keys
    for k in range(n):
        i = np.uint64(start + k)
        m = size[i]
        transfer = per_person_transfer * m
        before = income[i] - (transfer if gets_transfer[i] else 0.0)
        poverty_line = per_person_line * m
        level = connection[i]
        on, off = policy_online[i], policy_offline[i]
        chance = max(p_online, on) if level > 0 else max(p_offline, off)
        gets = (before < poverty_line) & (uniform(k_takeup, start + k) < chance)
        gets_transfer[i] = gets
        after = before + (transfer if gets else 0.0)
        income[i] = after
        poor = after < poverty_line
        changed[k] = poor != is_poor[i]
        is_poor[i] = poor
        learns = (level == 2) | ((level == 1) & (uniform(k_learn, start + k) < p_learn_basic))
        children_learning[i] = (n_children[i] > 0) & learns


@njit(cache=True)
def move_poor_states(
    households: np.ndarray,
    members: tuple,
    last: np.ndarray,
    is_poor: np.ndarray,
    code: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Move the members of households whose poverty changed to their new state's count.

    ``counts`` holds persons per cell and state (:func:`state_table`) as last counted, each
    person's state in ``last`` (:func:`use_and_skills`), with each household's previous
    poverty; each member of ``households`` moves from that state to the same state with the
    new poverty bit, so ``counts`` ends as a fresh count would.

    Args:
        households: households whose poverty changed.
        members: (start of each household's members in ``index``, persons by household).
        last: each person's state as counted; updated in place.
        is_poor: poverty of every household now.
        code: ``cell * N_STATES`` per person.
        counts: updated in place.

    """
    start, index = members
    for h in households:
        poor = int(is_poor[h]) << 5
        for k in range(start[h], start[h + 1]):
            i = index[k]
            old = last[i]
            new = (old & 31) | poor
            counts[code[i] + old] -= 1
            counts[code[i] + new] += 1
            last[i] = new


@njit(cache=True)
def shuffle_ranks(u: np.ndarray, slots: np.ndarray) -> None:
    """Write the ranks ``0 .. n-1`` into ``slots`` in a uniformly random order.

    A Fisher-Yates shuffle driven by ``u`` (one uniform per slot): slot ``k``, from the last
    down, swaps with slot ``floor(u[k] * (k + 1))``.
    """
    n = slots.size
    for k in range(n):
        slots[k] = k
    for k in range(n - 1, 0, -1):
        j = min(int(u[k] * (k + 1)), k)
        slots[k], slots[j] = slots[j], slots[k]


@njit(cache=True)
def hand_out_ranks(
    cells: np.ndarray, starts: np.ndarray, taken: np.ndarray, slots: np.ndarray
) -> np.ndarray:
    """The next shuffled rank of each unit's cell, handed out in index order.

    ``slots[starts[c]:starts[c + 1]]`` holds cell ``c``'s shuffled ranks and ``taken[c]`` how
    many are handed out already; it is updated, so consecutive passes of units continue
    where the last stopped. Ranks are 32-bit (a cell holds fewer than 2**31 units).
    """
    rank = np.empty(cells.size, dtype=np.int32)
    for i in range(cells.size):
        c = cells[i]
        rank[i] = slots[starts[c] + taken[c]]
        taken[c] += 1
    return rank
