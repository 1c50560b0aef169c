"""Programs the project installs that tests start as separate processes.

A test that needs one fails, never skips, when it is missing: `make test` installs them all
(``pip install -e '.[dev,dashboard]'``), so a missing one is a broken install, not a reason to
test less.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
"""Where the running Python's console scripts are (the virtual environment's bin folder)."""


def script(name: str) -> str:
    """The path of the console script ``name`` installed beside the running Python.

    Args:
        name: the script, e.g. ``inclusim`` (declared in pyproject.toml) or ``dask``.

    Returns:
        Its absolute path.

    Raises:
        pytest.fail.Exception: the script is not installed there (the test fails).

    """
    found = shutil.which(name, path=str(BIN))
    if found is None:
        pytest.fail(
            f"no '{name}' console script in {BIN}; install the project there with "
            "`make test` (pip install -e '.[dev,dashboard]')",
            pytrace=False,
        )
    return found
