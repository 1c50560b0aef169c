"""Compiled passes of the indicators.

Tables by cell and state, the exact Gini by a stable radix sort of what changed, and the
reach of the policies. Loops run in index order, so results are bit-identical across runs and
machines (tests/test_kernels.py, tests/test_indicators.py). Compiled code is cached beside the
module.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.kernels import person_state


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
        state = person_state(
            is_online[i],
            meaningful[i],
            skill[i],
            is_employed[i],
            has_smartphone[i],
            is_poor[household[i]],
        )
        counts[code[i] + state] += 1


@njit(cache=True)
def household_table(
    cell: np.ndarray,
    connection: np.ndarray,
    income: np.ndarray,
    counts: tuple,
    per_person: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households per cell and connection, income per cell, and two household counts.

    One pass over households for :func:`model.indicators.indicators`: ``cell * 3 +
    connection`` counted as ``bincount`` counts it, income summed per cell in index order
    (as ``bincount`` with weights sums it).

    Args:
        cell: household cell (quintile x location), 0-9.
        connection: home connection (0 none, 1 basic, 2 meaningful).
        income: household income.
        counts: (children 5-12 per household, their remote learning, transfer receipt).
        per_person: (persons per household, income per person written here: ``income /
            size`` as numpy divides it), so the income Gini needs no pass of its own.

    Returns:
        Households per cell and connection (10 x 3), income per cell, and (children 5-12,
        those of them in households where they cannot learn remotely, households receiving
        a transfer).

    """
    n_children, learning, gets_transfer = counts
    table = np.zeros((10, 3), dtype=np.int64)
    income_sum = np.zeros(10)
    children = 0
    missed = 0
    receiving = 0
    for i in range(cell.size):
        c = cell[i]
        table[c, connection[i]] += 1
        income_sum[c] += income[i]
        if per_person is not None:
            size, out = per_person
            out[i] = income[i] / size[i]
        children += n_children[i]
        missed += n_children[i] * (1 - learning[i])
        receiving += gets_transfer[i]
    return table, income_sum, np.array([children, missed, receiving])


@njit(cache=True)
def split_changed(
    order: np.ndarray, values: np.ndarray, previous: np.ndarray, out: tuple | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``order`` into entries whose value changed and those whose value did not.

    ``previous`` holds the values in the old order; both parts keep their current order.
    Each entry is written to both parts and only the count of its part advances, so the
    pass has no branch on which entries changed.

    Args:
        order: entries in the old order of value.
        values: the value of every entry now.
        previous: the values in the old order.
        out: arrays of at least ``order.size`` entries to hold the changed entries, the
            kept entries, the kept entries' values and the changed entries' values
            (default: new arrays).

    Returns:
        The changed entries, the kept entries, the kept entries' values and the changed
        entries' values (views of ``out`` when given).

    """
    n = order.size
    if out is None:
        changed = np.empty(n, dtype=order.dtype)
        kept = np.empty(n, dtype=order.dtype)
        kept_values = np.empty(n, dtype=values.dtype)
        changed_values = np.empty(n, dtype=values.dtype)
    else:
        changed, kept, kept_values, changed_values = out
    n_changed = 0
    n_kept = 0
    for k in range(n):
        i = order[k]
        v = values[i]
        moved = v != previous[k]
        changed[n_changed] = i
        changed_values[n_changed] = v
        kept[n_kept] = i
        kept_values[n_kept] = v
        n_changed += moved
        n_kept += not moved
    return (
        changed[:n_changed],
        kept[:n_kept],
        kept_values[:n_kept],
        changed_values[:n_changed],
    )


RADIX_BITS = 8
"""Bits of the sort key taken per pass of :func:`stable_argsort` (a byte: each pass's counts
stay in the fastest cache; measured faster than 11 or 16 bits at a million entries)."""


@njit(cache=True)
def _sort_keys(values: np.ndarray) -> np.ndarray:
    """Unsigned keys in the order of ``values``: -0.0 as 0.0, every NaN last and equal."""
    keys = np.empty(values.size, dtype=np.uint64)
    bits = values.view(np.uint64)
    top = np.uint64(1) << np.uint64(63)
    for i in range(values.size):
        v = values[i]
        if v != v:
            keys[i] = ~np.uint64(0)
        else:
            k = bits[i] if v != 0.0 else np.uint64(0)
            keys[i] = ~k if k & top else k | top
    return keys


@njit(cache=True)
def stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` of float64 values, by least-significant-digit radix.

    Each pass moves the entries by :data:`RADIX_BITS` bits of their key, keeping the order
    of equal digits, so equal values stay in position order as in a stable sort; the counts
    of every digit are taken in one pass over the keys, and a pass whose digit is the same
    for every entry is skipped. Linear in the number of entries, about twice as fast as
    numpy's unstable sort at a million.
    """
    return stable_sort_by(values, np.arange(values.size))


@njit(cache=True)
def stable_sort_by(values: np.ndarray, payload: np.ndarray) -> np.ndarray:
    """``payload[np.argsort(values, kind="stable")]``, sorting the payload with the keys.

    The radix sort of :func:`stable_argsort`, moving ``payload`` (one entry per value)
    instead of positions, so that no gather by the sort order follows.
    """
    n = values.size
    keys = _sort_keys(values)
    order = payload.copy()
    spare_order = np.empty(n, dtype=payload.dtype)
    spare_keys = np.empty(n, dtype=np.uint64)
    n_digits = 1 << RADIX_BITS
    n_passes = 64 // RADIX_BITS
    mask = np.uint64(n_digits - 1)
    count = np.zeros((n_passes, n_digits + 1), dtype=np.int64)
    for i in range(n):
        k = keys[i]
        for p in range(n_passes):
            count[p, ((k >> np.uint64(p * RADIX_BITS)) & mask) + 1] += 1
    for p in range(n_passes):
        if count[p].max() == n:
            continue
        s = np.uint64(p * RADIX_BITS)
        start = count[p]
        for d in range(n_digits):
            start[d + 1] += start[d]
        for i in range(n):
            d = (keys[i] >> s) & mask
            at = start[d]
            start[d] = at + 1
            spare_order[at] = order[i]
            spare_keys[at] = keys[i]
        order, spare_order = spare_order, order
        keys, spare_keys = spare_keys, keys
    return order


@njit(cache=True)
def merge_sorted(
    kept: tuple,
    moved: tuple,
    weights: np.ndarray,
    order: np.ndarray,
    previous: np.ndarray,
    sorted_weights: np.ndarray,
) -> tuple[float, float]:
    """Merge two index lists sorted by value into ``order``; record the sorted values, weights.

    Args:
        kept: (indices, their values), in ascending order of value.
        moved: (indices, their values), in ascending order of value.
        weights: weight of every entry.
        order: written here: all indices in ascending order of value (``kept`` first
            among equal values).
        previous: written here: the values in that order.
        sorted_weights: written here: the weights in that order (in its own type).

    Returns:
        The total weight and the total of value times weight, summed in that order as
        :func:`gini_palma` sums them, so that its first pass is not needed
        (:func:`gini_palma_sizes`).

    """
    kept_index, kept_values = kept
    moved_index, moved_values = moved
    a = 0
    b = 0
    total_w = 0.0
    total_vw = 0.0
    for k in range(order.size):
        if b >= moved_index.size or (a < kept_index.size and kept_values[a] <= moved_values[b]):
            i = kept_index[a]
            v = kept_values[a]
            a += 1
        else:
            i = moved_index[b]
            v = moved_values[b]
            b += 1
        order[k] = i
        previous[k] = v
        w = weights[i]
        sorted_weights[k] = w
        total_w += np.float64(w)
        total_vw += v * np.float64(w)
    return total_w, total_vw


@njit(cache=True)
def gini_palma(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted Gini coefficient and Palma ratio of ``values`` in ascending order."""
    total_w = 0.0
    total_vw = 0.0
    for k in range(values.size):
        total_w += weights[k]
        total_vw += values[k] * weights[k]
    if total_vw <= 0:
        return 0.0, 0.0
    sure = _sure_bands(total_w)
    cum_vw = 0.0
    cum_w = 0.0
    area = 0.0
    bottom = 0.0
    top = 0.0
    for k in range(values.size):
        vw = values[k] * weights[k]
        prev = cum_vw
        cum_vw += vw
        cum_w += weights[k]
        area += weights[k] / total_w * (prev + cum_vw) / total_vw
        band = _palma_band(cum_w, total_w, sure)
        if band == 0:
            bottom += vw
        elif band == 2:
            top += vw
    return 1.0 - area, (top / bottom if bottom > 0 else 0.0)


@njit(cache=True)
def gini_palma_sizes(
    values: np.ndarray, sizes: np.ndarray, totals: tuple[float, float]
) -> tuple[float, float]:
    """:func:`gini_palma` of weights that are small whole numbers, with their totals known.

    The same sums in the same order, bit for bit; each weight's share of the total
    (``w / total_w``) is divided once per weight value, not once per entry.

    Args:
        values: the values in ascending order.
        sizes: their weights, ``uint8``.
        totals: the total weight and the total of value times weight, summed in this
            order (as :func:`merge_sorted` returns them).

    """
    total_w, total_vw = totals
    if total_vw <= 0:
        return 0.0, 0.0
    share = np.empty(256)
    for w in range(256):
        share[w] = np.float64(w) / total_w
    sure = _sure_bands(total_w)
    cum_vw = 0.0
    cum_w = 0.0
    area = 0.0
    bottom = 0.0
    top = 0.0
    for k in range(values.size):
        w = np.float64(sizes[k])
        vw = values[k] * w
        prev = cum_vw
        cum_vw += vw
        cum_w += w
        area += share[sizes[k]] * (prev + cum_vw) / total_vw
        band = _palma_band(cum_w, total_w, sure)
        if band == 0:
            bottom += vw
        elif band == 2:
            top += vw
    return 1.0 - area, (top / bottom if bottom > 0 else 0.0)


@njit(cache=True)
def _sure_bands(total_w: float) -> tuple[float, float, float, float]:
    """Cumulative weights beyond which the share of weight is surely off 0.4 and 0.9.

    Below the first, the share is at most 0.4; between the second and third, above 0.4 and
    at most 0.9; from the fourth, above 0.9 (a margin of 0.001 each side, far above
    rounding). NaN, deciding nothing, when the total is not positive and finite.
    """
    if 0.0 < total_w < np.inf:
        return 0.399 * total_w, 0.401 * total_w, 0.899 * total_w, 0.901 * total_w
    return np.nan, np.nan, np.nan, np.nan


@njit(cache=True, inline="always")
def _palma_band(cum_w: float, total_w: float, sure: tuple) -> int:
    """0 while the share of weight ``cum_w / total_w`` is at most 0.4, 2 above 0.9, else 1.

    Exactly as the rounded quotient compares, dividing only near 0.4 and 0.9 (see
    :func:`_sure_bands`): far from them the comparison with the bands decides.
    """
    below, above, below_top, above_top = sure
    if cum_w <= below:
        return 0
    if above <= cum_w <= below_top:
        return 1
    if cum_w >= above_top:
        return 2
    position = cum_w / total_w
    return 0 if position <= 0.4 else (2 if position > 0.9 else 1)


@njit(cache=True)
def policy_reach(
    household: np.ndarray,
    is_online: np.ndarray,
    was_online: np.ndarray,
    connection: np.ndarray,
    was_connected: np.ndarray,
    household_reached: np.ndarray,
    person_reached: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """New home connections and new users since 2019 that each policy reached.

    A household is newly connected when it has a home connection now and had none in
    2019; a person is newly online likewise. A household-level policy (a row of
    ``household_reached``, policies x households) reaches a new user through the user's
    household; a person-level policy (a row of ``person_reached``, policies x persons)
    reaches a new home through any reached member, counted once. The yes/no arrays are
    passed as ``uint8`` views so that the counts are sums without branches; each policy's
    counts are one tight loop with its own running sum. New users are counted per household
    once, so a household-level policy's new users are a pass over households, not persons.

    Returns:
        New homes and new users reached, per policy: household-level policies first, then
        person-level ones, in their row order.

    """
    n_hp = household_reached.shape[0]
    n_pp = person_reached.shape[0]
    homes = np.zeros(n_hp + n_pp, dtype=np.int64)
    people = np.zeros(n_hp + n_pp, dtype=np.int64)
    new_home = np.empty(connection.size, dtype=np.uint8)
    for h in range(connection.size):
        new_home[h] = np.uint8(connection[h] > 0) & (np.uint8(1) - was_connected[h])
    new_user = np.empty(household.size, dtype=np.uint8)
    users = np.zeros(connection.size, dtype=np.int32)
    for i in range(household.size):
        new = is_online[i] & (np.uint8(1) - was_online[i])
        new_user[i] = new
        users[np.uint32(household[i])] += new
    for j in range(n_hp):
        reached = household_reached[j]
        homes[j] = _count_both(new_home, reached)
        n = 0
        for h in range(connection.size):
            n += users[h] * reached[h]
        people[j] = n
    member = np.zeros(connection.size, dtype=np.uint8)
    for j in range(n_pp):
        reached = person_reached[j]
        member[:] = 0
        for i in range(household.size):
            member[np.uint32(household[i])] |= reached[i]
        homes[n_hp + j] = _count_both(new_home, member)
        people[n_hp + j] = _count_both(new_user, reached)
    return homes, people


@njit(cache=True)
def _count_both(a: np.ndarray, b: np.ndarray) -> int:
    """Entries where both ``uint8`` yes/no arrays hold."""
    n = 0
    for i in range(a.size):
        n += a[i] & b[i]
    return n
