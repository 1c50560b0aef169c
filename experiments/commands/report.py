"""The ``report`` sub-command: the report of a finished experiment or of one run.

A folder ``inclusim run`` wrote gets the short report of one scenario
(:mod:`experiments.present.run_report`); a folder ``compare`` or ``sweep`` wrote gets the
report, figures and exports of the experiment (:mod:`experiments.present.report`); anything
else is refused with one message naming the folder, before anything is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.batch.store import folder_lock, output_errors
from experiments.commands.status import EXIT_OK
from experiments.present.report import load_results, write_report
from experiments.present.run_report import is_run, load_run, write_run_report


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command's parser."""
    p = sub.add_parser(
        "report",
        help="write OUTPUT_DIR/report.html (with figures/, and exports/ for a compare or sweep) "
        "for a run, compare or sweep",
    )
    p.add_argument(
        "folder", metavar="OUTPUT_DIR", help="a folder 'run', 'compare' or 'sweep' wrote"
    )


def report(args: argparse.Namespace) -> int:
    """Write the report of a run or a finished experiment; print the report's path.

    The folder is read and checked before anything is written (a damaged or wrong folder is
    refused with one message and left untouched), and locked while the report is written.
    """
    folder = Path(args.folder)
    from experiments.optimise.report import is_optimise, load, write_optimise_report

    if is_optimise(folder):
        load(folder)
        with output_errors(folder, has_out=False), folder_lock(folder):
            print(write_optimise_report(folder))
        return EXIT_OK
    run = is_run(folder)
    load_run(folder) if run else load_results(folder)
    with output_errors(folder, has_out=False), folder_lock(folder):
        path = write_run_report(folder) if run else write_report(folder)
    print(path)
    return EXIT_OK
