"""The ``compare``, ``sweep`` and ``analyse`` sub-commands: parse, run, print.

Each builds an :class:`~experiments.batch.experiment.Experiment` (a comparison is a sweep
over one categorical input, the scenario) and runs it with
:func:`~experiments.batch.experiment.run_experiment`; the tables come from
:mod:`experiments.analysis`, the text on the terminal from :mod:`experiments.present.terminal`.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from experiments.analysis.sensitivity import sensitivity
from experiments.batch.executors import MAX_WORKERS_PER_CORE
from experiments.batch.experiment import (
    MAX_RUNS,
    OUTPUTS,
    BatchOptions,
    Finished,
    RunFailedError,
    print_runs,
    run_experiment,
)
from experiments.batch.runner import RunFn, simulate_task
from experiments.batch.store import folder_lock, output_errors
from experiments.commands.settings import add_set_argument, settings_of
from experiments.commands.status import EXIT_FAILED, EXIT_OK
from experiments.design.comparison import DEFAULT_REPLICATIONS, comparison
from experiments.design.specs import MAX_REPLICATIONS
from experiments.design.sweep import sweep_experiment
from experiments.present.terminal import (
    cost_text,
    headline_text,
    missing_text,
    outcome_text,
    sensitivity_text,
)
from model.calendar import Quarter


def add_executor_args(p: argparse.ArgumentParser, positive_int: Callable[[str], int]) -> None:
    """Where runs go and how they report: ``--workers`` or ``--scheduler``, ``--out``, ``--quiet``.

    Shared by every command that runs batches (compare, sweep, optimise).
    """
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


def add_parsers(
    sub: argparse._SubParsersAction, positive_int: Callable[[str], int], seed: Callable[[str], int]
) -> None:
    """Add the parsers of this module's sub-commands."""

    def executor_args(p: argparse.ArgumentParser) -> None:
        add_executor_args(p, positive_int)
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
    add_set_argument(c)
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


def _storing(fn: Callable[..., int]) -> Callable[..., int]:
    """Report a failure to write the results, or a lost worker or cluster, as one message."""

    @functools.wraps(fn)
    def wrapped(args: argparse.Namespace, run_fn: RunFn = simulate_task) -> int:
        with output_errors(args.out or OUTPUTS):
            try:
                return fn(args, run_fn)
            except RunFailedError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_FAILED

    return wrapped


def compare(args: argparse.Namespace) -> int:
    """Run the scenarios with paired seeds; write and print the comparison."""
    return run_compare(args)


@_storing
def run_compare(args: argparse.Namespace, run_fn: RunFn = simulate_task) -> int:
    """The ``compare`` command with an injectable run function."""
    options = BatchOptions.from_args(args)
    options.check()
    exp, _ = comparison(
        [args.baseline, *args.others],
        replications=args.replications,
        households=args.households,
        seed=args.seed,
        quarter=args.quarter,
        settings=settings_of(args),
        options=options,
    )
    return _finish_compare(run_experiment(exp, options, run_fn), args)


def _finish_compare(done: Finished, args: argparse.Namespace) -> int:
    """Print the comparison and write its report; return the exit status."""
    status = EXIT_OK if print_runs(done.report, done.store) else EXIT_FAILED
    tables = done.tables
    if tables is None:
        print("no run completed, so there is nothing to compare.", file=sys.stderr)
        return EXIT_FAILED
    names = [s["name"] for s in done.store.manifest["definition"]["scenarios"]]
    quarter = done.store.manifest["quarter"]
    d = done.store.manifest["definition"]
    draws = d.get("parameter_draws")
    print()
    print(
        f"{len(names)} scenario{'s' if len(names) > 1 else ''} x {d['replications']} paired "
        f"replications of {d['households']:,} households (root seed {d['seed']}), at {quarter}; "
        f"mean and 95% CI of the mean"
        + (f" (with parameter uncertainty: {draws['draws']} accepted sets)" if draws else "")
        + ":"
    )
    print(headline_text(tables, names))
    print()
    print(cost_text(tables["cost"], names, str(quarter)))
    print(
        f"\nresults in {done.store.folder}/ (summary.csv: every indicator and quarter; "
        f"differences.csv: minus {names[0]}; table.csv: at {quarter}; cost.csv; "
        "ledger.csv: spending by policy, item and year)"
    )
    if getattr(args, "no_report", False):
        return status
    from experiments.present.report import write_report

    try:
        with folder_lock(done.store.folder):
            path = write_report(done.store.folder)
    except Exception as exc:  # the results are stored; the report can be made again
        print(
            f"error: report not written ({exc}); run: inclusim report {done.store.folder}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"report: {path}")
    return status


def sweep(args: argparse.Namespace) -> int:
    """Run a spec's design; write the experiments and outcomes tables."""
    return run_sweep(args)


@_storing
def run_sweep(args: argparse.Namespace, run_fn: RunFn = simulate_task) -> int:
    """The ``sweep`` command with an injectable run function."""
    from experiments.design.specs import load_spec

    options = BatchOptions.from_args(args)
    options.check()
    exp = sweep_experiment(
        load_spec(args.spec), households=args.households, seed=args.seed, options=options
    )
    done = run_experiment(exp, options, run_fn)
    status = EXIT_OK if print_runs(done.report, done.store) else EXIT_FAILED
    print(outcome_text(done.tables["outcomes"]))
    print(
        f"\nresults in {done.store.folder}/ (experiments.csv: inputs of every run; outcomes.csv: "
        f"outcomes by run_id)"
    )
    print(f"sensitivity: inclusim analyse {done.store.folder}")
    return status


def analyse(args: argparse.Namespace) -> int:
    """Compute sensitivity indices of a finished sweep; write and print them."""
    with output_errors(args.folder, has_out=False):
        result = sensitivity(args.folder)
    for line in missing_text(str(Path(args.folder)), result.missing):
        print(line, file=sys.stderr)
    if result.table is None:
        return EXIT_FAILED
    print(sensitivity_text(result))
    print(f"\nwritten to {Path(args.folder)}/sensitivity.csv")
    return EXIT_FAILED if result.missing else EXIT_OK
