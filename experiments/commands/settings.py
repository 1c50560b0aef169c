"""The ``--set ADDRESS=VALUE`` option of ``run``, ``compare`` and ``dashboard``."""

from __future__ import annotations

import argparse
from typing import Any

from experiments.design.settings import EXAMPLE, parse_setting

HELP = (
    "set a scenario field for this command, with a sweep's address: "
    "parameters.<name> (or the bare name), policies.<policy name or type>.<field> or "
    "discount_rate, e.g. "
    f"--set {EXAMPLE} --set beta_afford=1.5; the value is read as in YAML and checked as "
    "the file's values are; repeatable, the last of one address wins"
)


def setting(text: str) -> tuple[str, Any]:
    """The ``--set`` value as ``(address, value)`` (the type argparse calls)."""
    try:
        return parse_setting(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_set_argument(p: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--set ADDRESS=VALUE`` option to ``p``."""
    p.add_argument(
        "--set",
        dest="settings",
        metavar="ADDRESS=VALUE",
        type=setting,
        action="append",
        default=[],
        help=HELP,
    )


def settings_of(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--set`` settings of parsed arguments, address -> value ({} when none)."""
    return dict(getattr(args, "settings", None) or [])
