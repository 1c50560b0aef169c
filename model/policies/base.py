"""What every policy shares: a time window, an eligibility rule, an intensity, its spending."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from model.calendar import Quarter
from model.groups import household_mask, parse_group, person_mask
from model.households import CODES, Population
from model.ledger import Account, Spending, affordable_prefix
from model.schema import Strict

MAX_UNIT_COST = 1e7
"""Most US$ a policy may spend per unit (household, person, place, worker) and period: more is
a typo, and spending summed over the population and the quarters must stay finite."""

UnitCost = Annotated[float, Field(ge=0.0, le=MAX_UNIT_COST)]

ELIGIBILITY_LISTS = ("quintile", "location", "sex", "age", "disability", "job")
"""Eligibility keys that list the values that qualify."""


class Eligibility(Strict):
    """Who a policy may reach; every condition given must hold (empty = everyone).

    Each key is a dimension of :mod:`model.groups` and lists the values that qualify, spelled
    as in group names (``age: [65+]`` is the group ``age=65+``). A policy that acts on
    persons reaches eligible persons; one that acts on households reaches households that
    meet the household conditions (location, quintile, offline in 2019) and have at least
    one member who meets the person conditions (sex, age, disability, job in 2019).
    """

    quintile: list[Annotated[int, Field(ge=1, le=5)]] | None = None
    location: list[Literal["urban", "rural"]] | None = None
    sex: list[Literal["male", "female"]] | None = None
    age: list[str] | None = None
    disability: list[Literal["with", "without"]] | None = None
    job: list[Literal["formal", "informal", "none"]] | None = Field(
        default=None, description="the person's job in 2019 (a person condition)"
    )
    offline_in_2019: bool | None = Field(
        default=None, description="true: only households without a home connection in 2019"
    )

    @field_validator(*ELIGIBILITY_LISTS)
    @classmethod
    def _not_empty(cls, v: list | None) -> list | None:
        if v is not None and not v:
            raise ValueError(
                "an empty list makes no one eligible, so the policy would reach nobody; list "
                "the values that qualify, or remove the key to include everyone"
            )
        return v

    @field_validator("age")
    @classmethod
    def _ages(cls, v: list[str] | None) -> list[str] | None:
        for value in v or []:
            parse_group(f"age={value}")
        return v

    def _groups(self, dims: tuple[str, ...]) -> list[list[str]]:
        """For each condition on ``dims`` given, the groups that satisfy it."""
        out = []
        for dim in dims:
            values = getattr(self, dim)
            if values is not None:
                out.append([f"{dim}={v}" for v in values])
        return out

    def household_mask(self, pop: Population) -> np.ndarray:
        """Households meeting the household conditions with a member meeting the others."""
        m = self._household_conditions(pop)
        if self._groups(PERSON_CONDITIONS) or self.job is not None:
            m &= pop.p.household_sum(self._person_conditions(pop), pop.h.n) > 0
        return m

    def person_mask(self, pop: Population) -> np.ndarray:
        """Persons meeting every condition (household conditions through their household)."""
        return self._household_conditions(pop)[pop.p.household] & self._person_conditions(pop)

    def _household_conditions(self, pop: Population) -> np.ndarray:
        h = pop.h
        m = np.ones(h.n, dtype=bool)
        for alternatives in self._groups(("location",)):
            m &= np.any([household_mask(pop, g) for g in alternatives], axis=0)
        if self.quintile is not None:
            m &= np.isin(h.quintile, [q - 1 for q in self.quintile])
        if self.offline_in_2019 is not None:
            m &= h.was_online_2019 != self.offline_in_2019
        return m

    def _person_conditions(self, pop: Population) -> np.ndarray:
        m = np.ones(pop.p.n, dtype=bool)
        for alternatives in self._groups(PERSON_CONDITIONS):
            m &= np.any([person_mask(pop, g) for g in alternatives], axis=0)
        if self.job is not None:
            code = {name: c for c, name in CODES["job"].items()}
            m &= np.isin(pop.p.job, [code[v] for v in self.job])
        return m


PERSON_CONDITIONS = ("sex", "age", "disability")
"""Eligibility keys that are conditions on persons."""


class PolicyConfig(Strict):
    """Fields every policy's YAML entry has."""

    type: str
    name: Annotated[str, Field(pattern=r"^([a-z][a-z0-9_]*)?$", max_length=64)] = Field(
        default="",
        description="names the policy's columns (spend:NAME ...) and sweep addresses; "
        "default: its type",
    )
    start: Quarter = Field(Quarter.parse("2021Q1"), json_schema_extra={"unit": "quarter"})
    end: Quarter = Field(Quarter.parse("2030Q4"), json_schema_extra={"unit": "quarter"})
    intensity: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        1.0, json_schema_extra={"unit": "share of the full programme, 0-1"}
    )
    eligibility: Eligibility = Field(
        default_factory=Eligibility,
        json_schema_extra={"unit": "groups that qualify (none given: everyone)"},
    )
    budget_per_year: Annotated[float, Field(gt=0.0, le=1e13)] | None = Field(
        default=None,
        description="US$ the policy may spend in a calendar year (current US$); it rations "
        "by its targeting order to stay within it. Default: no budget",
        json_schema_extra={"unit": "US$ a year"},
    )


LABOUR_RULES = ("platform_floor", "social_insurance", "hiring_access", "telework_right", "gigs")
"""Columns of a labour rule set (see :meth:`Levers.labour_table`)."""
NO_LABOUR_RULES = (0.0, 0.0, 0.0, 0.0, 1.0)
"""The rules where no regulation covers a person: no floor, no insurance, no hiring duty, no
right to telework, the unregulated market's gigs."""
MAX_LABOUR_RULE_SETS = 8
"""Labour rule sets in force at once (one bit each of a person's cover code)."""


@dataclass
class Levers:
    """What the policies in force set for one quarter; the household and person rules read it.

    Attributes:
        n_households: households in the run.
        n_people: persons in the run.
        price_factor: multiplier on market prices from policy (1 = none).
        subsidy_service: share of the monthly plan price paid by policy, per household.
        subsidy_device: share of the device price paid by policy, per household.
        instalments: households offered a device in instalments by policy.
        skill_gain: skill gained from training completed this quarter, per person.
        takeup_online: transfer take-up of poor connected households set by policy (0 = none).
        takeup_offline: transfer take-up of poor unconnected households set by policy.
        labour_cover: per person, bit ``j`` set when the ``j``-th labour rule set in force
            covers the person (``None`` while no labour regulation is in force).
        labour_rules: the rule sets in force, each as :data:`LABOUR_RULES`.

    """

    n_households: int
    n_people: int
    price_factor: float = 1.0
    subsidy_service: np.ndarray = field(init=False)
    subsidy_device: np.ndarray = field(init=False)
    instalments: np.ndarray = field(init=False)
    skill_gain: np.ndarray = field(init=False)
    takeup_online: np.ndarray = field(init=False)
    takeup_offline: np.ndarray = field(init=False)
    labour_cover: np.ndarray | None = None
    labour_rules: list[tuple[float, ...]] = field(default_factory=list)
    labour_owners: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.subsidy_service = np.zeros(self.n_households)
        self.subsidy_device = np.zeros(self.n_households)
        self.instalments = np.zeros(self.n_households, dtype=bool)
        self.skill_gain = np.zeros(self.n_people, dtype=np.float32)
        self.takeup_online = np.zeros(self.n_households)
        self.takeup_offline = np.zeros(self.n_households)

    def reset(self) -> None:
        """Clear every lever for a new quarter, keeping the arrays (as new :class:`Levers`)."""
        self.price_factor = 1.0
        for values in (
            self.subsidy_service,
            self.subsidy_device,
            self.instalments,
            self.skill_gain,
            self.takeup_online,
            self.takeup_offline,
        ):
            values.fill(0)
        self.labour_cover = None
        self.labour_rules = []
        self.labour_owners = []

    def add_labour_rules(
        self, covered: np.ndarray, rules: tuple[float, ...], *, owner: str
    ) -> None:
        """Put a labour rule set in force for the persons ``covered`` (a mask over persons).

        Args:
            covered: persons the rules apply to.
            rules: values in the order of :data:`LABOUR_RULES`.
            owner: name of the policy whose rules they are (it pays their insurance).

        """
        bit = len(self.labour_rules)
        if bit >= MAX_LABOUR_RULE_SETS:
            raise ValueError(f"at most {MAX_LABOUR_RULE_SETS} labour regulations can be in force")
        self.labour_rules.append(tuple(float(v) for v in rules))
        self.labour_owners.append(owner)
        if self.labour_cover is None:
            self.labour_cover = covered.view(np.uint8)
        else:
            self.labour_cover = self.labour_cover | (covered.view(np.uint8) << bit)

    def labour_rules_by_person(self) -> np.ndarray:
        """Each person's rules this quarter (persons x :data:`LABOUR_RULES`)."""
        if self.labour_cover is None:
            return np.tile(np.array(NO_LABOUR_RULES), (self.n_people, 1))
        return self.labour_table()[self.labour_cover]

    def labour_table(self) -> np.ndarray:
        """Rules per cover code: row ``code`` combines the rule sets whose bits are set.

        Floors, insurance, hiring duties and rights take the most generous set; gig
        reductions multiply. Row 0 is :data:`NO_LABOUR_RULES`.
        """
        k = len(self.labour_rules)
        table = np.tile(np.array(NO_LABOUR_RULES), (1 << k, 1))
        for code in range(1, 1 << k):
            sets = [self.labour_rules[j] for j in range(k) if code >> j & 1]
            table[code, :4] = np.max([r[:4] for r in sets], axis=0)
            table[code, 4] = np.prod([r[4] for r in sets])
        return table


@dataclass(frozen=True)
class Context:
    """What a policy may read about the run besides the population.

    Attributes:
        quarter: the current quarter.
        step: steps since the start (0 at the first quarter).
        prices: market prices this quarter, US$ a month: ``basic``, ``meaningful``, ``device``.
        rng: the policy's own random generator for this quarter.
        allowance: US$ the policy may spend this quarter under its budget
            (:func:`model.ledger.allowance`; infinite without a budget).
        transfer_per_person: US$ a month the public transfer pays per household member.
        poverty_line: US$ a month per person below which a household is poor.
        order_rng: the policy's own stream for its targeting order under a budget (drawn
            from once), so that a budget too large to bind changes no other draw.

    """

    quarter: Quarter
    step: int
    prices: dict[str, float]
    rng: np.random.Generator
    allowance: float = math.inf
    transfer_per_person: float = 0.0
    poverty_line: float = 0.0
    order_rng: np.random.Generator | None = None


class Policy:
    """Base class: a configured policy that acts each quarter it is in force.

    Subclasses set ``Config`` (their YAML schema), ``level`` (whether they reach households
    or persons), ``outcome`` (the outcome they aim to raise among those eligible, a key of
    :data:`model.policies.outcomes.OUTCOMES`), ``items`` (the :data:`model.ledger.ITEMS` it
    spends on) and implement :meth:`act`, which changes the population or the levers and
    returns what was spent this quarter by item (US$), within ``ctx.allowance``.

    Attributes:
        reached: units (households or persons) the policy has reached so far.
        account: what it has spent so far, by item, year and as present value.
        subsidised: simulated households whose subsidy is in use this quarter (a policy
            that subsidises sets it; see ``subsidises``).
        shortfall: US$ its full programme would have cost beyond its budget, so far.

    """

    Config: ClassVar[type[PolicyConfig]] = PolicyConfig
    level: ClassVar[str] = "household"
    outcome: ClassVar[str] = ""
    items: ClassVar[tuple[str, ...]] = ()
    subsidises: ClassVar[bool] = False

    def __init__(self, config: PolicyConfig, pars: dict[str, float], pop: Population) -> None:
        """Configure the policy for a population.

        Args:
            config: the validated YAML entry.
            pars: behavioural parameters (some policies read uptake parameters).
            pop: the households and persons of the run.

        """
        self.config = config
        self.name = config.name or config.type
        n = pop.p.n if self.level == "person" else pop.h.n
        self.reached = np.zeros(n, dtype=bool)
        self.subsidised = 0
        self.shortfall = 0.0
        self.account = Account.of(self.items)
        self._order: np.ndarray | None = None
        self._eligible: np.ndarray | None = None
        self._eligible_index: np.ndarray | None = None
        self._eligible_persons: np.ndarray | None = None

    def in_force(self, quarter: Quarter) -> bool:
        """The policy acts in ``quarter`` (start and end inclusive, intensity above zero)."""
        c = self.config
        return c.intensity > 0 and c.start <= quarter <= c.end

    def eligible(self, pop: Population) -> np.ndarray:
        """Households (or persons, for a person-level policy) the policy may reach.

        Every condition is on attributes fixed over a run, so the mask is built once.
        """
        if self._eligible is None:
            e = self.config.eligibility
            self._eligible = e.person_mask(pop) if self.level == "person" else e.household_mask(pop)
        return self._eligible

    def eligible_persons(self, pop: Population) -> np.ndarray:
        """Persons meeting every eligibility condition, for a policy of either level (built once).

        A household-level policy that equips persons (assistive technology) uses it, so that
        ``sex: [female]`` reaches the women of eligible households, not every member.
        """
        if self._eligible_persons is None:
            self._eligible_persons = self.config.eligibility.person_mask(pop)
        return self._eligible_persons

    def eligible_index(self, pop: Population) -> np.ndarray:
        """Indices of :meth:`eligible` (built once)."""
        if self._eligible_index is None:
            self._eligible_index = np.flatnonzero(self.eligible(pop))
        return self._eligible_index

    def targeting_order(self, pop: Population, rng: np.random.Generator | None) -> np.ndarray:
        """Eligible units in the order a budget serves them: poorest quintile first.

        Within a quintile the order is random, drawn once (the first quarter the policy acts
        under its budget) from ``rng``, the policy's own order stream (``ctx.order_rng``). A
        person is ranked by their household's quintile.
        """
        if self._order is None:
            if rng is None:
                raise ValueError(f"{self.name}: a budget needs the policy's order stream")
            idx = np.flatnonzero(self.eligible(pop))
            hh = idx if self.level != "person" else pop.p.household[idx]
            self._order = idx[np.lexsort((rng.random(idx.size), pop.h.quintile[hh]))]
        return self._order

    def ration(self, costs: np.ndarray, allowance: float) -> int:
        """Units (in targeting order, costing ``costs``) ``allowance`` US$ pays; note the rest.

        What the units left out would have cost is added to :attr:`shortfall`.
        """
        k = affordable_prefix(costs, allowance)
        if k < costs.size:
            self.shortfall += float(costs[k:].sum())
        return k

    def reached_households(self, pop: Population) -> np.ndarray:
        """Households the policy reached (for a person-level policy: with a reached member)."""
        if self.level == "person":
            out = np.zeros(pop.h.n, dtype=bool)
            out[pop.p.household[self.reached]] = True
            return out
        return self.reached

    def reached_people(self, pop: Population) -> np.ndarray:
        """Persons the policy reached (for a household-level policy: every member)."""
        if self.level == "person":
            return self.reached
        return self.reached[pop.p.household]

    def act(self, pop: Population, levers: Levers, ctx: Context) -> Spending:
        """Apply the policy for one quarter; return the US$ spent by ledger item."""
        raise NotImplementedError

    def upkeep(self, pop: Population, ctx: Context) -> Spending:
        """US$ a quarter that what the policy built still costs after its window (none here)."""
        return {}


def take(real_count: float, weight: float, rng: np.random.Generator) -> int:
    """Simulated units standing for ``real_count`` real ones (stochastic rounding)."""
    exact = max(real_count, 0.0) / weight
    whole = int(exact)
    return whole + int(rng.random() < exact - whole)
