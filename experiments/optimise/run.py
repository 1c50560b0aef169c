"""Run an optimise spec: candidates x worlds on the local pool or Dask, stored and resumable.

Every evaluation is one run in the experiment's store (:class:`~experiments.batch.store.Store`,
the sweeps' store): run ``candidate x n_worlds + world``. A candidate's index is fixed by its
key (the digest of its decision values) in ``candidates.parquet``, written *before* its runs
start, so a rerun of the same command, or of the same spec with another budget, objectives or
search size, finds the same mix under the same index and reuses its stored runs.
"""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.batch.executors import PoolLostError
from experiments.batch.experiment import BatchOptions, RunFailedError
from experiments.batch.identity import (
    RegionDigests,
    digest,
    model_fingerprint,
    portable,
    scenario_identity,
)
from experiments.batch.runner import Report, RunFn, Task, run_tasks, simulate_task
from experiments.batch.store import Store, folder_lock
from experiments.design.specs import spec_record
from experiments.optimise.search import Archive, Candidate, Settings, score, search
from experiments.optimise.spec import OptimiseSpec

KIND = "optimise"
"""The manifest's kind of an optimise folder."""

COST_PREFIX = "spend_pv:"
"""The ledger's present-value indicators; their sum at the last quarter is a run's cost."""


@dataclass
class Optimised:
    """A finished (or resumed) search.

    Attributes:
        store: the experiment's store.
        archive: every candidate and its evaluation.
        table: one row per evaluated candidate (:func:`~experiments.optimise.search.score`),
            with ``description``.
        regret: candidate x world x objective values and regrets.
        report: runs done, skipped and failed by this invocation.

    """

    store: Store
    archive: Archive
    table: pd.DataFrame
    regret: pd.DataFrame
    report: Report


def settings_of(spec: OptimiseSpec, seed: int | None = None) -> Settings:
    """The search settings of a spec (``seed`` overrides the spec's root seed)."""
    m = spec.model
    return Settings(
        spec.decisions,
        spec.objectives,
        m.budget_pv,
        len(spec.worlds),
        m.search.population,
        m.search.generations,
        m.seed if seed is None else seed,
        m.cost_objective,
    )


def identity_of(spec: OptimiseSpec, households: int, seed: int) -> dict[str, Any]:
    """What the stored runs depend on (not the budget, objectives or search size)."""
    base = scenario_identity(spec.base)
    return {
        "kind": KIND,
        "base": base["scenario"],
        "region": base["region"],
        "region_sha256": base["region_sha256"],
        "decisions": [d.address for d in spec.decisions],
        "worlds": [[w.seed, w.draw] for w in spec.worlds],
        "ensemble_sha256": spec.ensemble_sha256,
        "households": households,
        "quarters": spec.quarters,
        "seed": seed,
        "model": model_fingerprint(),
    }


def optimise(
    spec: OptimiseSpec,
    options: BatchOptions | None = None,
    *,
    households: int | None = None,
    seed: int | None = None,
    run_fn: RunFn = simulate_task,
    on_generation: Any = None,
) -> Optimised:
    """Search the spec's mixes; store every run; write the candidate tables.

    Args:
        spec: the loaded spec (its worlds were drawn with ``seed``, if given).
        options: where to run, output folder, progress bar.
        households: simulated households per run (None: the spec's).
        seed: root seed (None: the spec's).
        run_fn: runs one task (tests inject a fake).
        on_generation: called with (generation, archive) after each generation.

    Raises:
        InputError: bad options or a folder holding another experiment.
        RunFailedError: a worker died or the cluster went away; completed runs are kept.

    """
    from experiments.batch.executors import open_pool

    options = options or BatchOptions()
    options.check()
    households = households or spec.households
    root = spec.model.seed if seed is None else seed
    settings = settings_of(spec, root)
    identity = identity_of(spec, households, root)
    run_hash = digest(identity)
    store = Store(options.folder(spec.name))
    n_worlds = len(spec.worlds)
    report = Report(0)
    regions = RegionDigests()
    with folder_lock(store.folder):
        store.check_owner(run_hash, identity)
        known = _known_candidates(store)
        runs = _runs_table(spec, known)
        with open_pool(options.workers, options.scheduler) as pool:
            store.open(
                KIND,
                spec.name,
                _definition(spec, households, root),
                run_hash,
                runs,
                root,
                extra={"spec": spec_record(spec.path, spec.text)},
                identity=identity,
            )
            store.invocation["executor"] = pool.label
            archive_ref: list[Archive] = []

            def evaluate(new: list[Candidate]) -> np.ndarray:
                everyone = archive_ref[0].candidates if archive_ref else [*known, *new]
                _write_candidates(store, spec, everyone, new)
                tasks = [
                    _task(spec, c, w, households, regions) for c in new for w in range(n_worlds)
                ]
                done = store.done_ids()
                ids = {t.run_id for t in tasks}
                sub = Report(len(done | ids))
                try:
                    run_tasks(tasks, sub.total, store, pool, run_fn, not options.quiet, report=sub)
                finally:
                    _add(report, sub, reused=len(ids & done))
                return np.stack([_metrics(store, spec, c) for c in new])

            def generation(g: int, archive: Archive) -> None:
                if not archive_ref:
                    archive_ref.append(archive)
                if on_generation is not None:
                    on_generation(g, archive)

            # The archive exists only once search() starts; evaluate() first sees it through
            # the candidates it is given, so the first table written holds known + new.
            try:
                archive = search(settings, evaluate, known, generation)
            except KeyboardInterrupt:
                store.finish("interrupted", sorted(store.done_ids()), report.as_dict())
                raise
            except (BrokenProcessPool, PoolLostError) as exc:
                store.finish("failed", sorted(store.done_ids()), report.as_dict())
                raise RunFailedError(
                    f"{str(exc).rstrip('.') or 'a worker process died'}; completed runs are "
                    "kept. Fix: run the "
                    "same command again to finish (it reuses every stored run)."
                ) from None
        table, regret = score(settings, archive)
        if len(table):
            table.insert(3, "description", [describe_row(spec, c) for c in _rows(archive, table)])
        store.manifest["runs"] = len(archive.metrics) * n_worlds
        store.write_table("candidates", _candidates_frame(spec, archive.candidates))
        store.write_table("experiments", _runs_table(spec, archive.candidates))
        store.write_table("pareto", table)
        store.write_table("regret", regret)
        store.manifest["generation_seconds"] = [round(s, 3) for s in archive.generation_seconds]
        status = "failed" if report.failed else "complete"
        store.finish(status, sorted(range(len(archive.candidates) * n_worlds)), report.as_dict())
    return Optimised(store, archive, table, regret, report)


def _add(total: Report, part: Report, reused: int) -> None:
    """Add one generation's counts; ``reused``: its runs found in the store."""
    total.skipped += reused
    total.done += part.done
    total.redone += part.redone
    total.failed += part.failed
    total.wall_seconds += part.wall_seconds
    total.run_seconds += part.run_seconds


def _task(
    spec: OptimiseSpec, c: Candidate, w: int, households: int, regions: RegionDigests
) -> Task:
    """Candidate ``c`` in world ``w``, checked against its region as the search found it."""
    from experiments.analysis.ensemble import with_draw

    world = spec.worlds[w]
    scenario = spec.scenario_for(c.values)
    if world.parameters:
        scenario = with_draw(scenario, world.parameters)
    return Task(
        c.index * len(spec.worlds) + w,
        world.seed,
        world.index,
        scenario,
        households,
        spec.quarters,
        {"candidate": c.index, "world": w, "draw": world.draw},
        region_sha256=regions[str(scenario.get("region", ""))],
    )


def _metrics(store: Store, spec: OptimiseSpec, c: Candidate) -> np.ndarray:
    """Objective values and PV cost of a candidate in every world (NaN rows for failed runs)."""
    out = np.full((len(spec.worlds), len(spec.objectives) + 1), np.nan)
    for w in range(len(spec.worlds)):
        run_id = c.index * len(spec.worlds) + w
        try:
            ts = store.read_part(run_id)
        except (OSError, ValueError):
            continue
        for j, o in enumerate(spec.objectives):
            if o.indicator in ts.columns:
                row = ts.loc[o.quarter] if o.quarter else ts.iloc[-1]
                out[w, j] = float(row[o.indicator])
        costs = [col for col in ts.columns if col.startswith(COST_PREFIX)]
        out[w, -1] = float(ts[costs].iloc[-1].sum()) if costs else 0.0
    return out


def _known_candidates(store: Store) -> list[Candidate]:
    """Candidates an earlier invocation stored (index, key, values), in index order."""
    path = store.folder / "candidates.parquet"
    if not path.exists():
        return []
    frame = pd.read_parquet(path)
    return [
        Candidate(int(r.candidate), str(r.key), json.loads(r.values_json), int(r.generation))
        for r in frame.sort_values("candidate").itertuples(index=False)
    ]


def _candidates_frame(spec: OptimiseSpec, cands: list[Candidate]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "candidate": [c.index for c in cands],
            "key": [c.key for c in cands],
            "generation": [c.generation for c in cands],
            "values_json": [json.dumps(c.values, sort_keys=True) for c in cands],
        }
    )


def _write_candidates(
    store: Store, spec: OptimiseSpec, everyone: list[Candidate], new: list[Candidate]
) -> None:
    """Fix the new candidates' indexes on disk before any of their runs is stored."""
    by_index = {c.index: c for c in everyone}
    by_index.update({c.index: c for c in new})
    cands = [by_index[k] for k in sorted(by_index)]
    store.write_table("candidates", _candidates_frame(spec, cands), csv=False)


def _runs_table(spec: OptimiseSpec, cands: list[Candidate]) -> pd.DataFrame:
    """One row per run: run_id, candidate, world, replication, seed, draw."""
    rows = [
        {
            "run_id": c.index * len(spec.worlds) + w.index,
            "candidate": c.index,
            "world": w.index,
            "replication": w.replication,
            "seed": w.seed,
            "draw": -1 if w.draw is None else w.draw,
        }
        for c in cands
        for w in spec.worlds
    ]
    columns = ["run_id", "candidate", "world", "replication", "seed", "draw"]
    return pd.DataFrame(rows, columns=columns).astype("int64")


def _definition(spec: OptimiseSpec, households: int, root: int) -> dict[str, Any]:
    m = spec.model
    return {
        "kind": KIND,
        "label": m.label,
        "description": m.description,
        "base": portable(spec.base),
        "decisions": [dataclasses.asdict(d) for d in spec.decisions],
        "objectives": [dataclasses.asdict(o) for o in spec.objectives],
        "budget_pv": m.budget_pv,
        "cost_objective": m.cost_objective,
        "worlds": [dataclasses.asdict(w) for w in spec.worlds],
        "population": m.search.population,
        "generations": m.search.generations,
        "households": households,
        "quarters": spec.quarters,
        "seed": root,
    }


def _rows(archive: Archive, table: pd.DataFrame) -> list[Candidate]:
    return [archive.candidates[int(i)] for i in table["candidate"]]


def describe_row(spec: OptimiseSpec, c: Candidate) -> str:
    """A candidate's mix in words (:func:`experiments.optimise.words.describe_mix`)."""
    from experiments.optimise.words import describe_mix

    return describe_mix(spec.scenario_for(c.values), [d.address for d in spec.decisions])


def folder_of(spec: OptimiseSpec, options: BatchOptions) -> Path:
    """The output folder of a spec's search."""
    return options.folder(spec.name)
