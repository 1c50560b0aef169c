"""The household registry: every per-household attribute, and the struct of arrays built from it.

One entry per household, one numpy array per attribute; no per-household Python object.
Coded attributes use small integers whose meaning is listed in :data:`CODES`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Attribute:
    """One per-household attribute.

    Attributes:
        name: array name on :class:`Households`.
        dtype: numpy dtype of the array.
        default: value the array is filled with before synthesis.
        description: meaning and unit.

    """

    name: str
    dtype: str
    default: float | int | bool
    description: str


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("weight", "f8", 1.0, "real households this simulated household stands for"),
    Attribute("is_rural", "?", False, "lives in a rural area"),
    Attribute("is_female", "?", False, "reference person is a woman"),
    Attribute("age_group", "i1", 1, "reference person's age: 0 = 15-24, 1 = 25-64, 2 = 65+"),
    Attribute("has_disability", "?", False, "reference person has a disability"),
    Attribute("n_adults", "i1", 1, "persons aged 15+ in the household"),
    Attribute("n_children", "i1", 0, "children aged 5-12 in the household"),
    Attribute("income_base", "f8", 0.0, "household income in 2019, US$ a month"),
    Attribute("income", "f8", 0.0, "household income this quarter, US$ a month"),
    Attribute(
        "quintile", "i1", 0, "income quintile in 2019 (weighted): 0 = poorest ... 4 = richest"
    ),
    Attribute("job", "i1", 0, "reference person's job in 2019: 0 = none, 1 = formal, 2 = informal"),
    Attribute("is_teleworkable", "?", False, "the job can be done from home"),
    Attribute("is_high_impact", "?", False, "the job is in a sector hit hard by COVID-19"),
    Attribute("is_employed", "?", False, "reference person holds a job this quarter"),
    Attribute("lost_job", "?", False, "lost the 2019 job in the COVID-19 shock and not rehired"),
    Attribute("is_platform", "?", False, "reference person does platform (gig) work"),
    Attribute("has_coverage", "?", False, "mobile network covers where the household lives"),
    Attribute("has_broadband", "?", False, "3G+ coverage good enough for meaningful use"),
    Attribute("connection", "i1", 0, "0 = offline, 1 = basic mobile, 2 = meaningful"),
    Attribute("propensity", "f4", 0.0, "logit of wanting a connection in 2019 (calibrated)"),
    Attribute("propensity_meaningful", "f4", 0.0, "logit of wanting meaningful use in 2019"),
    Attribute(
        "skill", "f4", 0.0, "digital skill score, 0-1 (ITU levels: <0.2 none ... 0.7+ advanced)"
    ),
    Attribute("is_trained", "?", False, "completed a skills-training course under a policy"),
    Attribute("gets_transfer", "?", False, "receives a social transfer this quarter"),
    Attribute("is_poor", "?", False, "income below the household poverty line this quarter"),
    Attribute("children_learning", "?", False, "children can follow remote learning this quarter"),
    Attribute("was_online_2019", "?", False, "was online in 2019 (reference for policy effects)"),
    Attribute("skill_2019", "f4", 0.0, "skill score in 2019 (reference of the utility change)"),
    Attribute("peers_online_2019", "f4", 0.0, "share of social neighbours online in 2019"),
    Attribute("unafford_2019", "f4", 0.0, "unaffordability of a basic plan in 2019 (log-ratio)"),
    Attribute("unafford_meaningful_2019", "f4", 0.0, "unaffordability of meaningful use in 2019"),
)
"""Every household attribute, in one place: arrays are allocated from this list."""

CODES: dict[str, dict[int, str]] = {
    "age_group": {0: "youth", 1: "adult", 2: "older"},
    "job": {0: "none", 1: "formal", 2: "informal"},
    "connection": {0: "offline", 1: "basic", 2: "meaningful"},
    "quintile": {i: str(i + 1) for i in range(5)},
}
"""Meaning of the integer codes of coded attributes."""

SKILL_LEVELS: tuple[tuple[str, float], ...] = (
    ("basic", 0.2),
    ("standard", 0.45),
    ("advanced", 0.7),
)
"""Lower bound of each ITU skill level on the 0-1 score (below 'basic': none)."""


class Households:
    """Struct of arrays, one entry per household, allocated from :data:`ATTRIBUTES`."""

    def __init__(self, n: int) -> None:
        """Allocate ``n`` households with every attribute at its default."""
        if n <= 0:
            raise ValueError("a population needs at least one household")
        self.n = n
        for attr in ATTRIBUTES:
            setattr(self, attr.name, np.full(n, attr.default, dtype=attr.dtype))

    # Declared for type checkers and readers; filled in __init__ from ATTRIBUTES.
    weight: np.ndarray
    is_rural: np.ndarray
    is_female: np.ndarray
    age_group: np.ndarray
    has_disability: np.ndarray
    n_adults: np.ndarray
    n_children: np.ndarray
    income_base: np.ndarray
    income: np.ndarray
    quintile: np.ndarray
    job: np.ndarray
    is_teleworkable: np.ndarray
    is_high_impact: np.ndarray
    is_employed: np.ndarray
    lost_job: np.ndarray
    is_platform: np.ndarray
    has_coverage: np.ndarray
    has_broadband: np.ndarray
    connection: np.ndarray
    propensity: np.ndarray
    propensity_meaningful: np.ndarray
    skill: np.ndarray
    is_trained: np.ndarray
    gets_transfer: np.ndarray
    is_poor: np.ndarray
    children_learning: np.ndarray
    was_online_2019: np.ndarray
    skill_2019: np.ndarray
    peers_online_2019: np.ndarray
    unafford_2019: np.ndarray
    unafford_meaningful_2019: np.ndarray

    def arrays(self) -> dict[str, np.ndarray]:
        """Return every attribute array by name (views, not copies)."""
        return {a.name: getattr(self, a.name) for a in ATTRIBUTES}

    def copy(self) -> Households:
        """Return a deep copy."""
        out = Households.__new__(Households)
        out.n = self.n
        for name, arr in self.arrays().items():
            setattr(out, name, arr.copy())
        return out

    @property
    def is_online(self) -> np.ndarray:
        """Household uses the Internet (basic or meaningful connection)."""
        return self.connection > 0

    @property
    def is_meaningful(self) -> np.ndarray:
        """Household has meaningful connectivity."""
        return self.connection == 2

    @property
    def has_basic_skills(self) -> np.ndarray:
        """Reference person has at least basic digital skills."""
        return self.skill >= SKILL_LEVELS[0][1]

    def group_mask(self, group: str) -> np.ndarray:
        """Boolean mask of a group written ``all`` or ``attribute=value``.

        Args:
            group: e.g. ``location=rural``, ``quintile=1`` (poorest), ``sex=female``,
                ``age=older``, ``disability=yes``.

        """
        if group == "all":
            return np.ones(self.n, dtype=bool)
        attr, val = group.split("=", 1)
        match attr:
            case "quintile":
                return self.quintile == int(val) - 1
            case "location":
                return self.is_rural == (val == "rural")
            case "sex":
                return self.is_female == (val == "female")
            case "age":
                return self.age_group == {"youth": 0, "adult": 1, "older": 2}[val]
            case "disability":
                return self.has_disability == (val == "yes")
        raise ValueError(f"unknown group '{group}'")

    def unit_weight(self, unit: str) -> np.ndarray:
        """Real households, people (adults 15+) or children 5-12 each entry stands for."""
        match unit:
            case "households":
                return self.weight
            case "people":
                return self.weight * self.n_adults
            case "children":
                return self.weight * self.n_children
        raise ValueError(f"unknown unit '{unit}'")
