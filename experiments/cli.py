"""The ``inclusim`` command line: one sub-command per job.

Every sub-command turns bad input into one clear message on stderr and exit status 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from model.errors import InputError, printable

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
MAX_HOUSEHOLDS = 20_000_000
"""Largest number accepted by count options (about 4 GB of household arrays)."""

Command = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    """Register a sub-command handler under ``name``."""

    def register(fn: Command) -> Command:
        _COMMANDS[name] = fn
        return fn

    return register


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
    p = Parser(prog="inclusim", description=__doc__.splitlines()[0])
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
        "--targets",
        default=None,
        metavar="FILE",
        help="default: scenarios/calibration_targets.yaml",
    )

    dash = sub.add_parser(
        "dashboard", help="serve the live dashboard on this machine (needs the dashboard extra)"
    )
    from experiments import dashboard

    dashboard.add_arguments(dash)

    from experiments import batch_commands

    batch_commands.add_parsers(sub, _positive_int, _seed)
    from experiments import report

    report.add_parser(sub)
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
    from experiments import batch_commands, commands, report  # noqa: F401  (register sub-commands)

    args = parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
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
    # Run through the package module so sub-commands register in the same module object.
    from experiments.cli import main as package_main

    sys.exit(package_main())
