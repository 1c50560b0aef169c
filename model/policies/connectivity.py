"""Connectivity lever (Infrastructure and Investment): new coverage and quality upgrades."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model.households import Households, Population
from model.ledger import Spending, affordable_prefix
from model.policies.base import Context, Levers, Policy, PolicyConfig, UnitCost, take
from model.policy_sizes import Size


class ConnectivityConfig(PolicyConfig):
    """YAML schema of the connectivity lever.

    Attributes:
        households_covered_per_year: real households newly covered a year at intensity 1
            (rural first when ``rural_first``); new sites give 3G+ coverage. Or a share of
            the region: ``{share: 0.1, of: uncovered_households}`` (:mod:`model.policy_sizes`).
        households_upgraded_per_year: covered households a year whose 2G-only coverage is
            upgraded to 3G+, which makes meaningful use possible. Or a share of the region:
            ``{share: 0.1, of: narrowband_households}``.
        cost_per_household_covered: US$ of capital per urban household newly covered.
        cost_per_household_upgraded: US$ of capital per urban household upgraded.
        running_cost_per_household_year: US$ a year of running costs per household the
            policy has covered, paid from the quarter it is covered to the end of the run
            (after the policy's window too: the coverage stays).
        running_cost_per_household_upgraded_year: US$ a year of running costs per household
            the policy has upgraded (the 3G+ equipment's power, backhaul and upkeep on a site
            that already ran), paid like coverage's from the quarter of the upgrade to the end
            of the run.
        rural_cost_factor: capital and running costs of a rural household relative to an
            urban one (GSMA contribution to ITU-D, 2019: a rural site costs up to twice as
            much to build and run).
        rural_first: build where coverage is missing in rural areas before urban ones.

    """

    type: Literal["connectivity"]
    households_covered_per_year: Size = Field(
        1_000_000, json_schema_extra={"unit": "households a year"}
    )
    households_upgraded_per_year: Size = Field(
        1_000_000, json_schema_extra={"unit": "households a year"}
    )
    cost_per_household_covered: UnitCost = Field(
        500.0, json_schema_extra={"unit": "US$ per household covered"}
    )
    cost_per_household_upgraded: UnitCost = Field(
        120.0, json_schema_extra={"unit": "US$ per household upgraded"}
    )
    running_cost_per_household_year: UnitCost = Field(
        25.0, json_schema_extra={"unit": "US$ per household covered, a year"}
    )
    running_cost_per_household_upgraded_year: UnitCost = Field(
        6.0, json_schema_extra={"unit": "US$ per household upgraded, a year"}
    )
    rural_cost_factor: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        2.0, json_schema_extra={"unit": "times the urban cost"}
    )
    rural_first: bool = Field(True, json_schema_extra={"unit": "yes/no"})


class Connectivity(Policy):
    """Extends coverage where it is missing and upgrades 2G-only areas to 3G+.

    Unit costs default to the order of the ITU Connecting Humanity Action Blueprint (2025):
    US$ 1.5-1.7 trillion of infrastructure to connect the unconnected by 2030. Costs follow
    who was reached: capital for each household covered or upgraded, running costs a quarter
    for every household covered or upgraded so far (to the end of the run, since the network
    stays), all ``rural_cost_factor`` times higher in rural areas. The running costs' sizes are
    an assumption: 5% of the urban capital cost a year, for new sites (US$ 25) and upgrades
    (US$ 6) alike. Households under new coverage come
    within its reach over ``coverage_ramp_years``
    (:meth:`model.inclusion_model.InclusionModel.advance_coverage_ramp`).
    """

    Config = ConnectivityConfig
    config: ConnectivityConfig
    outcome = "connected"
    items = ("capital", "running")

    def __init__(self, config: ConnectivityConfig, pars: dict[str, float], pop: Population):
        super().__init__(config, pars, pop)
        self.covered = np.zeros(pop.h.n, dtype=bool)
        """Households this policy has covered (they carry its running costs)."""
        self._n_covered = 0
        """Simulated households in ``covered``."""
        self._n_rural_covered = 0
        """Rural ones among them."""
        self._n_upgraded = 0
        """Simulated households this policy has upgraded (they carry running costs too)."""
        self._n_rural_upgraded = 0
        """Rural ones among them."""
        self._uncovered: np.ndarray | None = None
        self._narrowband: np.ndarray | None = None

    def act(self, pop: Population, levers: Levers, ctx: Context) -> Spending:
        """Cover and upgrade this quarter's quota of eligible households; return the spend.

        Running costs of what was built come first; under a budget, what is left pays for
        coverage, then upgrades, each in the order households were picked (rural first when
        ``rural_first``).
        """
        c = self.config
        h = pop.h
        running = self.upkeep(pop, ctx)["running"]
        room = ctx.allowance - running
        # under a budget, what is built may not run up more than a quarter of it in running
        # costs: then running costs alone never take a later quarter past its allowance
        headroom = math.inf if c.budget_per_year is None else c.budget_per_year / 4 - running
        uncovered, narrowband = self._open(pop)
        n_cover = take(c.intensity * c.households_covered_per_year / 4, h.weight, ctx.rng)
        covered = self._pick(h, uncovered, n_cover, ctx.rng)
        covered, cover_cost, cover_running = self._afford(
            h,
            covered,
            room=room,
            headroom=headroom,
            capital=c.cost_per_household_covered,
            yearly=c.running_cost_per_household_year,
        )
        h.has_coverage[covered] = True
        h.has_broadband[covered] = True
        n_up = take(c.intensity * c.households_upgraded_per_year / 4, h.weight, ctx.rng)
        candidates = narrowband[h.has_coverage[narrowband] & ~h.has_broadband[narrowband]]
        upgraded, _, _ = self._afford(
            h,
            self._pick(h, candidates, n_up, ctx.rng),
            room=room - cover_cost,
            headroom=headroom - cover_running,
            capital=c.cost_per_household_upgraded,
            yearly=c.running_cost_per_household_upgraded_year,
        )
        h.has_broadband[upgraded] = True
        self.reached[covered] = True
        self.reached[upgraded] = True
        self.covered[covered] = True
        self._n_covered += covered.size
        self._n_rural_covered += int(np.count_nonzero(h.is_rural[covered]))
        self._n_upgraded += upgraded.size
        self._n_rural_upgraded += int(np.count_nonzero(h.is_rural[upgraded]))
        capital = h.weight * (
            self._households(h, covered) * c.cost_per_household_covered
            + self._households(h, upgraded) * c.cost_per_household_upgraded
        )
        return {"capital": capital, "running": self.upkeep(pop, ctx)["running"]}

    def upkeep(self, pop: Population, ctx: Context) -> Spending:
        """Running costs this quarter of every household the policy has covered or upgraded.

        Counted as households are covered or upgraded (:meth:`_households` of all of them at
        once).
        """
        c = self.config
        extra = c.rural_cost_factor - 1.0
        covered = self._n_covered + extra * self._n_rural_covered
        upgraded = self._n_upgraded + extra * self._n_rural_upgraded
        yearly = covered * c.running_cost_per_household_year
        yearly += upgraded * c.running_cost_per_household_upgraded_year
        return {"running": pop.h.weight * yearly / 4}

    def _unit_costs(self, h: Households, rows: np.ndarray, unit_cost: float) -> np.ndarray:
        """US$ of ``unit_cost`` for each of ``rows`` (rural: ``rural_cost_factor`` times)."""
        return h.weight * unit_cost * np.where(h.is_rural[rows], self.config.rural_cost_factor, 1.0)

    def _afford(
        self,
        h: Households,
        rows: np.ndarray,
        *,
        room: float,
        headroom: float,
        capital: float,
        yearly: float,
    ) -> tuple[np.ndarray, float, float]:
        """The leading ``rows`` the budget can build for, and what they cost this quarter.

        Each costs its ``capital`` and this quarter's share of its ``yearly`` running cost;
        together they must fit ``room``, and the running costs they add must fit
        ``headroom``. Without a budget every row is built for. What the rows left out would
        have cost is added to :attr:`shortfall`.

        Returns:
            The rows built for, their cost this quarter, and the running costs they add.

        """
        running = self._unit_costs(h, rows, yearly / 4)
        costs = self._unit_costs(h, rows, capital) + running
        k = min(affordable_prefix(costs, room), affordable_prefix(running, headroom))
        self.shortfall += float(costs[k:].sum())
        return rows[:k], float(costs[:k].sum()), float(running[:k].sum())

    def _open(self, pop: Population) -> tuple[np.ndarray, np.ndarray]:
        """Eligible households without coverage, and those without broadband, in index order.

        Coverage and broadband are only ever added, so each quarter narrows last quarter's
        lists instead of scanning every eligible household.
        """
        h = pop.h
        if self._uncovered is None:
            self._uncovered = self._narrowband = self.eligible_index(pop)
        self._uncovered = self._uncovered[~h.has_coverage[self._uncovered]]
        self._narrowband = self._narrowband[~h.has_broadband[self._narrowband]]
        return self._uncovered, self._narrowband

    def _households(self, h: Households, rows: np.ndarray) -> float:
        """Simulated households in ``rows``, a rural one counting ``rural_cost_factor`` times."""
        rural = np.count_nonzero(h.is_rural[rows])
        return rows.size + (self.config.rural_cost_factor - 1.0) * rural

    def _pick(
        self, h: Households, candidates: np.ndarray, k: int, rng: np.random.Generator
    ) -> np.ndarray:
        """``k`` of the candidate households: rural first when ``rural_first``, else at random.

        They come in the order they were picked in, which a budget follows.
        """
        if k >= candidates.size:
            # every candidate is picked; a budget serves them rural first when asked,
            # then poorest quintile first
            key = h.quintile[candidates].astype(np.int64)
            if self.config.rural_first:
                key += np.where(h.is_rural[candidates], 0, 10)
            return candidates[np.argsort(key, kind="stable")]
        key = rng.random(candidates.size)
        if self.config.rural_first:
            key += np.where(h.is_rural[candidates], 0.0, 1.0)
        part = np.argpartition(key, k)[:k]
        return candidates[part[np.argsort(key[part])]]
