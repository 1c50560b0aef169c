"""Fixed social neighbours with homophily by location and income quintile.

Each household gets ``K_PEERS`` neighbours; each is drawn from its own location-quintile group
with probability ``HOMOPHILY`` and from the whole population otherwise. Homophily by place
and status is one of the most robust regularities of social networks (McPherson,
Smith-Lovin & Cook 2001, Annu. Rev. Sociol. 27); the share of neighbours online is the peer
term of adoption (Agarwal & Canfield; Laciana, Rovere & Podestá 2013).
"""

from __future__ import annotations

import numpy as np

K_PEERS = 8
"""Social neighbours per household (assumption; results change little between 5 and 15)."""

HOMOPHILY = 0.8
"""Share of neighbours drawn from the household's own location-quintile group (assumption)."""


def build_peers(
    group: np.ndarray, rng: np.random.Generator, k: int = K_PEERS, homophily: float = HOMOPHILY
) -> np.ndarray:
    """Draw ``k`` neighbour indices per household.

    Args:
        group: integer group code per household (e.g. location x quintile).
        rng: the network's random stream.
        k: neighbours per household.
        homophily: chance that a neighbour comes from the household's own group.

    Returns:
        Array of shape (n, k) of neighbour indices (int32). A neighbour may repeat; a
        household is not excluded from its own list (negligible at realistic sizes).

    """
    n = group.size
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group)
    starts = np.cumsum(counts) - counts
    own_start = starts[group][:, None]
    own_count = counts[group][:, None]
    within = order[own_start + (rng.random((n, k)) * own_count).astype(np.int64)]
    anywhere = rng.integers(0, n, size=(n, k))
    same = rng.random((n, k)) < homophily
    return np.where(same, within, anywhere).astype(np.int32)


def peer_share(peers: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Share of each household's neighbours for whom ``state`` holds."""
    online = state.view(np.uint8)[peers].sum(axis=1, dtype=np.uint8)
    return online * np.float32(1 / peers.shape[1])
