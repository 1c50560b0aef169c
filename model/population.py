"""Synthetic household population drawn from a region profile, calibrated to its targets.

Attributes are drawn jointly in an order that carries the correlations the profile states:
location, sex and age first; disability by age and sex; employment by sex, age and
disability; income from location, disability, age and employment (so rural households and
persons with disabilities are poorer); quintiles by weighted rank of income; children by
quintile; informality and telework by quintile. The initial connection, meaningful
connectivity and basic skills are then assigned by raking a logit propensity to the
profile's published targets (:mod:`model.raking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from model.errors import InputError, Problem
from model.households import Households
from model.params import defaults
from model.raking import Margin, rake
from model.schema import Region, Target
from model.streams import Streams

# Employment with / without disability, WHO/World Bank World Report on Disability 2011:
# men 53% vs 65%, women 20% vs 30%.
REL_EMPLOYED_DISABILITY = {"male": 0.53 / 0.65, "female": 0.20 / 0.30}
# Employment by age relative to the 15+ average: assumption in line with ILO labour-force
# participation profiles (youth and 65+ participate far less than prime-age adults).
REL_EMPLOYED_AGE = np.array([0.70, 1.20, 0.35])
# Mean income of households whose reference person has no job, relative to others:
# assumption (other earners, pensions and transfers make up part of it).
REL_INCOME_JOBLESS = 0.65
# Children 5-12 in households of persons aged 65+, relative to others: assumption.
REL_CHILDREN_OLDER = 0.3
# Structural logit shifts of basic skills (ITU FF2021: gaps by age and occupation are larger
# than by sex; skills rise with use). Sizes are assumptions; the level is raked.
SKILL_SHIFT_CONNECTION = np.array([-1.0, 0.3, 1.2])
SKILL_SHIFT_AGE = np.array([0.8, 0.0, -1.2])
SKILL_SHIFT_PER_QUINTILE = 0.3
SKILL_BASIC = 0.2


FEW_HOUSEHOLDS = 1_000
"""Below this many households, unmet targets are blamed on the size, not on the targets."""
UNMET_TOLERANCE = 0.01
"""Largest gap (rate units) between a target and the raked fit, at any size, before it
counts as unmet; small populations get more room (:func:`unmet_tolerance`)."""
SAMPLING_ROOM = 0.5
"""Extra room per target: ``SAMPLING_ROOM / sqrt(households in the target's groups)``, about
one standard error of a share, for the composition noise of small populations."""


def unmet_tolerance(n_in_groups: int) -> float:
    """How far a raked fit may sit from its target for a group of ``n_in_groups`` households."""
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
) -> Households:
    """Draw ``n`` households for ``region`` and calibrate their initial digital state.

    Args:
        region: validated region profile.
        n: number of simulated households.
        seed: run seed; every draw comes from a named stream of it.
        parameters: behavioural parameters (defaults from :mod:`model.params`).

    Returns:
        The population, weights summing to the region's households.

    """
    pars = defaults() | (parameters or {})
    rs = Streams(seed)
    h = Households(n)
    h.weight[:] = region.households.value / n
    _demography(h, region, rs)
    _employment(h, region, rs)
    _income(h, region, rs)
    _children_and_jobs(h, region, rs)
    _coverage(h, region, rs)
    assign_connection(h, region, rs, pars)
    assign_skills(h, region, rs)
    h.income[:] = h.income_base
    return h


def synthesise_checked(
    region: Region, n: int, seed: int, source: str, parameters: dict[str, float] | None = None
) -> Households:
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


def _demography(h: Households, region: Region, rs: Streams) -> None:
    c = region.composition
    h.is_rural[:] = rs("pop.location").random(h.n) < c.share_rural.value
    h.is_female[:] = rs("pop.sex").random(h.n) < c.share_female.value
    ages = c.age_groups
    h.age_group[:] = rs("pop.age").choice(
        3, size=h.n, p=_norm([ages.youth, ages.adult, ages.older])
    )
    prev = np.array(
        [c.disability_by_age.youth, c.disability_by_age.adult, c.disability_by_age.older]
    )
    r = c.rel_disability_female.value
    share_f = c.share_female.value
    base = prev[h.age_group] / (share_f * r + (1 - share_f))
    p = base * np.where(h.is_female, r, 1.0)
    h.has_disability[:] = rs("pop.disability").random(h.n) < np.clip(p, 0, 1)
    h.n_adults[:] = 1 + rs("pop.adults").poisson(max(c.adults_per_household.value - 1, 0), h.n)


def _employment(h: Households, region: Region, rs: Streams) -> None:
    rate = region.composition.employment_rate
    p = np.where(h.is_female, rate.female, rate.male) * REL_EMPLOYED_AGE[h.age_group]
    dis = np.where(h.is_female, REL_EMPLOYED_DISABILITY["female"], REL_EMPLOYED_DISABILITY["male"])
    p = p * np.where(h.has_disability, dis, 1.0)
    for female, target in ((False, rate.male), (True, rate.female)):
        sel = h.is_female == female
        if sel.any():
            p[sel] *= target / p[sel].mean()
    h.is_employed[:] = rs("pop.employment").random(h.n) < np.clip(p, 0, 1)


INCOME_FIT_PASSES = 4
"""Passes that adjust the income shifts until the profile's mean-income ratios hold."""


def _income(h: Households, region: Region, rs: Streams) -> None:
    """Log-normal income with shifts for location, disability, age and joblessness.

    The profile's ratios (rural / urban, with / without disability, 65+ / others) are ratios
    of group means, which the other attributes confound (persons with disabilities are also
    older and less often employed). The shifts are therefore adjusted over a few passes until
    the realised ratios of means equal the published ones.
    """
    inc = region.income
    sigma = np.sqrt(2) * NormalDist().inv_cdf((1 + inc.gini.value) / 2)
    groups = {
        "rural": (h.is_rural, inc.rel_rural.value),
        "disability": (h.has_disability, inc.rel_disability.value),
        "older": (h.age_group == 2, inc.rel_older.value),
    }
    log_shift = {k: np.log(ratio) for k, (_, ratio) in groups.items()}
    z = rs("pop.income").standard_normal(h.n)
    jobless = np.log(REL_INCOME_JOBLESS) * ~h.is_employed
    for _ in range(INCOME_FIT_PASSES):
        shift = jobless + sum(log_shift[k] * m for k, (m, _) in groups.items())
        resid = np.sqrt(max(sigma**2 - shift.var(), 0.05))
        y = np.exp(shift + resid * z)
        for k, (mask, ratio) in groups.items():
            if mask.any() and (~mask).any():
                realised = y[mask].mean() / y[~mask].mean()
                log_shift[k] += np.log(ratio / realised)
    h.income_base[:] = y * inc.mean_monthly.value / np.average(y, weights=h.weight)
    h.quintile[:] = weighted_quintile(h.income_base, h.weight)


def weighted_quintile(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Quintile (0 = poorest) of each entry by weighted rank of ``values``."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    mid = (cum - weights[order] / 2) / cum[-1]
    q = np.empty(values.size, dtype=np.int8)
    q[order] = np.minimum((mid * 5).astype(np.int8), 4)
    return q


def _children_and_jobs(h: Households, region: Region, rs: Streams) -> None:
    c = region.composition
    rel = c.rel_children_poorest.value ** ((4 - h.quintile) / 4)
    rel = rel * np.where(h.age_group == 2, REL_CHILDREN_OLDER, 1.0)
    lam = rel * c.children_per_household.value / np.average(rel, weights=h.weight)
    h.n_children[:] = np.minimum(rs("pop.children").poisson(lam), 12)
    informal = np.array(c.informal_by_quintile.by_quintile)[h.quintile]
    is_informal = rs("pop.informal").random(h.n) < informal
    h.job[:] = np.where(h.is_employed, np.where(is_informal, 2, 1), 0)
    tele = np.array(c.teleworkable_by_quintile.by_quintile)[h.quintile]
    h.is_teleworkable[:] = h.is_employed & (rs("pop.telework").random(h.n) < tele)
    hi = np.where(h.is_female, c.high_impact_sector.female, c.high_impact_sector.male)
    h.is_high_impact[:] = h.is_employed & (rs("pop.sector").random(h.n) < hi)


def _coverage(h: Households, region: Region, rs: Streams) -> None:
    cov = region.coverage
    p_cov = np.where(h.is_rural, cov.rural.value, cov.urban.value)
    p_bb = np.where(h.is_rural, cov.broadband_rural.value, cov.broadband_urban.value)
    u = rs("pop.coverage").random(h.n)
    h.has_coverage[:] = u < p_cov
    h.has_broadband[:] = u < p_bb


# --- calibrated initial digital state ---------------------------------------------------


def cell_index(h: Households, extra: np.ndarray | None = None, extra_levels: int = 1) -> np.ndarray:
    """Cell of each household.

    Cells cross every attribute a target can name, whether the household has children, and
    ``extra`` when given.
    """
    idx = (h.quintile.astype(np.int32) * 2 + h.is_rural) * 2 + h.is_female
    idx = ((idx * 3 + h.age_group) * 2 + h.has_disability) * 2 + (h.n_children > 0)
    if extra is not None:
        idx = idx * extra_levels + extra
    return idx


N_CELLS = 5 * 2 * 2 * 3 * 2 * 2


def _cell_sums(cells: np.ndarray, values: np.ndarray, n_cells: int) -> np.ndarray:
    return np.bincount(cells, weights=values, minlength=n_cells)


def _margins(
    h: Households, targets: list[Target], cells: np.ndarray, n_cells: int, eligible: np.ndarray
) -> list[Margin]:
    out = []
    for t in targets:
        w_unit = h.unit_weight(t.unit)
        w_cell = _cell_sums(cells, w_unit, n_cells)
        elig = np.divide(
            _cell_sums(cells, w_unit * eligible, n_cells),
            w_cell,
            out=np.zeros(n_cells),
            where=w_cell > 0,
        )
        in_group = _cell_sums(cells, h.group_mask(t.group).astype(float), n_cells) > 0
        rate = 1 - t.value if t.measure == "unconnected" else t.value
        versus = None
        if t.versus is not None:
            versus = _cell_sums(cells, h.group_mask(t.versus).astype(float), n_cells) > 0
        out.append(
            Margin(
                in_group=in_group,
                weight=w_cell,
                rate=rate,
                eligible=elig,
                versus=versus,
                ratio=t.value,
            )
        )
    return out


def _assign(
    h: Households,
    region: Region,
    targets: list[Target],
    cells: np.ndarray,
    n_cells: int,
    eligible: np.ndarray,
    offset: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Rake on cells, then draw each household's latent propensity (logistic noise).

    Raises:
        TargetsUnmetError: some targets cannot be met together.

    """
    margins = _margins(h, targets, cells, n_cells, eligible)
    alpha, fitted = rake(margins, offset)
    unmet = [
        (region.targets.index(t), t, fit)
        for t, m, fit in zip(targets, margins, fitted, strict=True)
        if _gap(t, m, fit) > unmet_tolerance(_households_in(h, t))
    ]
    if unmet:
        raise TargetsUnmetError(unmet)
    u = stratified_uniform(cells, rng)
    noise = np.log(u / (1 - u))
    return (alpha[cells] + noise).astype(np.float32)


def _gap(t: Target, m: Margin, fit: float) -> float:
    """Distance between the fit and the target: absolute for a rate, relative for a ratio."""
    if m.versus is None:
        return abs(fit - m.rate)
    return abs(fit - m.ratio) / m.ratio


def _households_in(h: Households, t: Target) -> int:
    count = int(h.group_mask(t.group).sum())
    if t.versus is not None:
        count = min(count, int(h.group_mask(t.versus).sum()))
    return count


def stratified_uniform(cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform draws spread evenly within each cell (one per 1/n-wide stratum, shuffled).

    Compared with independent draws this removes most sampling noise from cell rates, so
    small populations still reproduce the raked targets closely.
    """
    order = np.lexsort((rng.random(cells.size), cells))
    counts = np.bincount(cells)
    starts = np.cumsum(counts) - counts
    sorted_cells = cells[order]
    pos = np.arange(cells.size) - starts[sorted_cells]
    u = np.empty(cells.size)
    u[order] = (pos + rng.random(cells.size)) / counts[sorted_cells]
    return np.clip(u, 1e-12, 1 - 1e-12)


def assign_connection(h: Households, region: Region, rs: Streams, pars: dict[str, float]) -> None:
    """Assign the 2019 connection state (offline / basic / meaningful) by raking.

    A covered household is online when its latent propensity (cell logit plus logistic
    noise) is positive; an online household with broadband coverage uses it meaningfully
    when its second propensity is positive. Persons with disabilities carry the fixed
    residual barrier ``rel_barrier_disability`` (GSMA Mobile Disability Gap Report 2021)
    unless a target constrains their rate directly.
    """
    cells = cell_index(h)
    online_targets = [t for t in region.targets if t.measure in ("connected", "unconnected")]
    offset = np.zeros(N_CELLS)
    dis_cells = _cell_sums(cells, h.has_disability.astype(float), N_CELLS) > 0
    offset[dis_cells] = np.log(pars["rel_barrier_disability"])
    h.propensity[:] = _assign(
        h, region, online_targets, cells, N_CELLS, h.has_coverage, offset, rs("pop.connection")
    )
    online = h.has_coverage & (h.propensity > 0)
    meaningful_targets = [t for t in region.targets if t.measure == "meaningful"]
    eligible = online & h.has_broadband
    h.propensity_meaningful[:] = _assign(
        h,
        region,
        meaningful_targets,
        cells,
        N_CELLS,
        eligible,
        np.zeros(N_CELLS),
        rs("pop.meaningful"),
    )
    meaningful = eligible & (h.propensity_meaningful > 0)
    h.connection[:] = np.where(meaningful, 2, np.where(online, 1, 0))


def assign_skills(h: Households, region: Region, rs: Streams) -> None:
    """Assign skill scores so the share with basic skills meets the profile's targets.

    The logit of basic skills shifts with connection, age and quintile (sizes in the
    constants above); the level is raked. The score is ``sigmoid(latent + logit(0.2))``, so a
    positive latent means at least basic skills.
    """
    cells = cell_index(h, h.connection, 3)
    n_cells = N_CELLS * 3
    cell_ids = np.arange(n_cells)
    conn = cell_ids % 3
    base = cell_ids // 3
    age = (base // 4) % 3
    quintile = base // (2 * 2 * 3 * 2 * 2)
    offset = (
        SKILL_SHIFT_CONNECTION[conn]
        + SKILL_SHIFT_AGE[age]
        + SKILL_SHIFT_PER_QUINTILE * (quintile - 2)
    )
    targets = [t for t in region.targets if t.measure == "basic_skills"]
    latent = _assign(
        h, region, targets, cells, n_cells, np.ones(h.n, dtype=bool), offset, rs("pop.skills")
    )
    h.skill[:] = 1 / (1 + np.exp(-(latent + np.log(SKILL_BASIC / (1 - SKILL_BASIC)))))


def check_targets(h: Households, region: Region) -> list[TargetCheck]:
    """Each target of the profile beside the population's value."""
    out = []
    for t in region.targets:
        value, versus = measure_value(h, t)
        out.append(TargetCheck(t, value, versus))
    return out


def measure_value(h: Households, t: Target) -> tuple[float, float | None]:
    """The population's value of a target's measure, and the comparison group's rate.

    Returns:
        The rate (or ratio of rates), and the rate in ``versus`` (None without one).

    """
    state = {
        "connected": h.is_online,
        "unconnected": ~h.is_online,
        "meaningful": h.is_meaningful,
        "basic_skills": h.has_basic_skills,
    }[t.measure]
    w = h.unit_weight(t.unit)

    def rate(group: str) -> float:
        m = h.group_mask(group)
        return float(np.sum(w * m * state) / np.sum(w * m))

    value = rate(t.group)
    if t.versus is None:
        return value, None
    base = rate(t.versus)
    return value / base, base


def _norm(p: list[float]) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    return a / a.sum()
