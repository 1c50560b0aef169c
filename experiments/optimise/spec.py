"""Optimise specs (``scenarios/optimise/*.yaml``): decision variables, budget, objectives, worlds.

A spec names a base scenario, the levers to decide (each a range or a list of choices, at a
sweep's address ``policies.<name or type>.<field>``), a budget in present value, objectives
from the indicator registry, the worlds every candidate is run in (seeds x parameter sets)
and the size of the search. It is validated like a sweep spec: every problem names the file,
the line, the key path and the fix (:class:`~model.errors.InputError`, exit status 2).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from experiments.batch.runner import replication_seed
from experiments.design.designs import Input
from experiments.design.specs import (
    Name,
    _base_scenario,
    _check_values,
    _Strict,
    last_run_quarter,
    outside_runs,
    read_spec,
    unknown_indicator,
)
from model import indicator_registry as registry
from model.calendar import Quarter
from model.errors import InputError, Problem, did_you_mean
from model.settings import apply_overrides, canonical_address, with_policies
from model.yamlio import Lines, line_of

ENSEMBLE_STREAM = 0x0E5E_4B1E
"""Spawn key of the stream that samples the parameter sets (replications use keys below 10,000)."""

STEPS_PER_RANGE = 100
"""A range without ``step`` is searched on a grid of this many steps (1% of the range)."""

MAX_EVALUATIONS = 1_000_000
"""Most runs (population x generations x worlds) a spec may ask for."""


class ObjectiveSpec(_Strict):
    """One objective: an indicator at a quarter, with its direction."""

    indicator: Annotated[str, Field(min_length=1)]
    quarter: Quarter | None = Field(None, description="default: the last quarter of each run")
    direction: Literal["lower", "higher"] | None = Field(
        None, description="default: the registry's (parity: closest to its ideal)"
    )
    name: Name | None = None


class WorldsSpec(_Strict):
    """The worlds every candidate is run in: seeds x parameter sets of the ensemble."""

    seeds: Annotated[int, Field(ge=1, le=1000)] = 2
    parameter_sets: Annotated[int, Field(ge=0, le=1000)] = Field(
        0, description="sets sampled from the parameter ensemble (0: model/params.py defaults)"
    )
    ensemble: str | None = Field(None, description="default: scenarios/parameter_ensemble.csv")


class SearchSpec(_Strict):
    """The size of the NSGA-II search."""

    population: Annotated[int, Field(ge=4, le=10_000)] = 8
    generations: Annotated[int, Field(ge=1, le=10_000)] = 4


class OptimiseModel(_Strict):
    """Schema of an optimise spec file."""

    name: Name
    label: str = ""
    description: str = ""
    scenario: str | dict[str, Any]
    households: Annotated[int, Field(gt=0, le=20_000_000)] | None = None
    quarters: Annotated[int, Field(gt=0, le=400)] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    budget_pv: Annotated[float, Field(gt=0)] = Field(
        description="most present value (US$) a candidate may spend: sum of spend_pv:* at the end"
    )
    cost_objective: bool = Field(True, description="also minimise the present-value cost")
    worlds: WorldsSpec = WorldsSpec()
    search: SearchSpec = SearchSpec()
    levers: Annotated[dict[str, Any], Field(min_length=1)]
    constants: dict[str, Any] = Field(default_factory=dict)
    objectives: Annotated[list[ObjectiveSpec], Field(min_length=1, max_length=8)]


@dataclass(frozen=True)
class Decision:
    """One decision variable: a lever's range (on a grid of ``step``) or its list of choices.

    The search sees every decision as a gene in [0, 1]; :meth:`decode` maps it to a value.
    """

    address: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] | None = None

    def decode(self, x: float) -> Any:
        """The value of gene ``x`` in [0, 1]: a grid point of the range, or a choice."""
        x = min(max(float(x), 0.0), 1.0)
        if self.choices is not None:
            n = len(self.choices)
            return copy.deepcopy(self.choices[min(int(x * n), n - 1)])
        assert self.low is not None and self.high is not None and self.step
        n = round((self.high - self.low) / self.step)
        value = self.low + round(x * n) * self.step
        return round(min(max(value, self.low), self.high), 10)

    def input(self) -> Input:
        """The sweep input with the same values (to check them against the scenario)."""
        if self.choices is not None:
            return Input(self.address, "lever", values=self.choices)
        return Input(self.address, "lever", self.low, self.high)


@dataclass(frozen=True)
class Objective:
    """A resolved objective.

    Attributes:
        name: column name (``name``, else ``indicator@quarter``).
        indicator: the indicator.
        quarter: quarter read ('' for the last quarter of each run).
        direction: ``lower``, ``higher`` or ``parity`` (closest to ``ideal``).
        ideal: the ideal value of a parity indicator (1 for a ratio, 0 for a difference).

    """

    name: str
    indicator: str
    quarter: str
    direction: str
    ideal: float = 0.0

    def loss(self, values: np.ndarray) -> np.ndarray:
        """Values turned into a loss, lower is better (the search minimises losses)."""
        if self.direction == "higher":
            return -values
        if self.direction == "parity":
            return np.abs(values - self.ideal)
        return values


@dataclass(frozen=True)
class World:
    """One world a candidate is run in: a seed and, optionally, a parameter set."""

    index: int
    replication: int
    seed: int
    draw: int | None
    parameters: dict[str, float]


@dataclass(frozen=True)
class OptimiseSpec:
    """A validated optimise spec."""

    name: str
    model: OptimiseModel
    path: str
    text: str
    base: dict[str, Any]
    decisions: tuple[Decision, ...]
    objectives: tuple[Objective, ...]
    worlds: tuple[World, ...]
    households: int
    quarters: int | None
    ensemble_sha256: str | None
    lines: Lines

    def scenario_for(self, values: dict[str, Any]) -> dict[str, Any]:
        """The scenario mapping of a candidate (``values``: address -> value)."""
        return apply_overrides(self.base, values)


def load_optimise_spec(path: str | Path, seed: int | None = None) -> OptimiseSpec:
    """Load and validate an optimise spec.

    Args:
        path: the spec file.
        seed: root seed (None: the spec's); it chooses the seeds and parameter sets.

    Raises:
        InputError: anything wrong, with file, line, key path and fix.

    """
    model, lines, text = read_spec(path, OptimiseModel)
    return build_optimise_spec(model, lines, str(path), text, Path(path).resolve().parent, seed)


def build_optimise_spec(
    model: OptimiseModel,
    lines: Lines,
    name: str,
    text: str,
    folder: Path,
    seed: int | None = None,
) -> OptimiseSpec:
    """Check what the schema cannot: scenario, addresses, values, objectives and worlds."""
    base, scenario = _base_scenario(model, lines, name, folder)  # type: ignore[arg-type]
    problems: list[Problem] = []
    decisions = [
        d
        for address, raw in model.levers.items()
        if (d := _decision(address, raw, lines, problems)) is not None
    ]
    constants: dict[str, Any] = {}
    for address, raw in model.constants.items():
        canon = canonical_address(address, "constants", lines, problems)
        if canon is not None:
            constants[canon] = raw
    seen = set()
    for d in decisions:
        if d.address in seen or d.address in constants:
            problems.append(
                Problem(
                    f"levers.{d.address}",
                    f"'{d.address}' is given more than once (levers and constants).",
                    "keep one entry.",
                    line_of(lines, ("levers", d.address)),
                )
            )
        seen.add(d.address)
    objectives = _objectives(model, scenario, lines, problems)
    runs = model.search.population * model.search.generations * model.worlds.seeds
    runs *= max(model.worlds.parameter_sets, 1)
    if runs > MAX_EVALUATIONS:
        problems.append(
            Problem(
                "search",
                f"asks for up to {runs:,} runs, more than the limit of {MAX_EVALUATIONS:,}.",
                "use a smaller population, fewer generations, seeds or parameter sets.",
                line_of(lines, ("search",)),
            )
        )
    if problems:
        raise InputError(name, problems)
    base = with_policies(base, [d.address for d in decisions] + list(constants), lines, name)
    base = apply_overrides(base, constants)
    checker = SimpleNamespace(uncertainties={}, constants=model.constants)
    _check_values(base, [d.input() for d in decisions], constants, checker, lines, name)  # type: ignore[arg-type]
    root = model.seed if seed is None else seed
    worlds, sha = _worlds(model, root, lines, name, folder)
    return OptimiseSpec(
        model.name,
        model,
        name,
        text,
        base,
        tuple(decisions),
        tuple(objectives),
        worlds,
        model.households or scenario.households,
        model.quarters,
        sha,
        lines,
    )


def _decision(address: str, raw: Any, lines: Lines, problems: list[Problem]) -> Decision | None:
    canon = canonical_address(address, "levers", lines, problems)
    if canon is None:
        return None
    path, line = f"levers.{address}", line_of(lines, ("levers", address))
    if isinstance(raw, list):
        if len(raw) < 2:
            problems.append(
                Problem(
                    path,
                    "lists fewer than two choices.",
                    "list two or more, or use constants:.",
                    line,
                )
            )
            return None
        if len({repr(v) for v in raw}) < len(raw):
            problems.append(
                Problem(path, "lists a choice twice.", "remove the repeated choice.", line)
            )
            return None
        return Decision(canon, choices=tuple(raw))
    if not isinstance(raw, dict) or not raw:
        problems.append(
            Problem(
                path,
                f"{raw!r} is not a range or a list of choices.",
                "give a range {low: ..., high: ..., step: ...} or a list of choices "
                "(e.g. start dates [2021Q1, 2022Q1]); a fixed value goes under constants:.",
                line,
            )
        )
        return None
    unknown = sorted(set(raw) - {"low", "high", "step"})
    if unknown:
        problems.append(
            Problem(
                f"{path}.{unknown[0]}",
                f"unknown key '{unknown[0]}';",
                did_you_mean(str(unknown[0]), ["low", "high", "step"]),
                line_of(lines, ("levers", address, unknown[0])),
            )
        )
        return None
    if not {"low", "high"} <= set(raw):
        missing = "low" if "low" not in raw else "high"
        problems.append(
            Problem(path, f"range has no '{missing}'.", "give both low and high.", line)
        )
        return None
    for key in raw:
        v = raw[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            problems.append(
                Problem(
                    f"{path}.{key}",
                    f"{v!r} is not a number.",
                    "write a number, without quotes.",
                    line_of(lines, ("levers", address, key)),
                )
            )
            return None
    low, high = float(raw["low"]), float(raw["high"])
    if not low < high:
        problems.append(
            Problem(
                path,
                f"low {low:g} is not below high {high:g}.",
                "make low smaller than high, or move a single value to constants:.",
                line,
            )
        )
        return None
    step = float(raw.get("step", (high - low) / STEPS_PER_RANGE))
    if not 0 < step <= high - low:
        problems.append(
            Problem(
                f"{path}.step",
                f"step {step:g} is not between 0 and the range's width {high - low:g}.",
                f"use a positive step of at most {high - low:g}, e.g. {(high - low) / 10:g}.",
                line_of(lines, ("levers", address, "step")),
            )
        )
        return None
    return Decision(canon, low, high, step)


def _objectives(
    model: OptimiseModel, scenario: Any, lines: Lines, problems: list[Problem]
) -> list[Objective]:
    out = []
    names: set[str] = set()
    last = last_run_quarter(scenario, model.quarters)
    for k, o in enumerate(model.objectives):
        loc = ("objectives", k)
        unknown = unknown_indicator("objectives", k, o.indicator, lines)
        if unknown is not None:
            problems.append(unknown)
            continue
        ind = registry.describe(o.indicator).indicator
        direction = o.direction or ind.better
        if not direction:
            problems.append(
                Problem(
                    f"objectives[{k}]",
                    f"'{o.indicator}' has no better direction in the registry.",
                    "add 'direction: lower' or 'direction: higher'.",
                    line_of(lines, loc),
                )
            )
            continue
        outside = outside_runs(
            "objectives", k, o.quarter, first=scenario.start, last=last, lines=lines
        )
        if outside is not None:
            problems.append(outside)
            continue
        quarter = "" if o.quarter is None else str(o.quarter)
        col = o.name or (f"{o.indicator}@{quarter}" if quarter else o.indicator)
        if col in names:
            problems.append(
                Problem(
                    f"objectives[{k}]",
                    f"objective '{col}' is listed twice.",
                    "remove it or give it another 'name:'.",
                    line_of(lines, loc),
                )
            )
            continue
        names.add(col)
        ideal = 1.0 if ind.scale == "ratio" else 0.0
        out.append(Objective(col, o.indicator, quarter, direction, ideal))
    return out


def _worlds(
    model: OptimiseModel, root: int, lines: Lines, name: str, folder: Path
) -> tuple[tuple[World, ...], str | None]:
    """Seeds x sampled parameter sets; the sets are drawn from a named stream of the root seed."""
    seeds = [replication_seed(root, k) for k in range(model.worlds.seeds)]
    k = model.worlds.parameter_sets
    if k == 0:
        return tuple(World(s, s, seed, None, {}) for s, seed in enumerate(seeds)), None
    from experiments.analysis.ensemble import load_ensemble

    path = model.worlds.ensemble
    if path is not None and not Path(path).is_absolute() and (folder / path).exists():
        path = str(folder / path)
    ensemble = load_ensemble(path)
    if k > len(ensemble):
        raise InputError(
            name,
            [
                Problem(
                    "worlds.parameter_sets",
                    f"{k} parameter sets asked, but {ensemble.path} holds {len(ensemble)}.",
                    f"use 0 to {len(ensemble)}.",
                    line_of(lines, ("worlds", "parameter_sets")),
                )
            ],
        )
    rng = np.random.default_rng(np.random.SeedSequence(root, spawn_key=(ENSEMBLE_STREAM,)))
    rows = rng.choice(len(ensemble), size=k, replace=False)
    sets = [ensemble.draw(int(r), len(ensemble)) for r in rows]
    worlds = []
    for s, seed in enumerate(seeds):
        for draw, values in sets:
            worlds.append(World(len(worlds), s, seed, draw, values))
    return tuple(worlds), ensemble.sha256
