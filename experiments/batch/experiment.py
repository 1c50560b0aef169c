"""One runner for every batch experiment: scenarios at design points x paired replications.

A comparison is a sweep over one categorical input, the scenario (as in EMA Workbench): both
are an :class:`Experiment` (built by :mod:`experiments.design.comparison` or
:mod:`experiments.design.sweep`) and both run through :func:`run_experiment`, which locks
the output folder, checks it may be reused, runs the missing runs on the local pool or a
Dask cluster, records the invocation and hands the finished store to the experiment's
analysis.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.batch.executors import (
    Pool,
    PoolLostError,
    check_address,
    check_workers,
    open_pool,
)
from experiments.batch.identity import RegionDigests, digest
from experiments.batch.runner import Report, RunFn, Task, run_tasks, simulate_task
from experiments.batch.store import Store, folder_lock, safe_name
from model.errors import InputError, Problem, printable

MAX_RUNS = 100_000
"""Most runs a compare or sweep starts unless ``max_runs`` allows more: beyond it the tables
alone take tens of MB and the runs days; the spec's own hard limit is
:data:`experiments.design.specs.MAX_RUNS`."""

OUTPUTS = Path("outputs")
"""Folder, relative to the working folder, where experiments land by default."""


class RunFailedError(Exception):
    """The runs stopped for a reason that is not the user's input.

    A worker died or the cluster went away; completed runs are kept and the same command
    finishes the rest.
    """


@dataclasses.dataclass(frozen=True)
class BatchOptions:
    """Where and how an experiment's runs are executed, and which parameters they draw.

    Attributes:
        workers: local worker processes (None: one per core).
        scheduler: address of a Dask scheduler (None: the local pool).
        out: output folder (None: ``outputs/<experiment name>``).
        quiet: no progress bar.
        max_runs: refuse to start more runs than this.
        parameter_draws: draw the behavioural parameters from the first K ensemble sets.
        ensemble: the parameter ensemble file (None: the shipped one).

    """

    workers: int | None = None
    scheduler: str | None = None
    out: str | Path | None = None
    quiet: bool = False
    max_runs: int = MAX_RUNS
    parameter_draws: int | None = None
    ensemble: str | Path | None = None

    @classmethod
    def from_args(cls, args: Any) -> BatchOptions:
        """The options of a parsed command line (a namespace built in code may lack some)."""
        fields = {f.name: f.default for f in dataclasses.fields(cls)}
        return cls(**{name: getattr(args, name, default) for name, default in fields.items()})

    def check(self) -> None:
        """Refuse too many local workers or a malformed scheduler address before any work."""
        check_workers(self.workers)
        if self.scheduler is not None:
            check_address(self.scheduler)

    def folder(self, default_name: str) -> Path:
        """The output folder: ``out``, or ``outputs/<default_name>``."""
        return Path(self.out) if self.out else OUTPUTS / safe_name(default_name)


@dataclasses.dataclass(frozen=True)
class Draws:
    """The parameter sets drawn for an experiment's replications (``--parameter-draws``).

    Attributes:
        ensemble: the loaded, checked ensemble.
        k: sets drawn (the first ``k`` rows of the file).
        ids: the draw id used by each replication.
        values: the parameter values used by each replication.

    """

    ensemble: Any
    k: int
    ids: list[int]
    values: list[dict[str, float]]

    def columns(self) -> dict[str, list[Any]]:
        """Columns of the experiments table, one value per replication: ``draw``, ``draw:<p>``."""
        out: dict[str, list[Any]] = {"draw": self.ids}
        for name in self.ensemble.parameters:
            out[f"draw:{name}"] = [v[name] for v in self.values]
        return out

    def identity(self) -> dict[str, Any]:
        """What the runs depend on: the ensemble file's bytes and ``k``."""
        return {"draws": self.k, "ensemble_sha256": self.ensemble.sha256}

    def definition(self) -> dict[str, Any]:
        """The draws as recorded in the manifest (read by the report)."""
        return {
            **self.identity(),
            "file": str(self.ensemble.path),
            "parameters": list(self.ensemble.parameters),
            "rule": "replication r uses set r mod draws; the scenario's own parameters win",
        }

    def scenario(self, scenario: dict[str, Any], k: int) -> dict[str, Any]:
        """The scenario replication ``k`` runs: with its drawn parameters."""
        from experiments.analysis.ensemble import with_draw

        return with_draw(scenario, self.values[k])


def draws_for(options: BatchOptions, reps: int) -> Draws | None:
    """The draws asked for by ``options.parameter_draws``, checked before anything is written.

    Raises:
        InputError: the ensemble file is missing, broken or stale, or K is larger than it.

    """
    k = options.parameter_draws
    if k is None:
        return None
    from experiments.analysis.ensemble import check_draws, load_ensemble

    ensemble = load_ensemble(options.ensemble)
    check_draws(ensemble, k)
    chosen = [ensemble.draw(r, k) for r in range(reps)]
    return Draws(ensemble, k, [c[0] for c in chosen], [c[1] for c in chosen])


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A designed experiment: every design point's scenario x the same paired seeds.

    Attributes:
        kind: ``compare`` or ``sweep`` (how the results are read back).
        name: the experiment's name (the default output folder).
        n_points: design points (scenarios of a comparison).
        scenario_at: the scenario mapping run at a design point.
        inputs_at: the inputs recorded with each run of a design point.
        seeds: the seed of each replication, the same at every point.
        households: simulated households per run.
        quarters: quarters each run keeps (None: all).
        experiments: the experiments table, one row per run.
        definition: what the manifest records (read by the report).
        identity: what the results depend on; a folder holding other results is refused.
        seed: the root seed.
        extra: more manifest fields (the input files' text).
        size: where the number of runs comes from, for the ``max_runs`` message.
        draws: the parameter draws, if any.
        check_first: called with the store and the first finished run's id (to refuse a
            spec that names an indicator the runs do not have before all runs are spent).
        analyse: writes the experiment's tables from the finished store and returns them
            (None when no run completed).

    """

    kind: str
    name: str
    n_points: int
    scenario_at: Callable[[int], dict[str, Any]]
    inputs_at: Callable[[int], dict[str, Any]]
    seeds: list[int]
    households: int
    quarters: tuple[str, ...] | None
    experiments: pd.DataFrame
    definition: dict[str, Any]
    identity: dict[str, Any]
    seed: int
    extra: dict[str, Any]
    size: tuple[str, Problem]
    draws: Draws | None
    analyse: Callable[[Store], dict[str, pd.DataFrame] | None]
    check_first: Callable[[Store, int], None] | None = None

    @property
    def total(self) -> int:
        """Runs in all: design points x replications."""
        return self.n_points * len(self.seeds)

    def tasks(self) -> Iterator[Task]:
        """Every run, point by point, replication by replication (run ids in that order)."""
        reps = len(self.seeds)
        regions = RegionDigests()
        for p in range(self.n_points):
            scenario, inputs = self.scenario_at(p), self.inputs_at(p)
            for k, seed in enumerate(self.seeds):
                drawn = {"draw": self.draws.ids[k]} if self.draws else {}
                yield Task(
                    p * reps + k,
                    int(seed),
                    k,
                    self.draws.scenario(scenario, k) if self.draws else scenario,
                    self.households,
                    self.quarters,
                    {**inputs, **drawn},
                    region_sha256=regions[str(scenario.get("region", ""))],
                )


@dataclasses.dataclass(frozen=True)
class Finished:
    """An experiment after :func:`run_experiment`: its store, what ran, its tables."""

    store: Store
    report: Report
    tables: dict[str, pd.DataFrame] | None


def check_size(runs: int, limit: int, size: tuple[str, Problem]) -> None:
    """Refuse more runs than ``limit``; ``size`` says where they come from.

    Raises:
        InputError: naming the file (or option) and key that set the number of runs.

    """
    if runs <= limit:
        return
    where, problem = size
    raise InputError(
        where,
        [
            Problem(
                problem.path,
                f"{problem.message} is {runs:,} runs, more than --max-runs {limit:,}"
                + (" (the default)." if limit == MAX_RUNS else "."),
                f"{problem.fix}, or pass --max-runs {runs} if you mean it.",
                problem.line,
            )
        ],
    )


def run_experiment(
    exp: Experiment,
    options: BatchOptions,
    run_fn: RunFn = simulate_task,
) -> Finished:
    """Run what is missing of an experiment and write its tables.

    The folder is locked, checked to hold this experiment (or nothing), and the pool opened
    (a Dask scheduler reached) before anything is written, so a refused folder or an
    unreachable scheduler leaves nothing behind.

    Args:
        exp: the designed experiment.
        options: where and how to run.
        run_fn: runs one task (tests inject a fake).

    Raises:
        InputError: bad options, too many runs, or a folder holding other results.
        RunFailedError: a worker died or the cluster went away; completed runs are kept.

    """
    options.check()
    check_size(exp.total, options.max_runs, exp.size)
    run_hash = digest(exp.identity)
    store = Store(options.folder(exp.name))
    with folder_lock(store.folder):
        store.check_owner(run_hash, exp.identity)
        with open_pool(options.workers, options.scheduler) as pool:
            store.open(
                exp.kind,
                exp.name,
                exp.definition,
                run_hash,
                exp.experiments,
                exp.seed,
                extra=exp.extra,
                identity=exp.identity,
            )
            report = _execute(store, pool, exp, options, run_fn)
        return Finished(store, report, exp.analyse(store))


def _execute(
    store: Store, pool: Pool, exp: Experiment, options: BatchOptions, run_fn: RunFn
) -> Report:
    """Run the tasks on the open pool; record the outcome of this invocation."""
    run_ids = range(exp.total)
    report = Report(exp.total)
    store.invocation["executor"] = pool.label
    check_first = (lambda r: exp.check_first(store, r)) if exp.check_first else None
    try:
        run_tasks(
            exp.tasks(),
            exp.total,
            store,
            pool,
            run_fn,
            progress=not options.quiet,
            check_first=check_first,
            report=report,
        )
    except KeyboardInterrupt:
        store.finish("interrupted", run_ids, report.as_dict())
        raise
    except BrokenProcessPool:
        store.finish("failed", run_ids, report.as_dict())
        raise RunFailedError(
            "a worker process died (out of memory?). Completed runs are kept; run the "
            "same command again to finish."
        ) from None
    except PoolLostError as exc:
        store.finish("failed", run_ids, report.as_dict())
        raise RunFailedError(
            f"{printable(str(options.scheduler))}: {exc}; completed runs are kept. Fix: run the "
            "same command again, on a working cluster or without --scheduler, to finish."
        ) from None
    except InputError:
        store.finish("stopped", run_ids, report.as_dict())
        raise
    except OSError:  # results cannot be stored (disk full, folder gone): keep what is done
        with contextlib.suppress(OSError):
            store.finish("failed", run_ids, report.as_dict())
        raise
    store.finish("failed" if report.failed else "complete", run_ids, report.as_dict())
    return report


def failures_text(report: Report, store: Store) -> str | None:
    """What failed in this invocation, grouped by first error line (None: nothing failed)."""
    if not report.failed:
        return None
    failures = store.failures()
    lines = [f"{len(failures)} runs failed (inputs and tracebacks in {store.failures_path}):"]
    by_error: dict[str, list[int]] = {}
    for f in failures:
        first = str(f["error"]).splitlines()[0] if f["error"] else "unknown error"
        by_error.setdefault(first, []).append(f["run_id"])
    for error, ids in sorted(by_error.items(), key=lambda kv: -len(kv[1]))[:5]:
        shown = ", ".join(map(str, sorted(ids)[:8])) + (", ..." if len(ids) > 8 else "")
        lines.append(f"  {len(ids)} x {printable(error)} (runs {shown})")
    if len(by_error) > 5:
        lines.append(f"  ... and {len(by_error) - 5} other errors.")
    lines.append("Run the same command again to retry them.")
    return "\n".join(lines)


def print_runs(report: Report, store: Store) -> bool:
    """Print what this invocation did and its failures; return whether all runs succeeded."""
    print(
        f"runs: {report.total} in all; {report.done} done now, {report.skipped} done before"
        + (f", {report.redone} broken parts redone" if report.redone else "")
        + f", {len(report.failed)} failed."
    )
    text = failures_text(report, store)
    if text:
        print(text, file=sys.stderr)
    return text is None
