"""Children's remote learning while schools are closed (from 2020Q2, for a region's period).

Children can follow remote learning in a household with meaningful connectivity; with only
basic mobile access (a shared phone, little data) they can with probability
``p_learn_basic``; offline they cannot (ECLAC SR No. 7: 46% of children aged 5-12 live in
households without a connection).
"""

from __future__ import annotations

import numpy as np

from model.calendar import Quarter

CLOSED_FROM = Quarter(2020, 2)
"""First quarter of school closures everywhere (UNESCO: 190 countries closed in April 2020)."""
QUARTERS_CLOSED = 5
"""Quarters schools stay closed unless a region profile says otherwise (2020Q2-2021Q2; issue
text, UNESCO school-closure tracker)."""


def closure(quarters: int) -> tuple[Quarter, Quarter]:
    """First and last quarter of a closure lasting ``quarters`` quarters from 2020Q2."""
    return CLOSED_FROM, CLOSED_FROM + (quarters - 1)


SCHOOLS_CLOSED = closure(QUARTERS_CLOSED)
"""First and last quarter of school closures where the region profile does not say."""


def schools_closed(quarter: Quarter, window: tuple[Quarter, Quarter] = SCHOOLS_CLOSED) -> bool:
    """Schools are closed in ``quarter`` (``window``: first and last quarter closed)."""
    return window[0] <= quarter <= window[1]


def can_learn_remotely(
    n_children: np.ndarray, connection: np.ndarray, p_learn_basic: float, u: np.ndarray
) -> np.ndarray:
    """Households whose children could follow remote learning this quarter."""
    return (n_children > 0) & ((connection == 2) | ((connection == 1) & (u < p_learn_basic)))
