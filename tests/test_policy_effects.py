"""Every policy type does to people what it is for: its outcome moves, only for those eligible,
and half the intensity gives half the dose.

Parametrised over the policy registry: a new policy type is covered as soon as it is
registered, and fails here until it declares an outcome, ships a scenario and says what its
intensity scales.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from model.policies.base import NO_LABOUR_RULES, Levers, Policy
from model.policies.outcomes import OUTCOMES, eligible_rows, outcome_share
from model.policies.registry import POLICY_TYPES
from model.yamlio import read_yaml
from tests.simhelpers import SCENARIOS, act, make_policy, new_model, population, scenario_data

KINDS = sorted(POLICY_TYPES)
HOUSEHOLDS = 2000
SEEDS = (1, 2)
MIN_EFFECT = 0.001
"""Smallest mean rise of the outcome share over the quarters in force (0.1 point)."""


def shipped_scenario(kind: str) -> str:
    """The LAC scenario that ships this policy type alone (path under ``scenarios/``)."""
    for path in sorted((SCENARIOS / "lac").glob("*.yaml")):
        data, _ = read_yaml(path)
        types = [p["type"] for p in data.get("policies", [])]
        if types == [kind]:
            return str(Path("lac") / path.name)
    raise AssertionError(f"no scenario under scenarios/lac ships the policy type {kind!r} alone")


def with_policy(kind: str, **changes) -> dict:
    """The shipped scenario of ``kind`` with its one policy's fields changed."""
    data = scenario_data(shipped_scenario(kind))
    data["policies"][0].update(changes)
    return data


def mean_outcome_in_force(data: dict, seed: int) -> float:
    """Mean over the quarters the policy is in force of its outcome among those eligible."""
    model = new_model(data, seed, HOUSEHOLDS)
    policy = model.policies[0]
    shares = []
    while model.running:
        model.step()
        if policy.config.start <= model.quarter <= policy.config.end:
            eligible = policy.eligible(model.pop)
            shares.append(outcome_share(model.pop, policy.outcome, eligible, policy.level))
    return float(np.mean(shares))


@pytest.mark.parametrize("kind", KINDS)
def test_every_policy_type_declares_a_known_outcome(kind):
    assert POLICY_TYPES[kind].outcome in OUTCOMES


def effect(kind: str, seed: int) -> tuple[float, float]:
    """Mean outcome in force at intensity 1 and 0 (common random numbers, shipped scenario)."""
    on = mean_outcome_in_force(with_policy(kind), seed)
    return on, mean_outcome_in_force(with_policy(kind, intensity=0.0), seed)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_policy_moves_its_outcome_up_for_its_eligible_group(kind, seed):
    on, off = effect(kind, seed)
    assert on > off, (kind, on, off)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_every_policy_moves_its_outcome_by_a_tenth_of_a_point_or_more(kind):
    on, off = effect(kind, SEEDS[0])
    assert on - off >= MIN_EFFECT, (kind, on, off)


# --- only those eligible ---------------------------------------------------------------------

RESTRICTED = {"location": ["rural"]}
ROW_LEVERS = {
    "subsidy_service": "household",
    "subsidy_device": "household",
    "takeup_online": "household",
    "takeup_offline": "household",
    "skill_gain": "person",
}
"""Levers set per row, and the rows they are set on."""


def _rows(model, policy: Policy, level: str) -> np.ndarray:
    return eligible_rows(model.pop, policy.eligible(model.pop), policy.level, level)


@pytest.mark.parametrize("kind", KINDS)
def test_a_restricted_policy_reaches_and_sets_levers_only_for_those_eligible(kind):
    model = new_model(with_policy(kind, eligibility=RESTRICTED), 1, HOUSEHOLDS)
    policy = model.policies[0]
    neutral = Levers(model.h.n, model.p.n)
    for _ in range(24):
        model.step()
        assert not (policy.reached & ~policy.eligible(model.pop)).any()
        for name, level in ROW_LEVERS.items():
            set_rows = getattr(model.levers, name) != getattr(neutral, name)
            assert not (set_rows & ~_rows(model, policy, level)).any(), name
    assert policy.eligible(model.pop).any() and not policy.eligible(model.pop).all()


@pytest.mark.parametrize("kind", KINDS)
def test_a_restricted_policy_changes_labour_rules_only_for_those_eligible(kind):
    model = new_model(with_policy(kind, eligibility=RESTRICTED), 1, HOUSEHOLDS)
    policy = model.policies[0]
    for _ in range(24):
        model.step()
        rules = model.levers.labour_rules_by_person()
        changed = (rules != np.array(NO_LABOUR_RULES)).any(axis=1)
        assert not (changed & ~_rows(model, policy, "person")).any()


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_a_restricted_policy_moves_its_outcome_more_for_the_eligible(kind):
    """Rural only: the outcome rises more among the eligible than among the others."""
    rises = []
    for intensity in (1.0, 0.0):
        data = with_policy(kind, eligibility=RESTRICTED, intensity=intensity)
        model = new_model(data, 1, HOUSEHOLDS)
        policy = model.policies[0]
        eligible = policy.eligible(model.pop)
        inside, outside = [], []
        while model.running:
            model.step()
            inside.append(outcome_share(model.pop, policy.outcome, eligible, policy.level))
            outside.append(outcome_share(model.pop, policy.outcome, ~eligible, policy.level))
        rises.append((np.mean(inside), np.mean(outside)))
    (in_on, out_on), (in_off, out_off) = rises
    assert in_on - in_off > max(out_on - out_off, 0.0), (kind, rises)


# --- half the intensity, half the dose --------------------------------------------------------

SIZES = {
    "connectivity": {
        "households_covered_per_year": 8_000_000,
        "households_upgraded_per_year": 8_000_000,
    },
    "skills_training": {"places_per_quarter": 5_000_000},
}
"""Sizes that reach a few dozen simulated rows in one quarter (and never all candidates)."""
PARS = {"skills_training": {"p_training_uptake": 1.0}}
"""Every offer taken up, so the persons who start a course are the places offered."""
COUNTS = ("connectivity", "skills_training")
"""Types whose dose is a count of simulated rows, rounded stochastically (within one)."""


def _covered_and_upgraded(before, after, policy, levers, spent) -> list[float]:
    new_cover = np.count_nonzero(after.h.has_coverage) - np.count_nonzero(before.h.has_coverage)
    new_broadband = np.count_nonzero(after.h.has_broadband) - np.count_nonzero(
        before.h.has_broadband
    )
    return [float(new_cover), float(new_broadband - new_cover)]


DOSE: dict[str, Callable[..., list[float]]] = {
    "connectivity": _covered_and_upgraded,
    "affordability": lambda before, after, pol, lv, spent: [
        float(lv.subsidy_service.max()),
        float(lv.subsidy_device.max()),
        1.0 - lv.price_factor,
    ],
    "skills_training": lambda before, after, pol, lv, spent: [
        float(np.count_nonzero(pol.reached)),
        spent / after.weight / pol.config.cost_per_place,
    ],
    "labour_regulation": lambda before, after, pol, lv, spent: [
        *lv.labour_rules_by_person().max(axis=0)[:4],
        1.0 - lv.labour_rules_by_person()[:, 4].min(),
    ],
    "social_protection": lambda before, after, pol, lv, spent: [
        float(lv.takeup_online.max()) - pol.base_online,
        float(lv.takeup_offline.max()) - pol.base_offline,
    ],
}
"""What intensity scales, per policy type (each must halve at intensity 0.5)."""


def test_every_policy_type_says_what_its_intensity_scales():
    assert set(DOSE) == set(POLICY_TYPES)


def dose(kind: str, intensity: float) -> list[float]:
    """What one quarter of the shipped policy (everyone eligible) gives at ``intensity``."""
    before = population(HOUSEHOLDS, seed=1)
    after = before.copy()
    config = dict(scenario_data(shipped_scenario(kind))["policies"][0]) | SIZES.get(kind, {})
    config = {k: v for k, v in config.items() if k != "eligibility"} | {"intensity": intensity}
    policy = make_policy(after, PARS.get(kind), **config)
    levers, spent = act(policy, after, seed=3, quarter="2022Q1")
    return DOSE[kind](before, after, policy, levers, spent)


@pytest.mark.parametrize("kind", KINDS)
def test_half_the_intensity_gives_half_the_dose(kind):
    for full, half in zip(dose(kind, 1.0), dose(kind, 0.5), strict=True):
        assert full > 0, kind
        if kind in COUNTS:
            assert abs(half - full / 2) <= 1.0, (kind, full, half)
        else:
            assert half == pytest.approx(full / 2, rel=1e-9), (kind, full, half)
