"""Children's remote learning while schools are closed (2020Q2-2021Q2).

Children can follow remote learning in a household with meaningful connectivity; with only
basic mobile access (a shared phone, little data) they can with probability
``p_learn_basic``; offline they cannot (ECLAC SR No. 7: 46% of children aged 5-12 live in
households without a connection).
"""

from __future__ import annotations

import numpy as np

from model.calendar import Quarter

SCHOOLS_CLOSED = (Quarter(2020, 2), Quarter(2021, 2))
"""First and last quarter of school closures (issue text; UNESCO school-closure tracker)."""


def schools_closed(quarter: Quarter) -> bool:
    """Schools are closed in ``quarter``."""
    return SCHOOLS_CLOSED[0] <= quarter <= SCHOOLS_CLOSED[1]


def can_learn_remotely(
    n_children: np.ndarray, connection: np.ndarray, p_learn_basic: float, u: np.ndarray
) -> np.ndarray:
    """Households whose children could follow remote learning this quarter."""
    return (n_children > 0) & ((connection == 2) | ((connection == 1) & (u < p_learn_basic)))
