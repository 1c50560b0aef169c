"""Each lever's simulated effect on the group a study looked at, beside the published range.

``inclusim calibrate --effect-sizes`` runs, for each
lever, the LAC baseline and the baseline plus that lever targeted as the study's programme was,
on the same seeds (common random numbers), reads the lever's outcome in the target group and
in those it cannot reach at the horizon the study measured, and writes docs/effect-sizes.md:
the paired effect with its 95% interval, the range from ``scenarios/effect_literature.yaml``
and a verdict. Indicators the model does not report (new adopters, elasticities, the share of a gap
closed) are computed here from the persons and households of the paired runs.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from experiments.analysis.effect_literature import SCALE, LiteratureRow
from experiments.analysis.stats import describe, ratio_of_means
from experiments.batch.runner import replication_seed
from model.calendar import Quarter
from model.households import WORKING_AGE, Population
from model.loader import ROOT, scenario_from_dict
from model.policies.outcomes import OUTCOMES, eligible_rows
from model.yamlio import read_yaml

BASELINE_FILE = ROOT / "scenarios" / "lac" / "baseline.yaml"

HOUSEHOLDS = 20_000
REPLICATIONS = 10
ROOT_SEED = 0

PRICE_CUT = 0.10
"""Price cut of the elasticity arm: plan and device 10% cheaper for every household."""


NO_EFFECT = "no detectable effect"
VERDICTS = ("within", "below", "above", NO_EFFECT)
"""Verdicts of a comparable row ("not comparable: why" for the others)."""


# --- the literature ------------------------------------------------------------------------


# --- verdicts ------------------------------------------------------------------------------


def verdict(ci_low: float, ci_high: float, low: float | None, high: float | None) -> str:
    """Compare a simulated 95% interval with a published range (both in the row's unit).

    ``within`` when the interval overlaps the range, ``below`` or ``above`` when it lies
    wholly on one side, and :data:`NO_EFFECT` when the interval includes zero but the
    published range does not straddle zero (a study that found an effect, or a positive one,
    against a simulation that cannot tell its effect from none).

    Args:
        ci_low: lower end of the simulated interval.
        ci_high: upper end.
        low: published lower bound (None: no lower bound).
        high: published upper bound (None: no upper bound).

    """
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "no interval (one replication)"
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if ci_low <= 0 <= ci_high and not lo < 0 < hi:
        return NO_EFFECT
    if ci_high < lo:
        return "below"
    if ci_low > hi:
        return "above"
    return "within"


# --- the paired arms -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arm:
    """The baseline plus one policy, targeted as a study's programme was.

    Attributes:
        name: the arm's name.
        lever: the policy type.
        label: what the arm does, in words.
        policy: the policy's YAML entry.

    """

    name: str
    lever: str
    label: str
    policy: dict[str, Any]

    @property
    def start(self) -> Quarter:
        """First quarter the policy is in force."""
        return Quarter.parse(self.policy["start"])

    def horizon(self, years: int) -> Quarter:
        """Last quarter of the ``years``-th year in force."""
        return self.start + (4 * years - 1)


ARMS: dict[str, Arm] = {
    a.name: a
    for a in (
        Arm(
            "rural_coverage",
            "connectivity",
            "From 2021Q1, every rural household without coverage is covered (3G+) and every "
            "rural 2G-only household upgraded within the first quarter.",
            {
                "type": "connectivity",
                "start": "2021Q1",
                "eligibility": {"location": ["rural"]},
                "households_covered_per_year": 40_000_000,
                "households_upgraded_per_year": 40_000_000,
            },
        ),
        Arm(
            "low_income_subsidy",
            "affordability",
            "From 2021Q1, households in quintiles I-II pay half of the plan and half of the "
            "device (Lifeline / Link-Up and Internet Essentials style).",
            {
                "type": "affordability",
                "start": "2021Q1",
                "eligibility": {"quintile": [1, 2]},
                "service_subsidy": 0.5,
                "device_subsidy": 0.5,
                "extra_price_decline_per_year": 0.0,
            },
        ),
        Arm(
            "price_cut",
            "affordability",
            f"From 2021Q1, plan and device {PRICE_CUT:.0%} cheaper for every household "
            "(a subsidy of that share, the lever's cleanest price knob).",
            {
                "type": "affordability",
                "start": "2021Q1",
                "service_subsidy": PRICE_CUT,
                "device_subsidy": PRICE_CUT,
                "extra_price_decline_per_year": 0.0,
                "admin_cost_per_household": 0.0,
            },
        ),
        Arm(
            "training_cohort",
            "skills_training",
            "In 2021Q1 only, one cohort: 10 million places offered to adults 15+ in quintiles "
            "I-II, delivered accessibly; outcomes followed for those who start a course.",
            {
                "type": "skills_training",
                "start": "2021Q1",
                "end": "2021Q1",
                "eligibility": {"quintile": [1, 2]},
                "places_per_quarter": 10_000_000,
                "accessible_delivery": True,
            },
        ),
        Arm(
            "digital_delivery",
            "social_protection",
            "From 2020Q2, a unified digital registry and assisted channels for households in "
            "quintiles I-II (the shipped lac/social_protection scenario).",
            {"type": "social_protection", "start": "2020Q2", "eligibility": {"quintile": [1, 2]}},
        ),
        Arm(
            "decent_digital_work",
            "labour_regulation",
            "From 2020Q2, the shipped decent-digital-work rules for persons whose 2019 job was "
            "informal (eligibility `job: [informal]`); formal workers are the comparison.",
            {"type": "labour_regulation", "start": "2020Q2", "eligibility": {"job": ["informal"]}},
        ),
    )
}
"""Every arm, by name; each is run against the baseline on the same seeds."""


@dataclass
class State:
    """What a run looked like at one quarter.

    Attributes:
        pop: a copy of the households and persons.
        eligible: the arm policy's eligible rows (None in the baseline).
        reached: the rows the policy has reached so far (None in the baseline).
        level: the rows the policy acts on (``household`` or ``person``).
        spend: US$ the policy has spent so far.

    """

    pop: Population
    eligible: np.ndarray | None = None
    reached: np.ndarray | None = None
    level: str = "household"
    spend: float = 0.0


@dataclass
class Run:
    """The states of one run: before the first step and at each captured quarter."""

    initial: State
    at: dict[Quarter, State] = field(default_factory=dict)


def scenario(arm: Arm | None, households: int) -> dict[str, Any]:
    """The LAC baseline (``arm`` None) or the baseline with the arm's policy."""
    data, _ = read_yaml(BASELINE_FILE)
    data = copy.deepcopy(data) | {"households": households}
    if arm is not None:
        data["name"] = f"effect_{arm.name}"
        data["policies"] = [copy.deepcopy(arm.policy) | {"name": arm.name}]
    return data


def simulate(data: dict[str, Any], seed: int, households: int, quarters: set[Quarter]) -> Run:
    """Run a scenario up to the last of ``quarters``, keeping its state at each of them."""
    from model.inclusion_model import InclusionModel

    model = InclusionModel(scenario_from_dict(data), seed=seed, households=households)
    run = Run(_state(model))
    last = max(quarters)
    while model.running and model.quarter < last:
        model.step()
        if model.quarter in quarters:
            run.at[model.quarter] = _state(model)
    return run


def _state(model: Any) -> State:
    pop = model.pop.copy()
    if not model.policies:
        return State(pop)
    policy = model.policies[0]
    return State(
        pop,
        eligible=policy.eligible(model.pop).copy(),
        reached=policy.reached.copy(),
        level=policy.level,
        spend=model.spend[policy.name],
    )


# --- measures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One replication of an arm and the baseline on the same seed, at one horizon."""

    arm: Arm
    base: Run
    policy: Run
    years: int

    def now(self, run: Run) -> State:
        """The state of ``run`` at the horizon."""
        return run.at[self.arm.horizon(self.years)]

    def before(self, run: Run) -> State:
        """The state of ``run`` in the quarter before the policy starts (or before the run)."""
        return run.at.get(self.arm.start + -1, run.initial)

    def eligible(self, level: str) -> np.ndarray:
        """The arm policy's eligible rows at ``level`` (``household`` or ``person``)."""
        state = self.policy.initial
        return eligible_rows(state.pop, state.eligible, state.level, level)

    def shares(self, value: Callable[[Population], np.ndarray], rows: np.ndarray) -> np.ndarray:
        """Share of ``rows`` with ``value`` at the horizon: (baseline, with the policy)."""
        n = max(np.count_nonzero(rows), 1)
        return np.array(
            [np.count_nonzero(value(self.now(r).pop) & rows) / n for r in (self.base, self.policy)]
        )

    def effect(self, value: Callable[[Population], np.ndarray], rows: np.ndarray) -> float:
        """Policy minus baseline of the share of ``rows`` with ``value`` (paired)."""
        base, policy = self.shares(value, rows)
        return float(policy - base)

    def compare(
        self, value: Callable[[Population], np.ndarray], group: np.ndarray, others: np.ndarray
    ) -> Value:
        """The effect on ``value`` in ``group`` and in ``others``, what it adds and its cost."""
        effect = self.effect(value, group)
        extra = effect * np.count_nonzero(group) * self.base.initial.pop.weight
        spend = self.now(self.policy).spend
        return Value(effect, self.effect(value, others), extra, spend)


def connected(pop: Population) -> np.ndarray:
    """Households with a home connection."""
    return OUTCOMES["connected"].value(pop)


def employed(pop: Population) -> np.ndarray:
    """Persons 15+ holding a job or platform gigs."""
    return pop.p.is_employed & (pop.p.age >= WORKING_AGE)


def adults(pop: Population) -> np.ndarray:
    """Persons 15+."""
    return pop.p.age >= WORKING_AGE


class Value(NamedTuple):
    """What one replication of a pair gives for one row.

    Attributes:
        group: the value in the study's group.
        others: the value in those the policy cannot reach (NaN where not defined).
        extra: additional real households or persons with the outcome in the group, for the
            spend per additional one (NaN where not defined).
        spend: US$ the policy spent up to the horizon.

    """

    group: float
    others: float = math.nan
    extra: float = math.nan
    spend: float = math.nan


Measure = Callable[[Pair], Value]
"""The simulated value of one row in one replication."""


def _uncovered_rural(pair: Pair) -> Value:
    h = pair.base.initial.pop.h
    return pair.compare(connected, h.is_rural & ~h.has_coverage, ~pair.eligible("household"))


def _share_of_rural_gap(pair: Pair) -> Value:
    rural = pair.base.initial.pop.h.is_rural
    base_r, policy_r = pair.shares(connected, rural)
    base_u, policy_u = pair.shares(connected, ~rural)
    gap_base, gap_policy = base_u - base_r, policy_u - policy_r
    return Value(float((gap_base - gap_policy) / gap_base))


def _eligible_households(value: Callable[[Population], np.ndarray]) -> Measure:
    def measure(pair: Pair) -> Value:
        group = pair.eligible("household")
        return pair.compare(value, group, ~group)

    return measure


def _adults_in_eligible_households(pair: Pair) -> Value:
    grown = adults(pair.base.initial.pop)
    group = pair.eligible("person")
    return pair.compare(employed, group & grown, ~group & grown)


def new_adopters(
    eligible: np.ndarray, before: np.ndarray, with_policy: np.ndarray, without: np.ndarray
) -> float:
    """Share of the subsidised newly connected who would not be connected without the subsidy.

    The subsidised newly connected are the eligible households unconnected before the start
    and connected with the policy at the horizon; NaN when there are none.

    Args:
        eligible: households the subsidy may reach.
        before: households connected in the quarter before the start.
        with_policy: households connected at the horizon with the policy.
        without: the same households connected at the horizon in the paired baseline.

    """
    subsidised = eligible & ~before & with_policy
    n = np.count_nonzero(subsidised)
    return np.count_nonzero(subsidised & ~without) / n if n else math.nan


def _new_adopters(pair: Pair) -> Value:
    return Value(
        new_adopters(
            pair.eligible("household"),
            connected(pair.before(pair.policy).pop),
            connected(pair.now(pair.policy).pop),
            connected(pair.now(pair.base).pop),
        )
    )


def elasticity(share_without: float, share_with: float, price_change: float) -> float:
    """Arc elasticity: relative change of a share over the relative change of the price."""
    if share_without <= 0:
        return math.nan
    return (share_with / share_without - 1) / price_change


def _elasticity(rows: Callable[[Pair], np.ndarray]) -> Measure:
    def measure(pair: Pair) -> Value:
        base, policy = pair.shares(connected, rows(pair))
        return Value(elasticity(base, policy, -PRICE_CUT))

    return measure


def _participants(value: Callable[[Population], np.ndarray]) -> Measure:
    def measure(pair: Pair) -> Value:
        started = pair.now(pair.policy).reached
        others = ~pair.eligible("person") & adults(pair.base.initial.pop)
        return pair.compare(value, started, others)

    return measure


def _informal_workers(outcome: str) -> Measure:
    def measure(pair: Pair) -> Value:
        job = pair.base.initial.pop.p.job
        return pair.compare(OUTCOMES[outcome].value, job == 2, job == 1)

    return measure


MEASURES: dict[str, tuple[str, Measure]] = {
    "connectivity_adoption_newly_covered": ("rural_coverage", _uncovered_rural),
    "connectivity_share_of_rural_gap": ("rural_coverage", _share_of_rural_gap),
    "affordability_lifeline": ("low_income_subsidy", _eligible_households(connected)),
    "affordability_new_adopters": ("low_income_subsidy", _new_adopters),
    "affordability_employment": ("low_income_subsidy", _adults_in_eligible_households),
    "affordability_elasticity_country": (
        "price_cut",
        _elasticity(lambda pair: np.ones(pair.base.initial.pop.h.n, dtype=bool)),
    ),
    "affordability_elasticity_nonadopters": (
        "price_cut",
        _elasticity(lambda pair: ~connected(pair.before(pair.base).pop)),
    ),
    "skills_training_skills": ("training_cohort", _participants(OUTCOMES["basic_skills"].value)),
    "skills_training_employment_1y": ("training_cohort", _participants(employed)),
    "skills_training_employment_almp_1y": ("training_cohort", _participants(employed)),
    "skills_training_employment_almp_3y": ("training_cohort", _participants(employed)),
    "social_protection_takeup": (
        "digital_delivery",
        _eligible_households(OUTCOMES["transfer_received"].value),
    ),
    "labour_regulation_jobs_kept": ("decent_digital_work", _informal_workers("job_kept")),
    "labour_regulation_poverty": ("decent_digital_work", _informal_workers("not_poor")),
}
"""Literature row id -> (the arm it is measured on, the measure); rows without one show none."""


# --- running the pairs --------------------------------------------------------------------------


@dataclass
class Result:
    """One literature row with its simulated values over replications.

    Attributes:
        row: the published figure.
        arm: the arm measured (None when the row has no measure).
        values: replications x :class:`Value` fields; ``group`` and ``others`` in the row's
            unit.

    """

    row: LiteratureRow
    arm: Arm | None
    values: np.ndarray

    @property
    def group(self) -> np.ndarray:
        """The value in the study's group, per replication."""
        return self.values[:, 0]

    @property
    def others(self) -> np.ndarray:
        """The value in those the policy cannot reach, per replication."""
        return self.values[:, 1]

    def summary(self, values: np.ndarray) -> tuple[float, float, float]:
        """Mean and 95% interval over replications (t-based, paired differences)."""
        s = describe(values)
        return float(s["mean"]), float(s["ci_low"]), float(s["ci_high"])

    @property
    def verdict(self) -> str:
        """The verdict (or ``not comparable: why``)."""
        if not self.row.comparable:
            why = " ".join(str(self.row.why_not_comparable).split()).rstrip(".")
            return f"not comparable: {why}"
        _, lo, hi = self.summary(self.group)
        return verdict(lo, hi, self.row.low, self.row.high)

    def spend_per_extra(self) -> float:
        """US$ spent per additional household or person with the outcome in the group.

        NaN unless the row defines one and the effect's interval lies wholly above zero: no
        cost-effectiveness is claimed for an effect that cannot be told from none.
        """
        _, lo, _ = self.summary(self.group)
        if not lo > 0:
            return math.nan
        return ratio_of_means(self.values[:, 3], self.values[:, 2])


def quarters_needed(arm: Arm, rows: list[LiteratureRow]) -> set[Quarter]:
    """The quarter before the arm's start and each horizon its rows are measured at."""
    return {arm.start + -1} | {arm.horizon(r.horizon_years) for r in rows}


def run_pairs(
    rows: list[LiteratureRow], households: int, replications: int, root_seed: int
) -> tuple[list[Result], list[int]]:
    """Run the baseline and every arm on the same seeds; measure every row.

    Returns:
        One result per literature row (in file order) and the seeds of the replications.

    """
    measured = {r.id: MEASURES[r.id] for r in rows if r.id in MEASURES}
    arms = {name: ARMS[name] for name, _ in measured.values()}
    needed = {
        name: quarters_needed(arm, [r for r in rows if measured.get(r.id, ("",))[0] == name])
        for name, arm in arms.items()
    }
    seeds = [replication_seed(root_seed, k) for k in range(replications)]
    values: dict[str, list[Value]] = {rid: [] for rid in measured}
    for seed in seeds:
        base = simulate(scenario(None, households), seed, households, set().union(*needed.values()))
        for name, arm in arms.items():
            policy = simulate(scenario(arm, households), seed, households, needed[name])
            for row in rows:
                if measured.get(row.id, ("",))[0] == name:
                    pair = Pair(arm, base, policy, row.horizon_years)
                    values[row.id].append(measured[row.id][1](pair))
    return [_result(r, values.get(r.id), replications) for r in rows], seeds


def _result(row: LiteratureRow, values: list[Value] | None, n: int) -> Result:
    if values is None:
        return Result(row, None, np.full((n, len(Value._fields)), np.nan))
    table = np.array(values, dtype=float)
    table[:, :2] *= SCALE[row.unit]
    return Result(row, ARMS[MEASURES[row.id][0]], table)


# --- the document ------------------------------------------------------------------------------


# --- command line ------------------------------------------------------------------------------
