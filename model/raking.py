"""Raking (iterative proportional fitting) of a logit propensity to published marginals.

Households are collapsed into cells that share every attribute a target can name; the
propensity is ``intercept + one coefficient per targeted group + fixed offsets``. Each pass
moves one coefficient by the logit difference between its target and the current rate,
as in raking ratio estimation (Deming & Stephan 1940) applied on the logit scale. Working
on a few hundred cells keeps calibration instant at any population size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_PASSES = 500
TOLERANCE = 1e-5


@dataclass(frozen=True)
class Side:
    """The units a rate is taken over, per cell.

    Attributes:
        weight: real units (households, people or children) of the group in each cell.
        eligible: the part of ``weight`` that can have the measure at all (e.g. covered).

    """

    weight: np.ndarray
    eligible: np.ndarray


@dataclass(frozen=True)
class Margin:
    """One target on cells.

    Attributes:
        group: the units of the target group.
        rate: target rate of the measure in the group (probability scale).
        versus: the units of the comparison group for a ratio target, else None.
        ratio: target ratio rate(group) / rate(versus) when ``versus`` is set.
        moves: boolean per cell: the cells whose coefficient this margin moves (default: the
            cells that hold any unit of the group).

    """

    group: Side
    rate: float
    versus: Side | None = None
    ratio: float = 1.0
    moves: np.ndarray | None = None

    @property
    def coefficient_cells(self) -> np.ndarray:
        """Cells whose logit this margin's coefficient shifts."""
        if self.moves is not None:
            return self.moves
        return self.group.weight > 0


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float | np.ndarray) -> float | np.ndarray:
    """Inverse of :func:`sigmoid`, clipped away from 0 and 1."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _rate(side: Side, alpha: np.ndarray) -> float:
    total = side.weight.sum()
    return float((side.eligible * sigmoid(alpha)).sum() / total) if total > 0 else 0.0


def fitted_rate(margin: Margin, alpha: np.ndarray) -> float:
    """Current value of a margin (a rate, or a ratio of rates) under propensities ``alpha``."""
    rate = _rate(margin.group, alpha)
    if margin.versus is None:
        return rate
    base = _rate(margin.versus, alpha)
    return rate / base if base > 0 else np.inf


def rake(margins: list[Margin], offset: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Fit one coefficient per margin so every margin is met.

    Args:
        margins: targets; each adjusts the coefficient of its own group.
        offset: fixed part of the logit per cell.

    Returns:
        The logit propensity per cell, and each margin's fitted value (rate or ratio).

    """
    coef = np.zeros(len(margins))
    members = np.array([m.coefficient_cells for m in margins], dtype=float)

    def alpha() -> np.ndarray:
        return offset + coef @ members

    for _ in range(MAX_PASSES):
        worst = 0.0
        for k, m in enumerate(margins):
            a = alpha()
            current = _rate(m.group, a)
            wanted = m.rate if m.versus is None else m.ratio * _rate(m.versus, a)
            wanted_in_eligible = _within_eligible(m, wanted)
            current_in_eligible = _within_eligible(m, current)
            step = logit(wanted_in_eligible) - logit(current_in_eligible)
            coef[k] += step
            worst = max(worst, abs(current - wanted))
        if worst < TOLERANCE:
            break
    final = alpha()
    return final, [fitted_rate(m, final) for m in margins]


def _within_eligible(m: Margin, rate: float) -> float:
    """Convert a group rate to the rate among its eligible units (what the logit moves)."""
    total = m.group.weight.sum()
    share_eligible = float(m.group.eligible.sum() / total) if total > 0 else 1.0
    return min(rate / share_eligible, 1 - 1e-9) if share_eligible > 0 else 0.0
