"""The household and person registries, and the structs of arrays built from them.

Two tables, one numpy array per attribute, no per-agent Python object: :class:`Households`
(location, income and quintile, home connection and plan, coverage, transfers) and
:class:`People` (household index, sex, age, disability, skills, own device, own Internet
use, labour state). A person-level rule reads a household value through the household
index (``h.connection[p.household]``); a household total is one ``bincount`` over it.
Coded attributes use small integers whose meaning is listed in :data:`CODES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

ROWS_PER_PASS = 1 << 18
"""Rows a whole-table step handles at a time, so that its float64 temporaries stay near 2 MB
each instead of one full column each (the population benchmark's 500 MB). Passes of 2**20
rows left the raking's draws, with their half dozen float64 temporaries, as the build's peak;
2**18 is as fast."""


def row_passes(n: int) -> Iterator[slice]:
    """Consecutive slices of at most :data:`ROWS_PER_PASS` rows covering ``0 .. n``."""
    for lo in range(0, n, ROWS_PER_PASS):
        yield slice(lo, min(lo + ROWS_PER_PASS, n))


def summed_by(index: np.ndarray, values: np.ndarray, n: int, passes: Iterable[slice]) -> np.ndarray:
    """Sum of ``values`` for each of ``0 .. n-1`` in ``index``, one ``bincount`` per pass.

    The passes' sums are added in pass order, so an entry whose rows all fall in one pass
    gets the bits one ``bincount`` over every row would give it.
    """
    out = np.zeros(n)
    for rows in passes:
        out += np.bincount(index[rows], weights=values[rows], minlength=n)
    return out


@dataclass(frozen=True)
class Attribute:
    """One attribute of a table.

    Attributes:
        name: array name on the table.
        dtype: numpy dtype of the array.
        default: value the array is filled with before synthesis.
        description: meaning and unit.

    """

    name: str
    dtype: str
    default: float | int | bool
    description: str


HOUSEHOLD_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("is_rural", "?", False, "lives in a rural area"),
    Attribute("size", "i1", 1, "persons in the household"),
    Attribute("n_children", "i1", 0, "children aged 5-12 in the household"),
    Attribute("income_base", "f8", 0.0, "household income in 2019, US$ a month"),
    Attribute("nonlabour_base", "f8", 0.0, "income other than earnings in 2019, US$ a month"),
    Attribute("income", "f8", 0.0, "household income this quarter, US$ a month"),
    Attribute(
        "quintile",
        "i1",
        0,
        "quintile of income per person in 2019 (of households): 0 = poorest ... 4 = richest",
    ),
    Attribute("has_coverage", "?", False, "mobile network covers where the household lives"),
    Attribute("has_broadband", "?", False, "3G+ coverage good enough for meaningful use"),
    Attribute(
        "coverage_ramp",
        "f4",
        0.0,
        "share of the coverage ramp-up done: 0 = not covered, 1 = established (covered in 2019)",
    ),
    Attribute("has_computer", "?", False, "the household owns a computer"),
    Attribute("has_credit", "?", False, "can buy a device in instalments (else pays up front)"),
    Attribute("connection", "i1", 0, "home connection: 0 = none, 1 = basic, 2 = meaningful plan"),
    Attribute("propensity", "f4", 0.0, "logit of wanting a home connection in 2019 (raked)"),
    Attribute("propensity_meaningful", "f4", 0.0, "logit of wanting a meaningful plan (raked)"),
    Attribute("gets_transfer", "?", False, "receives a social transfer this quarter"),
    Attribute("is_poor", "?", False, "income per person below the poverty line this quarter"),
    Attribute("children_learning", "?", False, "children can follow remote learning this quarter"),
    Attribute("was_online_2019", "?", False, "had a home connection in 2019"),
    Attribute("skill_2019", "f4", 0.0, "mean skill score of members 15+ in 2019"),
    Attribute("skill_mean", "f4", 0.0, "mean skill score of members 15+ this quarter"),
    Attribute("peers_online_2019", "f4", 0.0, "share of social neighbours connected in 2019"),
    Attribute("unafford_2019", "f4", 0.0, "log of a basic plan's cost over income in 2019"),
    Attribute(
        "unafford_meaningful_2019", "f4", 0.0, "log of meaningful use's cost over income in 2019"
    ),
)
"""Every household attribute, in one place: arrays are allocated from this list."""

PERSON_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("household", "i4", 0, "index of the person's household"),
    Attribute("is_female", "?", False, "the person is a woman or girl"),
    Attribute("age", "i1", 30, "age in years in 2019"),
    Attribute("age_band", "i1", 4, "age band, 0-5 (see CODES)"),
    Attribute("has_disability", "?", False, "the person has a disability"),
    Attribute(
        "has_assistive",
        "?",
        False,
        "has assistive technology or an accessible device (lifts the disability barrier)",
    ),
    Attribute("skill", "f4", 0.0, "digital skill score, 0-1 (ITU levels, see SKILL_LEVELS)"),
    Attribute("skill_2019", "f4", 0.0, "skill score in 2019 (reference of the use threshold)"),
    Attribute("has_smartphone", "?", False, "owns a smartphone"),
    Attribute("use_latent", "f4", 0.0, "logit of own use, net of the home connection (raked)"),
    Attribute("is_online", "?", False, "used the Internet this quarter (own use)"),
    Attribute("was_online_2019", "?", False, "used the Internet in 2019"),
    Attribute("is_trained", "?", False, "completed a skills-training course under a policy"),
    Attribute("job", "i1", 0, "job in 2019 (persons 15+): 0 = none, 1 = formal, 2 = informal"),
    Attribute("earnings_base", "f8", 0.0, "earnings in 2019, US$ a month (0 without a job)"),
    Attribute("is_teleworkable", "?", False, "the job can be done from home"),
    Attribute("is_high_impact", "?", False, "the job is in a sector hit hard by COVID-19"),
    Attribute("is_employed", "?", False, "holds a job or platform gigs this quarter"),
    Attribute("lost_job", "?", False, "lost the 2019 job in the COVID-19 shock and not rehired"),
    Attribute("is_platform", "?", False, "does platform (gig) work"),
    Attribute(
        "left_labour_force",
        "?",
        False,
        "lost the 2019 job and stopped searching (out of the labour force, not unemployed)",
    ),
    Attribute("works_from_home", "?", False, "works the 2019 job from home this quarter"),
)
"""Every person attribute, in one place: arrays are allocated from this list."""

ATTRIBUTES: tuple[Attribute, ...] = HOUSEHOLD_ATTRIBUTES + PERSON_ATTRIBUTES
"""Both registries (household attributes first), for documentation and tests."""

CODES: dict[str, dict[int, str]] = {
    "age_band": dict(enumerate(("0-4", "5-12", "13-17", "18-24", "25-64", "65+"))),
    "job": {0: "none", 1: "formal", 2: "informal"},
    "connection": {0: "none", 1: "basic", 2: "meaningful"},
    "quintile": {i: str(i + 1) for i in range(5)},
}
"""Meaning of the integer codes of coded attributes."""

SKILL_LEVELS: tuple[tuple[str, float], ...] = (
    ("basic", 0.2),
    ("standard", 0.45),
    ("advanced", 0.7),
)
"""Lower bound of each ITU skill level on the 0-1 score (below 'basic': none)."""

WORKING_AGE = 15
"""Persons from this age count in the labour force statistics (ILO: 15+)."""


class _Table:
    """Struct of arrays allocated from a registry of attributes."""

    registry: tuple[Attribute, ...] = ()

    def __init__(self, n: int) -> None:
        if n <= 0:
            raise ValueError(f"a population needs at least one {self._unit}")
        self.n = n
        for attr in self.registry:
            # Zeros come from the allocator untouched: the pages of a column that a step
            # has not written yet take no memory until it does.
            allocate = np.zeros if attr.default == 0 else partial(np.full, fill_value=attr.default)
            setattr(self, attr.name, allocate(n, dtype=attr.dtype))

    _unit = "entry"

    def arrays(self) -> dict[str, np.ndarray]:
        """Return every attribute array by name (views, not copies)."""
        return {a.name: getattr(self, a.name) for a in self.registry}

    def copy(self):
        """Return a deep copy."""
        out = type(self).__new__(type(self))
        out.__dict__.update(self.__dict__)
        for name, arr in self.arrays().items():
            setattr(out, name, arr.copy())
        return out


class Households(_Table):
    """One entry per household, allocated from :data:`HOUSEHOLD_ATTRIBUTES`.

    Every simulated household stands for ``weight`` real households (the same for all), so
    a count of entries times ``weight`` is a count in the region.
    """

    registry = HOUSEHOLD_ATTRIBUTES
    _unit = "household"

    def __init__(self, n: int, weight: float = 1.0) -> None:
        """Allocate ``n`` households, each standing for ``weight`` real ones."""
        super().__init__(n)
        self.weight = float(weight)

    is_rural: np.ndarray
    size: np.ndarray
    n_children: np.ndarray
    income_base: np.ndarray
    nonlabour_base: np.ndarray
    income: np.ndarray
    quintile: np.ndarray
    has_coverage: np.ndarray
    has_broadband: np.ndarray
    coverage_ramp: np.ndarray
    has_computer: np.ndarray
    has_credit: np.ndarray
    connection: np.ndarray
    propensity: np.ndarray
    propensity_meaningful: np.ndarray
    gets_transfer: np.ndarray
    is_poor: np.ndarray
    children_learning: np.ndarray
    was_online_2019: np.ndarray
    skill_2019: np.ndarray
    skill_mean: np.ndarray
    peers_online_2019: np.ndarray
    unafford_2019: np.ndarray
    unafford_meaningful_2019: np.ndarray

    @property
    def is_connected(self) -> np.ndarray:
        """The household has a home connection (basic or meaningful)."""
        return self.connection > 0

    @property
    def is_meaningful(self) -> np.ndarray:
        """The household has a meaningful home connection."""
        return self.connection == 2


class People(_Table):
    """One entry per person, allocated from :data:`PERSON_ATTRIBUTES`.

    Persons carry their household's weight (every simulated household stands for the same
    number of real ones), so ``weight`` is shared with :class:`Households`.
    """

    registry = PERSON_ATTRIBUTES
    _unit = "person"

    def __init__(self, n: int, weight: float = 1.0) -> None:
        """Allocate ``n`` persons, each standing for ``weight`` real ones."""
        super().__init__(n)
        self.weight = float(weight)

    household: np.ndarray
    is_female: np.ndarray
    age: np.ndarray
    age_band: np.ndarray
    has_disability: np.ndarray
    has_assistive: np.ndarray
    skill: np.ndarray
    skill_2019: np.ndarray
    has_smartphone: np.ndarray
    use_latent: np.ndarray
    is_online: np.ndarray
    was_online_2019: np.ndarray
    is_trained: np.ndarray
    job: np.ndarray
    earnings_base: np.ndarray
    is_teleworkable: np.ndarray
    is_high_impact: np.ndarray
    is_employed: np.ndarray
    lost_job: np.ndarray
    is_platform: np.ndarray
    left_labour_force: np.ndarray
    works_from_home: np.ndarray

    @property
    def is_working_age(self) -> np.ndarray:
        """Persons aged 15 and over (the ILO's working-age population)."""
        return self.age >= WORKING_AGE

    @property
    def has_basic_skills(self) -> np.ndarray:
        """At least basic digital skills."""
        return self.skill >= SKILL_LEVELS[0][1]

    def household_sum(self, values: np.ndarray, n_households: int) -> np.ndarray:
        """Sum of a per-person value in each household.

        Summed a pass of rows at a time (:meth:`member_passes`), so each household's members
        are added in one pass, in their order: the same bits as one pass over all rows.
        """
        return summed_by(self.household, values, n_households, self.member_passes())

    def member_passes(self) -> Iterator[slice]:
        """Slices of about :data:`ROWS_PER_PASS` persons that do not split a household.

        Members sit together (as synthesis stores them), so a pass that would end inside a
        household runs on to that household's last member.
        """
        lo = 0
        while lo < self.n:
            hi = min(lo + ROWS_PER_PASS, self.n)
            while hi < self.n and self.household[hi - 1] == self.household[hi]:
                hi += 1
            yield slice(lo, hi)
            lo = hi


class Population:
    """Households and their members: the two tables of one region.

    Attributes:
        h: the households.
        p: the persons; ``p.household`` indexes ``h``.

    """

    def __init__(self, h: Households, p: People) -> None:
        self.h = h
        self.p = p

    @property
    def weight(self) -> float:
        """Real households (and persons) each simulated one stands for."""
        return self.h.weight

    def copy(self) -> Population:
        """Return a deep copy of both tables."""
        return Population(self.h.copy(), self.p.copy())
