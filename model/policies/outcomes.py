"""The outcome each policy type is meant to move, measured over the rows it may reach.

Each policy class names its target in ``outcome`` (a key of :data:`OUTCOMES`); the tests
hold every policy type to moving it in the right direction for its eligible group, so a lever
that only changes its own bill (or a new type that declares nothing) fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from model.households import SKILL_LEVELS, WORKING_AGE, Population


@dataclass(frozen=True)
class Outcome:
    """A yes/no outcome of households or persons that a policy aims to raise.

    Attributes:
        label: words for readers.
        level: ``household`` or ``person`` (the rows ``value`` returns).
        value: the outcome of every row of the population now.

    """

    label: str
    level: str
    value: Callable[[Population], np.ndarray] = field(repr=False)


OUTCOMES: dict[str, Outcome] = {
    "connected": Outcome(
        "households with a home connection", "household", lambda pop: pop.h.connection > 0
    ),
    "basic_skills": Outcome(
        "persons 15+ with basic digital skills",
        "person",
        lambda pop: (pop.p.skill >= SKILL_LEVELS[0][1]) & (pop.p.age >= WORKING_AGE),
    ),
    "transfer_received": Outcome(
        "households receiving the social transfer", "household", lambda pop: pop.h.gets_transfer
    ),
    "not_poor": Outcome(
        "persons in households above the poverty line",
        "person",
        lambda pop: ~pop.h.is_poor[pop.p.household],
    ),
    "job_kept": Outcome(
        "persons still in their 2019 job", "person", lambda pop: (pop.p.job > 0) & ~pop.p.lost_job
    ),
}
"""Every outcome a policy type can declare, by name."""


def eligible_rows(
    pop: Population, eligible: np.ndarray, policy_level: str, level: str
) -> np.ndarray:
    """The rows at ``level`` of a policy's eligible households or persons.

    A household-level policy's persons are the members of its eligible households; a
    person-level policy's households are those with an eligible member.
    """
    if policy_level == level:
        return eligible
    if level == "person":
        return eligible[pop.p.household]
    out = np.zeros(pop.h.n, dtype=bool)
    out[pop.p.household[eligible]] = True
    return out


def outcome_share(pop: Population, name: str, eligible: np.ndarray, policy_level: str) -> float:
    """Share of a policy's eligible rows with outcome ``name`` now (0 when none is eligible)."""
    outcome = OUTCOMES[name]
    rows = eligible_rows(pop, eligible, policy_level, outcome.level)
    n = np.count_nonzero(rows)
    return float(np.count_nonzero(outcome.value(pop) & rows) / n) if n else 0.0
