"""Labour-regulation lever: decent digital work and its trade-off."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model.households import Population
from model.ledger import Spending
from model.policies.base import Context, Levers, Policy, PolicyConfig, UnitCost

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class LabourRegulationConfig(PolicyConfig):
    """YAML schema of the labour-regulation lever (each part scaled by ``intensity``).

    Attributes:
        platform_income_floor: platform earnings floor, as a share of the worker's own 2019
            income.
        social_insurance: share of lost earnings that social insurance replaces for the
            persons covered: a worker who lost the 2019 job (of the earnings the job paid,
            beyond ``share_income_kept_jobless``), a platform worker in a quarter without gigs
            (of the platform pay). The payments are the regulation's spending besides
            ``cost_per_platform_worker``, for the persons actually paid.
        accessible_hiring: share of the disability penalty in digital hiring removed by
            accessibility and non-discrimination duties.
        right_to_telework: share of the workers in teleworkable jobs with only a basic
            connection who could not otherwise work from home (``1 - share_telework_basic``)
            whom the right lets work from home in the shock.
        gig_reduction: share of platform gigs that disappear under the regulation (trade-off).
        cost_per_platform_worker: US$ a quarter per platform worker covered (enforcement,
            insurance subsidy).

    """

    type: Literal["labour_regulation"]
    platform_income_floor: Share = Field(
        0.6, json_schema_extra={"unit": "share of the worker's 2019 income, 0-1"}
    )
    social_insurance: Share = Field(
        0.5, json_schema_extra={"unit": "share of lost earnings replaced, 0-1"}
    )
    accessible_hiring: Share = Field(
        0.5, json_schema_extra={"unit": "share of the disability hiring penalty removed, 0-1"}
    )
    right_to_telework: Share = Field(
        0.5, json_schema_extra={"unit": "share of workers who could not telework, 0-1"}
    )
    gig_reduction: Share = Field(0.2, json_schema_extra={"unit": "share of platform gigs, 0-1"})
    cost_per_platform_worker: UnitCost = Field(
        30.0, json_schema_extra={"unit": "US$ per platform worker covered, a quarter"}
    )


class LabourRegulation(Policy):
    """Sets the rules of digital work for the persons it covers (those eligible).

    The labour-market rules read each person's rules from the levers, so a regulation for,
    say, women or informal workers changes their outcomes only. Its outcome is persons above
    the poverty line: insurance replaces part of the earnings lost by covered workers who
    lose their job or their gigs, and the floor raises platform pay. Trade-off: the floor and
    insurance make platform work pay, but ``gig_reduction`` of the gigs disappear for those
    covered (ILO World Employment and Social Outlook 2021 discusses both sides). Spending is
    ``cost_per_platform_worker`` for each covered platform worker plus the insurance paid
    (:meth:`model.inclusion_model.InclusionModel.pay_insurance`).
    """

    Config = LabourRegulationConfig
    config: LabourRegulationConfig
    outcome = "not_poor"
    items = ("insurance", "administration")

    level = "person"

    def __init__(
        self, config: LabourRegulationConfig, pars: dict[str, float], pop: Population
    ) -> None:
        super().__init__(config, pars, pop)
        self._insurance_seen = 0.0
        """Insurance booked by the end of the last quarter it acted in (US$)."""
        self._covered_last = 0
        """Simulated persons it covered then (with the above: insurance per person covered)."""

    def act(self, pop: Population, levers: Levers, ctx: Context) -> Spending:
        """Put the rules in force for the eligible persons this quarter; return the spend.

        The insurance it pays is booked later in the quarter, when jobs and gigs are lost.
        Under a budget it covers eligible persons in targeting order (poorest quintile first)
        as far as each one's expected cost fits the allowance: enforcement for a platform
        worker, plus last quarter's insurance per person covered. Insurance is an
        entitlement once a person is covered, so a quarter of unusual losses can take the
        policy past its allowance; the ledger shows it.
        """
        c = self.config
        k = c.intensity
        rules = (
            k * c.platform_income_floor,
            k * c.social_insurance,
            k * c.accessible_hiring,
            k * c.right_to_telework,
            1 - k * c.gig_reduction,
        )
        p = pop.p
        cover = self.eligible(pop)
        if not math.isinf(ctx.allowance):
            order = self.targeting_order(pop, ctx.order_rng)
            paid = self.account.items["insurance"]
            insurance = (paid - self._insurance_seen) / max(self._covered_last, 1)
            self._insurance_seen = paid
            costs = insurance + p.is_platform[order] * pop.weight * c.cost_per_platform_worker
            cover = np.zeros(p.n, dtype=bool)
            cover[order[: self.ration(costs, ctx.allowance)]] = True
        levers.add_labour_rules(cover, rules, owner=self.name)
        self._covered_last = int(np.count_nonzero(cover))
        covered = cover & p.is_platform
        self.reached |= covered
        return {
            "administration": pop.weight * np.count_nonzero(covered) * c.cost_per_platform_worker
        }
