"""The inequality indicators collected each quarter, computed from person and household rows.

Names, words and units are declared in :mod:`model.indicator_registry`. Every person count
comes from one ``bincount`` a quarter over ``cell * N_STATES + state``, where the cell
(quintile x location x sex x fine age band x disability) is fixed over a run and the state
packs the person's yes/no measures into bits; every group rate is then a small matrix
product. Household shares come from a second ``bincount`` over household cells. Income
inequality is exact and needs no full sort after the first quarter (:class:`IncomeOrder`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model import groups, kernels, kernels_indicators
from model.households import Population
from model.indicator_registry import GAP_KINDS, INDICATORS, MEASURES

STATE_BITS = (*(m.name for m in MEASURES), "poor")
"""Bits of a person's state code, lowest first."""
N_STATES = 1 << len(STATE_BITS)

WORST_MIN_SHARE = 0.005
"""Smallest intersection (share of persons 5+) considered for the worst-off group."""
WORST_MIN_PERSONS = 30
"""Smallest number of simulated persons in an intersection considered."""

CELL_DIMENSIONS = ("quintile", "location", "sex", "age", "disability")
"""Dimensions of a person cell, outermost first (ages by :data:`model.groups.FINE_AGES`)."""


@dataclass(frozen=True)
class Worst:
    """The worst-off intersection for Internet use."""

    label: str
    share: float
    lag: float


def _cell_codes(n_fine: int) -> dict[str, np.ndarray]:
    """Code of every dimension for each cell id (quintile, location, sex, fine age, disability)."""
    ids = np.arange(5 * 2 * 2 * n_fine * 2)
    return {
        "disability": ids % 2,
        "age": (ids // 2) % n_fine,
        "sex": (ids // (2 * n_fine)) % 2,
        "location": (ids // (4 * n_fine)) % 2,
        "quintile": ids // (8 * n_fine),
    }


class Cells:
    """Person cells of a population, built once per run (attributes are fixed over a run).

    Attributes:
        code: ``cell * N_STATES`` per person (int32), ready to add the state.
        n_cells: number of cells.
        names: every group of the vocabulary, ``all`` first.
        membership: cells x groups, 1 where the cell is in the group.
        adult: per cell, persons are 15+.

    """

    def __init__(self, pop: Population) -> None:
        h, p = pop.h, pop.p
        n_fine = len(groups.FINE_AGES)
        hh = p.household
        cell = (h.quintile[hh].astype(np.int32) * 2 + h.is_rural[hh]) * 2 + p.is_female
        cell = (cell * n_fine + groups.fine_age_code(p.age)) * 2 + p.has_disability
        self.n_cells = 5 * 2 * 2 * n_fine * 2
        self.code = cell * N_STATES
        codes = _cell_codes(n_fine)
        self.codes = codes
        self.names = groups.all_groups()
        self.membership = np.zeros((self.n_cells, len(self.names)))
        for j, name in enumerate(self.names):
            parsed = groups.parse_group(name)
            if parsed is None:
                self.membership[:, j] = 1.0
            else:
                dim, value = parsed
                self.membership[:, j] = np.isin(codes[dim], groups.value_codes(dim, value))
        self.adult = np.isin(codes["age"], groups.value_codes("age", "15+"))
        self.can_use = codes["age"] > 0
        self.household_cell = h.quintile.astype(np.int32) * 2 + h.is_rural

    def table(self, state: np.ndarray) -> np.ndarray:
        """Persons per cell and state (cells x N_STATES) from packed states."""
        counts = np.bincount(self.code + state, minlength=self.n_cells * N_STATES)
        return counts.reshape(self.n_cells, N_STATES)

    def table_of(self, pop: Population, meaningful: np.ndarray) -> np.ndarray:
        """Persons per cell and state of the population: one compiled pass over persons."""
        p = pop.p
        counts = np.empty(self.n_cells * N_STATES, dtype=np.int64)
        kernels_indicators.state_table(
            self.code,
            p.household,
            p.is_online,
            meaningful,
            p.skill,
            p.is_employed,
            p.has_smartphone,
            pop.h.is_poor,
            counts,
        )
        return counts.reshape(self.n_cells, N_STATES)

    def by_group(self, per_cell: np.ndarray) -> dict[str, float]:
        """Sum of a per-cell value overall and in every group."""
        return dict(zip(self.names, per_cell @ self.membership, strict=True))

    def label(self, cell: int) -> str:
        """Words of the groups that make up a band cell (see :func:`band_cells`)."""
        return ", ".join(groups.short_label(g) for g in band_cell_groups(cell))


def person_state(pop: Population, meaningful: np.ndarray | None = None) -> np.ndarray:
    """Each person's yes/no measures packed into bits (see :data:`STATE_BITS`).

    Args:
        pop: the population.
        meaningful: :func:`meaningful_use` if already computed this quarter.

    """
    h, p = pop.h, pop.p
    hh = p.household
    if meaningful is None:
        meaningful = meaningful_use(pop)
    state = p.is_online.astype(np.int32)
    state |= meaningful.astype(np.int32) << 1
    state |= p.has_basic_skills.astype(np.int32) << 2
    state |= p.is_employed.astype(np.int32) << 3
    state |= p.has_smartphone.astype(np.int32) << 4
    state |= h.is_poor[hh].astype(np.int32) << 5
    return state


def meaningful_use(pop: Population) -> np.ndarray:
    """Persons with meaningful connectivity: online, on a meaningful home plan, with a device.

    A device is an own smartphone, the household's computer, or for children under 13 a
    family device.
    """
    h, p = pop.h, pop.p
    hh = p.household
    device = p.has_smartphone | h.has_computer[hh] | (p.age < 13)
    return p.is_online & (h.connection[hh] == 2) & device


def _bit_counts(table: np.ndarray) -> dict[str, np.ndarray]:
    states = np.arange(N_STATES)
    return {
        name: table[:, (states >> bit) & 1 == 1].sum(axis=1) for bit, name in enumerate(STATE_BITS)
    }


def gaps(rate: dict[str, float], measure: str) -> dict[str, float]:
    """The gap indicators of one measure from its group rates."""
    out = {}
    for prefix, (_, scale, _, first, second) in GAP_KINDS.items():
        a, b = rate[first], rate[second]
        if scale == "ratio":
            out[f"{prefix}_{measure}"] = a / b if b > 0 else 0.0
        else:
            out[f"{prefix}_{measure}"] = a - b
    return out


class IncomeOrder:
    """Exact weighted Gini and Palma ratio, keeping the sort order from quarter to quarter.

    Most households' incomes do not change in a quarter, and those keep their order; only
    the changed ones are sorted and merged back (:func:`kernels_indicators.split_changed`,
    :func:`kernels_indicators.merge_sorted`), so a quarter costs one pass plus a sort of what
    changed (a stable radix sort: :func:`kernels_indicators.stable_sort_by`), and the result
    is exact. The merge also lays the weights out in sorted order and sums the totals, so the
    Gini pass (:func:`kernels_indicators.gini_palma_sizes`) reads both in sequence, once.
    The split's parts are written to arrays kept from quarter to quarter rather than new
    ones; positions are ``uint32`` (half the memory of ``int64`` to move in the sort).
    """

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.empty_like(values)
        """Room for the next values, which a caller may fill before :meth:`inequality`."""
        index = np.uint32 if values.size < 2**32 else np.int64
        self.order = np.argsort(values, kind="stable").astype(index)
        self.previous = values[self.order]
        self._parts = (
            np.empty_like(self.order),
            np.empty_like(self.order),
            np.empty(values.size, dtype=values.dtype),
            np.empty(values.size, dtype=values.dtype),
        )
        self._sorted_weights: np.ndarray | None = None

    def inequality(self, values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
        """Gini coefficient (0 = equal) and Palma ratio (top 10% / bottom 40% share).

        Args:
            values: the value of every entry.
            weights: the weight of every entry (any numeric type; read as float).

        """
        changed, kept, kept_values, changed_values = kernels_indicators.split_changed(
            self.order, values, self.previous, self._parts
        )
        moved = kernels_indicators.stable_sort_by(
            changed_values.astype(np.float64, copy=False), changed
        )
        sizes = _as_sizes(weights)
        if self._sorted_weights is None or self._sorted_weights.dtype != sizes.dtype:
            self._sorted_weights = np.empty(values.size, dtype=sizes.dtype)
        totals = kernels_indicators.merge_sorted(
            (kept, kept_values),
            (moved, values[moved]),
            sizes,
            self.order,
            self.previous,
            self._sorted_weights,
        )
        if sizes.dtype == np.uint8:
            gini, palma = kernels_indicators.gini_palma_sizes(
                self.previous, self._sorted_weights, totals
            )
        else:
            gini, palma = kernels_indicators.gini_palma(self.previous, self._sorted_weights)
        return float(gini), float(palma)


def _as_sizes(weights: np.ndarray) -> np.ndarray:
    """Weights of one byte and none negative as ``uint8`` (a view); any others as float64."""
    one_byte = weights.dtype.itemsize == 1 and weights.dtype.kind in "iu"
    if one_byte and (weights.dtype.kind == "u" or weights.size == 0 or weights.min() >= 0):
        return weights.view(np.uint8)
    return weights.astype(np.float64, copy=False)


N_BANDS = len(groups.AGE_BANDS)


def band_cells(cells: Cells) -> np.ndarray:
    """Band cell of each fine cell: the fine ages 13-14 and 15-17 merge into the band 13-17."""
    fine_to_band = groups.age_band_code(np.array([lo for lo, _ in groups.FINE_AGES]))
    c = cells.codes
    band = fine_to_band[c["age"]]
    return (((c["quintile"] * 2 + c["location"]) * 2 + c["sex"]) * N_BANDS + band) * 2 + c[
        "disability"
    ]


N_BAND_CELLS = 5 * 2 * 2 * N_BANDS * 2


def band_cell_groups(cell: int) -> list[str]:
    """The groups of a band cell, in the order sex, age, location, quintile, disability."""
    disability = cell % 2
    band = (cell // 2) % N_BANDS
    sex = (cell // (2 * N_BANDS)) % 2
    location = (cell // (4 * N_BANDS)) % 2
    quintile = cell // (8 * N_BANDS)
    return [
        f"sex={groups.DIMENSIONS['sex'].values[sex]}",
        f"age={groups.AGE_BANDS[band]}",
        f"location={groups.DIMENSIONS['location'].values[location]}",
        f"quintile={quintile + 1}",
        f"disability={groups.DIMENSIONS['disability'].values[disability]}",
    ]


def _band_sums(cells: Cells, per_cell: np.ndarray) -> np.ndarray:
    return np.bincount(band_cells(cells), weights=per_cell, minlength=N_BAND_CELLS)


def worst_intersection(cells: Cells, people: np.ndarray, online: np.ndarray) -> Worst:
    """The worst-off intersection of sex, age band, location, quintile and disability.

    Only persons aged 5+ count (younger children are not Internet users by definition), and
    only cells large enough to be meaningful (:data:`WORST_MIN_SHARE`,
    :data:`WORST_MIN_PERSONS`).
    """
    den = _band_sums(cells, people * cells.can_use)
    num = _band_sums(cells, online * cells.can_use)
    big = (den >= WORST_MIN_SHARE * den.sum()) & (den >= WORST_MIN_PERSONS)
    avg = float(num.sum() / max(den.sum(), 1e-12))
    if not big.any():
        return Worst("none large enough", avg, 0.0)
    rate = np.where(big, num / np.maximum(den, 1e-12), np.inf)
    best = int(np.argmin(rate))
    return Worst(cells.label(best), float(rate[best]), avg - float(rate[best]))


def cell_table(pop: Population, cells: Cells) -> pd.DataFrame:
    """Persons and every measure per intersection, in real people.

    Intersections cross sex, age band, location, quintile and disability; rates are over
    each measure's universe (everyone, or persons 15+).
    """
    table = cells.table(person_state(pop))
    people = table.sum(axis=1).astype(float)
    counts = _bit_counts(table)
    w = pop.weight
    adult_people = people * cells.adult
    rows = {"people": _band_sums(cells, people) * w}
    for m in MEASURES:
        universe = adult_people if m.adults_only else people
        n = _band_sums(cells, counts[m.name] * (cells.adult if m.adults_only else 1.0))
        den = _band_sums(cells, universe)
        rows[f"n_people_{m.name}"] = n * w
        rows[f"share_{m.name}"] = np.divide(n, den, out=np.full(n.size, np.nan), where=den > 0)
    frame = pd.DataFrame(rows)
    labels = [band_cell_groups(c) for c in range(N_BAND_CELLS)]
    for k, dim in enumerate(("sex", "age", "location", "quintile", "disability")):
        frame.insert(k, dim, [g[k].split("=", 1)[1] for g in labels])
    return frame[frame["people"] > 0].reset_index(drop=True)


def indicators(
    pop: Population,
    cells: Cells,
    poverty_line: float,
    income_order: IncomeOrder,
    meaningful: np.ndarray | None = None,
    table: np.ndarray | None = None,
) -> tuple[dict[str, float], Worst]:
    """Every indicator for the current quarter.

    Args:
        pop: the households and persons.
        cells: the persons' intersections (see :class:`Cells`).
        poverty_line: poverty line per person, US$ a month.
        income_order: the running sort order of income per person.
        meaningful: :func:`meaningful_use` if already computed this quarter.
        table: persons per cell and state (:meth:`Cells.table_of`) if already counted this
            quarter.

    """
    h = pop.h
    w = pop.weight
    out: dict[str, float] = {}
    if table is None:
        if meaningful is None:
            meaningful = meaningful_use(pop)
        table = cells.table_of(pop, meaningful)
    people = table.sum(axis=1).astype(float)
    counts = _bit_counts(table)
    people_by_group = cells.by_group(people)
    adults_by_group = cells.by_group(people * cells.adult)
    for m in MEASURES:
        den = adults_by_group if m.adults_only else people_by_group
        num = cells.by_group(counts[m.name] * (cells.adult if m.adults_only else 1.0))
        allowed = set(INDICATORS[f"share_{m.name}"].groups())
        rate = {g: (num[g] / den[g] if den[g] > 0 else 0.0) for g in num}
        for group, value in rate.items():
            if group != "all" and group not in allowed:
                continue
            suffix = "" if group == "all" else f":{group}"
            out[f"share_{m.name}{suffix}"] = value
            out[f"n_people_{m.name}{suffix}"] = num[group] * w
        out.update(gaps(rate, m.name))
    out["n_people"] = people.sum() * w
    out["n_households"] = h.n * w
    households, income, household_counts = kernels_indicators.household_table(
        cells.household_cell,
        h.connection,
        h.income,
        (h.n_children, h.children_learning.view(np.uint8), h.gets_transfer.view(np.uint8)),
        (h.size, income_order.values),
    )
    out.update(_household_indicators(households.astype(float), income, w))
    out["share_transfer"] = float(household_counts[2] / h.n)
    pc = income_order.values  # income per person, written by the household pass above
    out["gini_income"], out["palma_income"] = income_order.inequality(pc, h.size)
    poor = counts["poor"]
    out["share_poor"] = float(poor.sum() / people.sum())
    employed = counts["employed"] * cells.adult
    both = _bit_counts(table * _both_bits("employed", "poor"))["employed"] * cells.adult
    out["share_working_poor"] = float(both.sum() / max(employed.sum(), 1e-12))
    kids, missed = float(household_counts[0]), float(household_counts[1])
    out["share_children_no_remote_learning"] = missed / max(kids, 1e-12)
    out["n_children_no_remote_learning"] = missed * w
    worst = worst_intersection(cells, people, counts["internet_use"])
    out["worst_share_internet_use"] = worst.share
    out["lag_worst_internet_use"] = worst.lag
    return out, worst


def labour_indicators(counts: np.ndarray, weight: float) -> dict[str, float]:
    """Labour-force states of persons 15+ from the counts of the labour pass.

    Args:
        counts: simulated persons 15+ by :data:`model.kernels.LABOUR_COUNTS`.
        weight: real persons each simulated one stands for.

    Unemployment and leaving the labour force count those who lost their 2019 job in the
    COVID-19 shock (and platform workers without gigs); the model starts from 2019 with no
    one unemployed, so these indicators measure the change since 2019.

    """
    c = dict(zip(kernels.LABOUR_COUNTS, counts.astype(float), strict=True))
    force = c["employed"] + c["unemployed"]
    return {
        "share_unemployed": c["unemployed"] / force if force else 0.0,
        "share_labour_force": force / c["working_age"] if c["working_age"] else 0.0,
        "share_working_from_home": c["from_home"] / c["employed"] if c["employed"] else 0.0,
        "n_people_unemployed": c["unemployed"] * weight,
        "n_people_working_from_home": c["from_home"] * weight,
        "n_people_left_labour_force": c["left_labour_force"] * weight,
    }


def _both_bits(a: str, b: str) -> np.ndarray:
    """Mask over states (1 where both bits are set), broadcast over cells."""
    states = np.arange(N_STATES)
    both = ((states >> STATE_BITS.index(a)) & 1) & ((states >> STATE_BITS.index(b)) & 1)
    return both[None, :]


def _household_indicators(table: np.ndarray, income: np.ndarray, w: float) -> dict[str, float]:
    """Connection and income indicators of households overall, by location and quintile.

    Args:
        table: households per cell (quintile x location) and connection (10 x 3).
        income: household income summed per cell.
        w: real households each simulated one stands for.

    """
    n_cells = 10
    ids = np.arange(n_cells)
    member = {
        "all": np.ones(n_cells, dtype=bool),
        "location=urban": ids % 2 == 0,
        "location=rural": ids % 2 == 1,
        **{f"quintile={q + 1}": ids // 2 == q for q in range(5)},
    }
    out: dict[str, float] = {}
    mean_income = {}
    for group, m in member.items():
        total = table[m].sum()
        suffix = "" if group == "all" else f":{group}"
        connected = table[m, 1:].sum()
        out[f"share_households_connected{suffix}"] = connected / total if total else 0.0
        out[f"n_households_connected{suffix}"] = connected * w
        out[f"share_households_meaningful{suffix}"] = table[m, 2].sum() / total if total else 0.0
        mean_income[group] = income[m].sum() / total if total else 0.0
        out[f"mean_income{suffix}"] = mean_income[group]
    out["ratio_urban_rural_income"] = _ratio(
        mean_income["location=urban"], mean_income["location=rural"]
    )
    out["ratio_q5_q1_income"] = _ratio(mean_income["quintile=5"], mean_income["quintile=1"])
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else 0.0
