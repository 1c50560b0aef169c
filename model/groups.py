"""The one vocabulary of groups: dimensions, their values, their spelling and their words.

A group is written ``dimension=value`` everywhere: in region targets (``group: age=65+``),
in scenario eligibility (``age: [65+]``), in indicator names (``share_internet_use:age=65+``),
in exports, figures, the report and the dashboard. ``all`` is everyone.

Dimensions of persons: ``sex``, ``age``, ``disability``; of households (and so of every
member): ``location``, ``quintile``. Age has six disjoint bands and three aggregates that
indicators and targets need (ITU youth 15-24, adults 15+, and ECLAC's under-25s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.households import Population

AGE_BANDS: tuple[str, ...] = ("0-4", "5-12", "13-17", "18-24", "25-64", "65+")
"""Disjoint age bands of persons, youngest first (code = position)."""

OLDER_AGE = 65
"""First year of age of older persons (the band ``65+``; priorities and barriers read it)."""

AGE_BAND_LOWER: tuple[int, ...] = (0, 5, 13, 18, 25, OLDER_AGE)
"""First year of age of each band."""

FINE_AGES: tuple[tuple[int, int], ...] = (
    (0, 4),
    (5, 12),
    (13, 14),
    (15, 17),
    (18, 24),
    (25, 64),
    (OLDER_AGE, 200),
)
"""The finest age split any group needs (13-17 is cut at 15 for the ITU youth 15-24)."""

AGE_AGGREGATES: dict[str, tuple[int, int]] = {
    "15-24": (15, 24),
    "15+": (15, 200),
    "0-24": (0, 24),
}
"""Age groups that span bands: ITU youth (15-24), adults (15+), ECLAC's under-25s."""

AGE_COMPLEMENTS: dict[str, tuple[tuple[int, int], ...]] = {
    "not-15-24": ((0, 14), (25, 200)),
}
"""Age groups made of several spans: everyone but youth, ITU's "rest of the population" that
youth (15-24) is compared with (ITU Facts and Figures 2021, 2024), counted over the whole
population as ITU's Internet use is."""


def _age_ranges(value: str) -> tuple[tuple[int, int], ...]:
    if value in AGE_COMPLEMENTS:
        return AGE_COMPLEMENTS[value]
    return (_age_range(value),)


def _age_range(value: str) -> tuple[int, int]:
    if value in AGE_AGGREGATES:
        return AGE_AGGREGATES[value]
    i = AGE_BANDS.index(value)
    upper = AGE_BAND_LOWER[i + 1] - 1 if i + 1 < len(AGE_BANDS) else 200
    return AGE_BAND_LOWER[i], upper


@dataclass(frozen=True)
class Dimension:
    """One way of splitting people.

    Attributes:
        name: the dimension as written before ``=``.
        values: its values as written after ``=``, in code order for disjoint dimensions.
        level: ``person`` (sex, age, disability) or ``household`` (location, quintile).

    """

    name: str
    values: tuple[str, ...]
    level: str


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("sex", ("male", "female"), "person"),
        Dimension("age", (*AGE_BANDS, *AGE_AGGREGATES, *AGE_COMPLEMENTS), "person"),
        Dimension("disability", ("without", "with"), "person"),
        Dimension("location", ("urban", "rural"), "household"),
        Dimension("quintile", ("1", "2", "3", "4", "5"), "household"),
    )
}
"""Every dimension and its values: the only place their spelling is defined."""

LABELS: dict[str, tuple[str, str]] = {
    "all": ("everyone", "Everyone"),
    "sex=male": ("men and boys", "Men"),
    "sex=female": ("women and girls", "Women"),
    "age=0-4": ("children aged 0-4", "Aged 0-4"),
    "age=5-12": ("children aged 5-12", "Aged 5-12"),
    "age=13-17": ("adolescents aged 13-17", "Aged 13-17"),
    "age=18-24": ("young adults aged 18-24", "Aged 18-24"),
    "age=25-64": ("adults aged 25-64", "Aged 25-64"),
    "age=65+": ("older persons aged 65+", "Aged 65+"),
    "age=15-24": ("youth aged 15-24", "Youth 15-24"),
    "age=15+": ("persons aged 15+", "Aged 15+"),
    "age=0-24": ("persons under 25", "Under 25"),
    "age=not-15-24": ("persons outside 15-24 (ITU's rest of the population)", "Not 15-24"),
    "disability=without": ("persons without a disability", "Without disability"),
    "disability=with": ("persons with disabilities", "With disability"),
    "location=urban": ("people in urban areas", "Urban"),
    "location=rural": ("people in rural areas", "Rural"),
    "quintile=1": ("the poorest fifth of households (Q1)", "Q1 (poorest fifth)"),
    "quintile=2": ("the second fifth of households (Q2)", "Q2"),
    "quintile=3": ("the middle fifth of households (Q3)", "Q3"),
    "quintile=4": ("the fourth fifth of households (Q4)", "Q4"),
    "quintile=5": ("the richest fifth of households (Q5)", "Q5 (richest fifth)"),
}
"""Words for every group: (in a sentence, short for axes and table rows)."""


def all_groups() -> list[str]:
    """Every group as written: ``all`` then ``dimension=value`` in dimension order."""
    return ["all", *(f"{d.name}={v}" for d in DIMENSIONS.values() for v in d.values)]


def parse_group(text: str) -> tuple[str, str] | None:
    """Split ``dimension=value`` (None for ``all``).

    Raises:
        ValueError: the text is not a group of the vocabulary; the message says how to fix it.

    """
    if text == "all":
        return None
    dim, sep, value = text.partition("=")
    if not sep:
        raise ValueError(
            f"'{text}' is not a group; write 'all' or dimension=value, e.g. 'location=rural'"
        )
    if dim not in DIMENSIONS:
        raise ValueError(f"unknown group dimension '{dim}'; use one of {', '.join(DIMENSIONS)}")
    if value not in DIMENSIONS[dim].values:
        raise ValueError(
            f"unknown value '{value}' for {dim}; use one of {', '.join(DIMENSIONS[dim].values)}"
        )
    return dim, value


def label(group: str) -> str:
    """A group in words, for sentences."""
    return LABELS[group][0]


def short_label(group: str) -> str:
    """A group in a few words, for axes and table rows."""
    return LABELS[group][1]


def fine_age_code(age: np.ndarray) -> np.ndarray:
    """Index into :data:`FINE_AGES` of each age in years."""
    bounds = np.array([lo for lo, _ in FINE_AGES[1:]])
    return np.searchsorted(bounds, age, side="right").astype(np.int8)


def age_band_code(age: np.ndarray) -> np.ndarray:
    """Index into :data:`AGE_BANDS` of each age in years."""
    return np.searchsorted(np.array(AGE_BAND_LOWER[1:]), age, side="right").astype(np.int8)


def fine_ages_in(value: str) -> np.ndarray:
    """Boolean per fine age of :data:`FINE_AGES`: inside age group ``value``."""
    spans = _age_ranges(value)
    return np.array([any(lo <= a and b <= hi for lo, hi in spans) for a, b in FINE_AGES])


def value_codes(dim: str, value: str) -> np.ndarray:
    """Codes of a dimension that a value covers (fine age codes for ``age``)."""
    if dim == "age":
        return np.flatnonzero(fine_ages_in(value))
    return np.array([DIMENSIONS[dim].values.index(value)])


def person_mask(pop: Population, group: str) -> np.ndarray:
    """Persons in ``group`` (household dimensions apply to every member)."""
    p = pop.p
    parsed = parse_group(group)
    if parsed is None:
        return np.ones(p.n, dtype=bool)
    dim, value = parsed
    match dim:
        case "sex":
            return p.is_female == (value == "female")
        case "age":
            inside = np.zeros(p.n, dtype=bool)
            for lo, hi in _age_ranges(value):
                inside |= (p.age >= lo) & (p.age <= hi)
            return inside
        case "disability":
            return p.has_disability == (value == "with")
    return household_mask(pop, group)[p.household]


def household_mask(pop: Population, group: str) -> np.ndarray:
    """Households in ``group``; for a person dimension, households with a member in it."""
    h = pop.h
    parsed = parse_group(group)
    if parsed is None:
        return np.ones(h.n, dtype=bool)
    dim, value = parsed
    match dim:
        case "location":
            return h.is_rural == (value == "rural")
        case "quintile":
            return h.quintile == int(value) - 1
    members = np.bincount(pop.p.household, weights=person_mask(pop, group), minlength=h.n)
    return members > 0
