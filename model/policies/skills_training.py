"""Skills-training lever: places each quarter, targeting, completion and skill gain."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model.households import Population
from model.policies.base import Context, Levers, Policy, PolicyConfig, take
from model.schema import Strict

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
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
        places_per_quarter: real people offered a course each quarter at intensity 1.
        targeting: priority of groups when places are offered.
        accessible_delivery: accessible, gender-sensitive delivery (childcare, local venues,
            assistive formats) lifts the lower uptake of women, older people and persons with
            disabilities to that of others.
        completion_rate: share of those who start who complete.
        skill_gain: skill score gained on completion (0-1 scale).
        cost_per_place: US$ per person who starts a course.

    """

    type: Literal["skills_training"]
    places_per_quarter: NonNegative = 500_000
    targeting: Targeting = Field(default_factory=Targeting)
    accessible_delivery: bool = False
    completion_rate: Share = 0.7
    skill_gain: Share = 0.25
    cost_per_place: NonNegative = 150.0


class SkillsTraining(Policy):
    """Offers courses to persons 15+ without advanced skills; completers gain skill.

    Places are offered by weighted sampling without replacement (Efraimidis & Spirakis 2006),
    the weight being the product of the targeting multipliers that apply.
    """

    Config = SkillsTrainingConfig
    config: SkillsTrainingConfig

    level = "person"

    def __init__(
        self, config: SkillsTrainingConfig, pars: dict[str, float], pop: Population
    ) -> None:
        super().__init__(config, pars, pop)
        self.p_uptake = pars["p_training_uptake"]
        self.rel_uptake_barrier = pars["rel_uptake_barrier"]

    def act(self, pop: Population, levers: Levers, ctx: Context) -> float:
        """Offer this quarter's places, enrol, complete and credit the gain; return the spend."""
        c = self.config
        t = c.targeting
        h, p = pop.h, pop.p
        hh = p.household
        candidates = self.eligible(pop) & p.is_working_age & (p.skill < 0.7) & ~p.is_trained
        older = p.age >= 65
        priority = (
            np.where(p.is_female, t.women, 1.0)
            * np.where(older, t.older, 1.0)
            * np.where(p.has_disability, t.disability, 1.0)
            * np.where(h.is_rural[hh], t.rural, 1.0)
            * np.where(h.quintile[hh] <= 1, t.low_income, 1.0)
        )
        n_offers = take(c.intensity * c.places_per_quarter, pop.weight, ctx.rng)
        keys = np.log(ctx.rng.random(p.n)) / np.maximum(priority, 1e-12)
        idx = np.flatnonzero(candidates & (priority > 0))
        if n_offers < idx.size:
            idx = idx[np.argpartition(-keys[idx], n_offers)[:n_offers]]
        barrier = p.is_female[idx] | older[idx] | p.has_disability[idx]
        rel = np.where(barrier & (not c.accessible_delivery), self.rel_uptake_barrier, 1.0)
        start = idx[ctx.rng.random(idx.size) < self.p_uptake * rel]
        done = start[ctx.rng.random(start.size) < c.completion_rate]
        levers.skill_gain[done] += c.skill_gain
        p.is_trained[done] = True
        self.reached[start] = True
        return pop.weight * start.size * c.cost_per_place
