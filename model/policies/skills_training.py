"""Skills-training lever: places each quarter, targeting, completion and skill gain."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from numba import njit
from pydantic import Field

from model.groups import OLDER_AGE
from model.households import WORKING_AGE, Population
from model.ledger import Spending
from model.policies.base import Context, Levers, Policy, PolicyConfig, UnitCost, take
from model.policy_sizes import Size
from model.schema import Strict

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Multiplier = Annotated[float, Field(ge=0.0, le=100.0)]


class Targeting(Strict):
    """Priority multipliers of the chance to be offered a place (1 = no priority)."""

    women: Multiplier = 1.0
    older: Multiplier = 1.0
    disability: Multiplier = 1.0
    rural: Multiplier = 1.0
    low_income: Multiplier = Field(1.0, description="quintiles 1 and 2")


class SkillsTrainingConfig(PolicyConfig):
    """YAML schema of the skills-training lever.

    Attributes:
        places_per_quarter: real people offered a course each quarter at intensity 1, or a
            share of the region: ``{share: 0.02, of: adults, per: year}``
            (:mod:`model.policy_sizes`).
        targeting: priority of groups when places are offered.
        accessible_delivery: accessible, gender-sensitive delivery (childcare, local venues,
            assistive formats) lifts the lower uptake of women, older people and persons with
            disabilities to that of others.
        completion_rate: share of those who start who complete.
        skill_gain: skill score gained on completion (0-1 scale).
        cost_per_place: US$ per person who starts a course.

    """

    type: Literal["skills_training"]
    places_per_quarter: Size = Field(500_000, json_schema_extra={"unit": "persons a quarter"})
    targeting: Targeting = Field(
        default_factory=Targeting,
        json_schema_extra={"unit": "priority multiplier of each group, 1 = none"},
    )
    accessible_delivery: bool = Field(False, json_schema_extra={"unit": "yes/no"})
    completion_rate: Share = Field(0.7, json_schema_extra={"unit": "share of those who start, 0-1"})
    skill_gain: Share = Field(0.25, json_schema_extra={"unit": "skill score, 0-1 scale"})
    cost_per_place: UnitCost = Field(150.0, json_schema_extra={"unit": "US$ per person who starts"})


@njit(cache=True)
def priority_pool(
    eligible: np.ndarray, person: tuple, household: tuple, priority: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Eligible persons 15+ with a priority above zero, and their cumulative priority.

    A person's priority is the product, in the order given, of the multipliers that apply
    to them (1 for the others), as ``np.where(...) * np.where(...) * ...`` makes it; the
    cumulative priority is summed in index order, as ``np.cumsum`` sums it.

    Args:
        eligible: per person, the policy may reach them.
        person: (household, is_female, age, has_disability) per person.
        household: (is_rural, quintile) per household.
        priority: multipliers for (women, older, disability, rural, low income).

    Returns:
        The persons in index order and their cumulative priority.

    """
    home, female, age, disability = person
    rural, quintile = household
    women, older, with_disability, in_rural, low_income = priority
    idx = np.empty(home.size, dtype=np.int64)
    cum = np.empty(home.size, dtype=np.float64)
    n = 0
    total = 0.0
    for i in range(home.size):
        if not eligible[i] or age[i] < WORKING_AGE:
            continue
        h = home[i]
        weight = women if female[i] else 1.0
        weight = weight * (older if age[i] >= OLDER_AGE else 1.0)
        weight = weight * (with_disability if disability[i] else 1.0)
        weight = weight * (in_rural if rural[h] else 1.0)
        weight = weight * (low_income if quintile[h] <= 1 else 1.0)
        if weight > 0:
            total += weight
            idx[n] = i
            cum[n] = total
            n += 1
    return idx[:n].copy(), cum[:n].copy()


OFFER_ROUNDS = 8
"""Rounds of drawing from the pool before offering every open person in weighted order."""


class SkillsTraining(Policy):
    """Offers courses to persons 15+ without advanced skills; completers gain skill.

    Places are offered by weighted sampling without replacement, the weight being the product
    of the targeting multipliers that apply.
    """

    Config = SkillsTrainingConfig
    config: SkillsTrainingConfig
    outcome = "basic_skills"
    items = ("training",)

    level = "person"

    def __init__(
        self, config: SkillsTrainingConfig, pars: dict[str, float], pop: Population
    ) -> None:
        super().__init__(config, pars, pop)
        self.p_uptake = pars["p_training_uptake"]
        self.rel_uptake_barrier = pars["rel_uptake_barrier"]
        self._pool: tuple[np.ndarray, np.ndarray] | None = None

    def _candidates(self, pop: Population) -> tuple[np.ndarray, np.ndarray]:
        """Eligible persons 15+ with a priority above zero, and their priority (built once).

        One compiled pass (:func:`priority_pool`) instead of a dozen arrays the size of the
        population, the same products and running sum.
        """
        if self._pool is None:
            t = self.config.targeting
            h, p = pop.h, pop.p
            self._pool = priority_pool(
                self.eligible(pop),
                (p.household, p.is_female, p.age, p.has_disability),
                (h.is_rural, h.quintile),
                (t.women, t.older, t.disability, t.rural, t.low_income),
            )
        return self._pool

    def _offers(self, pop: Population, n_offers: int, rng: np.random.Generator) -> np.ndarray:
        """Persons offered a place: sampled without replacement in proportion to priority.

        Draws from the fixed pool by inverting the cumulative priority, keeps persons still
        open (below advanced skill, not yet trained) and not drawn before, and draws again
        until the places are filled; when few open persons remain, all of them are offered
        in priority-weighted random order (Efraimidis & Spirakis 2006).
        """
        p = pop.p
        pool, cum = self._candidates(pop)
        chosen = np.empty(0, dtype=pool.dtype)
        for _ in range(OFFER_ROUNDS):
            need = n_offers - chosen.size
            if need <= 0 or pool.size == 0:
                return chosen[:n_offers]
            draw = pool[np.searchsorted(cum, rng.random(2 * need + 16) * cum[-1], side="right")]
            draw = draw[(p.skill[draw] < 0.7) & ~p.is_trained[draw]]
            chosen = np.concatenate([chosen, draw])
            _, first = np.unique(chosen, return_index=True)
            chosen = chosen[np.sort(first)]
        open_ = pool[(p.skill[pool] < 0.7) & ~p.is_trained[pool]]
        priority = np.diff(cum, prepend=0.0)[np.searchsorted(pool, open_)]
        keys = np.log(rng.random(open_.size)) / priority
        return open_[np.argsort(-keys)][:n_offers]

    def act(self, pop: Population, levers: Levers, ctx: Context) -> Spending:
        """Offer this quarter's places, enrol, complete and credit the gain; return the spend.

        Places go to eligible persons 15+ below advanced skill who have not been trained,
        by weighted sampling without replacement on the targeting priorities. Under a budget,
        only as many persons start as the allowance pays for, in the order they were drawn.
        """
        c = self.config
        p = pop.p
        n_offers = take(c.intensity * c.places_per_quarter, pop.weight, ctx.rng)
        idx = self._offers(pop, n_offers, ctx.rng)
        barrier = p.is_female[idx] | (p.age[idx] >= OLDER_AGE) | p.has_disability[idx]
        rel = np.where(barrier & (not c.accessible_delivery), self.rel_uptake_barrier, 1.0)
        start = idx[ctx.rng.random(idx.size) < self.p_uptake * rel]
        if not math.isinf(ctx.allowance):
            costs = np.full(start.size, pop.weight * c.cost_per_place)
            start = start[: self.ration(costs, ctx.allowance)]
        done = start[ctx.rng.random(start.size) < c.completion_rate]
        levers.skill_gain[done] += c.skill_gain
        p.is_trained[done] = True
        self.reached[start] = True
        return {"training": pop.weight * start.size * c.cost_per_place}
