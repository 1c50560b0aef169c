"""Named random streams: one independent generator per stochastic decision.

Each stream is seeded from the run seed and a stable hash of its name, not from the order
in which streams are asked for. Adding a policy (and its streams) therefore leaves every
other decision's draws unchanged, which makes common random numbers across scenarios and
"policy at zero intensity = baseline" hold exactly.

A run seed is one non-negative integer. Mesa's ``rng`` (or ``seed``) argument turns into it by
:func:`run_seed`, so ``mesa.batch_run`` and ``InclusionModel(loaded, seed=s)`` agree.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Sequence

import numpy as np

SeedLike = (
    int
    | np.integer
    | Sequence[int]
    | np.random.SeedSequence
    | np.random.Generator
    | np.random.BitGenerator
)
"""What Mesa accepts as ``rng``, and so what :func:`run_seed` turns into a run seed."""

FRESH_SEED_BITS = 63
"""A fresh run seed (``rng=None``) is drawn below ``2**63``, so it fits a signed 64-bit column."""


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

    def lasting_key(self, name: str) -> np.uint64:
        """The key of decision ``name`` for the whole run: its key in quarter 0.

        For a trait a row keeps (how soon a newly covered household is reached, whether a
        household takes a transfer up): row ``i`` draws the same uniform in every quarter, so
        the trait persists, while a threshold that changes (a policy raising take-up) still
        acts on it.
        """
        return self.key(name, 0)

    def quarterly(self, name: str, step: int) -> np.random.Generator:
        """A fresh generator for decision ``name`` in quarter ``step``.

        Draws in one quarter never depend on how many draws were made in another, so a rule
        that runs only in some quarters cannot shift later draws.
        """
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name), step))
        return np.random.Generator(np.random.PCG64(seq))


def run_seed(value: SeedLike | None) -> int:
    """The integer run seed that Mesa's ``rng`` (or ``seed``) value stands for.

    The rule:

    * ``None``: a fresh seed below ``2**63`` from the operating system's entropy; the model
      records it as ``model.seed``, so the run can be repeated.
    * an integer (Python or numpy): that integer; it must be non-negative.
    * a ``numpy.random.SeedSequence``, or a sequence of integers (made into one): its first
      64-bit state word shifted right by one bit (below ``2**63``); the sequence is not
      changed, so the same one gives the same seed every time.
    * a ``numpy.random.Generator`` or ``BitGenerator``: one draw below ``2**63`` from it. This
      advances the generator, so passing the same generator twice gives two seeds; a
      generator in the same state gives the same seed.

    Raises:
        ValueError: a negative integer.
        TypeError: anything else (a float, a string, ...).

    """
    if value is None:
        return secrets.randbits(FRESH_SEED_BITS)
    if isinstance(value, bool | float | str | bytes):
        raise TypeError(_not_a_seed(value))
    if isinstance(value, int | np.integer):
        if value < 0:
            raise ValueError(f"seeds are non-negative integers, not {value}")
        return int(value)
    if isinstance(value, np.random.BitGenerator):
        value = np.random.Generator(value)
    if isinstance(value, np.random.Generator):
        return int(value.integers(2**FRESH_SEED_BITS))
    if isinstance(value, Sequence):
        value = np.random.SeedSequence([int(v) for v in value])
    if isinstance(value, np.random.SeedSequence):
        return int(value.generate_state(1, np.uint64)[0]) >> (64 - FRESH_SEED_BITS)
    raise TypeError(_not_a_seed(value))


def resolve_run_seed(seed: SeedLike | None, rng: SeedLike | None) -> int:
    """The run seed of a model given ``seed``, Mesa's ``rng``, or both (see :func:`run_seed`).

    Both ``None``: a fresh seed. Both given: they must give the same run seed.

    Raises:
        ValueError: ``seed`` and ``rng`` give different run seeds.

    """
    if rng is None:
        return run_seed(seed)
    from_rng = run_seed(rng)
    from_seed = from_rng if seed is None else run_seed(seed)
    if from_seed != from_rng:
        raise ValueError(
            f"seed={seed!r} and rng={rng!r} give different run seeds "
            f"({from_seed} and {from_rng}); pass only one of them"
        )
    return from_rng


def _not_a_seed(value: object) -> str:
    return (
        f"{value!r} ({type(value).__name__}) is not a seed; pass a non-negative integer, "
        "a numpy SeedSequence or Generator, a sequence of integers, or None for a fresh seed"
    )
