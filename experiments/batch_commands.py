"""Sub-commands that run many simulations: compare, sweep, analyse."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_parsers(sub: argparse._SubParsersAction, positive_int: Callable[[str], int],
                seed: Callable[[str], int]) -> None:
    """Add the parsers of this module's sub-commands."""
