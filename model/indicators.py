"""The inequality indicators collected each quarter.

Naming (one scheme, after Covasim): ``share_<measure>[:<group>]`` rates, ``mean_income[:<group>]``
in US$ a month, ``n_people_<measure>[:<group>]`` / ``n_households_<measure>`` weighted counts,
and the gaps of each measure: ``gps_`` (women / men), ``ratio_urban_rural_``,
``diff_urban_rural_`` (points), ``ratio_q5_q1_``, ``gap_age_`` (youth minus 65+),
``gap_disability_`` (without minus with). Income inequality: ``gini_income``,
``palma_income``; poverty: ``share_poor``, ``share_working_poor``. Leave no one behind:
``worst_share_internet_use`` and ``lag_worst_internet_use``. Children:
``share_children_no_remote_learning`` (children who could not follow remote learning if
schools closed), ``n_children_cut_off_from_school`` (those who could not while schools were
closed, 2020Q2-2021Q2) and ``cum_child_quarters_cut_off``. Per policy: ``spend:<policy>``
(cumulative US$) and ``cost_per_new_connected:<policy>``.
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
    "share_internet_use",
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_age_internet_use",
    "gap_disability_internet_use",
    "share_meaningful",
    "share_basic_skills",
    "share_employed",
    "gini_income",
    "share_children_no_remote_learning",
    "lag_worst_internet_use",
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


class Cells:
    """Intersections of sex, location, quintile, age and disability, built once per run.

    Attributes are fixed over a run, so each household's cell is computed once; every group
    total is then one ``bincount`` over cells and a small matrix product.
    """

    def __init__(self, h: Households) -> None:
        codes = {
            "sex": h.is_female.astype(np.int32),
            "location": h.is_rural.astype(np.int32),
            "quintile": h.quintile.astype(np.int32),
            "age": h.age_group.astype(np.int32),
            "disability": h.has_disability.astype(np.int32),
        }
        self.sizes = [len(v) for v in GROUPS.values()]
        self.n_cells = int(np.prod(self.sizes))
        cell = np.zeros(h.n, dtype=np.int32)
        for attr, size in zip(GROUPS, self.sizes, strict=True):
            cell = cell * size + codes[attr]
        self.cell = cell
        self.names = ["all", *(name for names in GROUPS.values() for name in names)]
        self.membership = np.zeros((self.n_cells, len(self.names)))
        self.membership[:, 0] = 1.0
        ids = np.arange(self.n_cells)
        col = 1
        stride = self.n_cells
        for size in self.sizes:
            stride //= size
            code = (ids // stride) % size
            for i in range(size):
                self.membership[:, col + i] = code == i
            col += size

    def cell_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` in each cell."""
        return np.bincount(self.cell, weights=values, minlength=self.n_cells)

    def totals(self, values: np.ndarray) -> dict[str, float]:
        """Sum of ``values`` overall ('all') and in every group."""
        return dict(zip(self.names, self.cell_sums(values) @ self.membership, strict=True))

    def label(self, cell: int) -> str:
        """Names of the groups that make up a cell."""
        parts = []
        for names, size in zip(reversed(list(GROUPS.values())), reversed(self.sizes), strict=True):
            parts.append(names[cell % size])
            cell //= size
        return ", ".join(reversed(parts))


def rates_by_group(
    values: np.ndarray,
    weights: np.ndarray,
    cells: Cells,
    denominators: dict[str, float] | None = None,
) -> dict[str, float]:
    """Weighted mean of ``values`` overall ('all') and in every group."""
    num = cells.totals(values * weights)
    den = denominators or cells.totals(weights)
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


def inequality(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted Gini coefficient (0 = equal) and Palma ratio (top 10% / bottom 40% share)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum_w = np.cumsum(w)
    vw = v * w
    cum_vw = np.cumsum(vw)
    total_w, total_vw = cum_w[-1], cum_vw[-1]
    if total_vw <= 0:
        return 0.0, 0.0
    lorenz = cum_vw / total_vw
    prev = np.concatenate(([0.0], lorenz[:-1]))
    gini = float(1 - np.sum(w / total_w * (lorenz + prev)))
    pos = cum_w / total_w
    bottom = float(vw[pos <= 0.4].sum())
    palma = float(vw[pos > 0.9].sum() / bottom) if bottom > 0 else 0.0
    return gini, palma


def worst_intersection(cells: Cells, weight: np.ndarray, online: np.ndarray) -> Worst:
    """The worst-off intersection for Internet use.

    Cells cross sex, location, quintile, age and disability; only those large enough to be
    meaningful (:data:`WORST_MIN_SHARE`, :data:`WORST_MIN_HOUSEHOLDS`) are considered.
    """
    den = cells.cell_sums(weight)
    num = cells.cell_sums(weight * online)
    count = np.bincount(cells.cell, minlength=cells.n_cells)
    big = (den >= WORST_MIN_SHARE * weight.sum()) & (count >= WORST_MIN_HOUSEHOLDS)
    avg = float(num.sum() / den.sum())
    if not big.any():
        return Worst("none large enough", avg, 0.0)
    rate = np.where(big, num / np.maximum(den, 1e-12), np.inf)
    best = int(np.argmin(rate))
    return Worst(cells.label(best), float(rate[best]), avg - float(rate[best]))


def household_indicators(
    h: Households, cells: Cells, employed: np.ndarray, poverty_line: float
) -> tuple[dict[str, float], Worst]:
    """Every household indicator for the current quarter.

    Args:
        h: the households.
        cells: the households' intersections (see :class:`Cells`).
        employed: the reference person works (job or platform) this quarter.
        poverty_line: household poverty line, US$ a month.

    """
    people = h.unit_weight("people")
    out: dict[str, float] = {}
    states = {
        "internet_use": h.is_online,
        "meaningful": h.is_meaningful,
        "basic_skills": h.has_basic_skills,
        "employed": employed,
    }
    people_by_group = cells.totals(people)
    for measure, state in states.items():
        rate = rates_by_group(state.astype(float), people, cells, people_by_group)
        for group, value in rate.items():
            suffix = "" if group == "all" else f":{group}"
            out[f"share_{measure}{suffix}"] = value
            out[f"n_people_{measure}{suffix}"] = value * people_by_group[group]
        out.update(gaps(rate, measure))
        out[f"n_households_{measure}"] = float(np.sum(h.weight * state))
    income = rates_by_group(h.income, h.weight, cells)
    for group, value in income.items():
        out["mean_income" if group == "all" else f"mean_income:{group}"] = value
    out.update(_income_gaps(income))
    per_person = h.income / (h.n_adults + h.n_children)
    people_all = h.weight * (h.n_adults + h.n_children)
    out["gini_income"], out["palma_income"] = inequality(per_person, people_all)
    out["share_poor"] = float(np.sum(h.weight * h.is_poor) / h.weight.sum())
    out["share_working_poor"] = float(
        np.sum(h.weight * (h.is_poor & employed)) / max(np.sum(h.weight * employed), 1e-12)
    )
    kids = h.unit_weight("children")
    missed = kids * ~h.children_learning
    out["share_children_no_remote_learning"] = float(missed.sum() / max(kids.sum(), 1e-12))
    out["n_children_no_remote_learning"] = float(missed.sum())
    out["share_transfer"] = float(np.sum(h.weight * h.gets_transfer) / h.weight.sum())
    worst = worst_intersection(cells, h.weight, h.is_online)
    out["worst_share_internet_use"] = worst.share
    out["lag_worst_internet_use"] = worst.lag
    return out, worst


def _income_gaps(income: dict[str, float]) -> dict[str, float]:
    g = gaps(income, "income")
    return {k: v for k, v in g.items() if not k.startswith("diff_")}
