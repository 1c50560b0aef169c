"""Optional fifth lever: digital delivery of social protection.

The Chair's summary (CSocD59) notes that unified digital registries let transfers reach
people faster, while offline households need assisted channels. This lever raises the
quarterly take-up of transfers by poor households: online through a unified registry,
offline through assisted channels (community agents, offices).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model.households import Households, Population
from model.ledger import Spending
from model.policies.base import Context, Levers, Policy, PolicyConfig, UnitCost

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class SocialProtectionConfig(PolicyConfig):
    """YAML schema of the social-protection delivery lever.

    Attributes:
        registry_takeup: quarterly take-up by poor online households with a unified
            digital registry (at intensity 1).
        assisted_takeup: quarterly take-up by poor offline households with assisted
            channels (at intensity 1).
        cost_per_beneficiary: US$ a quarter of delivery per eligible household receiving
            a transfer.

    """

    type: Literal["social_protection"]
    registry_takeup: Share = Field(
        0.95, json_schema_extra={"unit": "share of poor online households a quarter, 0-1"}
    )
    assisted_takeup: Share = Field(
        0.8, json_schema_extra={"unit": "share of poor offline households a quarter, 0-1"}
    )
    cost_per_beneficiary: UnitCost = Field(
        4.0, json_schema_extra={"unit": "US$ per household receiving a transfer, a quarter"}
    )


class SocialProtection(Policy):
    """Raises transfer take-up for eligible households; pays for delivery and the extra transfers.

    Its ledger has the delivery channels (``cost_per_beneficiary`` for each eligible household
    receiving a transfer) and the transfers paid only because of the higher take-up, which the
    model charges after the quarter's welfare update
    (:meth:`model.inclusion_model.InclusionModel.pay_transfers`).
    """

    Config = SocialProtectionConfig
    config: SocialProtectionConfig
    outcome = "transfer_received"
    items = ("transfers", "administration")

    def __init__(
        self, config: SocialProtectionConfig, pars: dict[str, float], pop: Population
    ) -> None:
        super().__init__(config, pars, pop)
        self.base_online = pars["p_takeup_online"]
        self.base_offline = pars["p_takeup_offline"]
        self.active = np.zeros(pop.h.n, dtype=bool)
        """Households whose take-up the policy raises this quarter."""

    def act(self, pop: Population, levers: Levers, ctx: Context) -> Spending:
        """Set this quarter's take-up for eligible households; return the delivery cost.

        Under a budget, households are served in targeting order (poorest quintile first) as
        far as their expected cost this quarter (:meth:`_expected_costs`) fits the allowance.
        """
        c = self.config
        k = c.intensity
        h = pop.h
        online = self.base_online + k * max(c.registry_takeup - self.base_online, 0.0)
        offline = self.base_offline + k * max(c.assisted_takeup - self.base_offline, 0.0)
        elig = self.eligible(pop)
        if not math.isinf(ctx.allowance):
            order = self.targeting_order(pop, ctx.order_rng)
            costs = self._expected_costs(h, order, (online, offline), ctx)
            elig = np.zeros(h.n, dtype=bool)
            elig[order[: self.ration(costs, ctx.allowance)]] = True
        self.active = elig
        levers.takeup_online[elig] = np.maximum(levers.takeup_online[elig], online)
        levers.takeup_offline[elig] = np.maximum(levers.takeup_offline[elig], offline)
        served = elig & h.gets_transfer
        self.reached |= served
        n_served = np.count_nonzero(served)
        return {"administration": pop.weight * n_served * c.cost_per_beneficiary}

    def _expected_costs(
        self, h: Households, rows: np.ndarray, chances: tuple[float, float], ctx: Context
    ) -> np.ndarray:
        """Expected US$ this quarter of serving each of ``rows``.

        Delivery is charged on households receiving the transfer now (as :meth:`act` books
        it); the extra transfer is expected for households poor before transfers, as the
        welfare update judges them, at the take-up the policy adds.
        """
        online = h.connection[rows] > 0
        chance = np.where(online, chances[0], chances[1])
        base = np.where(online, self.base_online, self.base_offline)
        per_month = ctx.transfer_per_person * h.size[rows]
        before = h.income[rows] - per_month * h.gets_transfer[rows]
        poor = before < ctx.poverty_line * h.size[rows]
        transfer = np.where(poor, 3 * h.weight * per_month * np.maximum(chance - base, 0.0), 0.0)
        delivery = h.weight * self.config.cost_per_beneficiary * h.gets_transfer[rows]
        return transfer + delivery
