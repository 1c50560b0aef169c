"""Connectivity lever (Infrastructure and Investment): new coverage and quality upgrades."""

from __future__ import annotations

from typing import Literal

import numpy as np

from model.households import Households, Population
from model.policies.base import Context, Count, Levers, Policy, PolicyConfig, UnitCost, take


class ConnectivityConfig(PolicyConfig):
    """YAML schema of the connectivity lever.

    Attributes:
        households_covered_per_year: real households newly covered a year at intensity 1
            (rural first when ``rural_first``); new sites give 3G+ coverage.
        households_upgraded_per_year: covered households a year whose 2G-only coverage is
            upgraded to 3G+, which makes meaningful use possible.
        cost_per_household_covered: US$ per household newly covered.
        cost_per_household_upgraded: US$ per household upgraded.
        rural_first: build where coverage is missing in rural areas before urban ones.

    """

    type: Literal["connectivity"]
    households_covered_per_year: Count = 1_000_000
    households_upgraded_per_year: Count = 1_000_000
    cost_per_household_covered: UnitCost = 500.0
    cost_per_household_upgraded: UnitCost = 120.0
    rural_first: bool = True


class Connectivity(Policy):
    """Extends coverage where it is missing and upgrades 2G-only areas to 3G+.

    Unit costs default to the order of the ITU Connecting Humanity Action Blueprint (2025):
    US$ 1.5-1.7 trillion of infrastructure to connect the unconnected by 2030.
    """

    Config = ConnectivityConfig
    config: ConnectivityConfig
    outcome = "connected"

    def act(self, pop: Population, levers: Levers, ctx: Context) -> float:
        """Cover and upgrade this quarter's quota of eligible households; return the spend."""
        c = self.config
        h = pop.h
        elig = self.eligible_index(pop)
        n_cover = take(c.intensity * c.households_covered_per_year / 4, h.weight, ctx.rng)
        covered = self._pick(h, elig[~h.has_coverage[elig]], n_cover, ctx.rng)
        h.has_coverage[covered] = True
        h.has_broadband[covered] = True
        n_up = take(c.intensity * c.households_upgraded_per_year / 4, h.weight, ctx.rng)
        candidates = elig[h.has_coverage[elig] & ~h.has_broadband[elig]]
        upgraded = self._pick(h, candidates, n_up, ctx.rng)
        h.has_broadband[upgraded] = True
        self.reached[covered] = True
        self.reached[upgraded] = True
        return h.weight * (
            covered.size * c.cost_per_household_covered
            + upgraded.size * c.cost_per_household_upgraded
        )

    def _pick(
        self, h: Households, candidates: np.ndarray, k: int, rng: np.random.Generator
    ) -> np.ndarray:
        """``k`` of the candidate households: rural first when ``rural_first``, else at random."""
        if k >= candidates.size:
            return candidates
        key = rng.random(candidates.size)
        if self.config.rural_first:
            key += np.where(h.is_rural[candidates], 0.0, 1.0)
        return candidates[np.argpartition(key, k)[:k]]
