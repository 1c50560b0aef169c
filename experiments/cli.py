"""The ``inclusim`` command line: one parser, one dispatch table of sub-command handlers.

Every sub-command turns bad input into one clear message on stderr and exit status 2,
never a traceback. The handlers live in :mod:`experiments.commands` and never import this
module; they are imported only when their sub-command runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from experiments.commands.settings import add_set_argument
from experiments.commands.status import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK
from model.errors import InputError, printable

DESCRIPTION = "Simulate a socially just digital transition: run, compare and sweep scenarios."
MAX_HOUSEHOLDS = 20_000_000
"""Largest number accepted by count options (about 4 GB of household arrays)."""

Command = Callable[[argparse.Namespace], int]

COMMANDS: dict[str, str] = {
    "validate": "experiments.commands.files:validate",
    "population": "experiments.commands.files:population",
    "run": "experiments.commands.files:run",
    "calibrate": "experiments.commands.calibrate:calibrate",
    "dashboard": "experiments.commands.dashboard:command",
    "compare": "experiments.commands.batch:compare",
    "sweep": "experiments.commands.batch:sweep",
    "analyse": "experiments.commands.batch:analyse",
    "report": "experiments.commands.report:report",
    "region": "experiments.commands.region:region",
    "left-behind": "experiments.commands.decisions:left_behind",
    "discover": "experiments.commands.decisions:discover",
    "optimise": "experiments.commands.optimise:optimise",
}
"""Each sub-command's handler, as ``module:function`` (imported only when it runs)."""


def handler(name: str) -> Command:
    """The handler of sub-command ``name``."""
    module, _, function = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), function)


class Parser(argparse.ArgumentParser):
    """An argument parser whose error messages never echo terminal control characters.

    argparse repeats the offending argument in its message; sub-command parsers are made of
    the same class, so the escaping covers every option of every sub-command.
    """

    def error(self, message: str) -> NoReturn:
        """Print usage and the escaped message; exit with status 2."""
        super().error(printable(message))


def parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    p = Parser(prog="inclusim", description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check scenario, region and sweep files")
    v.add_argument("files", nargs="+", metavar="FILE")

    pop = sub.add_parser("population", help="build a region's households and compare to targets")
    pop.add_argument(
        "region", metavar="REGION_OR_FILE", help="region name (lac, ldc, world) or file"
    )
    pop.add_argument("--households", type=_positive_int, default=100_000)
    pop.add_argument("--seed", type=_seed, default=0)

    run = sub.add_parser("run", help="run one scenario and write outputs/<name>/")
    run.add_argument("scenario", metavar="SCENARIO.yaml")
    run.add_argument(
        "--households",
        type=_positive_int,
        default=None,
        help="simulated households (default: the scenario's)",
    )
    run.add_argument("--seed", type=_seed, default=0)
    run.add_argument("--out", default=None, metavar="DIR", help="default: outputs/<scenario name>")
    add_set_argument(run)

    cal = sub.add_parser("calibrate", help="compare baselines with published paths")
    cal.add_argument("--check", action="store_true", help="print target, simulated, error, pass")
    cal.add_argument(
        "--decompose",
        action="store_true",
        help="show how much of each baseline's 2019-2024 change each mechanism carries",
    )
    cal.add_argument(
        "--effect-sizes",
        action="store_true",
        help="run each lever against the baseline on paired seeds and write its effect on "
        "the studied group beside the literature (docs/effect-sizes.md)",
    )
    cal.add_argument(
        "--fit-ensemble",
        action="store_true",
        help="fit the adoption parameters by rejection ABC on the in-sample targets and write "
        "the accepted sets to the ensemble file (docs/calibration.md)",
    )
    cal.add_argument(
        "--seeds",
        type=_positive_int,
        default=None,
        help="runs per baseline (default 3; fit: 2; --effect-sizes: 10 replications)",
    )
    cal.add_argument(
        "--households",
        type=_positive_int,
        default=None,
        help="simulated households per run (default 20,000; fit: 5,000)",
    )
    cal.add_argument(
        "--samples",
        type=_positive_int,
        default=None,
        help="fit: parameter sets drawn from the prior (default 800)",
    )
    cal.add_argument(
        "--keep",
        type=_positive_int,
        default=None,
        help="fit: most sets kept, the closest that pass (default 40; at least 20 must pass)",
    )
    cal.add_argument("--seed", type=_seed, default=0, help="fit: root seed (default 0)")
    cal.add_argument(
        "--ensemble",
        default=None,
        metavar="FILE",
        help="fit: where to write the ensemble (default: scenarios/parameter_ensemble.csv)",
    )
    cal.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="with --effect-sizes: the document to write (default: docs/effect-sizes.md)",
    )
    cal.add_argument(
        "--region",
        default=None,
        metavar="NAME_OR_FILE",
        help="with --check: one region's baseline against the paths its profile carries "
        "(and those of the targets file for a shipped region); with --decompose: what "
        "carries its baseline's change",
    )
    cal.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="with --check: also draw each baseline's path beside its targets (.png, .svg or .pdf)",
    )
    cal.add_argument(
        "--targets",
        default=None,
        metavar="FILE",
        help="default: scenarios/calibration_targets.yaml",
    )

    dash = sub.add_parser(
        "dashboard", help="serve the live dashboard on this machine (needs the dashboard extra)"
    )
    from experiments.commands import batch, dashboard, decisions, optimise, region, report

    dashboard.add_arguments(dash)
    batch.add_parsers(sub, _positive_int, _seed)
    report.add_parser(sub)
    region.add_parser(sub)
    decisions.add_parsers(sub, _positive_int)
    optimise.add_parser(sub, _positive_int, _seed)
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    if value > MAX_HOUSEHOLDS:
        raise argparse.ArgumentTypeError(f"{value:,} is more than {MAX_HOUSEHOLDS:,}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed {value} must be between 0 and 2**63 - 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        return handler(args.command)(args)
    except InputError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; completed work is kept.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
