"""Synthetic households and their members, drawn from a region profile and raked to its targets.

Households first: location, size (mean from the profile), then their members. The first
member is an adult; the others are drawn so that all persons together follow the profile's
age structure exactly in expectation. Sex and disability are drawn per person (disability
by age band and sex); employment per person aged 15+ by sex, age and disability. Household
income is log-normal with shifts for location, disability, older members, joblessness and
size, adjusted until the profile's ratios of means and the published ratio of household
sizes between the poorest and richest quintiles hold; quintiles rank households by income
per person. Earnings are shared among the employed members.

The 2019 digital state is raked at two levels (:mod:`model.raking`): the home connection
and its plan to household, people-in-homes and children targets; each person's own use,
then skills, to person targets, given the home connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from model import groups, kernels
from model.errors import InputError, Problem
from model.households import (
    SKILL_LEVELS,
    Households,
    People,
    Population,
    row_passes,
    summed_by,
)
from model.params import defaults
from model.raking import Margin, Side, rake
from model.rules.connectivity import HOME_USE_SHIFT
from model.rules.income import inequality, weighted_quantile
from model.schema import Region, Target
from model.streams import Streams

# Employment with / without disability, WHO/World Bank World Report on Disability 2011:
# men 53% vs 65%, women 20% vs 30%.
REL_EMPLOYED_DISABILITY = {"male": 0.53 / 0.65, "female": 0.20 / 0.30}
# Employment by age (15-24, 25-64, 65+) relative to the 15+ average: assumption in line with
# ILO labour-force participation profiles (youth and 65+ participate far less).
REL_EMPLOYED_AGE = np.array([0.70, 1.20, 0.35])
# Mean income of households without an employed member, relative to others: assumption
# (pensions and transfers make up part of it).
REL_INCOME_JOBLESS = 0.65
# Share of earnings in the income of households with an employed member: assumption near
# ECLAC Social Panorama (labour income is about three quarters of household income in LAC).
LABOUR_SHARE = 0.75
# Logit shift of own use by fine age band (0-4, 5-12, 13-14, 15-17, 18-24, 25-64, 65+):
# youth use most, older persons least (ITU FF2021, FF2024). Sizes are assumptions; where a
# profile has age targets, raking overrides the level.
AGE_USE_SHIFT = np.array([0.0, -0.8, 0.2, 0.6, 0.8, 0.0, -1.3])
# Children under 13 use family devices; from 13 a person online owns a smartphone unless
# they use the household's computer (assumption: smartphone-first use, A4AI 2021).
OWN_DEVICE_AGE = 13
# Smartphone owners among persons 13+ who are offline: assumption.
SMARTPHONE_OFFLINE = 0.2
# Structural logit shifts of basic skills (ITU FF2021: gaps by age and occupation are larger
# than by sex; skills rise with use). Sizes are assumptions; the level is raked.
SKILL_SHIFT_USE = np.array([-1.0, 0.3, 1.2])
SKILL_SHIFT_AGE = np.array([0.0, -0.5, 0.3, 0.8, 0.8, 0.0, -1.2])
SKILL_SHIFT_PER_QUINTILE = 0.3
# Logit shift of basic skills for a worker in a teleworkable job (ITU FF2021: skills follow
# occupation; jobs that can be done from home are office work with computers and email).
# Size: calibrated with share_telework_basic to about 23 million working from home in LAC
# in 2020Q2 (ILO technical note, Maurizio 2021); the level is raked.
SKILL_SHIFT_TELEWORKABLE = 1.0
SKILL_BASIC = SKILL_LEVELS[0][1]
MAX_SIZE = 15
"""Largest household drawn (persons)."""
OLDEST = 90
"""Oldest age drawn (years); 65+ ages are uniform from 65 to here."""

FEW_HOUSEHOLDS = 1_000
"""Below this many households, unmet targets are blamed on the size, not on the targets."""
UNMET_TOLERANCE = 0.01
"""Largest gap (rate units) between a target and the raked fit, at any size, before it
counts as unmet; small populations get more room (:func:`unmet_tolerance`)."""
SAMPLING_ROOM = 0.5
"""Extra room per target: ``SAMPLING_ROOM / sqrt(units in the target's groups)``, about
one standard error of a share, for the composition noise of small populations."""


def unmet_tolerance(n_in_groups: int) -> float:
    """How far a raked fit may sit from its target for a group of ``n_in_groups`` units."""
    return UNMET_TOLERANCE + SAMPLING_ROOM / np.sqrt(max(n_in_groups, 1))


class TargetsUnmetError(ValueError):
    """Raking could not meet some targets: they contradict each other or the coverage.

    Attributes:
        unmet: (index in the region's targets, target, best fitted value) for each.

    """

    def __init__(self, unmet: list[tuple[int, Target, float]]) -> None:
        self.unmet = unmet
        super().__init__(
            "; ".join(
                f"targets[{i}] ({t.measure} {t.group}) reached only {fit:.3f} of {t.value}"
                for i, t, fit in unmet
            )
        )


@dataclass(frozen=True)
class TargetCheck:
    """A target beside the value the synthetic population reproduces."""

    target: Target
    simulated: float

    versus_rate: float | None = None

    @property
    def error(self) -> float:
        """Simulated minus target, in the target's own unit (rate or ratio)."""
        return self.simulated - self.target.value

    @property
    def error_pp(self) -> float:
        """Error in percentage points of the group's rate.

        For a ratio target it is the group's rate minus the rate the target ratio implies
        given the comparison group's simulated rate.
        """
        if self.versus_rate is None:
            return 100 * self.error
        return 100 * (self.simulated - self.target.value) * self.versus_rate


def synthesise(
    region: Region, n: int, seed: int, parameters: dict[str, float] | None = None
) -> Population:
    """Draw ``n`` households and their members for ``region``; calibrate the 2019 state.

    Args:
        region: validated region profile.
        n: number of simulated households.
        seed: run seed; every draw comes from a named stream of it.
        parameters: behavioural parameters (defaults from :mod:`model.params`).

    Returns:
        The population; households and persons stand for the region's totals.

    """
    pars = defaults() | (parameters or {})
    rs = Streams(seed)
    h = Households(n, region.population.households / n)
    h.is_rural[:] = rs("pop.location").random(n) < region.composition.share_rural.value
    p = _members(h, region, rs)
    pop = Population(h, p)
    _employment(pop, region, rs)
    _income(pop, region, rs, pars)
    _jobs(pop, region, rs)
    _coverage_and_devices(h, region, rs)
    assign_connection(pop, region, rs)
    assign_use(pop, region, rs, pars)
    assign_skills(pop, region, rs)
    h.income[:] = h.income_base
    return order_by_income(pop)


def synthesise_checked(
    region: Region, n: int, seed: int, source: str, parameters: dict[str, float] | None = None
) -> Population:
    """:func:`synthesise`, turning targets that cannot be met into an input error.

    Args:
        region: validated region profile.
        n: number of simulated households.
        seed: run seed.
        source: the file the region came from, named in the error.
        parameters: behavioural parameters (defaults from :mod:`model.params`).

    """
    try:
        return synthesise(region, n, seed, parameters)
    except TargetsUnmetError as exc:
        if n < FEW_HOUSEHOLDS:
            raise InputError(
                source,
                [
                    Problem(
                        "",
                        f"{n:,} households are too few to reproduce the targets (some groups "
                        "are empty).",
                        f"use --households {FEW_HOUSEHOLDS:,} or more.",
                    )
                ],
            ) from None
        raise InputError(
            source,
            [
                Problem(
                    f"targets[{i}]",
                    f"cannot be met together with the other targets and the "
                    f"coverage (best fit {fit:.3f}, target {t.value}).",
                    "make the targets agree with each other and with the coverage.",
                )
                for i, t, fit in exc.unmet
            ],
        ) from None


# --- who lives where ------------------------------------------------------------------------


def member_age_shares(region: Region) -> tuple[np.ndarray, np.ndarray]:
    """Age-band probabilities of the first member and of the other members.

    The first member is an adult (18+, in proportion to the published shares); the others
    are drawn so that all persons together follow the published age structure.
    """
    pub = np.array(region.composition.age_structure.by_band())
    size = region.population.household_size.value
    first = pub * (np.arange(len(pub)) >= 3)
    first = first / first.sum()
    others = np.clip(pub * size - first, 0.0, None)
    return first, others / others.sum()


def _members(h: Households, region: Region, rs: Streams) -> People:
    """Household sizes, then every member's age, sex and disability (a pass at a time)."""
    size = region.population.household_size.value
    h.size[:] = np.minimum(1 + rs("pop.size").poisson(max(size - 1, 0.0), h.n), MAX_SIZE)
    p = People(int(h.size.sum()), h.weight)
    p.household[:] = np.repeat(np.arange(h.n, dtype=np.int32), h.size)
    first_member = np.zeros(p.n, dtype=bool)
    first_member[np.cumsum(h.size) - h.size] = True
    for rows in row_passes(p.n):
        _draw_members(p, rows, first_member[rows], region, rs)
    h.n_children[:] = p.household_sum(p.age_band == 1, h.n)
    return p


def _draw_members(p: People, rows: slice, first: np.ndarray, region: Region, rs: Streams) -> None:
    """Age, sex and disability of the persons in ``rows`` (``first``: first members).

    Every stream is drawn in row order, so the persons get the draws one pass over all
    rows would give them.
    """
    c = region.composition
    n = rows.stop - rows.start
    share_first, share_others = member_age_shares(region)
    band = rs("pop.age").choice(len(share_others), size=n, p=share_others)
    n_first = int(np.count_nonzero(first))
    band[first] = rs("pop.age_first").choice(len(share_first), size=n_first, p=share_first)
    lower = np.array(groups.AGE_BAND_LOWER)
    upper = np.append(lower[1:], OLDEST + 1)
    years = lower[band] + (rs("pop.age_years").random(n) * (upper - lower)[band]).astype(int)
    p.age[rows] = years
    p.age_band[rows] = band
    female = rs("pop.sex").random(n) < c.share_female.value
    p.is_female[rows] = female
    prev = np.array(c.disability_by_age.by_band())
    r = c.rel_disability_female.value
    share_f = c.share_female.value
    base = prev[band] / (share_f * r + (1 - share_f))
    chance = base * np.where(female, r, 1.0)
    p.has_disability[rows] = rs("pop.disability").random(n) < np.clip(chance, 0, 1)


def _labour_age(age: np.ndarray) -> np.ndarray:
    """0 = 15-24, 1 = 25-64, 2 = 65+ for persons 15+ (0 below 15)."""
    return (age >= 25).astype(np.int8) + (age >= groups.OLDER_AGE)


def _employment(pop: Population, region: Region, rs: Streams) -> None:
    """Who of the persons 15+ is employed, by sex, age and disability.

    The chances are scaled so that each sex's mean over its persons 15+ is the profile's
    rate; that needs every chance at once, so only the draws go a pass at a time.
    """
    p = pop.p
    rate = region.composition.employment_rate
    chance = np.empty(p.n)
    for rows in row_passes(p.n):
        female = p.is_female[rows]
        rel_age = REL_EMPLOYED_AGE[_labour_age(p.age[rows])]
        dis = np.where(female, REL_EMPLOYED_DISABILITY["female"], REL_EMPLOYED_DISABILITY["male"])
        chance[rows] = np.where(female, rate.female, rate.male) * rel_age
        chance[rows] *= np.where(p.has_disability[rows], dis, 1.0)
    adult = p.is_working_age
    for female, target in ((False, rate.male), (True, rate.female)):
        sel = adult & (p.is_female == female)
        if sel.any():
            chance[sel] *= target / chance[sel].mean()
    draw = rs("pop.employment")
    for rows in row_passes(p.n):
        u = draw.random(rows.stop - rows.start)
        p.is_employed[rows] = adult[rows] & (u < np.clip(chance[rows], 0, 1))


INCOME_FIT_PASSES = 4
"""Passes that adjust the income shifts until the profile's mean-income ratios hold."""
INCOME_FIT_ROUNDS = 2
"""Rounds that fit the size elasticity and then the spread of income, each given the other."""
BISECTION_STEPS = 12
SIZE_FIT_SAMPLE = 50_000
"""Households used to fit how income rises with household size (the fit is on ratios)."""


def with_transfers(
    per_person: np.ndarray, size: np.ndarray, poverty_rate: float, pars: dict[str, float]
) -> np.ndarray:
    """Income per person with the expected transfer of the poor added.

    The line is the ``poverty_rate`` quantile of income per person over persons; a poor
    household takes the transfer (``transfer_share_of_line`` of the line per person) up with
    the mean of the online and offline take-up chances. This approximates what
    :class:`~model.inclusion_model.InclusionModel` pays in 2019, for fitting the Gini.
    """
    line = weighted_quantile(per_person, size, poverty_rate)
    take_up = (pars["p_takeup_online"] + pars["p_takeup_offline"]) / 2
    transfer = pars["transfer_share_of_line"] * line * take_up
    return per_person + np.where(per_person < line, transfer, 0.0)


def _income(pop: Population, region: Region, rs: Streams, pars: dict[str, float]) -> None:
    """Household income, quintiles of income per person, and each worker's earnings.

    Income is ``exp(shifts + elasticity * log(size) + noise)``. The shifts are adjusted until
    the realised ratios of group means equal the published ones; the size elasticity is
    fitted so that the poorest quintile's households are larger than the richest by the
    published ratio (ECLAC: poorer households are larger); then the noise's spread is
    fitted so that the Gini of income per person over persons, after the transfers the
    simulation pays to poor households (:func:`with_transfers`, their expected value),
    equals the profile's.
    """
    h, p = pop.h, pop.p
    inc = region.income
    has = {
        "rural": h.is_rural,
        "disability": p.household_sum(p.has_disability, h.n) > 0,
        "older": p.household_sum(p.age >= groups.OLDER_AGE, h.n) > 0,
    }
    ratios = {
        "rural": inc.rel_rural.value,
        "disability": inc.rel_disability.value,
        "older": inc.rel_older.value,
    }
    earners = p.household_sum(p.is_employed, h.n)
    z = rs("pop.income").standard_normal(h.n)
    sigma = np.sqrt(2) * NormalDist().inv_cdf((1 + inc.gini.value) / 2)
    log_size = np.log(h.size)
    jobless = np.log(REL_INCOME_JOBLESS) * (earners == 0)
    target_size_ratio = region.population.size_poorest_richest.value

    def draw(elasticity: float, sel: slice, spread: float = 1.0) -> np.ndarray:
        log_shift = {k: np.log(v) for k, v in ratios.items()}
        for _ in range(INCOME_FIT_PASSES):
            shift = jobless[sel] + sum(log_shift[k] * m[sel] for k, m in has.items())
            per_person = shift + (elasticity - 1) * log_size[sel]
            resid = spread * np.sqrt(max(sigma**2 - per_person.var(), 0.05))
            y = np.exp(shift + elasticity * log_size[sel] + resid * z[sel])
            for k, m in has.items():
                mk = m[sel]
                if mk.any() and (~mk).any():
                    log_shift[k] += np.log(ratios[k] / (y[mk].mean() / y[~mk].mean()))
        return y

    def size_ratio(elasticity: float, spread: float) -> float:
        sel = slice(0, min(h.n, SIZE_FIT_SAMPLE))
        y = draw(elasticity, sel, spread)
        q = weighted_quintile(y / h.size[sel], np.ones(y.size))
        sizes = h.size[sel]
        poorest, richest = sizes[q == 0], sizes[q == 4]
        if poorest.size == 0 or richest.size == 0:
            return 1.0
        return float(poorest.mean() / richest.mean())

    def gini(elasticity: float, spread: float) -> float:
        sel = slice(0, min(h.n, SIZE_FIT_SAMPLE))
        size = h.size[sel].astype(float)
        per_person = draw(elasticity, sel, spread) / size
        return inequality(with_transfers(per_person, size, inc.poverty_rate.value, pars), size)[0]

    elasticity, spread = 0.5, 1.0
    for _ in range(INCOME_FIT_ROUNDS):
        elasticity = bisect(lambda e, s=spread: size_ratio(e, s) - target_size_ratio, -0.5, 1.5)
        spread = bisect(lambda s, e=elasticity: inc.gini.value - gini(e, s), 0.3, 3.0)
    y = draw(elasticity, slice(None), spread)
    h.income_base[:] = y * inc.mean_monthly.value / y.mean()
    h.quintile[:] = weighted_quintile(h.income_base / h.size, np.ones(h.n))
    labour = np.where(earners > 0, LABOUR_SHARE * h.income_base, 0.0)
    h.nonlabour_base[:] = h.income_base - labour
    share = labour / np.maximum(earners, 1)
    for rows in row_passes(p.n):
        p.earnings_base[rows] = np.where(p.is_employed[rows], share[p.household[rows]], 0.0)
    # The same sum the simulation forms each quarter, so an unchanged quarter is at rest.
    h.income_base[:] = h.nonlabour_base + p.household_sum(p.earnings_base, h.n)


def bisect(excess: Callable[[float], float], lo: float, hi: float) -> float:
    """The root in [lo, hi] of a function that falls from positive to negative."""
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        if excess(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def weighted_quintile(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Quintile (0 = poorest) of each entry by weighted rank of ``values``."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    mid = (cum - weights[order] / 2) / cum[-1]
    q = np.empty(values.size, dtype=np.int8)
    q[order] = np.minimum((mid * 5).astype(np.int8), 4)
    return q


def _jobs(pop: Population, region: Region, rs: Streams) -> None:
    """Formal or informal, teleworkable, and in a hard-hit sector, for every worker."""
    h, p = pop.h, pop.p
    c = region.composition
    informal_by_quintile = np.array(c.informal_by_quintile.by_quintile)
    tele_by_quintile = np.array(c.teleworkable_by_quintile.by_quintile)
    for rows in row_passes(p.n):
        n = rows.stop - rows.start
        quintile = h.quintile[p.household[rows]]
        employed = p.is_employed[rows]
        is_informal = rs("pop.informal").random(n) < informal_by_quintile[quintile]
        p.job[rows] = np.where(employed, np.where(is_informal, 2, 1), 0)
        tele = tele_by_quintile[quintile]
        p.is_teleworkable[rows] = employed & (rs("pop.telework").random(n) < tele)
        female = p.is_female[rows]
        hi = np.where(female, c.high_impact_sector.female, c.high_impact_sector.male)
        p.is_high_impact[rows] = employed & (rs("pop.sector").random(n) < hi)


def _coverage_and_devices(h: Households, region: Region, rs: Streams) -> None:
    cov = region.coverage
    p_cov = np.where(h.is_rural, cov.rural.value, cov.urban.value)
    p_bb = np.where(h.is_rural, cov.broadband_rural.value, cov.broadband_urban.value)
    u = rs("pop.coverage").random(h.n)
    h.has_coverage[:] = u < p_cov
    h.has_broadband[:] = u < p_bb
    h.coverage_ramp[:] = h.has_coverage
    computer = np.array(region.composition.computer_by_quintile.by_quintile)[h.quintile]
    h.has_computer[:] = rs("pop.computer").random(h.n) < computer
    credit = np.array(region.composition.credit_by_quintile.by_quintile)[h.quintile]
    h.has_credit[:] = rs("pop.credit").random(h.n) < credit


# --- cells and margins --------------------------------------------------------------------


def household_cells(pop: Population) -> tuple[np.ndarray, int]:
    """Cell of each household: quintile x location x (children 5-12, 65+, disability present)."""
    h, p = pop.h, pop.p
    older = p.household_sum(p.age >= groups.OLDER_AGE, h.n) > 0
    disability = p.household_sum(p.has_disability, h.n) > 0
    idx = (h.quintile.astype(np.int32) * 2 + h.is_rural) * 2 + (h.n_children > 0)
    idx = (idx * 2 + older) * 2 + disability
    return idx, 5 * 2 * 2 * 2 * 2


def person_cells(pop: Population, state: np.ndarray, levels: int) -> tuple[np.ndarray, int]:
    """Cell of each person: quintile x location x sex x fine age x disability x ``state``."""
    h, p = pop.h, pop.p
    cells = np.empty(p.n, dtype=np.int32)
    for rows in row_passes(p.n):
        hh = p.household[rows]
        idx = (h.quintile[hh].astype(np.int32) * 2 + h.is_rural[hh]) * 2 + p.is_female[rows]
        idx = idx * len(groups.FINE_AGES) + groups.fine_age_code(p.age[rows])
        idx = idx * 2 + p.has_disability[rows]
        cells[rows] = idx * levels + state[rows]
    return cells, 5 * 2 * 2 * len(groups.FINE_AGES) * 2 * levels


def _sums(cells: np.ndarray, values: np.ndarray, n_cells: int) -> np.ndarray:
    """Sum of ``values`` in each cell, a pass at a time (the values are counts: exact)."""
    return summed_by(cells, values, n_cells, row_passes(cells.size))


def _units(pop: Population, t: Target, group: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Units a target counts in ``group``: per household, or per person (None if neither)."""
    if t.measure == "internet_use":
        return groups.person_mask(pop, group), None
    if t.measure == "basic_skills":
        return groups.person_mask(pop, group) & pop.p.is_working_age, None
    if t.unit == "households":
        return groups.household_mask(pop, group).astype(float), None
    members = groups.person_mask(pop, group)
    if t.unit == "children":
        members &= pop.p.age_band == 1
    return pop.p.household_sum(members, pop.h.n), members


def _side(units: np.ndarray, cells: np.ndarray, n_cells: int, eligible: np.ndarray) -> Side:
    return Side(_sums(cells, units, n_cells), _sums(cells, units * eligible, n_cells))


def _margins(
    pop: Population,
    targets: list[Target],
    cells: np.ndarray,
    n_cells: int,
    eligible: np.ndarray,
) -> list[Margin]:
    out = []
    for t in targets:
        units, _ = _units(pop, t, t.group)
        group = _side(units, cells, n_cells, eligible)
        rate = 1 - t.value if t.measure == "unconnected" else t.value
        versus = None
        if t.versus is not None:
            versus = _side(_units(pop, t, t.versus)[0], cells, n_cells, eligible)
        out.append(Margin(group=group, rate=rate, versus=versus, ratio=t.value))
    return out


def _assign(
    pop: Population,
    region: Region,
    targets: list[Target],
    cells: tuple[np.ndarray, int],
    eligible: np.ndarray,
    offset: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Rake on cells, then draw each unit's latent propensity (logistic noise).

    Raises:
        TargetsUnmetError: some targets cannot be met together.

    """
    idx, n_cells = cells
    margins = _margins(pop, targets, idx, n_cells, eligible)
    alpha, fitted = rake(margins, offset)
    unmet = [
        (region.targets.index(t), t, fit)
        for t, m, fit in zip(targets, margins, fitted, strict=True)
        if _gap(m, fit) > unmet_tolerance(_count_in(pop, t))
    ]
    if unmet:
        raise TargetsUnmetError(unmet)
    latent = np.empty(idx.size, dtype=np.float32)
    for rows, u in stratified_uniform_passes(idx, rng):
        latent[rows] = alpha[idx[rows]] + np.log(u / (1 - u))
    return latent


def _gap(m: Margin, fit: float) -> float:
    """Distance between the fit and the target: absolute for a rate, relative for a ratio."""
    if m.versus is None:
        return abs(fit - m.rate)
    return abs(fit - m.ratio) / m.ratio


def _count_in(pop: Population, t: Target) -> int:
    """Simulated units in the target's group (the smaller group of a ratio)."""

    def count(group: str) -> int:
        units, members = _units(pop, t, group)
        return int(np.count_nonzero(units if members is None else members))

    n = count(t.group)
    return n if t.versus is None else min(n, count(t.versus))


def stratified_uniform_passes(
    cells: np.ndarray, rng: np.random.Generator
) -> Iterator[tuple[slice, np.ndarray]]:
    """Uniform draws spread evenly within each cell, a pass of rows at a time.

    Within a cell of n units, the k-th unit in a random order gets ``(k + U) / n``: one draw
    per 1/n-wide stratum. Compared with independent draws this removes most sampling noise
    from cell rates, so small populations still reproduce the raked targets closely. Yields
    ``(rows, draws of those rows)``.

    Only the shuffled ranks are whole-length (32-bit); the shuffle's uniforms are drawn a
    cell at a time, and each pass's ranks and draws are made and handed on before the next,
    so a caller that keeps just what it derives from them holds one pass at a time.
    """
    counts = np.bincount(cells)
    starts = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    slots = np.empty(cells.size, dtype=np.int32)
    for c in range(counts.size):  # the shuffle's draws, cell after cell: one stream in order
        kernels.shuffle_ranks(rng.random(counts[c]), slots[starts[c] : starts[c + 1]])
    taken = np.zeros(counts.size, dtype=np.int64)
    for rows in row_passes(cells.size):
        rank = kernels.hand_out_ranks(cells[rows], starts, taken, slots)
        u = (rank + rng.random(rows.stop - rows.start)) / counts[cells[rows]]
        yield rows, np.clip(u, 1e-12, 1 - 1e-12)


# --- the calibrated 2019 digital state --------------------------------------------------------


HOME_MEASURES = ("connected", "unconnected")


def assign_connection(pop: Population, region: Region, rs: Streams) -> None:
    """The 2019 home connection (none / basic / meaningful plan) by raking.

    A covered household is connected when its latent propensity (cell logit plus logistic
    noise) is positive; a connected household with broadband coverage has a meaningful plan
    when its second propensity is positive.
    """
    h = pop.h
    cells = household_cells(pop)
    home = [t for t in region.targets if t.measure in HOME_MEASURES]
    h.propensity[:] = _assign(
        pop, region, home, cells, h.has_coverage, np.zeros(cells[1]), rs("pop.connection")
    )
    connected = h.has_coverage & (h.propensity > 0)
    meaningful_targets = [t for t in region.targets if t.measure == "meaningful"]
    eligible = connected & h.has_broadband
    h.propensity_meaningful[:] = _assign(
        pop,
        region,
        meaningful_targets,
        cells,
        eligible,
        np.zeros(cells[1]),
        rs("pop.meaningful"),
    )
    meaningful = eligible & (h.propensity_meaningful > 0)
    h.connection[:] = np.where(meaningful, 2, np.where(connected, 1, 0))


def can_use(pop: Population) -> np.ndarray:
    """Persons who can use the Internet at all: aged 5+ where the network reaches."""
    return (pop.p.age >= kernels.MIN_USE_AGE) & pop.h.has_coverage[pop.p.household]


def assign_use(pop: Population, region: Region, rs: Streams, pars: dict[str, float]) -> None:
    """Each person's own Internet use in 2019, and smartphones, by raking given the home.

    A person uses the Internet when ``use_latent + HOME_USE_SHIFT[home connection] > 0``; the
    latent is raked to the person targets with structural shifts by age and the disability
    barrier (``disability_use_barrier``, GSMA Mobile Disability Gap Report 2021), calibrated
    here once: ``use_latent`` is stored net of it, and the person rule subtracts it again
    unless the person has assistive technology.
    """
    h, p = pop.h, pop.p
    home = h.connection[p.household]
    cells = person_cells(pop, home, 3)
    ids = np.arange(cells[1])
    fine_age = (ids // 3 // 2) % len(groups.FINE_AGES)
    disabled = (ids // 3) % 2
    barrier = pars["disability_use_barrier"]
    offset = HOME_USE_SHIFT[ids % 3] + AGE_USE_SHIFT[fine_age] - disabled * barrier
    targets = [t for t in region.targets if t.measure == "internet_use"]
    able = can_use(pop)
    latent = _assign(pop, region, targets, cells, able, offset, rs("pop.use"))
    del cells
    for rows in row_passes(p.n):
        net = latent[rows] - HOME_USE_SHIFT[home[rows]]
        p.use_latent[rows] = net + barrier * p.has_disability[rows]
    p.is_online[:] = able & (latent > 0)
    del latent, able, home
    assign_smartphones(pop, rs("pop.smartphone").random(p.n))


def assign_smartphones(pop: Population, u: np.ndarray) -> None:
    """Smartphones in 2019: persons 13+ online own one unless the home computer serves them."""
    h, p = pop.h, pop.p
    hh = p.household
    computer_only = h.has_computer[hh] & (h.connection[hh] > 0) & (u < 0.1)
    online = p.is_online & ~computer_only
    p.has_smartphone[:] = (p.age >= OWN_DEVICE_AGE) & (online | (u > 1 - SMARTPHONE_OFFLINE))


def assign_skills(pop: Population, region: Region, rs: Streams) -> None:
    """Skill scores so the share of persons 15+ with basic skills meets the targets.

    The logit of basic skills shifts with own use, a teleworkable job, age and quintile
    (sizes in the constants above); the level is raked. The score is
    ``sigmoid(latent + logit(0.2))``, so a positive latent means at least basic skills.
    Children under 5 have none.
    """
    h, p = pop.h, pop.p
    state = np.empty(p.n, dtype=np.int8)
    for rows in row_passes(p.n):
        home = h.connection[p.household[rows]]
        use = np.where(p.is_online[rows], np.where(home == 2, 2, 1), 0)
        state[rows] = use * 2 + p.is_teleworkable[rows]
    cells = person_cells(pop, state, 6)
    del state
    ids = np.arange(cells[1])
    fine_age = (ids // 6 // 2) % len(groups.FINE_AGES)
    quintile = ids // (6 * 2 * len(groups.FINE_AGES) * 2 * 2)
    offset = (
        SKILL_SHIFT_USE[(ids // 2) % 3]
        + SKILL_SHIFT_TELEWORKABLE * (ids % 2)
        + SKILL_SHIFT_AGE[fine_age]
        + SKILL_SHIFT_PER_QUINTILE * (quintile - 2)
    )
    targets = [t for t in region.targets if t.measure == "basic_skills"]
    latent = _assign(pop, region, targets, cells, p.is_working_age, offset, rs("pop.skills"))
    del cells
    basic = np.log(SKILL_BASIC / (1 - SKILL_BASIC))
    for rows in row_passes(p.n):
        skill = 1 / (1 + np.exp(-(latent[rows] + basic)))
        p.skill[rows] = np.where(p.age[rows] >= 5, skill, 0.0)


def order_by_income(pop: Population) -> Population:
    """The same population with households stored by 2019 income per person, poorest first.

    Members stay together, in their order, after their household. Nothing about the
    population changes but the row order; rules that walk households in income order (the
    exact Gini of each quarter) then read memory almost in sequence.
    """
    h, p = pop.h, pop.p
    order = np.argsort(h.income_base / h.size, kind="stable")
    first = np.cumsum(h.size) - h.size
    size = h.size[order].astype(np.int64)
    new_first = np.cumsum(size) - size
    # 32-bit row numbers (fewer than 2**31 persons) halve the one whole-length index.
    members = np.repeat((first[order] - new_first).astype(np.int32), size)
    for rows in row_passes(p.n):
        members[rows] += np.arange(rows.start, rows.stop, dtype=np.int32)
    del first, new_first
    # One array at a time, so that only one old array is alive beside its reordered copy; a
    # column still all zeros (written only once the simulation starts) is left as it is.
    for table, rows in ((h, order), (p, members)):
        for attr in table.registry:
            column = getattr(table, attr.name)
            if column.any():
                setattr(table, attr.name, column[rows])
    p.household[:] = np.repeat(np.arange(h.n, dtype=p.household.dtype), size)
    return pop


# --- checks -----------------------------------------------------------------------------------


def check_targets(pop: Population, region: Region) -> list[TargetCheck]:
    """Each target of the profile beside the population's value."""
    out = []
    for t in region.targets:
        value, versus = measure_value(pop, t)
        out.append(TargetCheck(t, value, versus))
    return out


def measure_value(pop: Population, t: Target) -> tuple[float, float | None]:
    """The population's value of a target's measure, and the comparison group's rate.

    Returns:
        The rate (or ratio of rates), and the rate in ``versus`` (None without one).

    """
    h, p = pop.h, pop.p
    home = {
        "connected": h.is_connected,
        "unconnected": ~h.is_connected,
        "meaningful": h.is_meaningful,
    }
    person = {"internet_use": p.is_online, "basic_skills": p.has_basic_skills}

    def rate(group: str) -> float:
        units, _ = _units(pop, t, group)
        state = person[t.measure] if t.measure in person else home[t.measure]
        return float(np.sum(units * state) / np.sum(units))

    value = rate(t.group)
    if t.versus is None:
        return value, None
    base = rate(t.versus)
    return value / base, base


def totals(pop: Population) -> dict[str, float]:
    """Real households and persons the population stands for."""
    return {"households": pop.h.n * pop.weight, "persons": pop.p.n * pop.weight}
