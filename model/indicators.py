"""The inequality indicators collected each quarter.

Naming (one scheme, after Covasim): ``share_<measure>[:<group>]`` rates, ``mean_income[:<group>]``
in US$ a month, ``n_people_<measure>[:<group>]`` / ``n_households_<measure>`` weighted counts,
and the gaps of each measure: ``gps_`` (women / men), ``ratio_urban_rural_``,
``diff_urban_rural_`` (points), ``ratio_q5_q1_``, ``gap_age_`` (youth minus 65+),
``gap_disability_`` (without minus with). Income inequality: ``gini_income``,
``palma_income``; poverty: ``share_poor``, ``share_working_poor``. Leave no one behind:
``worst_share_internet_use`` and ``lag_worst_internet_use``. Children:
``share_children_no_remote_learning``. Per policy: ``spend:<policy>`` (cumulative US$) and
``cost_per_new_connected:<policy>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.households import Households

GROUPS: dict[str, tuple[str, ...]] = {
    "sex": ("male", "female"),
    "location": ("urban", "rural"),
    "quintile": ("q1", "q2", "q3", "q4", "q5"),
    "age": ("youth", "adult", "older"),
    "disability": ("no_disability", "disability"),
}
"""Groups indicators are broken down by: attribute -> group names in code order."""

MEASURES = ("internet_use", "meaningful", "basic_skills", "employed")
"""Person- or household-level yes/no measures reported as shares and counts."""

HEADLINE = (
    "share_internet_use", "gps_internet_use", "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use", "gap_age_internet_use", "gap_disability_internet_use",
    "share_meaningful", "share_basic_skills", "share_employed", "gini_income",
    "share_children_no_remote_learning", "lag_worst_internet_use",
)
"""Indicators printed at the start and end of a run."""

WORST_MIN_SHARE = 0.005
"""Smallest intersection (share of households) considered for the worst-off group."""
WORST_MIN_HOUSEHOLDS = 30
"""Smallest number of simulated households in an intersection considered."""


@dataclass(frozen=True)
class Worst:
    """The worst-off intersection of attributes for internet use."""

    label: str
    share: float
    lag: float


def group_codes(h: Households) -> dict[str, np.ndarray]:
    """Code of each household in each grouping attribute (order as in :data:`GROUPS`)."""
    return {
        "sex": h.is_female.astype(np.int8),
        "location": h.is_rural.astype(np.int8),
        "quintile": h.quintile,
        "age": h.age_group,
        "disability": h.has_disability.astype(np.int8),
    }


def totals_by_group(values: np.ndarray, codes: dict[str, np.ndarray]) -> dict[str, float]:
    """Sum of ``values`` overall ('all') and in every group."""
    out = {"all": float(np.sum(values))}
    for attr, names in GROUPS.items():
        sums = np.bincount(codes[attr], weights=values, minlength=len(names))
        out.update({name: float(sums[i]) for i, name in enumerate(names)})
    return out


def rates_by_group(values: np.ndarray, weights: np.ndarray, codes: dict[str, np.ndarray],
                   denominators: dict[str, float] | None = None) -> dict[str, float]:
    """Weighted mean of ``values`` overall ('all') and in every group."""
    num = totals_by_group(values * weights, codes)
    den = denominators or totals_by_group(weights, codes)
    return {g: (num[g] / den[g] if den[g] > 0 else 0.0) for g in num}


def gaps(rate: dict[str, float], measure: str) -> dict[str, float]:
    """The gap indicators of one measure from its group rates."""

    def ratio(a: str, b: str) -> float:
        return rate[a] / rate[b] if rate[b] > 0 else 0.0

    return {
        f"gps_{measure}": ratio("female", "male"),
        f"ratio_urban_rural_{measure}": ratio("urban", "rural"),
        f"diff_urban_rural_{measure}": rate["urban"] - rate["rural"],
        f"ratio_q5_q1_{measure}": ratio("q5", "q1"),
        f"gap_age_{measure}": rate["youth"] - rate["older"],
        f"gap_disability_{measure}": rate["no_disability"] - rate["disability"],
    }


def gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted Gini coefficient (0 = equal)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum_w = np.cumsum(w)
    cum_vw = np.cumsum(v * w)
    total_w, total_vw = cum_w[-1], cum_vw[-1]
    if total_vw <= 0:
        return 0.0
    # Area under the Lorenz curve by trapezoids.
    lorenz = cum_vw / total_vw
    prev = np.concatenate(([0.0], lorenz[:-1]))
    area = np.sum(w / total_w * (lorenz + prev) / 2)
    return float(1 - 2 * area)


def palma(values: np.ndarray, weights: np.ndarray) -> float:
    """Palma ratio: income share of the richest 10% over that of the poorest 40%."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    pos = np.cumsum(w) / w.sum()
    top = np.sum((v * w)[pos > 0.9])
    bottom = np.sum((v * w)[pos <= 0.4])
    return float(top / bottom) if bottom > 0 else 0.0


def worst_intersection(h: Households, online: np.ndarray) -> Worst:
    """The intersection of sex, location, quintile, age and disability with the lowest
    internet use, among those large enough to be meaningful."""
    codes = group_codes(h)
    cell = np.zeros(h.n, dtype=np.int32)
    sizes = [len(v) for v in GROUPS.values()]
    for attr, size in zip(GROUPS, sizes, strict=True):
        cell = cell * size + codes[attr]
    n_cells = int(np.prod(sizes))
    w = h.weight
    den = np.bincount(cell, weights=w, minlength=n_cells)
    num = np.bincount(cell, weights=w * online, minlength=n_cells)
    count = np.bincount(cell, minlength=n_cells)
    big = (den >= WORST_MIN_SHARE * w.sum()) & (count >= WORST_MIN_HOUSEHOLDS)
    avg = float(np.sum(w * online) / w.sum())
    if not big.any():
        return Worst("none large enough", avg, 0.0)
    rate = np.where(big, num / np.maximum(den, 1e-12), np.inf)
    best = int(np.argmin(rate))
    return Worst(_cell_label(best, sizes), float(rate[best]), avg - float(rate[best]))


def _cell_label(cell: int, sizes: list[int]) -> str:
    parts = []
    for (_attr, names), size in zip(reversed(GROUPS.items()), reversed(sizes), strict=True):
        parts.append(names[cell % size])
        cell //= size
    return ", ".join(reversed(parts))


def household_indicators(h: Households, employed: np.ndarray, poverty_line: float
                         ) -> tuple[dict[str, float], Worst]:
    """Every household indicator for the current quarter.

    Args:
        h: the households.
        employed: the reference person works (job or platform) this quarter.
        poverty_line: household poverty line, US$ a month.
    """
    codes = group_codes(h)
    people = h.unit_weight("people")
    out: dict[str, float] = {}
    states = {
        "internet_use": h.is_online,
        "meaningful": h.is_meaningful,
        "basic_skills": h.has_basic_skills,
        "employed": employed,
    }
    people_by_group = totals_by_group(people, codes)
    for measure, state in states.items():
        rate = rates_by_group(state.astype(float), people, codes, people_by_group)
        for group, value in rate.items():
            suffix = "" if group == "all" else f":{group}"
            out[f"share_{measure}{suffix}"] = value
            out[f"n_people_{measure}{suffix}"] = value * people_by_group[group]
        out.update(gaps(rate, measure))
        out[f"n_households_{measure}"] = float(np.sum(h.weight * state))
    income = rates_by_group(h.income, h.weight, codes)
    for group, value in income.items():
        out["mean_income" if group == "all" else f"mean_income:{group}"] = value
    out.update(_income_gaps(income))
    per_person = h.income / (h.n_adults + h.n_children)
    people_all = h.weight * (h.n_adults + h.n_children)
    out["gini_income"] = gini(per_person, people_all)
    out["palma_income"] = palma(per_person, people_all)
    out["share_poor"] = float(np.sum(h.weight * h.is_poor) / h.weight.sum())
    out["share_working_poor"] = float(np.sum(h.weight * (h.is_poor & employed))
                                      / max(np.sum(h.weight * employed), 1e-12))
    kids = h.unit_weight("children")
    missed = kids * ~h.children_learning
    out["share_children_no_remote_learning"] = float(missed.sum() / max(kids.sum(), 1e-12))
    out["n_children_no_remote_learning"] = float(missed.sum())
    out["share_transfer"] = float(np.sum(h.weight * h.gets_transfer) / h.weight.sum())
    worst = worst_intersection(h, h.is_online)
    out["worst_share_internet_use"] = worst.share
    out["lag_worst_internet_use"] = worst.lag
    return out, worst


def _income_gaps(income: dict[str, float]) -> dict[str, float]:
    g = gaps(income, "income")
    return {k: v for k, v in g.items() if not k.startswith("diff_")}
