"""Compiled loops over persons and households for the rules that touch every row each quarter.

Each kernel does in one pass what would take a dozen whole-array numpy operations, and is
written as the sequential loop its rule describes (:mod:`model.rules` keeps the same rules
as pure numpy functions for tests and for readers). Loops run in index order without
parallelism or fast-math, so results are bit-identical across runs, processes and machines
with the same numba and numpy. Compiled code is cached beside the module.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SKILL_BASIC = np.float32(0.2)


@njit(cache=True)
def use_and_skills(
    household: np.ndarray,
    connection: np.ndarray,
    has_computer: np.ndarray,
    age: np.ndarray,
    can_use: np.ndarray,
    use_latent: np.ndarray,
    damp: np.ndarray,
    common: float,
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
) -> None:
    """Each person's use this quarter, then skills; household sums of adults' skills.

    Use: ``can_use and use_latent + home_shift[home] + damp * (common + beta_skill *
    (skill - skill_2019)) > 0`` (:func:`model.rules.connectivity.person_uses`). A person
    13+ who comes online without the household's computer at a connected home buys a
    smartphone. Meaningful use needs a
    meaningful home plan and a device (own smartphone, the household computer, or a family
    device under 13). Skills then move as :func:`model.rules.skills.update_skills` says.
    Writes ``skill``, ``is_online``, ``has_smartphone``, ``meaningful`` and
    ``adult_skill_sum`` (zeroed here).
    """
    adult_skill_sum[:] = 0.0
    for i in range(household.size):
        h = household[i]
        home = connection[h]
        s = skill[i]
        pull = damp[i] * (np.float32(common) + np.float32(beta_skill) * (s - skill_2019[i]))
        online = can_use[i] and use_latent[i] + home_shift[home] + pull > 0
        computer_at_home = has_computer[h] and home > 0
        if online and not is_online[i] and age[i] >= own_device_age and not computer_at_home:
            has_smartphone[i] = True
        is_online[i] = online
        m = online and home == 2 and (has_smartphone[i] or has_computer[h] or age[i] < 13)
        meaningful[i] = m
        level = int(online) + int(m)
        gain = np.float32(rate_use) * use_weight[level] * (np.float32(1.0) - s)
        fade = np.float32(rate_fade) * s if level == 0 else np.float32(0.0)
        s = s + gain - fade + skill_gain[i]
        s = min(max(s, np.float32(0.0)), np.float32(1.0))
        skill[i] = s
        if age[i] >= adult_age:
            adult_skill_sum[h] += s


@njit(cache=True)
def state_table(
    code: np.ndarray,
    household: np.ndarray,
    is_online: np.ndarray,
    meaningful: np.ndarray,
    skill: np.ndarray,
    is_employed: np.ndarray,
    has_smartphone: np.ndarray,
    is_poor: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Persons per cell and state: ``counts[code + state] += 1`` for every person.

    The state packs the bits of :data:`model.indicators.STATE_BITS` (online, meaningful,
    basic skills, employed, smartphone, poor household). ``counts`` is zeroed here.
    """
    counts[:] = 0
    for i in range(code.size):
        state = (
            int(is_online[i])
            | int(meaningful[i]) << 1
            | int(skill[i] >= SKILL_BASIC) << 2
            | int(is_employed[i]) << 3
            | int(has_smartphone[i]) << 4
            | int(is_poor[household[i]]) << 5
        )
        counts[code[i] + state] += 1


@njit(cache=True)
def peer_share(peers: np.ndarray, state: np.ndarray, out: np.ndarray) -> None:
    """Share of each household's neighbours for whom ``state`` holds (into ``out``)."""
    n, k = peers.shape
    inv = np.float32(1.0 / k)
    for i in range(n):
        c = 0
        for j in range(k):
            c += state[peers[i, j]]
        out[i] = c * inv


@njit(cache=True)
def resort(order: np.ndarray, values: np.ndarray, previous: np.ndarray) -> None:
    """Bring ``order`` back to ascending ``values`` when few values changed since last time.

    ``previous`` holds the values in the old order. Entries whose value did not change keep
    their relative order (they were sorted and still are); the changed ones are sorted
    apart and merged back, with ties in index order as a stable sort would leave them only
    among unchanged entries. Cost: one pass plus a sort of the changed entries. Updates
    ``order`` and ``previous`` in place.
    """
    n = order.size
    changed = np.empty(n, dtype=np.int64)
    kept = np.empty(n, dtype=np.int64)
    n_changed = 0
    n_kept = 0
    for k in range(n):
        i = order[k]
        if values[i] != previous[k]:
            changed[n_changed] = i
            n_changed += 1
        else:
            kept[n_kept] = i
            n_kept += 1
    moved = changed[:n_changed]
    moved = moved[np.argsort(values[moved], kind="mergesort")]
    a = 0
    b = 0
    for k in range(n):
        if b >= n_changed or (a < n_kept and values[kept[a]] <= values[moved[b]]):
            order[k] = kept[a]
            a += 1
        else:
            order[k] = moved[b]
            b += 1
        previous[k] = values[order[k]]


@njit(cache=True)
def gini_palma(order: np.ndarray, values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted Gini coefficient and Palma ratio of ``values`` taken in ascending ``order``."""
    total_w = 0.0
    total_vw = 0.0
    for k in range(order.size):
        i = order[k]
        total_w += weights[i]
        total_vw += values[i] * weights[i]
    if total_vw <= 0:
        return 0.0, 0.0
    cum_vw = 0.0
    cum_w = 0.0
    area = 0.0
    bottom = 0.0
    top = 0.0
    for k in range(order.size):
        i = order[k]
        vw = values[i] * weights[i]
        prev = cum_vw
        cum_vw += vw
        cum_w += weights[i]
        area += weights[i] / total_w * (prev + cum_vw) / total_vw
        position = cum_w / total_w
        if position <= 0.4:
            bottom += vw
        elif position > 0.9:
            top += vw
    return 1.0 - area, (top / bottom if bottom > 0 else 0.0)
