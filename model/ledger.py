"""The cost ledger: what each policy spends, by item, and what its budget lets it spend.

A policy's :meth:`~model.policies.base.Policy.act` returns a :data:`Spending` (US$ this
quarter by item of :data:`ITEMS`); the model adds it to the policy's running totals, in
current US$ and as present value (:func:`discount_factor`), and the indicators
``spend:NAME`` (all items) and ``spend_ITEM:NAME`` carry them to every export.

A policy given ``budget_per_year`` spends at most that in a calendar year: each quarter it
may spend what is left of the year's budget spread over the year's remaining quarters
(:func:`allowance`), and it rations by its targeting order (:func:`affordable_prefix`). What
its full programme would have cost beyond that is recorded as its shortfall, so reports can
say that the budget held it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

Spending = dict[str, float]
"""US$ spent in one quarter by ledger item."""

ITEMS: dict[str, str] = {
    "capital": "capital cost of coverage and upgrades",
    "running": "running costs of the coverage built",
    "service_subsidy": "service subsidies",
    "device_subsidy": "device subsidies and instalment credit",
    "assistive": "assistive technology",
    "revenue_forgone": "revenue given up for lower prices (taxes, spectrum fees)",
    "training": "training places",
    "transfers": "extra transfers paid",
    "insurance": "social insurance paid out",
    "administration": "administration, delivery and enforcement",
}
"""Every ledger item and its label: the one place items are named."""

DEFAULT_DISCOUNT_RATE = 0.03
"""Real discount rate a year for present values unless the scenario sets one.

3% is the base-case rate of the WHO guide to cost-effectiveness analysis (WHO-CHOICE,
Tan-Torres Edejer et al. 2003, "Making choices in health"); scenarios set ``discount_rate``
to test another.
"""


def total(spending: Spending) -> float:
    """All items of one quarter's spending, in US$."""
    return float(sum(spending.values()))


def discount_factor(rate: float, quarters: int) -> float:
    """Value now of one US$ spent ``quarters`` after the run starts, at ``rate`` a year."""
    return (1.0 + rate) ** (-quarters / 4.0)


def allowance(budget_per_year: float | None, spent_this_year: float, quarter_of_year: int) -> float:
    """US$ a budgeted policy may spend this quarter (infinite without a budget).

    What is left of the year's budget, spread evenly over the quarters left in the year, this
    one included, so that a policy with steady costs is not cut off in the last quarter.

    Args:
        budget_per_year: the policy's budget for a calendar year, or None.
        spent_this_year: what it has spent in this calendar year before this quarter.
        quarter_of_year: 1 to 4.

    """
    if budget_per_year is None:
        return math.inf
    left = max(budget_per_year - spent_this_year, 0.0)
    return left / (5 - quarter_of_year)


def affordable_prefix(costs: np.ndarray, allowance_usd: float) -> int:
    """How many units, taken in order, fit in ``allowance_usd`` (each unit whole).

    Args:
        costs: US$ each unit costs this quarter, in the policy's targeting order.
        allowance_usd: what the policy may spend on them.

    """
    if not math.isfinite(allowance_usd):
        return int(costs.size)
    return int(np.searchsorted(np.cumsum(costs), allowance_usd, side="right"))


@dataclass
class Account:
    """One policy's spending so far.

    Attributes:
        items: US$ by ledger item (current US$, cumulative).
        present_value: all items discounted to the run's start (cumulative).
        by_year: US$ of all items by calendar year.

    """

    items: dict[str, float]
    present_value: float = 0.0
    by_year: dict[int, float] = field(default_factory=dict)

    @classmethod
    def of(cls, items: tuple[str, ...]) -> Account:
        """An empty account for a policy spending on ``items`` (keys of :data:`ITEMS`)."""
        unknown = [i for i in items if i not in ITEMS]
        if unknown:
            raise ValueError(f"unknown ledger items {unknown}; the items are {list(ITEMS)}")
        return cls({i: 0.0 for i in items})

    def book(self, spending: Spending, *, year: int, discount: float) -> float:
        """Add one quarter's spending; return its total (US$).

        Args:
            spending: US$ by item; every item must be one of the account's.
            year: calendar year of the quarter.
            discount: :func:`discount_factor` of the quarter.

        Raises:
            KeyError: an item the account does not keep (a policy spending off its ledger).

        """
        usd = 0.0
        for item, value in spending.items():
            if item not in self.items:
                raise KeyError(f"ledger item {item!r} is not one the policy declares in its items")
            self.items[item] += float(value)
            usd += float(value)
        self.present_value += usd * discount
        self.by_year[year] = self.by_year.get(year, 0.0) + usd
        return usd

    @property
    def total(self) -> float:
        """US$ of all items so far."""
        return float(sum(self.items.values()))
