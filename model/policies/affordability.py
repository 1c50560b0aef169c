"""Affordability lever: a policy price path and targeted subsidies for service and devices."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model.households import Households, Population
from model.ledger import Spending
from model.policies.base import Context, Levers, Policy, PolicyConfig, UnitCost, take
from model.policy_sizes import Size
from model.rules.connectivity import DEVICE_MONTHS

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class AffordabilityConfig(PolicyConfig):
    """YAML schema of the affordability lever.

    Attributes:
        service_subsidy: share of the monthly plan price paid for eligible households.
        device_subsidy: share of the device price paid for eligible households.
        extra_price_decline_per_year: price decline a year added to the market's by policy
            (spectrum, taxes, competition); applies to everyone.
        admin_cost_per_household: US$ a quarter per subsidised household.
        device_instalments: offer eligible households without credit a device in
            instalments over 24 months instead of paying it up front.
        credit_cost_share: cost of financing an instalment device, as a share of its price
            (paid by the policy as the device is paid off).
        assistive_per_year: real persons with disabilities (5+, in eligible households)
            given assistive technology or an accessible device a year at intensity 1; it
            lifts their disability barrier to use for good. Or a share of the region:
            ``{share: 0.05, of: people_with_disability}``.
        cost_per_assistive: US$ per person equipped (one-off).

    """

    type: Literal["affordability"]
    service_subsidy: Share = Field(
        0.5, json_schema_extra={"unit": "share of the monthly plan price, 0-1"}
    )
    device_subsidy: Share = Field(0.5, json_schema_extra={"unit": "share of the device price, 0-1"})
    extra_price_decline_per_year: Share = Field(
        0.0, json_schema_extra={"unit": "share of the price, a year, 0-1"}
    )
    admin_cost_per_household: UnitCost = Field(
        2.0, json_schema_extra={"unit": "US$ per subsidised household, a quarter"}
    )
    device_instalments: bool = Field(False, json_schema_extra={"unit": "yes/no"})
    credit_cost_share: Share = Field(
        0.1, json_schema_extra={"unit": "share of the device price, 0-1"}
    )
    assistive_per_year: Size = Field(0.0, json_schema_extra={"unit": "persons a year"})
    cost_per_assistive: UnitCost = Field(
        300.0, json_schema_extra={"unit": "US$ per person equipped, once"}
    )


class Affordability(Policy):
    """Lowers what eligible households pay; pays the subsidies of those who use them.

    The 2% affordability target (Broadband Commission Target 2) is judged against each
    household's own income in :mod:`model.rules.connectivity`; this lever moves the price side.
    """

    Config = AffordabilityConfig
    config: AffordabilityConfig
    outcome = "connected"
    items = ("service_subsidy", "device_subsidy", "revenue_forgone", "assistive", "administration")
    subsidises = True

    def act(self, pop: Population, levers: Levers, ctx: Context) -> Spending:
        """Set the price path and subsidies for this quarter; return the spend by item.

        Under a budget the price measure is paid first (it reaches every user), then the
        subsidies of eligible households in targeting order (poorest quintile first), then
        assistive technology with what is left.
        """
        c = self.config
        h = pop.h
        years = max(ctx.quarter - c.start, 0) / 4
        cut = (1 - c.intensity * c.extra_price_decline_per_year) ** years
        revenue, cut = self._price_measure(h, levers.price_factor, cut, ctx)
        levers.price_factor *= cut
        room = ctx.allowance - revenue
        s_service = c.intensity * c.service_subsidy
        s_device = c.intensity * c.device_subsidy
        elig = self.eligible_index(pop)
        if not math.isinf(room):
            order = self.targeting_order(pop, ctx.order_rng)
            costs = sum(self._costs(h, levers, order, ctx).values())
            k = self.ration(costs, room)
            elig = order[:k]
            room -= float(costs[:k].sum())
        levers.subsidy_service[elig] = np.maximum(levers.subsidy_service[elig], s_service)
        levers.subsidy_device[elig] = np.maximum(levers.subsidy_device[elig], s_device)
        users = elig[h.connection[elig] > 0]
        self.reached[users] = True
        self.subsidised = int(users.size)
        self._instalments(h, levers, elig)
        spending = {item: float(v.sum()) for item, v in self._costs(h, levers, users, ctx).items()}
        assistive = self._assistive(pop, ctx, room)
        return spending | {
            "revenue_forgone": revenue,
            "assistive": assistive * c.cost_per_assistive * h.weight,
        }

    def _price_measure(
        self, h: Households, factor: float, cut: float, ctx: Context
    ) -> tuple[float, float]:
        """Revenue given up this quarter for the policy's price cut, and the cut it affords.

        The state pays for the cut by giving up revenue (taxes, spectrum fees) equal to what
        every connected household saves on its plan and, for meaningful users, its device
        (bought over :data:`DEVICE_MONTHS` months). Under a budget too small for that, the cut
        is scaled down to what the allowance pays.
        """
        if cut >= 1.0:
            return 0.0, 1.0
        n_meaningful = np.count_nonzero(h.connection == 2)
        n_basic = np.count_nonzero(h.connection == 1)
        monthly = (
            n_meaningful * (ctx.prices["meaningful"] + ctx.prices["device"] / DEVICE_MONTHS)
            + n_basic * ctx.prices["basic"]
        )
        per_point = 3 * h.weight * monthly * factor
        revenue = per_point * (1.0 - cut)
        if revenue > ctx.allowance:
            self.shortfall += revenue - ctx.allowance
            return ctx.allowance, 1.0 - ctx.allowance / per_point
        return revenue, cut

    def _costs(
        self, h: Households, levers: Levers, rows: np.ndarray, ctx: Context
    ) -> dict[str, np.ndarray]:
        """US$ this quarter of subsidising each of ``rows``, by item (nothing if offline).

        The one formula both for booking what the subsidies cost and for rationing them under
        a budget. The device subsidy is paid over :data:`DEVICE_MONTHS` months whoever buys
        (a household without credit values it up front:
        :func:`model.rules.connectivity.device_months`); with instalments, the policy also
        pays ``credit_cost_share`` of the device of every meaningful user without credit.
        """
        c = self.config
        level = h.connection[rows]
        online = level > 0
        plan = np.where(level == 2, ctx.prices["meaningful"], ctx.prices["basic"]) * online
        device = np.where(level == 2, ctx.prices["device"] / DEVICE_MONTHS, 0.0)
        device_paid = c.intensity * c.device_subsidy * device
        if c.device_instalments:
            device_paid = device_paid + c.credit_cost_share * device * ~h.has_credit[rows]
        quarter = 3 * h.weight * levers.price_factor
        return {
            "service_subsidy": quarter * c.intensity * c.service_subsidy * plan,
            "device_subsidy": quarter * device_paid,
            "administration": np.where(online, c.admin_cost_per_household * h.weight, 0.0),
        }

    def _assistive(self, pop: Population, ctx: Context, room: float) -> int:
        """Equip this quarter's quota of eligible persons with disabilities; return how many.

        Eligible persons (the person conditions too: ``sex: [female]`` equips women only)
        aged 5+ with a disability and without assistive technology, picked at random; their
        households count as reached. At most as many as ``room`` US$ pays for.
        """
        c = self.config
        if c.assistive_per_year <= 0:
            return 0
        p = pop.p
        k = take(c.intensity * c.assistive_per_year / 4, pop.weight, ctx.rng)
        unit = c.cost_per_assistive * pop.weight
        if not math.isinf(room) and unit > 0 and k * unit > room:
            affordable = max(int(room // unit), 0)
            self.shortfall += (k - affordable) * unit
            k = affordable
        want = self.eligible_persons(pop) & p.has_disability & ~p.has_assistive
        candidates = np.flatnonzero(want & (p.age >= 5))
        if k < candidates.size:
            candidates = candidates[np.argpartition(ctx.rng.random(candidates.size), k)[:k]]
        p.has_assistive[candidates] = True
        self.reached[p.household[candidates]] = True
        return int(candidates.size)

    def _instalments(self, h: Households, levers: Levers, elig: np.ndarray) -> None:
        """Offer instalments to eligible households without credit.

        Meaningful users among them count as reached; the cost of their credit is in
        :meth:`_costs`. Instalments are offered whole whenever the policy is in force
        (intensity scales the subsidies, not the offer).
        """
        if not self.config.device_instalments:
            return
        financed = elig[~h.has_credit[elig]]
        levers.instalments[financed] = True
        self.reached[financed[h.connection[financed] == 2]] = True
