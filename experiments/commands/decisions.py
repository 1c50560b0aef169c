"""The ``left-behind`` and ``discover`` sub-commands: who is left behind, when policies fail.

``left-behind DIR`` ranks the intersections of a run or comparison folder by their lag behind
the average (:mod:`experiments.analysis.left_behind`); ``discover SWEEP_DIR`` finds the boxes
of a sweep's inputs where an outcome fails (:mod:`experiments.analysis.discovery`). Both only
read stored folders; ``discover`` writes its figure and tables beside the sweep's.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from experiments.commands.status import EXIT_OK
from experiments.present.tables import format_table
from experiments.present.wording import people

DEFAULT_TOP = 10
"""Cells printed per measure by ``left-behind``."""


def add_parsers(sub: argparse._SubParsersAction, positive_int: Callable[[str], int]) -> None:
    """Add the parsers of ``left-behind`` and ``discover``."""
    lb = sub.add_parser(
        "left-behind",
        help="rank the intersections of a run or comparison folder by their lag behind the average",
    )
    lb.add_argument("folder", metavar="DIR", help="a folder 'run' or 'compare' wrote")
    lb.add_argument(
        "--measure",
        action="append",
        default=None,
        help="a measure to rank (repeatable; default: internet_use, meaningful, basic_skills, "
        "employed)",
    )
    lb.add_argument("--top", type=positive_int, default=DEFAULT_TOP, metavar="N")
    lb.add_argument(
        "--csv", default=None, metavar="FILE", help="also write the full ranking to FILE"
    )

    d = sub.add_parser(
        "discover",
        help="find the boxes of a sweep's inputs where an outcome fails (PRIM; needs the "
        "discovery extra)",
    )
    d.add_argument("folder", metavar="SWEEP_DIR", help="a folder 'inclusim sweep' wrote")
    d.add_argument(
        "--outcome", required=True, help="an outcome column of outcomes.csv (e.g. a name)"
    )
    d.add_argument("--threshold", required=True, type=float, metavar="X")
    side = d.add_mutually_exclusive_group()
    side.add_argument(
        "--below", action="store_true", help="failure is the outcome below X (the default)"
    )
    side.add_argument("--above", action="store_true", help="failure is the outcome above X")
    d.add_argument(
        "--density",
        type=float,
        default=None,
        help="smallest density of the box chosen on the peeling trajectory (default 0.8)",
    )
    d.add_argument("--boxes", type=positive_int, default=None, help="boxes to find (default 2)")


def left_behind(args: argparse.Namespace) -> int:
    """Print the ranked cells of each measure, and how each scenario changes the top ones."""
    from experiments.analysis import left_behind as lb

    runs = lb.load_cells(args.folder)
    measures = args.measure or [m for m in lb.HEADLINE_MEASURES if m in runs.measures]
    for m in measures:
        lb.check_measure(runs, m, args.folder)
    n_runs = runs.replications
    print(
        f"{args.folder}: {len(runs.scenarios)} scenario(s) x {n_runs} replication(s), cells at "
        f"{runs.quarter}; cells kept: at least {lb.MIN_PERSONS} simulated persons of the "
        "measure's universe in every run."
    )
    if n_runs < lb.MIN_RUNS:
        print(f"Fewer than {lb.MIN_RUNS} replications: no intervals.")
    frames = []
    for m in measures:
        ranked = lb.rank(runs, m)
        frames.append(ranked)
        print()
        print(f"{lb.measure_words(m)}: cells furthest behind under {runs.scenarios[0]}")
        if ranked.empty:
            print("  no cell is large enough to estimate; run more households.")
            continue
        print(ranking_text(ranked.head(args.top)))
        change = lb.changes(runs, m, args.top)
        if not change.empty:
            print()
            print("paired change of the lag against the baseline (negative: catching up)")
            print(changes_text(change))
    if args.csv:
        from experiments.batch.store import output_errors

        with output_errors(args.csv, has_out=False):
            Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
            pd.concat(frames, ignore_index=True).to_csv(args.csv, index=False)
        print(f"\nwritten: {args.csv}")
    return EXIT_OK


def _pp(x: float, sign: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return ""
    return f"{x * 100:+.1f}" if sign else f"{x * 100:.1f}"


def _interval(lo: float, hi: float, sign: bool = False) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    return f"{_pp(lo, sign)} to {_pp(hi, sign)}"


def ranking_text(ranked: pd.DataFrame) -> str:
    """A ranked table of cells as text (shares and lags in %/points)."""
    rows = [
        [
            str(r.rank),
            r.cell,
            people(r.people),
            people(r.people_lacking),
            _pp(r.share),
            _pp(r.lag, True),
            _interval(r.lag_ci_low, r.lag_ci_high, True),
        ]
        for r in ranked.itertuples(index=False)
    ]
    return format_table(
        ["rank", "cell", "people", "lacking it", "share %", "lag pp", "95% CI"], rows
    )


def changes_text(change: pd.DataFrame) -> str:
    """How each scenario changes the baseline's top cells, as text."""
    rows = [
        [
            r.scenario,
            str(r.baseline_rank),
            r.cell,
            "" if r.rank is None or r.rank != r.rank else str(int(r.rank)),
            _pp(r.lag_diff, True),
            _interval(r.lag_diff_ci_low, r.lag_diff_ci_high, True),
            ("-" if r.people_reached < 0 else "+") + people(r.people_reached),
        ]
        for r in change.itertuples(index=False)
    ]
    return format_table(
        ["scenario", "base rank", "cell", "rank", "lag change pp", "95% CI", "people reached"],
        rows,
    )


def discover(args: argparse.Namespace) -> int:
    """Run PRIM on a sweep folder; print the boxes in words, write the figure and tables."""
    from experiments.analysis import discovery

    result = discovery.discover_folder(
        args.folder,
        outcome=args.outcome,
        threshold=args.threshold,
        above=bool(args.above),
        density=args.density,
        boxes=args.boxes,
    )
    print(discovery.result_text(result))
    return EXIT_OK
