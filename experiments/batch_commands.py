"""Sub-commands that run many simulations: compare, sweep, analyse.

``compare`` runs scenarios with paired seeds and tabulates each against the baseline;
``sweep`` runs a spec's design; ``analyse`` computes sensitivity indices of a finished sweep.
Each handler has a ``run_*`` twin that takes the run function, so tests can inject one.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import hashlib
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.cli import EXIT_FAILED, EXIT_OK, command
from experiments.designs import MAIN_MEASURE, Design, Input, analyse, sample
from experiments.executors import (
    MAX_WORKERS_PER_CORE,
    Pool,
    PoolLostError,
    check_address,
    check_workers,
    open_pool,
)
from experiments.identity import model_fingerprint, portable, scenario_identity, table_digest
from experiments.runner import (
    Report,
    RunFn,
    Task,
    design_seed,
    replication_seed,
    run_tasks,
    simulate_task,
)
from experiments.specs import MAX_REPLICATIONS
from experiments.stats import STATS, describe, ratio_of_means, summary_frame
from experiments.store import (
    RERUN,
    Store,
    digest,
    experiment_manifest,
    folder_lock,
    output_errors,
    read_frame,
    safe_name,
)
from experiments.tables import format_table
from model.calendar import Quarter
from model.errors import InputError, Problem, did_you_mean, printable
from model.loader import load_scenario, resolve_region
from model.yamlio import line_of, read_yaml

HEADLINE = (
    "share_internet_use",
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_disability_internet_use",
    "share_meaningful",
    "gini_income",
    "n_people_internet_use",
)
"""Indicators printed by ``compare`` (those the model does not report are skipped)."""

CONNECTED = "n_households_connected"
"""Indicator counting connected households (real, weighted), for cost-effectiveness."""

SPEND_PREFIX = "spend:"
"""Prefix of the indicators holding a policy's cumulative spending (US$)."""

DEFAULT_REPLICATIONS = 10

MAX_RUNS = 100_000
"""Most runs a compare or sweep starts unless ``--max-runs`` allows more: beyond it the tables
alone take tens of MB and the runs days; the spec's own hard limit is
:data:`experiments.specs.MAX_RUNS`."""

OUTPUTS = Path("outputs")
"""Folder, relative to the working folder, where experiments land by default."""


def add_parsers(
    sub: argparse._SubParsersAction, positive_int: Callable[[str], int], seed: Callable[[str], int]
) -> None:
    """Add the parsers of this module's sub-commands."""

    def executor_args(p: argparse.ArgumentParser) -> None:
        where = p.add_mutually_exclusive_group()
        where.add_argument(
            "--workers",
            metavar="W",
            type=positive_int,
            default=None,
            help=f"local worker processes (default: one per core; at most "
            f"{MAX_WORKERS_PER_CORE} per core)",
        )
        where.add_argument(
            "--scheduler",
            metavar="ADDRESS",
            default=None,
            help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs inclusim[cluster])",
        )
        p.add_argument(
            "--out", metavar="DIR", default=None, help="output folder (default: outputs/<name>)"
        )
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument(
            "--max-runs",
            metavar="N",
            type=positive_int,
            default=MAX_RUNS,
            help=f"refuse to start more runs than this (default {MAX_RUNS:,})",
        )

    def draws_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--parameter-draws",
            metavar="K",
            type=positive_int,
            default=None,
            help="draw the behavioural parameters from the first K sets of the parameter "
            "ensemble, so bands include parameter uncertainty: replication r uses set r mod K, "
            "the same in every scenario and design point; a parameter the scenario (or the "
            "design) sets itself keeps its value (default: no draws, model/params.py defaults)",
        )
        p.add_argument(
            "--ensemble",
            metavar="FILE",
            default=None,
            help="parameter ensemble for --parameter-draws (default: "
            "scenarios/parameter_ensemble.csv; make one with inclusim calibrate --fit-ensemble)",
        )

    c = sub.add_parser(
        "compare", help="run scenarios with paired seeds and compare each to the first"
    )
    c.add_argument("baseline", metavar="BASELINE.yaml")
    c.add_argument("others", nargs="*", metavar="OTHER.yaml")
    c.add_argument(
        "--replications",
        metavar="R",
        type=positive_int,
        default=DEFAULT_REPLICATIONS,
        help=f"seeds per scenario (default {DEFAULT_REPLICATIONS}, at most {MAX_REPLICATIONS:,})",
    )
    c.add_argument(
        "--households",
        metavar="N",
        type=positive_int,
        default=None,
        help="simulated households per run (default: the baseline's)",
    )
    c.add_argument(
        "--quarter",
        metavar="YYYYQn",
        type=_quarter,
        default=None,
        help="quarter of the table, e.g. 2030Q4 (default: the last one)",
    )
    c.add_argument("--seed", metavar="ROOT", type=seed, default=0, help="root seed (default 0)")
    draws_args(c)
    c.add_argument(
        "--no-report",
        action="store_true",
        help="do not write figures, exports and report.html (make them later: inclusim report DIR)",
    )
    executor_args(c)

    s = sub.add_parser("sweep", help="run the design of a sweep spec")
    s.add_argument("spec", metavar="SPEC.yaml")
    s.add_argument(
        "--households",
        metavar="N",
        type=positive_int,
        default=None,
        help="simulated households per run (default: the spec's)",
    )
    s.add_argument(
        "--seed", metavar="ROOT", type=seed, default=None, help="root seed (default: the spec's)"
    )
    draws_args(s)
    executor_args(s)

    a = sub.add_parser("analyse", help="sensitivity indices of a finished sweep")
    a.add_argument("folder", metavar="DIR")


def _quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# -- shared --------------------------------------------------------------------------------


def _folder(out: str | None, default_name: str) -> Path:
    if out:
        return Path(out)
    return OUTPUTS / safe_name(default_name)


def _check_executor(args: argparse.Namespace) -> None:
    """Refuse too many local workers or a malformed scheduler address before any work."""
    check_workers(args.workers)
    if args.scheduler is not None:
        check_address(args.scheduler)


def _check_runs(runs: int, args: argparse.Namespace, where: str, problem: Problem) -> None:
    """Refuse more runs than ``--max-runs``; ``problem`` says where they come from."""
    limit = getattr(args, "max_runs", MAX_RUNS)  # a Namespace built in code may lack it
    if runs <= limit:
        return
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


def _draws(args: argparse.Namespace, reps: int) -> Draws | None:
    """The draws asked for by ``--parameter-draws``, checked before anything is written.

    Raises:
        InputError: the ensemble file is missing, broken or stale, or K is larger than it.

    """
    k = getattr(args, "parameter_draws", None)
    if k is None:
        return None
    from experiments.ensemble import check_draws, load_ensemble

    ensemble = load_ensemble(getattr(args, "ensemble", None))
    check_draws(ensemble, k)
    chosen = [ensemble.draw(r, k) for r in range(reps)]
    return Draws(ensemble, k, [c[0] for c in chosen], [c[1] for c in chosen])


def _with_draw(scenario: dict[str, Any], draws: Draws | None, k: int) -> dict[str, Any]:
    """The scenario replication ``k`` runs: with its drawn parameters, if any."""
    if draws is None:
        return scenario
    from experiments.ensemble import with_draw

    return with_draw(scenario, draws.values[k])


def _scenario_data(path: str) -> dict[str, Any]:
    """A scenario file's mapping, its region path made absolute so workers find it anywhere."""
    data, _ = read_yaml(path)
    region = str(data.get("region", ""))
    if region.endswith((".yaml", ".yml")) or "/" in region:
        data["region"] = str(resolve_region(region, Path(path).parent).resolve())
    return data


def _execute(
    store: Store,
    pool: Pool,
    tasks: Iterator[Task],
    total: int,
    args: argparse.Namespace,
    run_fn: RunFn,
    check_first: Callable[[int], None] | None = None,
) -> Report:
    """Run the tasks on the open pool; record the outcome of this invocation."""
    run_ids = range(total)
    report = Report(total)
    store.invocation["executor"] = pool.label
    try:
        run_tasks(
            tasks,
            total,
            store,
            pool,
            run_fn,
            progress=not args.quiet,
            check_first=check_first,
            report=report,
        )
    except KeyboardInterrupt:
        store.finish("interrupted", run_ids, report.as_dict())
        raise
    except BrokenProcessPool:
        store.finish("failed", run_ids, report.as_dict())
        print(
            "error: a worker process died (out of memory?). Completed runs are kept; run the "
            "same command again to finish.",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_FAILED) from None
    except PoolLostError as exc:
        store.finish("failed", run_ids, report.as_dict())
        print(
            f"error: {printable(args.scheduler)}: {exc}; completed runs are kept. Fix: run the "
            "same command again, on a working cluster or without --scheduler, to finish.",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_FAILED) from None
    except InputError:
        store.finish("stopped", run_ids, report.as_dict())
        raise
    except OSError:  # results cannot be stored (disk full, folder gone): keep what is done
        with contextlib.suppress(OSError):
            store.finish("failed", run_ids, report.as_dict())
        raise
    store.finish("failed" if report.failed else "complete", run_ids, report.as_dict())
    return report


@contextlib.contextmanager
def _writing(
    store: Store, run_hash: str, identity: dict[str, Any], args: argparse.Namespace
) -> Iterator[Pool]:
    """Lock the folder, check it may be reused, then open the pool; release all on exit.

    The pool is opened (a Dask scheduler reached) before anything is written, so a refused
    folder or an unreachable scheduler leaves nothing behind.
    """
    with folder_lock(store.folder):
        store.check_owner(run_hash, identity)
        with open_pool(args.workers, args.scheduler) as pool:
            yield pool


def _storing(fn: Callable[..., int]) -> Callable[..., int]:
    """Report a failure to write the results as one message (see :func:`output_errors`)."""

    @functools.wraps(fn)
    def wrapped(args: argparse.Namespace, run_fn: RunFn = simulate_task) -> int:
        with output_errors(args.out or OUTPUTS):
            return fn(args, run_fn)

    return wrapped


def _report_runs(report: Report, store: Store) -> int:
    """Print what this invocation did and the failures; return the exit status."""
    print(
        f"runs: {report.total} in all; {report.done} done now, {report.skipped} done before"
        + (f", {report.redone} broken parts redone" if report.redone else "")
        + f", {len(report.failed)} failed."
    )
    if not report.failed:
        return EXIT_OK
    failures = store.failures()
    print(
        f"{len(failures)} runs failed (inputs and tracebacks in {store.failures_path}):",
        file=sys.stderr,
    )
    by_error: dict[str, list[int]] = {}
    for f in failures:
        first = str(f["error"]).splitlines()[0] if f["error"] else "unknown error"
        by_error.setdefault(first, []).append(f["run_id"])
    for error, ids in sorted(by_error.items(), key=lambda kv: -len(kv[1]))[:5]:
        shown = ", ".join(map(str, sorted(ids)[:8])) + (", ..." if len(ids) > 8 else "")
        print(f"  {len(ids)} x {printable(error)} (runs {shown})", file=sys.stderr)
    if len(by_error) > 5:
        print(f"  ... and {len(by_error) - 5} other errors.", file=sys.stderr)
    print("Run the same command again to retry them.", file=sys.stderr)
    return EXIT_FAILED


def fmt(x: float, sign: bool = False) -> str:
    """A number for the terminal: counts with thousands separators, rates with 3 decimals."""
    if x is None or not np.isfinite(x):
        return "n/a"
    plus = "+" if sign else ""
    if abs(x) >= 1000:
        return f"{x:{plus},.0f}"
    if abs(x) >= 10:
        return f"{x:{plus}.1f}"
    return f"{x:{plus}.3f}"


def whole(x: float, sign: bool = False) -> str:
    """Money and counts: whole numbers with thousands separators."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:{'+' if sign else ''},.0f}"


# -- compare -------------------------------------------------------------------------------


@command("compare")
def compare(args: argparse.Namespace) -> int:
    """Run the scenarios with paired seeds; write and print the comparison."""
    return run_compare(args)


@_storing
def run_compare(args: argparse.Namespace, run_fn: RunFn = simulate_task) -> int:
    """The ``compare`` command with an injectable run function."""
    _check_executor(args)
    paths = [args.baseline, *args.others]
    if args.replications > MAX_REPLICATIONS:
        raise InputError(
            "--replications",
            [
                Problem(
                    "",
                    f"{args.replications:,} is more than {MAX_REPLICATIONS:,} seeds per scenario.",
                    f"use at most {MAX_REPLICATIONS:,} (the 95% CI narrows little beyond).",
                )
            ],
        )
    _check_runs(
        len(paths) * args.replications,
        args,
        "--replications",
        Problem("", f"{len(paths)} scenario(s) x {args.replications:,} replications", "use fewer"),
    )
    loaded = [load_scenario(p) for p in paths]
    names = [ls.scenario.name for ls in loaded]
    for k, name in enumerate(names):
        if names.index(name) != k:
            other = paths[names.index(name)]
            raise InputError(
                paths[k],
                [
                    Problem(
                        "name",
                        f"another scenario given ({other}) is also named '{name}'.",
                        "give each scenario its own name.",
                    )
                ],
            )
    first = max(ls.scenario.start for ls in loaded)
    last = min(ls.scenario.end for ls in loaded)
    quarter = args.quarter or last
    if not first <= quarter <= last:
        raise InputError(
            "--quarter",
            [
                Problem(
                    "",
                    f"{quarter} is outside the quarters every scenario covers ({first} to {last}).",
                    f"use a quarter from {first} to {last}.",
                )
            ],
        )
    households = args.households or loaded[0].scenario.households
    reps = args.replications
    draws = _draws(args, reps)
    seeds = [replication_seed(args.seed, k) for k in range(reps)]
    data = [_scenario_data(p) for p in paths]
    experiments = pd.DataFrame(
        {
            "run_id": np.arange(len(paths) * reps, dtype=np.int64),
            "scenario": np.repeat(names, reps),
            "replication": np.tile(np.arange(reps, dtype=np.int32), len(paths)),
            "seed": np.tile(np.array(seeds, dtype=np.int64), len(paths)),
        }
    )
    for col, values in (draws.columns() if draws else {}).items():
        experiments[col] = np.tile(np.array(values), len(paths))
    scenarios = [
        {"name": n, "path": p, "data": d} for n, p, d in zip(names, paths, data, strict=True)
    ]
    definition = {
        "kind": "compare",
        "scenarios": scenarios,
        "replications": reps,
        "households": households,
        "seed": args.seed,
    }
    if draws:
        definition["parameter_draws"] = draws.definition()
    identity = {
        "kind": "compare",
        "scenarios": [
            {"name": n, **scenario_identity(d)} for n, d in zip(names, data, strict=True)
        ],
        "replications": reps,
        "households": households,
        "seed": args.seed,
        "experiments": table_digest(experiments),
        "model": model_fingerprint(),
    }
    if draws:
        identity["parameter_draws"] = draws.identity()
    run_hash = digest(identity)
    store = Store(_folder(args.out, f"compare_{names[0]}"))
    texts = {p: Path(p).read_text(encoding="utf-8") for p in paths}
    with _writing(store, run_hash, identity, args) as pool:
        store.open(
            "compare",
            f"compare_{names[0]}",
            definition,
            run_hash,
            experiments,
            args.seed,
            extra={"scenario_texts": texts, "quarter": str(quarter)},
            identity=identity,
        )
        return _finish_compare(
            store, pool, data, names, seeds, households, quarter, args, run_fn, draws
        )


def _finish_compare(
    store: Store,
    pool: Pool,
    data: list[dict[str, Any]],
    names: list[str],
    seeds: list[int],
    households: int,
    quarter: Quarter,
    args: argparse.Namespace,
    run_fn: RunFn,
    draws: Draws | None = None,
) -> int:
    """Run the comparison's tasks, write its tables and report; return the exit status."""
    reps = len(seeds)

    def tasks() -> Iterator[Task]:
        for s, scenario in enumerate(data):
            for k, seed in enumerate(seeds):
                inputs = {"scenario": names[s], **({"draw": draws.ids[k]} if draws else {})}
                yield Task(
                    s * reps + k,
                    seed,
                    k,
                    _with_draw(scenario, draws, k),
                    households,
                    None,
                    inputs,
                )

    report = _execute(store, pool, tasks(), len(data) * reps, args, run_fn)
    status = _report_runs(report, store)
    tables = compare_tables(store, names, reps, str(quarter))
    if tables is None:
        print("no run completed, so there is nothing to compare.", file=sys.stderr)
        return EXIT_FAILED
    print()
    print(
        f"{len(names)} scenario{'s' if len(names) > 1 else ''} x {reps} paired replications "
        f"of {households:,} households (root seed {args.seed}), at {quarter}; "
        f"mean and 95% CI of the mean"
        + (f" (with parameter uncertainty: {draws.k} accepted sets)" if draws else "")
        + ":"
    )
    print(headline_text(tables, names))
    print()
    print(cost_text(tables["cost"], names, str(quarter)))
    print(
        f"\nresults in {store.folder}/ (summary.csv: every indicator and quarter; "
        f"differences.csv: minus {names[0]}; table.csv: at {quarter}; cost.csv)"
    )
    if getattr(args, "no_report", False):
        return status
    from experiments.report import write_report

    try:
        path = write_report(store.folder)
    except Exception as exc:  # the results are stored; the report can be made again
        print(
            f"error: report not written ({exc}); run: inclusim report {store.folder}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"report: {path}")
    return status


def _cube(store: Store, run_ids: list[int]) -> tuple[np.ndarray, list[str], list[str]] | None:
    """Replications x quarters x indicators of the given runs (NaN for a missing run)."""
    frames: list[pd.DataFrame | None] = []
    done = store.done_ids()
    for r in run_ids:
        frames.append(store.read_part(r) if r in done else None)
    present = [f for f in frames if f is not None]
    if not present:
        return None
    quarters = list(present[0].index)
    indicators = list(present[0].columns)
    for f in present[1:]:
        indicators += [c for c in f.columns if c not in indicators]
    cube = np.full((len(run_ids), len(quarters), len(indicators)), np.nan)
    for k, f in enumerate(frames):
        if f is not None:
            cube[k] = f.reindex(index=quarters, columns=indicators).to_numpy(dtype=float)
    return cube, quarters, indicators


def compare_tables(
    store: Store, names: list[str], reps: int, quarter: str
) -> dict[str, pd.DataFrame] | None:
    """Write summary, differences, the table at ``quarter`` and costs; return them."""
    cubes = {}
    for s, name in enumerate(names):
        got = _cube(store, list(range(s * reps, (s + 1) * reps)))
        if got is not None:
            cubes[name] = got
    if names[0] not in cubes:
        return None
    quarters = cubes[names[0]][1]
    indicators: list[str] = []
    for _, _, ind in cubes.values():
        indicators += [i for i in ind if i not in indicators]

    def aligned(name: str) -> np.ndarray:
        if name not in cubes:
            return np.full((reps, len(quarters), len(indicators)), np.nan)
        cube, q, ind = cubes[name]
        frame_idx = [q.index(x) if x in q else -1 for x in quarters]
        col_idx = [ind.index(x) if x in ind else -1 for x in indicators]
        out = np.full((reps, len(quarters), len(indicators)), np.nan)
        for a, qa in enumerate(frame_idx):
            for b, ib in enumerate(col_idx):
                if qa >= 0 and ib >= 0:
                    out[:, a, b] = cube[:, qa, ib]
        return out

    full = {n: aligned(n) for n in names}
    spend = [j for j, ind in enumerate(indicators) if ind.startswith(SPEND_PREFIX)]
    for n in names:
        # a policy spends nothing in a scenario that does not have it
        present = ~np.isnan(full[n]).all(axis=(1, 2))
        block = full[n][present][:, :, spend]
        block[np.isnan(block)] = 0.0
        full[n][np.ix_(present, np.arange(len(quarters)), spend)] = block
    summary = pd.concat(
        [summary_frame(full[n], quarters, indicators).assign(scenario=n) for n in names],
        ignore_index=True,
    )
    diffs = [
        summary_frame(full[n] - full[names[0]], quarters, indicators).assign(scenario=n)
        for n in names[1:]
    ]
    differences = (
        pd.concat(diffs, ignore_index=True)
        if diffs
        else pd.DataFrame(columns=["quarter", "indicator", *STATS, "scenario"])
    )
    order = ["scenario", "quarter", "indicator", *STATS]
    summary, differences = summary[order], differences[order]
    if quarter not in quarters:
        raise InputError(
            "--quarter",
            [
                Problem(
                    "",
                    f"the runs have no row for {quarter} "
                    f"(they cover {quarters[0]} to {quarters[-1]}).",
                    "choose a quarter the runs reach.",
                )
            ],
        )
    at = summary[summary["quarter"] == quarter].drop(columns="quarter")
    dat = differences[differences["quarter"] == quarter].drop(columns="quarter")
    table = at.merge(dat, on=["scenario", "indicator"], how="left", suffixes=("", "_diff"))
    cost = _cost_table(full, names, indicators, quarters.index(quarter))
    for name, frame in (
        ("summary", summary),
        ("differences", differences),
        ("table", table),
        ("cost", cost),
    ):
        store.write_table(name, frame)
    return {"summary": summary, "differences": differences, "table": table, "cost": cost}


def _cost_table(
    full: dict[str, np.ndarray], names: list[str], indicators: list[str], qi: int
) -> pd.DataFrame:
    """Spending to the quarter and cost per additional household connected, per scenario."""
    spend_cols = [j for j, i in enumerate(indicators) if i.startswith(SPEND_PREFIX)]
    conn = indicators.index(CONNECTED) if CONNECTED in indicators else None

    def spend(n: str) -> np.ndarray:
        x = full[n][:, qi, :]
        total = x[:, spend_cols].sum(axis=1) if spend_cols else np.zeros(len(x))
        return np.where(np.isnan(x).all(axis=1), np.nan, total)

    base_spend = spend(names[0])
    base_conn = full[names[0]][:, qi, conn] if conn is not None else None
    rows = []
    for n in names:
        s = spend(n)
        ds = describe(s)
        extra_spend = describe(s - base_spend)
        row: dict[str, Any] = {
            "scenario": n,
            "spend_mean": float(ds["mean"]),
            "spend_ci_low": float(ds["ci_low"]),
            "spend_ci_high": float(ds["ci_high"]),
            "extra_spend_mean": float(extra_spend["mean"]),
        }
        if conn is not None and base_conn is not None:
            extra = full[n][:, qi, conn] - base_conn
            de = describe(extra)
            row.update(
                extra_households_mean=float(de["mean"]),
                extra_households_ci_low=float(de["ci_low"]),
                extra_households_ci_high=float(de["ci_high"]),
                cost_per_extra_household=(
                    ratio_of_means(s - base_spend, extra) if n != names[0] else float("nan")
                ),
            )
        rows.append(row)
    return pd.DataFrame(rows)


def headline_text(tables: dict[str, pd.DataFrame], names: list[str]) -> str:
    """The headline indicators, per scenario, with differences from the baseline."""
    t = tables["table"]
    rows = []
    for ind in HEADLINE:
        sub = t[t["indicator"] == ind].set_index("scenario")
        if sub.empty or sub["n"].max() == 0:
            continue
        for k, n in enumerate(names):
            if n not in sub.index:
                continue
            r = sub.loc[n]
            cells = [
                ind if k == 0 else "",
                n,
                fmt(r["mean"]),
                f"{fmt(r['ci_low'])} to {fmt(r['ci_high'])}",
            ]
            if k == 0:
                cells += ["", ""]
            else:
                cells += [
                    fmt(r["mean_diff"], True),
                    f"{fmt(r['ci_low_diff'], True)} to {fmt(r['ci_high_diff'], True)}",
                ]
            rows.append(cells)
    if not rows:
        return "(none of the headline indicators is reported by the model; see summary.csv)"
    return format_table(
        ["indicator", "scenario", "mean", "95% CI", f"minus {names[0]}", "95% CI"], rows
    )


def cost_text(cost: pd.DataFrame, names: list[str], quarter: str) -> str:
    """Spending and cost-effectiveness per scenario."""
    rows = []
    for _, r in cost.iterrows():
        extra = r.get("extra_households_mean", np.nan)
        cpe = r.get("cost_per_extra_household", np.nan)
        rows.append(
            [
                r["scenario"],
                whole(r["spend_mean"]),
                "" if r["scenario"] == names[0] else whole(extra, True),
                "" if r["scenario"] == names[0] else whole(cpe),
            ]
        )
    return format_table(
        [
            "scenario",
            f"spend to {quarter} (US$)",
            f"extra households connected vs {names[0]}",
            "US$ per extra household",
        ],
        rows,
    )


# -- sweep ---------------------------------------------------------------------------------


@command("sweep")
def sweep(args: argparse.Namespace) -> int:
    """Run a spec's design; write the experiments and outcomes tables."""
    return run_sweep(args)


def _definition(spec: Any, households: int, root: int) -> dict[str, Any]:
    return {
        "kind": "sweep",
        "base": portable(spec.base),
        "design": dataclasses.asdict(spec.design),
        "inputs": [dataclasses.asdict(i) for i in spec.inputs],
        "replications": spec.model.replications,
        "seed": root,
        "households": households,
        "quarters": spec.quarters,
    }


@_storing
def run_sweep(args: argparse.Namespace, run_fn: RunFn = simulate_task) -> int:
    """The ``sweep`` command with an injectable run function."""
    from experiments.specs import load_spec

    _check_executor(args)
    spec = load_spec(args.spec)
    _check_runs(
        spec.n_points * spec.model.replications,
        args,
        spec.path,
        Problem(
            "design",
            f"{spec.n_points:,} design points x {spec.model.replications:,} replications",
            "use fewer levels, samples or replications",
            line_of(spec.lines, ("design",)),
        ),
    )
    households = args.households or spec.households
    root = spec.model.seed if args.seed is None else args.seed
    reps = spec.model.replications
    draws = _draws(args, reps)
    points = sample(spec.design, spec.inputs, design_seed(root))
    seeds = np.array([replication_seed(root, k) for k in range(reps)], dtype=np.int64)
    n_points = len(points)
    experiments = pd.DataFrame(
        {
            "run_id": np.arange(n_points * reps, dtype=np.int64),
            "point": np.repeat(np.arange(n_points, dtype=np.int64), reps),
            "replication": np.tile(np.arange(reps, dtype=np.int32), n_points),
            "seed": np.tile(seeds, n_points),
        }
    )
    for col in points.columns:
        experiments[col] = np.repeat(points[col].to_numpy(), reps)
    for col, values in (draws.columns() if draws else {}).items():
        experiments[col] = np.tile(np.array(values), n_points)
    definition = _definition(spec, households, root)
    definition["outcomes"] = [dataclasses.asdict(o) for o in spec.outcomes]
    if draws:
        definition["parameter_draws"] = draws.definition()
    base = scenario_identity(spec.base)
    identity = {
        **{k: v for k, v in definition.items() if k not in ("outcomes", "base")},
        "base": base["scenario"],
        "region": base["region"],
        "region_sha256": base["region_sha256"],
        "experiments": table_digest(experiments),
        "model": model_fingerprint(),
    }
    if draws:
        identity["parameter_draws"] = draws.identity()
    run_hash = digest(identity)
    store = Store(_folder(args.out, spec.name))
    with _writing(store, run_hash, identity, args) as pool:
        store.open(
            "sweep",
            spec.name,
            definition,
            run_hash,
            experiments,
            root,
            extra={
                "spec": {
                    "path": spec.path,
                    "sha256": hashlib.sha256(spec.text.encode()).hexdigest(),
                    "text": spec.text,
                }
            },
            identity=identity,
        )
        return _finish_sweep(store, pool, spec, points, seeds, households, args, run_fn, draws)


def _finish_sweep(
    store: Store,
    pool: Pool,
    spec: Any,
    points: pd.DataFrame,
    seeds: np.ndarray,
    households: int,
    args: argparse.Namespace,
    run_fn: RunFn,
    draws: Draws | None = None,
) -> int:
    """Run the sweep's tasks and write its outcomes table; return the exit status."""
    names = list(points.columns)
    reps = len(seeds)
    total = len(points) * reps

    def tasks() -> Iterator[Task]:
        for p, row in enumerate(points.itertuples(index=False, name=None)):
            values = dict(zip(names, row, strict=True))
            scenario = spec.scenario_for(values)
            plain = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
            for k in range(reps):
                yield Task(
                    p * reps + k,
                    int(seeds[k]),
                    k,
                    _with_draw(scenario, draws, k),
                    households,
                    spec.quarters,
                    {"point": p, **plain, **({"draw": draws.ids[k]} if draws else {})},
                )

    report = _execute(
        store,
        pool,
        tasks(),
        total,
        args,
        run_fn,
        check_first=lambda run_id: check_outcomes(spec, store.read_part(run_id)),
    )
    status = _report_runs(report, store)
    outcomes = collect_outcomes(store, spec, total)
    store.write_table("outcomes", outcomes)
    print(outcome_text(outcomes))
    print(
        f"\nresults in {store.folder}/ (experiments.csv: inputs of every run; outcomes.csv: "
        f"outcomes by run_id)"
    )
    print(f"sensitivity: inclusim analyse {store.folder}")
    return status


def check_outcomes(spec: Any, part: pd.DataFrame) -> None:
    """Refuse outcomes that name an indicator or quarter the runs do not have.

    Args:
        spec: the sweep spec.
        part: one run's time series (see :meth:`Store.read_part`).

    Raises:
        InputError: pointing at the outcome's line in the spec.

    """
    problems = []
    quarters = list(part.index)
    for k, o in enumerate(spec.outcomes):
        if o.indicator not in part.columns:
            problems.append(
                Problem(
                    f"outcomes[{k}].indicator",
                    f"the model reports no indicator '{o.indicator}';",
                    did_you_mean(o.indicator, part.columns),
                    line_of(spec.lines, ("outcomes", k, "indicator")),
                )
            )
        if o.quarter and o.quarter not in quarters:
            problems.append(
                Problem(
                    f"outcomes[{k}].quarter",
                    f"the runs have no row for "
                    f"{o.quarter} (they cover {quarters[0]} to {quarters[-1]}).",
                    "choose a quarter the runs reach.",
                    line_of(spec.lines, ("outcomes", k, "quarter")),
                )
            )
    if problems:
        raise InputError(spec.path, problems)


def collect_outcomes(store: Store, spec: Any, total: int) -> pd.DataFrame:
    """The outcomes table: one row per run (NaN where a run failed), one column per outcome."""
    done = sorted(store.done_ids())
    out = pd.DataFrame({"run_id": np.arange(total, dtype=np.int64)})
    if not done:
        for o in spec.outcomes:
            out[o.name] = np.nan
        return out
    check_outcomes(spec, store.read_part(done[0]))
    values = store.read_values(done, sorted({o.indicator for o in spec.outcomes}))
    last = values.groupby("run_id")["quarter"].transform("max")
    for o in spec.outcomes:
        rows = values[
            (values["indicator"] == o.indicator) & (values["quarter"] == (o.quarter or last))
        ]
        series = rows.set_index("run_id")["value"]
        out[o.name] = series.reindex(out["run_id"]).to_numpy()
    return out


def outcome_text(outcomes: pd.DataFrame) -> str:
    """Each outcome over all runs: runs with a value, mean, 5-95% band."""
    rows = []
    for col in outcomes.columns[1:]:
        d = describe(outcomes[col].to_numpy())
        rows.append(
            [
                col,
                str(int(d["n"])),
                fmt(float(d["mean"])),
                f"{fmt(float(d['p5']))} to {fmt(float(d['p95']))}",
            ]
        )
    return format_table(["outcome", "runs", "mean over runs", "5-95% of runs"], rows)


# -- analyse -------------------------------------------------------------------------------


SWEEP_FOLDER = "give the folder a sweep wrote, e.g. outputs/<spec name>."
"""What to do when ``analyse`` is given a folder that is no experiment's."""


@command("analyse")
def analyse_command(args: argparse.Namespace) -> int:
    """Compute sensitivity indices of a finished sweep; write and print them."""
    with output_errors(args.folder, has_out=False):
        return run_analyse(args)


def run_analyse(args: argparse.Namespace) -> int:
    """The ``analyse`` command."""
    folder = Path(args.folder)
    manifest = experiment_manifest(
        folder, "give the folder a sweep wrote, e.g. outputs/<spec name>."
    )
    if manifest["kind"] != "sweep":
        raise InputError(
            str(folder),
            [
                Problem(
                    "",
                    "holds a comparison, not a sweep.",
                    "read its summary.csv and differences.csv; analyse works on sweep folders.",
                )
            ],
        )
    experiments = read_frame(folder, "experiments", ("run_id", "point"))
    outcomes = read_frame(folder, "outcomes", ("run_id",))
    if outcomes is None or experiments is None:
        raise InputError(
            str(folder),
            [
                Problem(
                    "",
                    "has no outcomes table yet.",
                    "finish the sweep first (run the same 'inclusim sweep' command again).",
                )
            ],
        )
    with folder_lock(folder):
        try:
            return _analyse(Store(folder), manifest, experiments, outcomes)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                str(folder / "manifest.json"),
                [
                    Problem(
                        "",
                        f"does not describe the sweep's tables ({type(exc).__name__}: {exc}).",
                        f"{RERUN}.",
                    )
                ],
            ) from None


def _analyse(
    store: Store, manifest: dict[str, Any], experiments: pd.DataFrame, outcomes: pd.DataFrame
) -> int:
    """Sensitivity indices of a sweep whose manifest and tables have been read."""
    folder = store.folder
    d = manifest["definition"]
    design = Design(**d["design"])
    inputs = [
        Input(**{**i, "values": None if i["values"] is None else tuple(i["values"])})
        for i in d["inputs"]
    ]
    merged = experiments.merge(outcomes, on="run_id")
    out_cols = [c for c in outcomes.columns if c != "run_id"]
    per_point = merged.groupby("point", sort=True)[out_cols].mean()
    x = (
        experiments.drop_duplicates("point")
        .set_index("point")
        .sort_index()[[i.address for i in inputs]]
    )
    per_point = per_point.reindex(x.index)
    frames = []
    missing = []
    for col in out_cols:
        try:
            res = analyse(design, inputs, x, per_point[col].to_numpy(), design_seed(d["seed"]))
        except ValueError as exc:
            missing.append(f"{col}: {exc}")
            continue
        frames.append(res.assign(outcome=col))
    for reason in dict.fromkeys(m.split(": ", 1)[1] for m in missing):
        cols = [m.split(": ", 1)[0] for m in missing if m.endswith(reason)]
        print(
            printable(f"error: {folder}: cannot analyse {', '.join(cols)}: {reason}."),
            file=sys.stderr,
        )
    if not frames:
        return EXIT_FAILED
    table = pd.concat(frames, ignore_index=True)
    table = table[["outcome", *[c for c in table.columns if c != "outcome"]]]
    store.write_table("sensitivity", table)
    measure = MAIN_MEASURE[design.kind]
    method = {
        "sobol": "Sobol indices (S1 first order, ST total; conf = 95% half-width)",
        "morris": "Morris screening (mu* = mean |elementary effect|)",
        "latin_hypercube": "RBD-FAST first-order indices",
        "full_factorial": "main effects (range of the mean outcome across an input's values)",
    }[design.kind]
    print(
        f"{printable(manifest['name'])}: {method}, {len(x)} design points x "
        f"{d['replications']} replications"
    )
    for col, sub in table.groupby("outcome", sort=False):
        sub = sub.sort_values(measure, ascending=False, key=lambda s: s.abs())
        cols = [c for c in sub.columns if c not in ("outcome", "input")]
        rows = [
            [r["input"], *[fmt(r[c]) if isinstance(r[c], float) else str(r[c]) for c in cols]]
            for _, r in sub.iterrows()
        ]
        print(f"\n{col}")
        print(format_table(["input", *cols], rows))
    print(f"\nwritten to {folder}/sensitivity.csv")
    return EXIT_FAILED if missing else EXIT_OK
