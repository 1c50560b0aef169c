"""Optional fifth lever: digital delivery of social protection.

The Chair's summary (CSocD59) notes that unified digital registries let transfers reach
people faster, while offline households need assisted channels. This lever raises the
quarterly take-up of transfers by poor households: online through a unified registry,
offline through assisted channels (community agents, offices).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model.households import Population
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
    """Raises transfer take-up for eligible households; pays for the delivery channels."""

    Config = SocialProtectionConfig
    config: SocialProtectionConfig
    outcome = "transfer_received"

    def __init__(
        self, config: SocialProtectionConfig, pars: dict[str, float], pop: Population
    ) -> None:
        super().__init__(config, pars, pop)
        self.base_online = pars["p_takeup_online"]
        self.base_offline = pars["p_takeup_offline"]

    def act(self, pop: Population, levers: Levers, ctx: Context) -> float:
        """Set this quarter's take-up for eligible households; return the delivery cost."""
        c = self.config
        k = c.intensity
        elig = self.eligible(pop)
        online = self.base_online + k * max(c.registry_takeup - self.base_online, 0.0)
        offline = self.base_offline + k * max(c.assisted_takeup - self.base_offline, 0.0)
        levers.takeup_online[elig] = np.maximum(levers.takeup_online[elig], online)
        levers.takeup_offline[elig] = np.maximum(levers.takeup_offline[elig], offline)
        served = elig & pop.h.gets_transfer
        self.reached |= served
        return pop.weight * np.count_nonzero(served) * c.cost_per_beneficiary
