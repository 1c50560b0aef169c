"""Helpers of the simulation tests, and the generator of the regression baseline.

Regenerate ``tests/baseline.yaml`` on purpose (after a deliberate change of the model) with::

    .venv/bin/python -m tests.simhelpers --update-baseline
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from model import groups, ledger
from model.calendar import Quarter
from model.households import Households, People, Population
from model.inclusion_model import InclusionModel
from model.loader import LoadedScenario, load_region, scenario_from_dict
from model.params import defaults
from model.policies.base import Context, Levers, Policy
from model.policies.registry import POLICY_TYPES, build_policy
from model.population import synthesise
from model.yamlio import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE_PATH = Path(__file__).resolve().parent / "baseline.yaml"

BASELINE_SCENARIOS = ("lac/baseline.yaml", "lac/four_is.yaml")
BASELINE_QUARTERS = ("2020Q2", "2024Q4", "2030Q4")
BASELINE_INDICATORS = (
    "share_internet_use",
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "gap_age_internet_use",
    "share_households_connected",
    "share_meaningful",
    "share_basic_skills",
    "share_employed",
    "gini_income",
    "share_poor",
)
BASELINE_HOUSEHOLDS = 3000
BASELINE_SEED = 1
BASELINE_DECIMALS = 6
REGENERATE = ".venv/bin/python -m tests.simhelpers --update-baseline"

PRICES = {"basic": 15.0, "meaningful": 38.0, "device": 250.0}
"""LAC 2019 prices (US$ a month; device one-off), used as a policy's market prices."""


# --- scenarios and runs ------------------------------------------------------------------


def scenario_data(relpath: str) -> dict[str, Any]:
    """A shipped scenario (path under ``scenarios/``) as a fresh, editable mapping."""
    data, _ = read_yaml(SCENARIOS / relpath)
    return copy.deepcopy(data)


def with_policies(relpath: str, *policies: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A shipped scenario with ``policies`` appended and top-level ``fields`` replaced."""
    data = scenario_data(relpath)
    data["policies"] = [*data.get("policies", []), *copy.deepcopy(list(policies))]
    data.update(copy.deepcopy(fields))
    return data


def loaded(data: dict[str, Any]) -> LoadedScenario:
    """Validate a scenario mapping (as a sweep would)."""
    return scenario_from_dict(copy.deepcopy(data))


def new_model(data: dict[str, Any], seed: int, households: int) -> InclusionModel:
    """A fresh model of a scenario mapping, before its first step."""
    return InclusionModel(loaded(data), seed=seed, households=households)


@functools.lru_cache(maxsize=256)
def _run_cached(key: str, seed: int, households: int, quarters: int | None) -> pd.DataFrame:
    model = new_model(json.loads(key), seed, households)
    model.run(quarters)
    return model.result().timeseries


def run(
    data: dict[str, Any], seed: int, households: int, quarters: int | None = None
) -> pd.DataFrame:
    """Time series of one run (cached: the same arguments are simulated once per session)."""
    key = json.dumps(data, sort_keys=True, default=str)
    return _run_cached(key, seed, households, quarters).copy()


def mean_final(data: dict[str, Any], column: str, seeds: tuple[int, ...], households: int) -> float:
    """Mean over seeds of ``column`` in the last quarter."""
    return float(np.mean([run(data, s, households)[column].iloc[-1] for s in seeds]))


NOT_SCENARIOS = ("regions", "sweeps", "optimise")
"""Folders of ``scenarios/`` that hold other files than policy scenarios."""


def shipped_scenarios() -> list[Path]:
    """Every policy scenario file shipped under ``scenarios/<region>/`` (not region profiles
    or sweep specs)."""
    return sorted(p for p in SCENARIOS.glob("*/*.yaml") if p.parent.name not in NOT_SCENARIOS)


# --- populations and policies --------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _population(region: str, n: int, seed: int) -> Population:
    return synthesise(load_region(region), n, seed)


def population(n: int = 2000, seed: int = 1, region: str = "lac") -> Population:
    """A fresh copy of a synthetic population (synthesised once per session).

    ``was_online_2019`` is set from the 2019 state, as the model does before its first step,
    so that eligibility ``offline_in_2019`` can be tested on it.
    """
    pop = _population(region, n, seed).copy()
    pop.h.was_online_2019[:] = pop.h.connection > 0
    pop.p.was_online_2019[:] = pop.p.is_online
    return pop


def make_policy(pop: Population, pars: dict[str, float] | None = None, **config: Any) -> Policy:
    """Build a policy for ``pop`` from YAML-like keyword fields through the registry."""
    cls = POLICY_TYPES[config["type"]]
    return build_policy(cls.Config.model_validate(config), defaults() | (pars or {}), pop)


def context(seed: int = 0, quarter: str = "2021Q1", step: int = 5) -> Context:
    """A policy context with LAC prices and a seeded generator."""
    return Context(Quarter.parse(quarter), step, dict(PRICES), np.random.default_rng(seed))


def levers(pop: Population) -> Levers:
    """Fresh, neutral levers sized for ``pop``."""
    return Levers(pop.h.n, pop.p.n)


def act(
    policy: Policy, pop: Population, seed: int = 0, quarter: str = "2021Q1"
) -> tuple[Levers, float]:
    """Let ``policy`` act once on ``pop``; return the levers it set and what it spent (US$)."""
    lv = levers(pop)
    spent = policy.act(pop, lv, context(seed, quarter))
    return lv, ledger.total(spent)


def hand_population(
    sizes: list[int],
    weight: float = 1.0,
    households: dict[str, Any] | None = None,
    people: dict[str, Any] | None = None,
) -> Population:
    """Hand-made households of the given sizes and their members, in household order.

    Every attribute is at its registry default except those given (``households`` for the
    household table, ``people`` for the person table). Age bands follow ``age`` when it is
    given, and ``n_children`` counts the members aged 5-12.
    """
    h = Households(len(sizes), weight)
    h.size[:] = sizes
    p = People(int(sum(sizes)), weight)
    p.household[:] = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    for name, values in (households or {}).items():
        getattr(h, name)[:] = values
    for name, values in (people or {}).items():
        getattr(p, name)[:] = values
    p.age_band[:] = groups.age_band_code(p.age)
    h.n_children[:] = np.bincount(p.household, weights=p.age_band == 1, minlength=h.n)
    return Population(h, p)


def first_members(pop: Population) -> np.ndarray:
    """Person index of each household's first member: the first index of each household in
    ``p.household`` (the adult standing where the household head once stood)."""
    found, first = np.unique(pop.p.household, return_index=True)
    assert np.array_equal(found, np.arange(pop.h.n)), "a household without members"
    return first


# --- regression baseline ---------------------------------------------------------------------


def compute_baseline() -> dict[str, Any]:
    """The headline indicators stored in ``tests/baseline.yaml``, freshly simulated."""
    out: dict[str, Any] = {}
    for relpath in BASELINE_SCENARIOS:
        data = scenario_data(relpath)
        frame = run(data, BASELINE_SEED, BASELINE_HOUSEHOLDS)
        out[data["name"]] = {
            q: {k: round(float(frame.loc[q, k]), BASELINE_DECIMALS) for k in BASELINE_INDICATORS}
            for q in BASELINE_QUARTERS
        }
    return out


def baseline_differences(
    stored: dict[str, Any], fresh: dict[str, Any], rel_tol: float = 1e-9
) -> list[str]:
    """Lines describing every stored value that the fresh run does not reproduce."""
    lines = []
    for scenario, quarters in fresh.items():
        for quarter, values in quarters.items():
            old = stored.get(scenario, {}).get(quarter, {})
            for name, value in values.items():
                if name not in old:
                    lines.append(f"{scenario} {quarter} {name}: missing (now {value})")
                elif not math.isclose(old[name], value, rel_tol=rel_tol, abs_tol=1e-12):
                    lines.append(f"{scenario} {quarter} {name}: stored {old[name]}, now {value}")
    return lines


def write_baseline(path: Path = BASELINE_PATH) -> dict[str, Any]:
    """Simulate the baseline and write it as readable YAML; return what was written."""
    values = compute_baseline()
    header = (
        "# Regression baseline: headline indicators of two shipped scenarios, rounded to "
        f"{BASELINE_DECIMALS} decimals.\n"
        "# Compared by tests/test_simulation.py::test_regression_baseline. Regenerate only on "
        "purpose,\n"
        f"# after a deliberate change of the model: {REGENERATE}\n"
    )
    body = {
        "households": BASELINE_HOUSEHOLDS,
        "seed": BASELINE_SEED,
        "scenarios": values,
    }
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return values


def read_baseline(path: Path = BASELINE_PATH) -> dict[str, Any]:
    """The stored baseline file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--update-baseline`` rewrites ``tests/baseline.yaml``."""
    parser = argparse.ArgumentParser(prog="python -m tests.simhelpers", description=__doc__)
    parser.add_argument(
        "--update-baseline", action="store_true", help="simulate and rewrite tests/baseline.yaml"
    )
    args = parser.parse_args(argv)
    if not args.update_baseline:
        parser.print_help()
        return 2
    where = BASELINE_PATH.relative_to(ROOT)
    if not BASELINE_PATH.exists():
        write_baseline()
        print(f"created {where}")
        return 0
    old = read_baseline()
    values = write_baseline()
    changes = baseline_differences(old.get("scenarios", {}), values)
    print(f"wrote {where}; {len(changes)} value(s) changed")
    for line in changes:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
