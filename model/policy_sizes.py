"""Policy sizes given as shares of the region, and how plausible an absolute size is.

A policy's quantity (households covered a year, training places a quarter ...) may be an
absolute number of real households or persons, or a share of one of the region's 2019 counts::

    households_covered_per_year: {share: 0.10, of: uncovered_households}
    places_per_quarter: {share: 0.02, of: adults, per: year}

The share is turned into the absolute number once, from the region profile, when the
scenario is loaded (:func:`resolve_sizes`): the same scenario copied to another region scales
with it, and a share-sized policy is exactly the policy with the equivalent absolute size.
:func:`size_warnings` names the share an absolute size implies where it exceeds a plausible
one (``inclusim validate``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, PlainValidator

from model.strict import Strict

MAX_COUNT = 1e10
"""Most households, persons or places a policy may name per period (more than the world has)."""

PERIODS = {"year": 1.0, "quarter": 4.0}
"""Periods a size may be given per, as periods in a year."""


class ShareOfRegion(Strict):
    """A policy size as a share of one of the region's 2019 counts.

    Attributes:
        share: the share, 0-1.
        of: the count it is a share of (:data:`BASES`).
        per: the period the share is reached in; by default that of the field it sizes
            (``..._per_year`` a year, ``..._per_quarter`` a quarter).

    """

    share: Annotated[float, Field(ge=0.0, le=1.0)]
    of: str
    per: Literal["year", "quarter"] | None = None


def _households(region: Any) -> float:
    return region.population.households


def _people(region: Any) -> float:
    return region.population.persons.value


def _adults(region: Any) -> float:
    """Persons aged 15+: ages are spread evenly within a band, so 15-17 is 3/5 of 13-17."""
    a = region.composition.age_structure
    return _people(region) * (a.a13_17 * 3 / 5 + a.a18_24 + a.a25_64 + a.a65)


def _with_disability(region: Any) -> float:
    c = region.composition
    shares = zip(c.age_structure.by_band(), c.disability_by_age.by_band(), strict=True)
    return _people(region) * sum(a * d for a, d in shares)


def _uncovered(region: Any) -> float:
    """Households without mobile coverage."""
    c, rural = region.coverage, region.composition.share_rural.value
    return _households(region) * (rural * (1 - c.rural.value) + (1 - rural) * (1 - c.urban.value))


def _narrowband(region: Any) -> float:
    """Households with mobile coverage but not 3G+ (2G only)."""
    c, rural = region.coverage, region.composition.share_rural.value
    return _households(region) * (
        rural * (c.rural.value - c.broadband_rural.value)
        + (1 - rural) * (c.urban.value - c.broadband_urban.value)
    )


@dataclass(frozen=True)
class Base:
    """A region count a size may be a share of.

    Attributes:
        unit: what it counts (``households`` or ``persons``), as the sized field does.
        words: the count in words, for messages.
        count: the count in a region profile.

    """

    unit: str
    words: str
    count: Callable[[Any], float] = dataclass_field(repr=False)


BASES: dict[str, Base] = {
    "households": Base("households", "households", _households),
    "uncovered_households": Base("households", "households without mobile coverage", _uncovered),
    "narrowband_households": Base("households", "households covered without 3G+", _narrowband),
    "people": Base("persons", "people", _people),
    "adults": Base("persons", "people aged 15+", _adults),
    "people_with_disability": Base("persons", "people with a disability", _with_disability),
}
"""The counts a size may be a share of, all from the region profile (2019)."""


@dataclass(frozen=True)
class Plausible:
    """What an absolute size is judged against by ``inclusim validate``.

    Attributes:
        unit: what the field counts.
        base: the count its implied share is taken of.
        most_per_year: the largest share of ``base`` a year taken as plausible.

    """

    unit: str
    base: str
    most_per_year: float


SIZED_FIELDS: dict[str, Plausible] = {
    "households_covered_per_year": Plausible("households", "uncovered_households", 0.25),
    "households_upgraded_per_year": Plausible("households", "narrowband_households", 0.25),
    "places_per_quarter": Plausible("persons", "adults", 0.05),
    "assistive_per_year": Plausible("persons", "people_with_disability", 0.25),
}
"""Policy fields that may be sized as a share, with the share above which an absolute size
draws a warning. The limits are assumptions: closing a quarter of a region's coverage gap
(or upgrading a quarter of its 2G-only households, or equipping a quarter of its persons with
disabilities) in one year, or training one adult in twenty a year, is beyond any programme
the project's sources describe; a larger size is more likely a number copied from a bigger
region."""


def _parse(value: Any) -> float | ShareOfRegion:
    """A size: a number of real units, or a share of the region (a mapping)."""
    if isinstance(value, ShareOfRegion):
        return value
    if isinstance(value, dict):
        return _share(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            f"{_short(value)} is not a number of the right type; write a number, without "
            "quotes, or a share of the region: {share: 0.1, of: households}"
        )
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number; write an ordinary number")
    if value < 0:
        raise ValueError(
            f"{value!r} is out of range: it must be at least 0.0; use a value at least 0.0"
        )
    if value > MAX_COUNT:
        raise ValueError(
            f"{value!r} is out of range: it must be at most {MAX_COUNT!r}; use a "
            f"value at most {MAX_COUNT!r}"
        )
    return float(value)


def _share(value: dict) -> ShareOfRegion:
    unknown = [k for k in value if k not in ShareOfRegion.model_fields]
    if unknown:
        raise ValueError(
            f"unknown key '{unknown[0]}' in a share of the region; use share, of "
            "and (optionally) per"
        )
    if value.get("of") not in BASES:
        raise ValueError(
            f"'of: {value.get('of')}' is not a count of the region; use one of " + ", ".join(BASES)
        )
    share = value.get("share")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ValueError(
            f"share {_short(share)} is not a share; write a number from 0 to 1 (0.1 for 10%)"
        )
    if value.get("per", "year") not in PERIODS:
        raise ValueError(f"'per: {value.get('per')}' is not a period; write year or quarter")
    return ShareOfRegion.model_validate(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _dump(value: float | ShareOfRegion) -> Any:
    return value.model_dump(exclude_none=True) if isinstance(value, ShareOfRegion) else value


Size = Annotated[float | ShareOfRegion, PlainValidator(_parse), PlainSerializer(_dump)]
"""A policy size: real units (households, persons, places) per period, or a share of the
region (resolved to real units when the scenario is loaded)."""


def field_period(name: str) -> str:
    """The period a sized field counts in: ``year`` or ``quarter``, from its name."""
    return "quarter" if name.endswith("_per_quarter") else "year"


def amount(size: ShareOfRegion, field: str, region: Any) -> float:
    """The absolute size a share stands for, in the field's units and period."""
    per = size.per or field_period(field)
    return size.share * BASES[size.of].count(region) * PERIODS[per] / PERIODS[field_period(field)]


def unit_problem(size: ShareOfRegion, field: str) -> str | None:
    """Why a share cannot size ``field`` (it counts other units), or None."""
    want = SIZED_FIELDS[field].unit
    if BASES[size.of].unit == want:
        return None
    fits = ", ".join(k for k, b in BASES.items() if b.unit == want)
    return f"{field} counts {want} but {size.of} counts {BASES[size.of].unit}; use one of {fits}"


def resolve_sizes(config: Any, region: Any) -> Any:
    """``config`` with every share-sized field replaced by its absolute size in ``region``."""
    update = {
        name: amount(getattr(config, name), name, region)
        for name in SIZED_FIELDS
        if isinstance(getattr(config, name, None), ShareOfRegion)
    }
    return config.model_copy(update=update) if update else config


@dataclass(frozen=True)
class Implied:
    """The share of the region an absolute size implies, beside the plausible largest.

    Attributes:
        field: the policy field.
        unit: what it counts (``households`` or ``persons``).
        size: its absolute size, per the field's period.
        count: the region's count it is judged against.
        share_per_year: the size as a share of that count a year (inf if the count is 0).
        most_per_year: the plausible largest share a year.
        words: the count in words.

    """

    field: str
    unit: str
    size: float
    count: float
    share_per_year: float
    most_per_year: float
    words: str


def implausible(config: Any, given: set[str], region: Any) -> list[Implied]:
    """Absolute sizes given in ``config`` that exceed a plausible share of ``region``.

    Args:
        config: a validated policy configuration, sizes resolved.
        given: the fields the scenario wrote as absolute numbers (shares are not judged).
        region: the region profile.

    """
    out = []
    for name, rule in SIZED_FIELDS.items():
        if name not in given or not hasattr(config, name):
            continue
        size = float(getattr(config, name)) * config.intensity
        count = BASES[rule.base].count(region)
        per_year = size * PERIODS[field_period(name)]
        share = per_year / count if count > 0 else (math.inf if per_year > 0 else 0.0)
        if share > rule.most_per_year:
            words = BASES[rule.base].words
            out.append(Implied(name, rule.unit, size, count, share, rule.most_per_year, words))
    return out
