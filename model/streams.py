"""Named random streams: one independent generator per stochastic decision.

Each stream is seeded from the run seed and a stable hash of its name, not from the order
in which streams are asked for. Adding a policy (and its streams) therefore leaves every
other decision's draws unchanged, which makes common random numbers across scenarios and
"policy at zero intensity = baseline" hold exactly.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of named generators for one run.

    Args:
        seed: the run seed (a non-negative integer).

    """

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError("seeds are non-negative integers")
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """Return the generator of stream ``name``, created on first use."""
        rng = self._cache.get(name)
        if rng is None:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            rng = np.random.Generator(np.random.PCG64(seq))
            self._cache[name] = rng
        return rng

    def key(self, name: str, step: int) -> np.uint64:
        """The 64-bit key of decision ``name`` in quarter ``step``, for counter-based draws.

        Compiled rules draw row ``i``'s uniform from the key and ``i`` alone
        (:func:`model.kernels.uniform`), so each row's draw is fixed whoever else draws.
        """
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name), step))
        return np.uint64(seq.generate_state(1, np.uint64)[0])

    def quarterly(self, name: str, step: int) -> np.random.Generator:
        """A fresh generator for decision ``name`` in quarter ``step``.

        Draws in one quarter never depend on how many draws were made in another, so a rule
        that runs only in some quarters cannot shift later draws.
        """
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name), step))
        return np.random.Generator(np.random.PCG64(seq))
