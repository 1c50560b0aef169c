"""Shared fixtures: a runner of the ``inclusim`` command line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from experiments.cli import main


@dataclass(frozen=True)
class CliResult:
    """What one call of the command line returned and printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[Sequence[str]], CliResult]:
    """Run ``inclusim ARGS`` in process, from an empty temporary working folder.

    Argument errors are left to argparse, which raises ``SystemExit(2)``; tests assert that
    with ``pytest.raises``.
    """
    monkeypatch.chdir(tmp_path)

    def run(args: Sequence[str]) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
