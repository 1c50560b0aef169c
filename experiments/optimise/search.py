"""The search: NSGA-II over decision variables, a budget constraint, and regret-based robustness.

The model never appears here: a candidate mix is evaluated by a function
``evaluate(candidates) -> array (candidate, world, objective values + PV cost)``, so the
search, the constraint and the regret are tested on cheap stand-in functions
(tests/test_optimise.py), and :mod:`experiments.optimise.run` supplies the model through the
run store.

Definitions (docs/decisions.md, "The best mix for a budget"):

- **loss** of an objective in one world: the value if lower is better, minus the value if
  higher is better, the distance from the ideal (1 for a ratio, 0 for a difference) for a
  parity indicator;
- **cost**: the present value (US$) of all policies' spending to the run's last quarter,
  averaged over the worlds; a candidate whose cost is above ``budget_pv`` is infeasible
  (constraint ``(cost - budget) / budget <= 0``), never silently dropped;
- **regret** of a candidate in a world (seed x parameter set): its loss minus the smallest
  loss any feasible candidate evaluated in the search reached in that same world; scored as
  the mean and the 90th percentile over the worlds;
- the search minimises the mean loss over the worlds (and the cost, with ``cost_objective``):
  for a fixed set of worlds the mean regret differs from the mean loss by a constant per
  objective, so it ranks candidates exactly as the mean regret does;
- the **Pareto set** is the feasible candidates no other feasible candidate beats on every
  mean regret (and cost); the **robust front** the same on the 90th-percentile regrets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.batch.identity import digest
from experiments.batch.runner import stream_seed
from experiments.optimise.spec import Decision, Objective
from model.errors import InputError
from model.errors import Problem as Problem_

SEARCH_STREAM = 0x05EA_2C40
"""Spawn key of the optimiser's own random stream (replications use keys below 10,000)."""

FAILED = 1e9
"""Constraint violation of a candidate with a failed run: infeasible, below every feasible one."""

REGRET_QUANTILE = 0.9
"""The robustness quantile of the regret over worlds."""


def search_seed(root: int) -> int:
    """Seed of NSGA-II's random state: a named stream of the root seed."""
    return stream_seed(root, SEARCH_STREAM)


@dataclass(frozen=True)
class Settings:
    """What the search needs to know (a spec supplies it; tests build it by hand).

    Attributes:
        decisions: the decision variables.
        objectives: the objectives.
        budget_pv: the most present value a candidate may spend (US$).
        n_worlds: worlds each candidate is evaluated in.
        population: NSGA-II population size.
        generations: generations (the first is the random initial population).
        seed: root seed (the search draws from :func:`search_seed` of it).
        cost_objective: also minimise the cost.

    """

    decisions: tuple[Decision, ...]
    objectives: tuple[Objective, ...]
    budget_pv: float
    n_worlds: int
    population: int = 8
    generations: int = 4
    seed: int = 0
    cost_objective: bool = True


@dataclass
class Candidate:
    """One mix: its decision values, its key (digest of the values) and its index."""

    index: int
    key: str
    values: dict[str, Any]
    generation: int


def candidate_key(values: dict[str, Any]) -> str:
    """The identity of a mix: the SHA-256 of its decision values (address -> value)."""
    return digest(values)


Evaluate = Callable[[list[Candidate]], np.ndarray]
"""Evaluate new candidates: array (candidate, world, objective values then PV cost); NaN: failed."""


@dataclass
class Archive:
    """Every candidate the search has asked for, and its evaluation.

    Candidates keep their index for good: a resumed search passes the stored candidates in
    ``known``, so the same mix gets the same index (and the same stored runs).
    """

    candidates: list[Candidate] = field(default_factory=list)
    metrics: dict[int, np.ndarray] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    generation_seconds: list[float] = field(default_factory=list)

    def add(self, values: dict[str, Any], generation: int) -> Candidate:
        """The candidate of ``values``: the one already known, or a new one."""
        key = candidate_key(values)
        if key in self.by_key:
            return self.candidates[self.by_key[key]]
        c = Candidate(len(self.candidates), key, values, generation)
        self.candidates.append(c)
        self.by_key[key] = c.index
        return c

    def evaluated(self) -> list[Candidate]:
        """Candidates with an evaluation, in index order."""
        return [c for c in self.candidates if c.index in self.metrics]


def decode(decisions: tuple[Decision, ...], x: np.ndarray) -> dict[str, Any]:
    """The decision values of one genome (genes in [0, 1])."""
    return {d.address: d.decode(g) for d, g in zip(decisions, x, strict=True)}


def losses(objectives: tuple[Objective, ...], metrics: np.ndarray) -> np.ndarray:
    """Losses (lower is better) of metrics shaped (..., objectives + 1); the cost column dropped."""
    out = np.empty((*metrics.shape[:-1], len(objectives)))
    for j, o in enumerate(objectives):
        out[..., j] = o.loss(metrics[..., j])
    return out


def fitness(settings: Settings, metrics: np.ndarray) -> tuple[np.ndarray, float]:
    """NSGA-II objectives and constraint of one candidate's metrics (world, objectives + 1)."""
    n_f = len(settings.objectives) + int(settings.cost_objective)
    if not np.isfinite(metrics).all():
        return np.zeros(n_f), FAILED
    f = losses(settings.objectives, metrics).mean(axis=0)
    cost = float(metrics[:, -1].mean())
    if settings.cost_objective:
        f = np.append(f, cost)
    return f, (cost - settings.budget_pv) / settings.budget_pv


def search(
    settings: Settings,
    evaluate: Evaluate,
    known: list[Candidate] | None = None,
    on_generation: Callable[[int, Archive], None] | None = None,
) -> Archive:
    """Run NSGA-II (pymoo) for ``settings.generations`` generations; return the archive.

    Each generation asks pymoo for a population of genomes, decodes them to mixes, evaluates
    only the mixes not evaluated before (in one call, so a generation's runs go to the pool
    together), and tells pymoo their mean losses and budget constraint. pymoo's random state
    is seeded from :func:`search_seed`: the same settings and evaluations give the same search.

    Args:
        settings: decisions, objectives, budget, worlds and size.
        evaluate: runs new candidates in every world.
        known: candidates of an earlier invocation (their indexes are kept).
        on_generation: called after each generation with its number and the archive.

    """
    try:
        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.core.evaluator import Evaluator
        from pymoo.core.problem import Problem
        from pymoo.problems.static import StaticProblem
    except ImportError:
        raise InputError(
            "pymoo",
            [
                Problem_(
                    "",
                    "is not installed; inclusim optimise searches with its NSGA-II.",
                    "pip install 'inclusim[optimise]' (or pip install 'pymoo>=0.6').",
                )
            ],
        ) from None

    archive = Archive()
    for c in known or []:
        archive.candidates.append(c)
        archive.by_key[c.key] = c.index
    n_var = len(settings.decisions)
    n_f = len(settings.objectives) + int(settings.cost_objective)
    problem = Problem(n_var=n_var, n_obj=n_f, n_ieq_constr=1, xl=0.0, xu=1.0)
    algorithm = NSGA2(pop_size=settings.population, eliminate_duplicates=True)
    algorithm.setup(
        problem, seed=search_seed(settings.seed), termination=("n_gen", settings.generations)
    )
    for g in range(settings.generations):
        start = time.perf_counter()
        pop = algorithm.ask()
        cands = [archive.add(decode(settings.decisions, x), g) for x in pop.get("X")]
        new = list({c.index: c for c in cands if c.index not in archive.metrics}.values())
        if new:
            values = np.asarray(evaluate(new), dtype=float)
            expected = (len(new), settings.n_worlds, len(settings.objectives) + 1)
            if values.shape != expected:
                raise ValueError(f"evaluate returned shape {values.shape}, not {expected}")
            for c, m in zip(new, values, strict=True):
                archive.metrics[c.index] = m
        scored = [fitness(settings, archive.metrics[c.index]) for c in cands]
        f = np.array([s[0] for s in scored])
        gv = np.array([[s[1]] for s in scored])
        Evaluator().eval(StaticProblem(problem, F=f, G=gv), pop)
        algorithm.tell(infills=pop)
        archive.generation_seconds.append(time.perf_counter() - start)
        if on_generation is not None:
            on_generation(g, archive)
    return archive


def non_dominated(f: np.ndarray) -> np.ndarray:
    """Mask of the rows of ``f`` (minimised) that no other row weakly beats everywhere."""
    n = len(f)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        beats = np.all(f <= f[i], axis=1) & np.any(f < f[i], axis=1)
        keep[i] = not beats.any()
    return keep


def score(settings: Settings, archive: Archive) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Robustness of every evaluated candidate, and its regret in every world.

    Returns:
        One row per candidate: ``candidate``, ``generation``, ``key``, one column per
        decision, ``cost_pv`` (mean over worlds), ``feasible``, ``violation``, for each
        objective its mean value, mean regret and 90th-percentile regret
        (``<name>``, ``<name>:mean_regret``, ``<name>:p90_regret``), ``on_front`` and
        ``on_robust_front``; and a long table (candidate, world, objective, value, regret).

    """
    cands = archive.evaluated()
    if not cands:
        return pd.DataFrame(), pd.DataFrame()
    m = np.stack([archive.metrics[c.index] for c in cands])  # candidate, world, obj + 1
    ok = np.isfinite(m).all(axis=(1, 2))
    cost = np.where(ok, np.nanmean(m[:, :, -1], axis=1), np.nan)
    violation = np.where(ok, (cost - settings.budget_pv) / settings.budget_pv, FAILED)
    feasible = ok & (violation <= 0)
    loss = losses(settings.objectives, m)  # candidate, world, objective
    reference = feasible if feasible.any() else ok
    best = (
        np.nanmin(np.where(reference[:, None, None], loss, np.nan), axis=0)
        if reference.any()
        else np.full(loss.shape[1:], np.nan)
    )
    regret = loss - best[None]
    mean_regret = regret.mean(axis=1)
    p90_regret = np.quantile(regret, REGRET_QUANTILE, axis=1)
    rows: dict[str, Any] = {
        "candidate": [c.index for c in cands],
        "generation": [c.generation for c in cands],
        "key": [c.key for c in cands],
    }
    for d in settings.decisions:
        rows[d.address] = [_cell(c.values[d.address]) for c in cands]
    rows["cost_pv"] = cost
    rows["feasible"] = feasible
    rows["violation"] = violation
    for j, o in enumerate(settings.objectives):
        rows[o.name] = np.nanmean(m[:, :, j], axis=1)
        rows[f"{o.name}:mean_regret"] = mean_regret[:, j]
        rows[f"{o.name}:p90_regret"] = p90_regret[:, j]
    table = pd.DataFrame(rows)
    for col, crit in (("on_front", mean_regret), ("on_robust_front", p90_regret)):
        crit = np.column_stack([crit, cost]) if settings.cost_objective else crit
        mask = np.zeros(len(cands), dtype=bool)
        idx = np.flatnonzero(feasible)
        if len(idx):
            mask[idx] = non_dominated(crit[idx])
        table[col] = mask
    long = pd.DataFrame(
        [
            {
                "candidate": c.index,
                "world": w,
                "objective": o.name,
                "value": float(m[i, w, j]),
                "loss": float(loss[i, w, j]),
                "regret": float(regret[i, w, j]),
            }
            for i, c in enumerate(cands)
            for w in range(m.shape[1])
            for j, o in enumerate(settings.objectives)
        ]
    )
    return table, long


def _cell(value: Any) -> Any:
    """A decision value as a table cell: mappings and lists as compact text."""
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return value
