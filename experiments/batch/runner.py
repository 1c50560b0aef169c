"""Run many simulations: tasks in, one stored part per run out, memory bounded, resumable.

A run is a function ``run_fn(task) -> DataFrame`` (index: quarters, one column per indicator)
or a result with ``.timeseries`` (and final labels, kept in the part's metadata);
the default, :func:`simulate_task`, calls :func:`model.run.simulate`, the model's only door.
Any picklable function will do, which is how the machinery is tested without the model.

Seeds: replication ``k`` gets the seed drawn from ``SeedSequence(root).spawn(...)[k]``, the same
in every scenario and design point (common random numbers), so differences between scenarios
are not blurred by different draws.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.executors import Pool
from experiments.batch.identity import check_region_unchanged
from experiments.batch.store import EXPERIMENT_KEY, Store

DESIGN_STREAM = 0xDE51_6E
"""Spawn key of the design sampler's seed (replications use keys 0 to 9,999)."""

WINDOW_PER_SLOT = 2
"""Runs in flight per execution slot: enough to keep workers busy, few enough to bound memory."""

CHECK_SECONDS = 2.0
"""How long to wait for a run to finish before asking the pool whether it is still alive."""


def replication_seed(root: int, k: int) -> int:
    """Seed of replication ``k``: the k-th child of ``SeedSequence(root)``, as a 63-bit integer."""
    state = np.random.SeedSequence(root, spawn_key=(k,)).generate_state(1, dtype=np.uint64)[0]
    return int(state >> np.uint64(1))


def stream_seed(root: int, stream: int) -> int:
    """A 32-bit seed of the named stream ``stream`` (a spawn key) of the root seed."""
    seq = np.random.SeedSequence(root, spawn_key=(stream,))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def design_seed(root: int) -> int:
    """Seed of the design sampler (Latin hypercube, Sobol scrambling, Morris), from the root."""
    return stream_seed(root, DESIGN_STREAM)


@dataclass(frozen=True)
class Task:
    """One run: a scenario, a seed and a size. Small and picklable.

    Attributes:
        run_id: position of the run in the experiments table.
        seed: the run seed.
        replication: index of the seed among the replications.
        scenario: the scenario as a plain mapping (as read from YAML).
        households: simulated households (None: the scenario's).
        quarters: quarters to run (None: to the scenario end).
        inputs: the values that identify the run (recorded if it fails).
        experiment: run hash of the experiment (stamped into the stored part; set by
            :func:`run_tasks` from the store).
        region_sha256: digest of the scenario's region profile when the run was planned; a
            worker refuses the run if the profile has changed since ('' checks nothing).

    """

    run_id: int
    seed: int
    replication: int
    scenario: dict[str, Any]
    households: int | None = None
    quarters: int | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    experiment: str = ""
    region_sha256: str = ""


RunFn = Callable[[Task], Any]


@functools.lru_cache(maxsize=16)
def _loaded(scenario_json: str, region_digest: str = "") -> Any:
    """The loaded scenario, its region profile checked against ``region_digest`` first."""
    from model.loader import scenario_from_dict

    data = json.loads(scenario_json)
    if region_digest:
        check_region_unchanged(str(data.get("region", "")), region_digest)
    return scenario_from_dict(data)


def simulate_task(task: Task) -> Any:
    """Run the model for one task; return its result (time series, final labels and cells).

    The part stores the time series (:func:`part_table`) and, in its metadata, the labels
    with the worst-off group's people count (:func:`run_labels`).
    """
    from model.run import simulate

    loaded = _loaded(json.dumps(task.scenario, sort_keys=True), task.region_sha256)
    return simulate(loaded, seed=task.seed, households=task.households, quarters=task.quarters)


LABELS_KEY = b"inclusim.labels"
"""Schema metadata key of a part: the run's final-quarter labels, JSON (:func:`run_labels`)."""
CELL_DIMENSIONS = ("sex", "age", "location", "quintile", "disability")
"""Columns of a run's cell table, in the order of the worst-off group's label."""
CELLS_KEY = b"inclusim.cells"
"""Schema metadata key of a part: the run's final-quarter cell table (:func:`cells_metadata`)."""


def run_labels(result: Any) -> dict[str, Any]:
    """A run's final-quarter labels (``summary``), with the worst-off group's real people.

    ``worst_internet_use`` names the intersection with the lowest Internet use at the last
    quarter; ``worst_internet_use_people`` is its people count, from the run's cell table.
    Empty for a result without labels (a stand-in model's DataFrame).
    """
    out: dict[str, Any] = dict(getattr(result, "summary", None) or {})
    cells = getattr(result, "cells", None)
    label = out.get("worst_internet_use")
    if label and cells is not None and len(cells):
        from model import groups

        words = [
            ", ".join(groups.short_label(f"{d}={row[d]}") for d in CELL_DIMENSIONS)
            for row in cells[list(CELL_DIMENSIONS)].to_dict("records")
        ]
        match = np.asarray(words) == label
        if match.any():
            out["worst_internet_use_people"] = float(cells.loc[match, "people"].sum())
    return out


@dataclass
class RunOutput:
    """What a worker sends back for one run.

    Attributes:
        run_id: the run.
        part: its stored form (Parquet bytes, see :func:`part_bytes`), or None if it failed.
        error: one-line error, or None.
        traceback: the worker's traceback, or None.
        seconds: time spent in ``run_fn``.
        encode_seconds: time spent encoding its result as Parquet.

    """

    run_id: int
    part: bytes | None
    error: str | None
    traceback: str | None
    seconds: float
    encode_seconds: float = 0.0


def execute(run_fn: RunFn, task: Task) -> RunOutput:
    """Run one task in a worker; never raise (failures come back as data)."""
    start = time.perf_counter()
    ran = start
    try:
        result = run_fn(task)
        ran = time.perf_counter()
        part = part_bytes(result, task)
    except Exception as exc:
        return RunOutput(
            task.run_id,
            None,
            f"{type(exc).__name__}: {exc}",
            traceback.format_exc(),
            time.perf_counter() - start,
        )
    return RunOutput(task.run_id, part, None, None, ran - start, time.perf_counter() - ran)


def part_table(result: Any, task: Task) -> pa.Table:
    """The stored (tidy) form of a run: one row per quarter and indicator.

    Columns: ``run_id``, ``replication``, ``seed``, ``quarter`` and ``indicator`` (both
    dictionary-encoded), ``value``; rows quarter by quarter, indicators in the run's order. The
    schema's metadata holds the experiment's run hash
    (:data:`~experiments.batch.store.EXPERIMENT_KEY`).

    Args:
        result: the run function's DataFrame (index: quarter) or anything with ``.timeseries``.
        task: the task it came from.

    Raises:
        TypeError: the result is not a non-empty table of numbers.

    """
    frame = getattr(result, "timeseries", result)
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise TypeError(f"a run must return a non-empty DataFrame, not {type(frame).__name__}")
    nq, ni = frame.shape
    n = nq * ni
    quarters = pa.array([str(q) for q in frame.index], type=pa.string())
    indicators = pa.array([str(c) for c in frame.columns], type=pa.string())
    return pa.table(
        {
            "run_id": pa.array(np.full(n, task.run_id, dtype=np.int64)),
            "replication": pa.array(np.full(n, task.replication, dtype=np.int32)),
            "seed": pa.array(np.full(n, task.seed, dtype=np.int64)),
            "quarter": pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(np.arange(nq, dtype=np.int32), ni)), quarters
            ),
            "indicator": pa.DictionaryArray.from_arrays(
                pa.array(np.tile(np.arange(ni, dtype=np.int32), nq)), indicators
            ),
            "value": pa.array(frame.to_numpy(dtype=np.float64).reshape(-1)),
        },
        metadata=_part_metadata(result, task),
    )


def _part_metadata(result: Any, task: Task) -> dict[bytes, bytes] | None:
    """A part's schema metadata: the run hash, the run's labels and cell table, if any."""
    meta = {}
    if task.experiment:
        meta[EXPERIMENT_KEY] = task.experiment.encode()
    labels = run_labels(result)
    if labels:
        meta[LABELS_KEY] = json.dumps(labels, sort_keys=True).encode()
    cells = cells_metadata(result)
    if cells:
        meta[CELLS_KEY] = cells
    return meta or None


def cells_metadata(result: Any) -> bytes:
    """A run's final-quarter cell table, compact, for its part's metadata (b"" if none).

    The table of :func:`model.indicators.cell_table` (sex x age band x location x quintile x
    disability: real people and every measure), plus ``persons``: the simulated persons
    behind each cell (real people over the people each simulated person stands for), which
    decides whether a cell is large enough to estimate. Stored as zstd Parquet in base64
    (about 25 kB a run), so the part stays one file written atomically and a stored folder
    answers ``inclusim left-behind`` without rerunning.
    """
    cells = getattr(result, "cells", None)
    frame = getattr(result, "timeseries", None)
    households = getattr(result, "households", None)
    if cells is None or not len(cells) or frame is None or "n_households" not in frame:
        return b""
    weight = float(frame["n_households"].iloc[-1]) / float(households or 1)
    table = cells.assign(persons=cells["people"] / weight if weight > 0 else np.nan)
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), sink, compression="zstd")
    return base64.b64encode(sink.getvalue().to_pybytes())


def cells_from_metadata(raw: bytes) -> pd.DataFrame:
    """The cell table :func:`cells_metadata` stored."""
    return pq.read_table(pa.BufferReader(base64.b64decode(raw))).to_pandas()


def part_bytes(result: Any, task: Task) -> bytes:
    """:func:`part_table` encoded as a Parquet file (made in the worker, written by the parent)."""
    sink = pa.BufferOutputStream()
    pq.write_table(part_table(result, task), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


@dataclass
class Report:
    """What one invocation of :func:`run_tasks` did.

    Attributes:
        total: runs in the experiment.
        skipped: runs already complete before this invocation.
        redone: broken parts found and deleted (their runs were redone).
        done: runs completed by this invocation.
        failed: run ids that raised in this invocation.
        wall_seconds: time from the first submission to the last result.
        run_seconds: time spent inside the run function, summed over runs.
        encode_seconds: time workers spent encoding results, summed over runs.
        parent_seconds: time the parent spent submitting and storing (the first submission,
            which starts the workers, is counted in ``startup_seconds`` instead).
        startup_seconds: time of the first submission (starting local workers).

    """

    total: int
    skipped: int = 0
    redone: int = 0
    done: int = 0
    failed: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0
    run_seconds: float = 0.0
    encode_seconds: float = 0.0
    parent_seconds: float = 0.0
    startup_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Counts and timings for the manifest."""
        return {
            "skipped": self.skipped,
            "redone": self.redone,
            "done": self.done,
            "failed": len(self.failed),
            "wall_seconds": round(self.wall_seconds, 3),
            "run_seconds": round(self.run_seconds, 3),
            "encode_seconds": round(self.encode_seconds, 3),
            "parent_seconds": round(self.parent_seconds, 3),
            "startup_seconds": round(self.startup_seconds, 3),
        }


def run_tasks(
    tasks: Iterable[Task],
    total: int,
    store: Store,
    pool: Pool,
    run_fn: RunFn = simulate_task,
    progress: bool = True,
    check_first: Callable[[int], None] | None = None,
    report: Report | None = None,
) -> Report:
    """Run every task that has no valid part yet; store each result as it arrives.

    At most ``WINDOW_PER_SLOT x pool.slots`` runs are in flight, and each result is written
    and dropped as soon as it arrives, so memory does not grow with the number of runs. A run
    that raises is recorded in the store's failures file and the others go on.

    Args:
        tasks: every run of the experiment, in run-id order (may be a lazy iterator).
        total: number of tasks.
        store: the experiment's store (already opened).
        pool: where to run.
        run_fn: the run function (picklable; default: the model).
        progress: show a progress bar on stderr.
        check_first: called with the run id of the first part stored; may raise to stop
            everything (e.g. an outcome names an indicator the model does not report).
        report: filled in as runs complete (so a caller still has the counts if this raises);
            a new one by default.

    Returns:
        Counts and timings.

    Raises:
        KeyboardInterrupt: after cancelling what had not started; completed parts are kept.
        PoolLostError: the pool can finish no more runs (e.g. the Dask scheduler went away).

    """
    from tqdm import tqdm

    report = report if report is not None else Report(total)
    completed, report.redone = store.completed()
    report.skipped = len(completed)
    stamp = store.run_hash or ""
    todo: Iterator[Task] = (
        dataclasses.replace(t, experiment=stamp) if t.experiment != stamp else t
        for t in tasks
        if t.run_id not in completed
    )
    window = max(WINDOW_PER_SLOT * pool.slots, 1)
    pending: dict[Future, Task] = {}
    checked = check_first is None
    bar = tqdm(
        total=total,
        initial=report.skipped,
        disable=not progress,
        file=sys.stderr,
        unit="run",
        dynamic_ncols=True,
        desc="runs",
    )
    bar.set_postfix(failed=0)
    start = time.perf_counter()

    def fill() -> None:
        t0 = time.perf_counter()
        while len(pending) < window:
            task = next(todo, None)
            if task is None:
                break
            if not pending and not report.startup_seconds:
                pending[pool.executor.submit(execute, run_fn, task)] = task
                report.startup_seconds = time.perf_counter() - t0
                t0 = time.perf_counter()
                continue
            pending[pool.executor.submit(execute, run_fn, task)] = task
        report.parent_seconds += time.perf_counter() - t0

    try:
        fill()
        while pending:
            finished, _ = wait(pending, timeout=CHECK_SECONDS, return_when=FIRST_COMPLETED)
            if not finished:
                pool.check()
                continue
            for fut in finished:
                if fut.cancelled():  # not by us: was the pool lost, or only this run?
                    pool.check()
                task = pending.pop(fut)
                out = _result(fut, task)
                t0 = time.perf_counter()
                report.run_seconds += out.seconds
                report.encode_seconds += out.encode_seconds
                if out.part is None:
                    report.failed.append(task.run_id)
                    store.record_failure(
                        {
                            "run_id": task.run_id,
                            "replication": task.replication,
                            "seed": task.seed,
                            "inputs": task.inputs,
                            "error": out.error,
                            "traceback": out.traceback,
                        }
                    )
                else:
                    store.write_part(task.run_id, out.part)
                    report.done += 1
                    if not checked:
                        checked = True
                        check_first(task.run_id)  # type: ignore[misc]
                report.parent_seconds += time.perf_counter() - t0
                if out.part is None:
                    bar.set_postfix(failed=len(report.failed), refresh=False)
                bar.update(1)
            del finished, fut, out  # each payload is freed as soon as it is stored
            fill()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    finally:
        report.wall_seconds = time.perf_counter() - start
        bar.close()
    return report


def _result(fut: Future, task: Task) -> RunOutput:
    """The run's output; a lost worker or an unpicklable result becomes a recorded failure."""
    try:
        return fut.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:
        return RunOutput(
            task.run_id,
            None,
            f"{type(exc).__name__}: {exc}",
            "".join(traceback.format_exception(exc)),
            0.0,
        )
