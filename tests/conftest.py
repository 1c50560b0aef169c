"""Shared fixtures: a runner of the ``inclusim`` command line and a real Dask cluster; the
Hypothesis profiles."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

from experiments.cli import main

# Property tests draw the same examples on every run ("fixed", the default: `make test` and CI
# pass or fail on the code, never on the draw). `pytest --hypothesis-profile=explore` draws new
# examples each run and keeps failing ones in .hypothesis/ to replay (docs/testing.md).
settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("fixed")


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


@dataclass
class DaskCluster:
    """A Dask cluster started for a test: its address and its processes (each in its own
    process group, so a test can kill one as the operating system would)."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[Callable[..., DaskCluster]]:
    """Start real Dask clusters on 127.0.0.1: ``dask_cluster(workers=1, threads=1)``.

    A scheduler and ``workers`` workers of ``threads`` threads each, started with the ``dask``
    console script installed beside the running Python, with this checkout first on
    ``PYTHONPATH``; all are torn down after the test (logs in ``tmp_path/dask.log``). Tests
    that use it carry the ``dask`` and ``subprocess`` markers.
    """
    from tests.installed import script  # imported on use: only tests that start a cluster
    from tests.paths import ROOT

    if not sys.platform.startswith("linux"):
        pytest.skip("uses POSIX process groups")
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    log = open(tmp_path / "dask.log", "w")  # noqa: SIM115  (closed in teardown)
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [script("dask"), *args, "--no-dashboard"],
            stdout=log,
            stderr=log,
            env=env,
            cwd=tmp_path,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    def cluster(workers: int = 1, threads: int = 1) -> DaskCluster:
        port = _free_port()
        address = f"tcp://127.0.0.1:{port}"
        scheduler = start("scheduler", "--host", "127.0.0.1", "--port", str(port))
        started = DaskCluster(address, scheduler)
        for k in range(workers):
            each = ["--nworkers", "1", "--nthreads", str(threads), "--name", f"w{k}"]
            started.workers.append(start("worker", address, *each))
        return started

    try:
        yield cluster
    finally:
        for p in reversed(procs):  # workers before their scheduler
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        log.close()
