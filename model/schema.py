"""Typed schema of region profiles and policy scenarios (pydantic models).

Region profiles (``scenarios/regions/*.yaml``) hold the make-up of a region's households and
their initial digital state, every figure with its ``source``. Scenarios name a region and
list policies. Unknown keys, wrong types, out-of-range values, shares that do not sum to one
and quarters out of order are all rejected here; :mod:`model.loader` turns the rejections into
messages that name the file, the line and the key path.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from model.calendar import Quarter
from model.groups import AGE_BANDS, DIMENSIONS, parse_group
from model.ledger import DEFAULT_DISCOUNT_RATE
from model.paths import PublishedPath
from model.rules.schooling import QUARTERS_CLOSED
from model.strict import Strict

FIRST_QUARTER = Quarter(2019, 4)
"""Earliest start: the quarter the region profiles describe."""
MAX_QUARTERS = 400
"""Longest scenario accepted (quarters)."""
SHARE_SUM_TOLERANCE = 1e-3
"""How far a set of shares may sum from one (rounding in published tables)."""


MAX_FIGURE = 1e12
"""Largest published figure a region profile may hold (persons, incomes, prices, ratios):
larger is a typo, and products of such figures must stay finite."""

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0, le=MAX_FIGURE)]
NonNegative = Annotated[float, Field(ge=0.0)]
Source = Annotated[str, Field(min_length=3)]


class ShareFigure(Strict):
    """A published share in [0, 1] with its source."""

    value: Share
    source: Source


class PositiveFigure(Strict):
    """A published positive number with its source."""

    value: Positive
    source: Source


class QuintileFigure(Strict):
    """Five shares, poorest quintile first, with their source."""

    by_quintile: Annotated[list[Share], Field(min_length=5, max_length=5)]
    source: Source


SHARE_YEARS = (FIRST_QUARTER.year, 2100)
"""Years a share given year by year may name (inclusive): from the profiles' year on."""


def is_share_year(text: str) -> bool:
    """``text`` names a year of :data:`SHARE_YEARS`."""
    return text.isdigit() and SHARE_YEARS[0] <= int(text) <= SHARE_YEARS[1]


def _year_key(key: object) -> int:
    """A year written as a key (``2023`` or ``'2023'``), from 2019 on."""
    text = str(key)
    if not is_share_year(text):
        raise ValueError(
            f"'{text}' is not a year from {SHARE_YEARS[0]}; write 'value: SHARE' or one share "
            "per year (2019: 0.79, 2023: 0.84)"
        )
    return int(text)


class YearlyShareFigure(Strict):
    """A share that may change over the years, with its source.

    Written either as ``value:`` (one share for every year) or with years as keys
    (``2019: 0.79``, ``2023: 0.84``), as a table's rows ``...women_device_access.2019`` give it:
    the first year's share is ``value`` and every year's share is in ``by_year``.
    """

    value: Share
    by_year: dict[int, Share] = Field(default_factory=dict)
    source: Source

    @model_validator(mode="before")
    @classmethod
    def _years_as_keys(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        if "value" in data:
            by_year = data.get("by_year")
            if isinstance(by_year, dict):  # as dumped to JSON: years as text
                data = {**data, "by_year": {_year_key(k): v for k, v in by_year.items()}}
            return data
        years = {k: v for k, v in data.items() if k != "source"}
        if not years:
            raise ValueError("gives no share; write 'value: SHARE' or one share per year")
        by_year = {_year_key(k): v for k, v in years.items()}
        first = min(by_year)
        return {"value": by_year[first], "by_year": by_year, "source": data.get("source")}

    @model_validator(mode="after")
    def _value_is_first_year(self) -> YearlyShareFigure:
        first = self.by_year[min(self.by_year)] if self.by_year else self.value
        if self.value != first:
            raise ValueError(
                f"value {self.value} is not the first year's share {first}; "
                "give the years as keys (2019: 0.79, 2023: 0.84) without 'value'"
            )
        return self

    def at(self, year: float) -> float:
        """The share in ``year`` (a year and its fraction, e.g. 2021.25 for 2021Q2).

        Each year's figure stands at mid-year; between two figures the share moves in a
        straight line, and before the first or after the last it stays as the nearest one.
        """
        if not self.by_year:
            return self.value
        years = sorted(self.by_year)
        return float(np.interp(year, [y + 0.5 for y in years], [self.by_year[y] for y in years]))


class SexFigure(Strict):
    """A share for men and one for women, with their source."""

    male: Share
    female: Share
    source: Source


class AgeBands(Strict):
    """A share for each age band of :data:`model.groups.AGE_BANDS`, with its source."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, strict=True, populate_by_name=False
    )

    a0_4: Share = Field(alias="0-4")
    a5_12: Share = Field(alias="5-12")
    a13_17: Share = Field(alias="13-17")
    a18_24: Share = Field(alias="18-24")
    a25_64: Share = Field(alias="25-64")
    a65: Share = Field(alias="65+")
    source: Source

    def by_band(self) -> list[float]:
        """The shares in band order, youngest first."""
        return [self.a0_4, self.a5_12, self.a13_17, self.a18_24, self.a25_64, self.a65]


class AgeStructure(AgeBands):
    """Shares of persons in each age band; they must sum to one."""

    @model_validator(mode="after")
    def _sums_to_one(self) -> AgeStructure:
        _check_sum(dict(zip(AGE_BANDS, self.by_band(), strict=True)))
        return self


def _check_sum(shares: dict[str, float]) -> None:
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=SHARE_SUM_TOLERANCE):
        names = " + ".join(shares)
        raise ValueError(f"shares {names} sum to {total:.4f}, not 1; make them add up to 1")


class Population(Strict):
    """Who the profile counts: its countries, their persons and their households."""

    countries: Annotated[str, Field(min_length=3)] = Field(
        description="which countries the profile covers"
    )
    persons: PositiveFigure = Field(description="persons in the region, 2019")
    household_size: PositiveFigure = Field(description="mean persons per household")
    size_poorest_richest: PositiveFigure = Field(
        description="mean household size, poorest / richest quintile"
    )

    @property
    def households(self) -> float:
        """Households in the region: persons over the mean household size."""
        return self.persons.value / self.household_size.value


class Income(Strict):
    """Household income: level, inequality, and who is poorer."""

    mean_monthly: PositiveFigure = Field(description="mean household income, US$ a month")
    gini: ShareFigure = Field(description="Gini coefficient of income per person")
    rel_rural: PositiveFigure = Field(description="rural / urban mean household income")
    rel_disability: PositiveFigure = Field(
        description="mean income of households with a member with a disability / others"
    )
    rel_older: PositiveFigure = Field(
        description="mean income of households with a member aged 65+ / others"
    )
    poverty_rate: ShareFigure = Field(description="share of persons in poverty, 2019")


class Composition(Strict):
    """The joint make-up of persons and households."""

    share_rural: ShareFigure = Field(description="households in rural areas")
    share_female: ShareFigure = Field(description="women and girls among persons")
    age_structure: AgeStructure = Field(description="shares of persons by age band")
    disability_by_age: AgeBands = Field(description="prevalence of disability by age band")
    rel_disability_female: PositiveFigure = Field(description="prevalence women / men")
    employment_rate: SexFigure = Field(description="employed share of persons 15+, 2019")
    informal_by_quintile: QuintileFigure = Field(description="informal share of jobs")
    teleworkable_by_quintile: QuintileFigure = Field(description="share of jobs doable from home")
    high_impact_sector: SexFigure = Field(description="share employed in high-impact sectors")
    computer_by_quintile: QuintileFigure = Field(description="households owning a computer")
    women_device_access: YearlyShareFigure = Field(
        description="chance that a woman aged 13+ has a device of her own, so that a new home "
        "connection can raise her use (below 1 where devices are owned and used by men first); "
        "one share, or one a year as they rise"
    )
    credit_by_quintile: QuintileFigure = Field(
        description="households that can buy a device in instalments (an account or store credit)"
    )


class Coverage(Strict):
    """Network coverage where households live."""

    urban: ShareFigure = Field(description="urban households with mobile coverage")
    rural: ShareFigure = Field(description="rural households with mobile coverage")
    broadband_urban: ShareFigure = Field(description="urban households with 3G+ coverage")
    broadband_rural: ShareFigure = Field(description="rural households with 3G+ coverage")

    @model_validator(mode="after")
    def _broadband_within_coverage(self) -> Coverage:
        for loc in ("urban", "rural"):
            if getattr(self, f"broadband_{loc}").value > getattr(self, loc).value:
                raise ValueError(
                    f"broadband_{loc} exceeds {loc}: broadband coverage is part of "
                    "mobile coverage; lower it"
                )
        return self


class Prices(Strict):
    """Monthly prices of connectivity in 2019, US$."""

    basic_monthly: PositiveFigure = Field(description="basic mobile data plan")
    meaningful_monthly: PositiveFigure = Field(description="fast plan and own device, amortised")
    device: PositiveFigure = Field(description="smartphone or computer, one-off")


MAX_QUARTERS_CLOSED = 12
"""Longest school closure a profile may give (quarters from 2020Q2): three years."""


class Schooling(Strict):
    """How long schools were closed in the COVID-19 lockdowns."""

    quarters_closed: PositiveFigure = Field(
        default=PositiveFigure(
            value=QUARTERS_CLOSED,
            source="Issue text and UNESCO school-closure tracker: schools closed 2020Q2-2021Q2 "
            "(the period every profile had before closures became a region figure)",
        ),
        description="quarters schools stayed closed, from 2020Q2 (a whole number)",
    )

    @field_validator("quarters_closed")
    @classmethod
    def _whole_quarters(cls, v: PositiveFigure) -> PositiveFigure:
        if v.value != int(v.value) or v.value > MAX_QUARTERS_CLOSED:
            raise ValueError(
                f"{v.value} is not a whole number of quarters up to {MAX_QUARTERS_CLOSED}; "
                "round it to whole quarters from 2020Q2"
            )
        return v


WORLD_ELECTRICITY_SOURCE = (
    "Tracking SDG7: The Energy Progress Report 2021 (read through the Ugandan Ministry of "
    "Finance's summary): the world's electrification rate 90% in 2019, 97% in urban and 84% in "
    "rural areas; the world's figure, an assumption for a profile that gives none"
)
"""Source of the default electricity figures: the world's, marked as an assumption."""


class Electricity(Strict):
    """Households with electricity at home, 2019 (the school pull reaches only them)."""

    urban: ShareFigure = Field(
        default=ShareFigure(value=0.97, source=WORLD_ELECTRICITY_SOURCE),
        description="urban households with electricity at home",
    )
    rural: ShareFigure = Field(
        default=ShareFigure(value=0.84, source=WORLD_ELECTRICITY_SOURCE),
        description="rural households with electricity at home",
    )


def check_group(text: str) -> str:
    """Validate a group expression such as ``all`` or ``location=rural``."""
    parse_group(text)
    return text


PERSON_MEASURES = ("internet_use", "basic_skills")
"""Target measures that only persons have."""


class Target(Strict):
    """A published marginal the initial population must reproduce.

    ``value`` is the rate of ``measure`` in ``group``; with ``versus`` it is the ratio of that
    rate to the rate in the ``versus`` group. ``unit`` says what is counted, as the source
    counts it: ``households`` (ECLAC: households with a home connection), ``people`` (ITU:
    individuals) or ``children`` (persons aged 5-12). ``connected`` / ``unconnected`` and
    ``meaningful`` are states of the home connection (for people and children: living in
    such a home); ``internet_use`` and ``basic_skills`` are a person's own.
    """

    measure: Literal["connected", "unconnected", "internet_use", "meaningful", "basic_skills"]
    unit: Literal["households", "people", "children"] = "households"
    group: str = "all"
    versus: str | None = None
    value: Positive
    source: Source

    @field_validator("group")
    @classmethod
    def _check_group(cls, v: str) -> str:
        return check_group(v)

    @field_validator("versus")
    @classmethod
    def _check_versus(cls, v: str | None) -> str | None:
        return None if v is None else check_group(v)

    @model_validator(mode="after")
    def _rate_is_share(self) -> Target:
        if self.versus is not None and self.measure == "unconnected":
            raise ValueError(
                "a ratio target ('versus:') must use a connected share; "
                "write measure: connected and invert the published figures"
            )
        if self.versus is None and self.value > 1:
            raise ValueError(
                f"value {self.value} is a rate and must be at most 1; write a ratio with 'versus:'"
            )
        if self.measure in PERSON_MEASURES and self.unit != "people":
            raise ValueError(f"{self.measure} is a person's own state; write unit: people")
        if self.unit == "households":
            for g in (self.group, self.versus):
                parsed = None if g is None else parse_group(g)
                if parsed and DIMENSIONS[parsed[0]].level == "person":
                    raise ValueError(
                        f"households have no {parsed[0]}; count people (unit: people) or "
                        "use a household group (location, quintile)"
                    )
        return self


class LabourShock(Strict):
    """Working hours lost against 2019Q4, by quarter (the COVID-19 shock)."""

    hours_lost: dict[Quarter, Share]
    source: Source


class Region(Strict):
    """A region profile: who lives there and how connected they were in 2019."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    population: Population
    income: Income
    composition: Composition
    coverage: Coverage
    prices: Prices
    schooling: Schooling = Field(
        default_factory=Schooling, description="school closures (default: 2020Q2-2021Q2)"
    )
    electricity: Electricity = Field(
        default_factory=Electricity,
        description="electricity at home (default: the world's figures, an assumption)",
    )
    labour_shock: LabourShock
    targets: Annotated[list[Target], Field(min_length=1)]
    paths: list[PublishedPath] = Field(
        default_factory=list,
        description="published paths its baseline must follow (calibrate --check --region)",
    )
    figures: str | None = Field(
        default=None,
        description="table (CSV) the figures were read from, relative to the region file",
    )


class Scenario(Strict):
    """A policy scenario: a region, a time window, parameter overrides and policies."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    label: str
    description: str = ""
    region: str = Field(description="region name (scenarios/regions/NAME.yaml) or a file path")
    start: Quarter = Quarter.parse("2019Q4")
    end: Quarter = Quarter.parse("2030Q4")
    households: Annotated[int, Field(gt=0, le=20_000_000)] = 20_000
    parameters: dict[str, float] = Field(default_factory=dict)
    policies: list[dict] = Field(default_factory=list)
    discount_rate: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        default=DEFAULT_DISCOUNT_RATE,
        description="real discount rate a year for the present value of spending, "
        "discounted to the run's start (default 0.03, WHO-CHOICE)",
    )

    @field_validator("start")
    @classmethod
    def _start_at_profile_year(cls, start: Quarter) -> Quarter:
        if start < FIRST_QUARTER:
            raise ValueError(
                f"start {start} is before {FIRST_QUARTER}; region profiles describe 2019, "
                f"so start at {FIRST_QUARTER} or later"
            )
        return start

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: Quarter, info: ValidationInfo) -> Quarter:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"end {end} is not after start {start}; set end to a later quarter")
        if start is not None and end - start + 1 > MAX_QUARTERS:
            raise ValueError(
                f"{start} to {end} is more than {MAX_QUARTERS} quarters; "
                "set a nearer end (the model is calibrated on 2019-2030)"
            )
        return end
