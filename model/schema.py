"""Typed schema of region profiles and policy scenarios (pydantic models).

Region profiles (``scenarios/regions/*.yaml``) hold the make-up of a region's households and
their initial digital state, every figure with its ``source``. Scenarios name a region and
list policies. Unknown keys, wrong types, out-of-range values, shares that do not sum to one
and quarters out of order are all rejected here; :mod:`model.loader` turns the rejections into
messages that name the file, the line and the key path.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from model.calendar import Quarter

FIRST_QUARTER = Quarter(2019, 4)
"""Earliest start: the quarter the region profiles describe."""
MAX_QUARTERS = 400
"""Longest scenario accepted (quarters)."""
SHARE_SUM_TOLERANCE = 1e-3
"""How far a set of shares may sum from one (rounding in published tables)."""


class Strict(BaseModel):
    """Base of every schema model: no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)


Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
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


class SexFigure(Strict):
    """A share for men and one for women, with their source."""

    male: Share
    female: Share
    source: Source


class AgeShares(Strict):
    """Shares of reference persons by age group; they must sum to one."""

    youth: Share = Field(description="aged 15-24")
    adult: Share = Field(description="aged 25-64")
    older: Share = Field(description="aged 65 and over")
    source: Source

    @model_validator(mode="after")
    def _sums_to_one(self) -> AgeShares:
        _check_sum({"youth": self.youth, "adult": self.adult, "older": self.older})
        return self


class AgeFigure(Strict):
    """A share for each age group, with its source."""

    youth: Share
    adult: Share
    older: Share
    source: Source


def _check_sum(shares: dict[str, float]) -> None:
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=SHARE_SUM_TOLERANCE):
        names = " + ".join(shares)
        raise ValueError(f"shares {names} sum to {total:.4f}, not 1; make them add up to 1")


class Income(Strict):
    """Household income: level, inequality, and who is poorer."""

    mean_monthly: PositiveFigure = Field(description="mean household income, US$ a month")
    gini: ShareFigure = Field(description="Gini coefficient of household income")
    rel_rural: PositiveFigure = Field(description="rural / urban mean income")
    rel_disability: PositiveFigure = Field(description="mean income with / without disability")
    rel_older: PositiveFigure = Field(description="mean income of 65+ / others")
    poverty_rate: ShareFigure = Field(
        description="share of households below the poverty line, 2019"
    )


class Composition(Strict):
    """The joint make-up of households (reference person and household)."""

    share_rural: ShareFigure
    share_female: ShareFigure = Field(description="reference persons who are women")
    age_groups: AgeShares
    disability_by_age: AgeFigure = Field(description="prevalence of disability by age group")
    rel_disability_female: PositiveFigure = Field(description="prevalence women / men")
    adults_per_household: PositiveFigure
    children_per_household: PositiveFigure = Field(description="children aged 5-12")
    rel_children_poorest: PositiveFigure = Field(description="children per household Q1 / Q5")
    employment_rate: SexFigure = Field(description="employed share of persons 15+, 2019")
    informal_by_quintile: QuintileFigure = Field(description="informal share of jobs")
    teleworkable_by_quintile: QuintileFigure = Field(description="share of jobs doable from home")
    high_impact_sector: SexFigure = Field(description="share employed in high-impact sectors")


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


GROUP_VALUES: dict[str, tuple[str, ...]] = {
    "quintile": ("1", "2", "3", "4", "5"),
    "location": ("urban", "rural"),
    "sex": ("male", "female"),
    "age": ("youth", "adult", "older"),
    "disability": ("yes", "no"),
}
"""Attributes that define groups, and their values, as written in ``group: attr=value``."""

GROUP_PATTERN = re.compile(r"^(all|(?P<attr>[a-z]+)=(?P<val>[a-z0-9]+))$")


def check_group(text: str) -> str:
    """Validate a group expression such as ``all`` or ``location=rural``."""
    m = GROUP_PATTERN.match(text)
    if not m:
        raise ValueError(
            f"'{text}' is not a group; write 'all' or attribute=value, e.g. 'location=rural'"
        )
    attr, val = m.group("attr"), m.group("val")
    if attr is None:
        return text
    if attr not in GROUP_VALUES:
        raise ValueError(f"unknown group attribute '{attr}'; use one of {', '.join(GROUP_VALUES)}")
    if val not in GROUP_VALUES[attr]:
        raise ValueError(
            f"unknown value '{val}' for {attr}; use one of {', '.join(GROUP_VALUES[attr])}"
        )
    return text


class Target(Strict):
    """A published marginal the initial population must reproduce.

    ``value`` is the rate of ``measure`` in ``group``; with ``versus`` it is the ratio of that
    rate to the rate in the ``versus`` group. ``unit`` says what is counted: households,
    people (the reference person) or children aged 5-12.
    """

    measure: Literal["connected", "unconnected", "meaningful", "basic_skills"]
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
        return self


class LabourShock(Strict):
    """Working hours lost against 2019Q4, by quarter (the COVID-19 shock)."""

    hours_lost: dict[Quarter, Share]
    source: Source


class Region(Strict):
    """A region profile: who lives there and how connected they were in 2019."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    households: PositiveFigure = Field(description="households in the region")
    income: Income
    composition: Composition
    coverage: Coverage
    prices: Prices
    labour_shock: LabourShock
    targets: Annotated[list[Target], Field(min_length=1)]


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
