"""The ``report`` sub-command: the report, figures and exports of a finished experiment."""

from __future__ import annotations

import argparse

from experiments.batch.store import folder_lock, output_errors
from experiments.commands.status import EXIT_OK
from experiments.present.report import load_results, write_report


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command's parser."""
    p = sub.add_parser(
        "report",
        help="write OUTPUT_DIR/report.html (with figures/ and exports/) for a compare or sweep",
    )
    p.add_argument("folder", metavar="OUTPUT_DIR", help="a folder 'compare' or 'sweep' wrote")


def report(args: argparse.Namespace) -> int:
    """Write the report, figures and exports of a finished experiment; print the report's path.

    The folder is checked before anything is written (a damaged or wrong folder is refused
    with one message and left untouched), and locked while the report is written.
    """
    load_results(args.folder)
    with output_errors(args.folder, has_out=False), folder_lock(args.folder):
        path = write_report(args.folder)
    print(path)
    return EXIT_OK
