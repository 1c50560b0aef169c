"""A sweep spec as an experiment: its design points x paired replications."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.outcomes import check_outcomes, collect_outcomes
from experiments.batch.experiment import BatchOptions, Experiment, check_size, draws_for
from experiments.batch.identity import model_fingerprint, portable, scenario_identity, table_digest
from experiments.batch.runner import design_seed, replication_seed
from experiments.batch.store import Store
from experiments.design.designs import sample
from experiments.design.specs import Spec, spec_record
from model.errors import Problem
from model.yamlio import line_of


def sweep_experiment(
    spec: Spec,
    *,
    households: int | None = None,
    seed: int | None = None,
    options: BatchOptions | None = None,
) -> Experiment:
    """The experiment a sweep spec describes.

    Args:
        spec: the loaded, validated spec.
        households: simulated households per run (None: the spec's).
        seed: root seed (None: the spec's).
        options: the batch options (their ``max_runs`` and parameter draws are used here).

    Raises:
        InputError: too many runs, or a bad parameter ensemble.

    """
    options = options or BatchOptions()
    reps = spec.model.replications
    size = (
        spec.path,
        Problem(
            "design",
            f"{spec.n_points:,} design points x {reps:,} replications",
            "use fewer levels, samples or replications",
            line_of(spec.lines, ("design",)),
        ),
    )
    check_size(spec.n_points * reps, options.max_runs, size)
    households = households or spec.households
    root = spec.model.seed if seed is None else seed
    draws = draws_for(options, reps)
    points = sample(spec.design, spec.inputs, design_seed(root))
    seeds = [replication_seed(root, k) for k in range(reps)]
    table = _experiments_table(points, seeds, draws.columns() if draws else {})
    definition = _definition(spec, households, root)
    if draws:
        definition["parameter_draws"] = draws.definition()
    identity = _identity(spec, definition, table, draws.identity() if draws else None)
    names = list(points.columns)
    rows = list(points.itertuples(index=False, name=None))

    def values_at(p: int) -> dict[str, Any]:
        return dict(zip(names, rows[p], strict=True))

    def inputs_at(p: int) -> dict[str, Any]:
        plain = {k: (v.item() if hasattr(v, "item") else v) for k, v in values_at(p).items()}
        return {"point": p, **plain}

    total = len(points) * reps
    return Experiment(
        kind="sweep",
        name=spec.name,
        n_points=len(points),
        scenario_at=lambda p: spec.scenario_for(values_at(p)),
        inputs_at=inputs_at,
        seeds=seeds,
        households=households,
        quarters=spec.quarters,
        experiments=table,
        definition=definition,
        identity=identity,
        seed=root,
        extra={"spec": spec_record(spec.path, spec.text)},
        size=size,
        draws=draws,
        analyse=lambda store: _write_outcomes(store, spec, total),
        check_first=lambda store, run_id: check_outcomes(spec, store.read_part(run_id)),
    )


def _write_outcomes(store: Store, spec: Spec, total: int) -> dict[str, pd.DataFrame]:
    outcomes = collect_outcomes(store, spec, total)
    store.write_table("outcomes", outcomes)
    return {"outcomes": outcomes}


def _experiments_table(
    points: pd.DataFrame, seeds: list[int], draw_columns: dict[str, list[Any]]
) -> pd.DataFrame:
    """One row per run: design point, replication, seed, the inputs (and drawn parameters)."""
    reps, n_points = len(seeds), len(points)
    table = pd.DataFrame(
        {
            "run_id": np.arange(n_points * reps, dtype=np.int64),
            "point": np.repeat(np.arange(n_points, dtype=np.int64), reps),
            "replication": np.tile(np.arange(reps, dtype=np.int32), n_points),
            "seed": np.tile(np.array(seeds, dtype=np.int64), n_points),
        }
    )
    for col in points.columns:
        table[col] = np.repeat(points[col].to_numpy(), reps)
    for col, values in draw_columns.items():
        table[col] = np.tile(np.array(values), n_points)
    return table


def _definition(spec: Spec, households: int, root: int) -> dict[str, Any]:
    return {
        "kind": "sweep",
        "base": portable(spec.base),
        "design": dataclasses.asdict(spec.design),
        "inputs": [dataclasses.asdict(i) for i in spec.inputs],
        "replications": spec.model.replications,
        "seed": root,
        "households": households,
        "quarters": spec.quarters,
        "outcomes": [dataclasses.asdict(o) for o in spec.outcomes],
    }


def _identity(
    spec: Spec, definition: dict[str, Any], table: pd.DataFrame, draws: dict[str, Any] | None
) -> dict[str, Any]:
    base = scenario_identity(spec.base)
    identity = {
        **{k: v for k, v in definition.items() if k not in ("outcomes", "base", "parameter_draws")},
        "base": base["scenario"],
        "region": base["region"],
        "region_sha256": base["region_sha256"],
        "experiments": table_digest(table),
        "model": model_fingerprint(),
    }
    if draws:
        identity["parameter_draws"] = draws
    return identity
