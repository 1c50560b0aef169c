"""Compiled passes of the peer network.

Each household's share of connected peers, kept up to date by touching only the households
whose peers' connection changed. Compiled code is cached beside the module.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def peer_counts(peers: np.ndarray, state: np.ndarray, counts: np.ndarray, out: np.ndarray) -> None:
    """Share of each household's neighbours for whom ``state`` holds, into ``out``.

    Each household's count of those neighbours goes into ``counts``.
    """
    n, k = peers.shape
    inv = np.float32(1.0 / k)
    for i in range(n):
        c = 0
        for j in range(k):
            c += state[peers[i, j]]
        counts[i] = c
        out[i] = c * inv


@njit(cache=True)
def reverse_peers(peers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who names each household as a neighbour: (start of each in the index, the index).

    A household named twice by the same neighbour appears twice (counting sort over the
    neighbour lists, in row order).
    """
    n, k = peers.shape
    start = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        for j in range(k):
            start[peers[i, j] + 1] += 1
    for c in range(n):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    index = np.empty(n * k, dtype=np.int32)
    for i in range(n):
        for j in range(k):
            c = peers[i, j]
            index[fill[c]] = i
            fill[c] += 1
    return start, index


@njit(cache=True)
def update_peer_share(
    reverse: tuple,
    k: int,
    state: np.ndarray,
    before: np.ndarray,
    counts: np.ndarray,
    out: np.ndarray,
) -> None:
    """Bring :func:`peer_counts`'s ``counts`` and ``out`` from ``before`` to ``state``.

    Only the households that name a household whose state changed are touched, each
    share recomputed from its count exactly as :func:`peer_counts` computes it; ``before``
    becomes ``state``.

    Args:
        reverse: :func:`reverse_peers` of the neighbour lists.
        k: neighbours per household.
        state: yes/no (``uint8``) per household now.
        before: the state ``counts`` and ``out`` were computed for; updated in place.
        counts: neighbours for whom the state holds, per household; updated in place.
        out: share of neighbours for whom it holds; updated in place.

    """
    start, index = reverse
    inv = np.float32(1.0 / k)
    for c in range(state.size):
        if state[c] != before[c]:
            step = 1 if state[c] else -1
            before[c] = state[c]
            for t in range(start[c], start[c + 1]):
                i = index[t]
                counts[i] += step
                out[i] = counts[i] * inv
