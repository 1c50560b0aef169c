"""The compiled indicator and peer passes against the plain numpy they replace."""

from __future__ import annotations

import numpy as np
import pytest

from model import kernels_indicators as ki
from model import kernels_peers as kp


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_radix_sort_gives_numpys_stable_order_with_ties_and_special_values(seed: int):
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(0, 3, 5_000), 1)  # many ties
    values[:6] = [np.nan, -0.0, 0.0, np.inf, -np.inf, np.nan]
    rng.shuffle(values)
    assert np.array_equal(ki.stable_argsort(values), np.argsort(values, kind="stable"))


def test_radix_sort_of_nothing_and_of_one():
    assert ki.stable_argsort(np.array([], dtype=np.float64)).size == 0
    assert ki.stable_argsort(np.array([4.2])).tolist() == [0]


def test_sorting_a_payload_moves_it_as_numpys_stable_order_does():
    rng = np.random.default_rng(5)
    values = np.round(rng.normal(0, 3, 3_000), 1)
    payload = rng.permutation(10 * values.size)[: values.size]
    expected = payload[np.argsort(values, kind="stable")]
    assert np.array_equal(ki.stable_sort_by(values, payload), expected)


def _palma_dividing(values: np.ndarray, weights: np.ndarray) -> float:
    """The Palma ratio with the share of weight divided out at every entry."""
    total_w = 0.0
    for w in weights:
        total_w += w
    cum_w = bottom = top = 0.0
    for v, w in zip(values, weights, strict=True):
        cum_w += w
        position = cum_w / total_w
        if position <= 0.4:
            bottom += v * w
        elif position > 0.9:
            top += v * w
    return top / bottom if bottom > 0 else 0.0


@pytest.mark.parametrize("n", [10, 20, 37, 1_000])
def test_palma_bands_decide_exactly_as_dividing_at_every_entry(n: int):
    rng = np.random.default_rng(n)
    values = np.sort(rng.lognormal(0, 1, n))
    for weights in (np.ones(n), rng.integers(1, 9, n).astype(np.float64), rng.random(n)):
        assert ki.gini_palma(values, weights)[1] == _palma_dividing(values, weights)


def test_gini_of_equal_incomes_is_zero_and_of_one_owner_approaches_one():
    assert ki.gini_palma(np.full(10, 5.0), np.ones(10))[0] == pytest.approx(0.0, abs=1e-12)
    values = np.zeros(1_000)
    values[-1] = 1.0
    assert ki.gini_palma(values, np.ones(1_000))[0] == pytest.approx(1.0, abs=2e-3)


def test_gini_matches_the_textbook_formula_with_weights():
    rng = np.random.default_rng(3)
    values = np.sort(rng.lognormal(0, 1, 400))
    weights = rng.integers(1, 6, 400).astype(np.float64)
    expanded = np.repeat(values, weights.astype(int))
    n = expanded.size
    textbook = (2 * np.arange(1, n + 1) - n - 1) @ expanded / (n * expanded.sum())
    assert ki.gini_palma(values, weights)[0] == pytest.approx(textbook, rel=1e-9)


@pytest.mark.parametrize("n", [1, 37, 5_000])
def test_gini_of_sizes_with_the_merges_totals_is_bit_identical(n: int):
    rng = np.random.default_rng(n)
    values = np.round(rng.lognormal(3, 1, n), 1)
    sizes = rng.integers(1, 12, n).astype(np.uint8)
    half = rng.permutation(n)
    kept, moved = np.sort(half[: n // 2]), half[n // 2 :]
    kept = kept[np.argsort(values[kept], kind="stable")]
    moved = moved[np.argsort(values[moved], kind="stable")]
    order = np.empty(n, dtype=np.uint32)
    previous = np.empty(n)
    sorted_sizes = np.empty(n, dtype=np.uint8)
    totals = ki.merge_sorted(
        (kept, values[kept]), (moved, values[moved]), sizes, order, previous, sorted_sizes
    )
    assert np.array_equal(previous, np.sort(values))
    expected = ki.gini_palma(previous, sorted_sizes.astype(np.float64))
    assert ki.gini_palma_sizes(previous, sorted_sizes, totals) == expected


def test_peer_shares_updated_incrementally_equal_a_full_recount():
    rng = np.random.default_rng(4)
    n, k = 2_000, 8
    peers = rng.integers(0, n, (n, k)).astype(np.int64)
    state = (rng.random(n) < 0.3).astype(np.uint8)
    counts = np.zeros(n, dtype=np.int64)
    out = np.zeros(n)
    kp.peer_counts(peers, state, counts, out)
    reverse = kp.reverse_peers(peers)
    before = state.copy()
    for _ in range(5):
        state = state.copy()
        flip = rng.random(n) < 0.02
        state[flip] = 1 - state[flip]
        kp.update_peer_share(reverse, k, state, before, counts, out)
        full = np.zeros(n)
        kp.peer_counts(peers, state, np.zeros(n, dtype=np.int64), full)
        assert np.array_equal(out, full)
        assert np.array_equal(before, state)
