"""The ``optimise`` sub-command: search the best mix of levers for a budget (docs/decisions.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from experiments.batch.experiment import BatchOptions, RunFailedError
from experiments.batch.store import folder_lock, output_errors
from experiments.commands.batch import add_executor_args
from experiments.commands.status import EXIT_FAILED, EXIT_OK
from model import indicator_registry as registry
from model.errors import printable


def add_parser(
    sub: argparse._SubParsersAction, positive_int: Callable[[str], int], seed: Callable[[str], int]
) -> None:
    """Add the ``optimise`` sub-command's parser."""
    p = sub.add_parser(
        "optimise",
        help="search the best mix of levers for a budget (NSGA-II, robust over seeds and "
        "parameter sets)",
    )
    p.add_argument("spec", metavar="SPEC.yaml")
    p.add_argument(
        "--households",
        metavar="N",
        type=positive_int,
        default=None,
        help="simulated households per run (default: the spec's)",
    )
    p.add_argument("--seed", metavar="ROOT", type=seed, default=None, help="default: the spec's")
    add_executor_args(p, positive_int)
    p.add_argument(
        "--no-report",
        action="store_true",
        help="do not write report.html and its figure (make them later: inclusim report DIR)",
    )


def optimise(args: argparse.Namespace) -> int:
    """Load the spec, run the search (resuming a stored one), print the Pareto set."""
    from experiments.optimise.report import (
        front_table,
        objective_unit,
        objective_value,
        write_optimise_report,
    )
    from experiments.optimise.run import _definition, optimise
    from experiments.optimise.spec import load_optimise_spec

    spec = load_optimise_spec(args.spec, args.seed)
    options = BatchOptions(
        workers=args.workers, scheduler=args.scheduler, out=args.out, quiet=args.quiet
    )
    folder = options.folder(spec.name)
    m = spec.model
    print(
        f"optimise {spec.name}: {len(spec.decisions)} decisions, {len(spec.objectives)} "
        f"objectives{' + cost' if m.cost_objective else ''}, budget US$ {m.budget_pv / 1e9:,.1f} "
        f"billion PV; population {m.search.population} x {m.search.generations} generations, "
        f"{len(spec.worlds)} worlds each"
    )

    def progress(g: int, archive) -> None:
        print(
            f"generation {g + 1}: {len(archive.metrics)} mixes evaluated so far "
            f"({archive.generation_seconds[-1]:.1f} s)",
            file=sys.stderr,
        )

    try:
        with output_errors(folder):
            done = optimise(
                spec, options, households=args.households, seed=args.seed, on_generation=progress
            )
    except RunFailedError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    r = done.report
    print(
        f"runs: {r.done} done now, {r.skipped} reused from the store, {len(r.failed)} failed; "
        f"results in {folder}"
    )
    if len(done.table):
        definition = _definition(spec, args.households or spec.households, m.seed)
        front = front_table(definition, done.table)
        print(f"Pareto set ({len(front)} mixes within budget, cheapest first):")
        first = spec.objectives[0]
        unit = objective_unit(first.indicator)
        for row in front.to_dict("records"):
            tag = "  [robust]" if row["on_robust_front"] else ""
            value, regret = row[first.name], row[first.name + ":p90_regret"]
            print(
                f"  US$ {row['cost_pv'] / 1e9:7,.1f} bn  {registry.label(first.indicator)} "
                f"{objective_value(first.indicator, value)} {unit} (p90 regret "
                f"{objective_value(first.indicator, regret)}): {row['description']}{tag}"
            )
    if not args.no_report:
        with output_errors(folder), folder_lock(folder):
            print(write_optimise_report(folder))
    return EXIT_FAILED if r.failed else EXIT_OK
