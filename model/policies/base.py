"""What every policy shares: a time window, an eligibility rule, an intensity, its spending."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from model.calendar import Quarter
from model.households import Households
from model.schema import Strict


class Eligibility(Strict):
    """Who a policy may reach; every condition given must hold (empty = everyone).

    Quintiles are numbered 1 (poorest) to 5 (richest).
    """

    quintiles: list[Annotated[int, Field(ge=1, le=5)]] | None = None
    location: list[Literal["urban", "rural"]] | None = None
    sex: list[Literal["male", "female"]] | None = None
    age: list[Literal["youth", "adult", "older"]] | None = None
    disability: bool | None = None
    offline_in_2019: bool | None = Field(
        default=None, description="true: only households that were offline in 2019"
    )

    def mask(self, h: Households) -> np.ndarray:
        """Households that meet every condition."""
        m = np.ones(h.n, dtype=bool)
        if self.quintiles is not None:
            m &= np.isin(h.quintile, [q - 1 for q in self.quintiles])
        if self.location is not None:
            m &= np.isin(np.where(h.is_rural, "rural", "urban"), self.location)
        if self.sex is not None:
            m &= np.isin(np.where(h.is_female, "female", "male"), self.sex)
        if self.age is not None:
            m &= np.isin(np.array(["youth", "adult", "older"])[h.age_group], self.age)
        if self.disability is not None:
            m &= h.has_disability == self.disability
        if self.offline_in_2019 is not None:
            m &= h.was_online_2019 != self.offline_in_2019
        return m


class PolicyConfig(Strict):
    """Fields every policy's YAML entry has."""

    type: str
    name: str = ""
    start: Quarter = Quarter.parse("2021Q1")
    end: Quarter = Quarter.parse("2030Q4")
    intensity: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    eligibility: Eligibility = Field(default_factory=Eligibility)


@dataclass
class Levers:
    """What the policies in force set for one quarter; the household rules read it.

    Attributes:
        price_factor: multiplier on market prices from policy (1 = none).
        subsidy_service: share of the monthly plan price paid by policy, per household.
        subsidy_device: share of the device price paid by policy, per household.
        skill_gain: skill gained from training completed this quarter, per household.
        platform_floor: platform earnings floor as a share of own 2019 income (0 = none).
        social_insurance: share of platform income kept when gigs lapse (0 = none).
        hiring_access: share of the disability hiring penalty removed (0-1).
        telework_right: share of teleworkable jobs protected without meaningful use (0-1).
        gig_availability: multiplier on platform gigs (1 = unregulated market).
        takeup_online: transfer take-up of poor online households set by policy (0 = none).
        takeup_offline: transfer take-up of poor offline households set by policy (0 = none).

    """

    n: int
    price_factor: float = 1.0
    subsidy_service: np.ndarray = field(init=False)
    subsidy_device: np.ndarray = field(init=False)
    skill_gain: np.ndarray = field(init=False)
    platform_floor: float = 0.0
    social_insurance: float = 0.0
    hiring_access: float = 0.0
    telework_right: float = 0.0
    gig_availability: float = 1.0
    takeup_online: np.ndarray = field(init=False)
    takeup_offline: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.subsidy_service = np.zeros(self.n)
        self.subsidy_device = np.zeros(self.n)
        self.skill_gain = np.zeros(self.n, dtype=np.float32)
        self.takeup_online = np.zeros(self.n)
        self.takeup_offline = np.zeros(self.n)


@dataclass(frozen=True)
class Context:
    """What a policy may read about the run besides the households.

    Attributes:
        quarter: the current quarter.
        step: steps since the start (0 at the first quarter).
        prices: market prices this quarter, US$ a month: ``basic``, ``meaningful``, ``device``.
        rng: the policy's own random generator for this quarter.

    """

    quarter: Quarter
    step: int
    prices: dict[str, float]
    rng: np.random.Generator


class Policy:
    """Base class: a configured policy that acts each quarter it is in force.

    Subclasses set ``Config`` (their YAML schema) and implement :meth:`act`, which changes the
    households or the levers and returns what was spent this quarter (US$).
    """

    Config: ClassVar[type[PolicyConfig]] = PolicyConfig

    def __init__(self, config: PolicyConfig, pars: dict[str, float], n: int) -> None:
        """Configure the policy for a population of ``n`` households.

        Args:
            config: the validated YAML entry.
            pars: behavioural parameters (some policies read uptake parameters).
            n: number of simulated households.

        """
        self.config = config
        self.name = config.name or config.type
        self.reached = np.zeros(n, dtype=bool)

    def in_force(self, quarter: Quarter) -> bool:
        """The policy acts in ``quarter`` (start and end inclusive, intensity above zero)."""
        c = self.config
        return c.intensity > 0 and c.start <= quarter <= c.end

    def eligible(self, h: Households) -> np.ndarray:
        """Households the policy may reach."""
        return self.config.eligibility.mask(h)

    def act(self, h: Households, levers: Levers, ctx: Context) -> float:
        """Apply the policy for one quarter; return the US$ spent."""
        raise NotImplementedError


def take(real_count: float, h: Households, rng: np.random.Generator) -> int:
    """Simulated households standing for ``real_count`` real ones (stochastic rounding)."""
    exact = max(real_count, 0.0) / float(h.weight.mean())
    whole = int(exact)
    return whole + int(rng.random() < exact - whole)
