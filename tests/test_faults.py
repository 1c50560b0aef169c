"""Fault injection in sweeps: kill -9 at random points, a Dask worker or the Dask scheduler
lost mid-sweep, an output folder that cannot be written, a full disk, parts truncated at
random offsets.

Each fault is survived with no result lost: running the same command again (or, for the Dask
worker, nothing at all) gives results byte for byte identical to an uninterrupted sweep.
Tests already in ``tests/test_experiments_runs.py`` (one SIGKILL of the parent then resume,
Ctrl-C, two parts broken by hand, failing runs) are not repeated here.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from experiments.batch import executors
from experiments.batch import store as store_module
from experiments.batch.store import Store
from experiments.cli import main
from tests.installed import script
from tests.paths import ROOT

RUNS = 18

SPEC = """\
name: fault_grid
scenario:
  name: tiny
  label: Tiny
  region: lac
  start: 2019Q4
  end: 2021Q4
  households: 500
  policies:
    - {type: affordability, start: 2020Q1, eligibility: {quintile: [1, 2]}}
    - {type: skills_training, start: 2020Q1}
quarters: 5
replications: 3
seed: 7
design:
  kind: full_factorial
levers:
  policies.affordability.intensity: [0.0, 0.5, 1.0]
  policies.skills_training.intensity: [0.0, 1.0]
outcomes:
  - indicator: share_internet_use
  - indicator: gps_internet_use
    quarter: 2020Q4
  - indicator: "spend:affordability"
"""
"""6 design points x 3 seeds = 18 real runs of 500 households and 5 quarters."""

TABLES = ("experiments.parquet", "outcomes.parquet", "experiments.csv", "outcomes.csv")


def sweep_args(spec: Path, out: Path, workers: int = 1) -> list[str]:
    return ["sweep", str(spec), "--workers", str(workers), "--quiet", "--out", str(out)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sweep run once, uninterrupted: (spec, output folder)."""
    folder = tmp_path_factory.mktemp("fault_reference")
    spec = folder / "fault_grid.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    out = folder / "out"
    assert main(sweep_args(spec, out, workers=2)) == 0
    assert len(parts(out)) == RUNS
    return spec, out


def parts(folder: Path) -> list[Path]:
    return sorted((folder / "parts").glob("run-*.parquet")) if (folder / "parts").exists() else []


def assert_identical(ref: Path, out: Path) -> None:
    """Every part and every table byte for byte equal; the manifest says complete."""
    assert [p.name for p in parts(ref)] == [p.name for p in parts(out)]
    for a in parts(ref):
        assert a.read_bytes() == (out / "parts" / a.name).read_bytes(), a.name
    for name in TABLES:
        assert (ref / name).read_bytes() == (out / name).read_bytes(), name
    assert not [p.name for p in (out / "parts").iterdir() if not p.name.startswith("run-")]
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and set(m["run_status"].values()) == {"done"}


def parts_intact(folder: Path) -> int:
    """Every part under its final name reads back in full with its own run id; their number."""
    found = parts(folder)
    for p in found:
        table = pq.read_table(p)
        assert set(table.column("run_id").to_pylist()) == {int(p.stem.split("-")[1])}
    return len(found)


# -- (a) SIGKILL at random points, then resume ----------------------------------------------


def _wait_for(out: Path, proc: subprocess.Popen, n_parts: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        started = (out / "manifest.json").exists()
        if (n_parts == 0 and started) or len(parts(out)) >= n_parts > 0:
            return
        time.sleep(0.005)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (ProcessLookupError, OSError):
        return False


def _descendants(pid: int) -> list[int]:
    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


KILL_SEED = 20210208
"""Seed of the kill points, so a failure can be replayed."""


def _trials() -> list[tuple[str, int, str, float]]:
    """(what is killed, workers, when, extra delay in s): at least 5 different kill points."""
    rng = random.Random(KILL_SEED)
    return [
        ("parent", 1, f"after {rng.randint(1, 6)} parts", rng.uniform(0, 0.2)),
        ("group", 2, f"after {rng.randint(2, 10)} parts", rng.uniform(0, 0.2)),
        ("group", 1, f"after {rng.randint(7, 15)} parts", rng.uniform(0, 0.1)),
        ("parent", 2, f"after {rng.randint(3, 12)} parts", rng.uniform(0, 0.3)),
        ("group", 2, "once the manifest is written", rng.uniform(0, 0.05)),
        ("group", 1, "at a random time after the first part", rng.uniform(0, 1.5)),
    ]


TRIALS = _trials()


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals and /proc")
@pytest.mark.parametrize(
    ("target", "workers", "when", "delay"),
    TRIALS,
    ids=[f"kill-{t}-{w}w-{when.replace(' ', '_')}" for t, w, when, _ in TRIALS],
)
def test_sigkill_at_random_points_then_resume(
    reference: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    workers: int,
    when: str,
    delay: float,
) -> None:
    spec, ref = reference
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONHASHSEED": str(random.Random(when).randint(0, 2**32 - 1))}
    proc = subprocess.Popen(
        [script("inclusim"), *sweep_args(spec, out, workers)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: parent and pool workers
        env=env,
    )
    if when.startswith("after"):
        _wait_for(out, proc, int(when.split()[1]))
    elif when.startswith("once"):
        _wait_for(out, proc, 0)
    else:
        _wait_for(out, proc, 1)
    time.sleep(delay)
    if proc.poll() is not None:
        pytest.fail(f"the sweep ended before the kill: {proc.stderr.read().decode()[-400:]}")
    workers_pids = _descendants(proc.pid)
    if target == "group":
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    deadline = time.monotonic() + 10  # orphaned workers notice their parent is gone
    while time.monotonic() < deadline and any(_alive(p) for p in workers_pids):
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers_pids)
    done_at_kill = parts_intact(out)
    assert done_at_kill < RUNS, "killed too late to test anything"

    assert main(sweep_args(spec, out, workers)) == 0
    printed = capsys.readouterr().out
    assert f"runs: {RUNS} in all; " in printed
    # parts are renamed into place complete, so none is ever found broken
    assert f"{RUNS - done_at_kill} done now, {done_at_kill} done before, 0 failed" in printed
    assert_identical(ref, out)


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")
def test_killed_twice_then_resumed(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A resume that is itself killed loses nothing either."""
    spec, ref = reference
    out = tmp_path / "twice"
    for n_parts in (3, 9):
        proc = subprocess.Popen(
            [script("inclusim"), *sweep_args(spec, out, 2)],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for(out, proc, n_parts)
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert n_parts <= parts_intact(out) < RUNS
    assert main(sweep_args(spec, out, 2)) == 0
    capsys.readouterr()
    assert_identical(ref, out)
    assert len(json.loads((out / "manifest.json").read_text())["invocations"]) == 3


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")
def test_local_worker_killed_mid_sweep(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One pool worker killed (as the out-of-memory killer would): exit 1 with one message,
    completed runs kept, the same command again finishes identically."""
    spec, ref = reference
    out = tmp_path / "oom"
    proc = subprocess.Popen(
        [script("inclusim"), *sweep_args(spec, out, 2)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for(out, proc, 3)
    assert proc.poll() is None
    workers = [  # grandchildren: the forkserver's children
        c for c in psutil.Process(proc.pid).children(recursive=True) if c.ppid() != proc.pid
    ]
    assert workers
    os.kill(workers[0].pid, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    assert "error: a worker process died (out of memory?). Completed runs are kept" in stderr
    assert "Traceback" not in stderr
    done = parts_intact(out)
    assert 3 <= done < RUNS
    assert main(sweep_args(spec, out, 2)) == 0
    assert f"{RUNS - done} done now, {done} done before" in capsys.readouterr().out
    assert_identical(ref, out)


# -- (b) a Dask worker killed mid-sweep -----------------------------------------------------


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.subprocess
def test_dask_worker_killed_mid_sweep(
    reference: tuple[Path, Path],
    dask_cluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The scheduler gives the lost worker's runs to the other: same results, one invocation."""
    from distributed import Client

    spec, ref = reference
    cluster = dask_cluster(workers=2, threads=1)
    address, workers = cluster.address, cluster.workers
    with Client(address, timeout="20s") as client:
        client.wait_for_workers(2, timeout=60)
    out = tmp_path / "dask"
    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(parts(out)) < 4:
            time.sleep(0.005)
        killed.append(len(parts(out)))
        os.killpg(workers[0].pid, signal.SIGKILL)  # nanny and worker: it does not come back

    killer = threading.Thread(target=kill_one_worker, daemon=True)
    killer.start()
    code = main(["sweep", str(spec), "--scheduler", address, "--quiet", "--out", str(out)])
    killer.join(timeout=5)
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert killed and killed[0] < RUNS, "the worker was not killed mid-sweep"
    assert workers[0].wait(timeout=10) is not None
    assert f"runs: {RUNS} in all; {RUNS} done now, 0 done before, 0 failed." in printed.out
    assert_identical(ref, out)


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.subprocess
def test_dask_scheduler_killed_mid_sweep(
    reference: tuple[Path, Path],
    dask_cluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Losing the scheduler stops the sweep with one message and exit 1 (it used to wait
    forever); finishing it on the local pool gives the same results."""
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "3s")  # also how long a client retries
    spec, ref = reference
    cluster = dask_cluster(workers=2, threads=1)
    address, scheduler = cluster.address, cluster.scheduler
    out = tmp_path / "dask"
    killed: list[int] = []

    def kill_scheduler() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(parts(out)) < 3:
            time.sleep(0.005)
        killed.append(len(parts(out)))
        os.killpg(scheduler.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_scheduler, daemon=True)
    killer.start()
    start = time.monotonic()
    assert main(["sweep", str(spec), "--scheduler", address, "--quiet", "--out", str(out)]) == 1
    assert time.monotonic() - start < 90
    killer.join(timeout=5)
    err = capsys.readouterr().err
    assert killed and killed[0] < RUNS
    assert f"error: {address}: lost the Dask scheduler; completed runs are kept. Fix: " in err
    done = parts_intact(out)
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    assert main(sweep_args(spec, out, workers=2)) == 0
    assert f"{RUNS - done} done now, {done} done before" in capsys.readouterr().out
    assert_identical(ref, out)


# -- (c) an output folder that cannot be written; a full disk -------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("command", ["sweep", "compare", "run"])
@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_unwritable_output_folder(
    reference: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    where: str,
) -> None:
    """A file where a folder is expected, or a kernel file system that takes no folders: exit 2,
    one message naming the folder with a fix, nothing written, the file in the way untouched.
    (Tests run as root, so permission bits would not stop a write.)"""
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    out = blocker / "x" if where == "under_a_file" else Path(f"/proc/inclusim-{os.getpid()}")
    scenario = ROOT / "scenarios" / "lac" / "baseline.yaml"
    argv = {
        "sweep": sweep_args(reference[0], out),
        "compare": [
            *("compare", str(scenario), "--replications", "2", "--households", "500"),
            *("--quiet", "--workers", "1", "--out", str(out)),
        ],
        "run": ["run", str(scenario), "--households", "500", "--out", str(out)],
    }[command]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: {out}: cannot be written (")
    assert "Fix: pass --out DIR with a folder you can write to" in line
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def failing_after(method, allow: int, err: int):
    """A stand-in for a store method: the first ``allow`` calls work, the next raise ``err``."""
    calls = []

    def method_or_fail(store: Store, *args, **kwargs):
        calls.append(1)
        if len(calls) > allow:
            raise OSError(err, os.strerror(err))
        return method(store, *args, **kwargs)

    return method_or_fail


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "allow", "err", "code"),
    [
        ("write_part", 5, errno.ENOSPC, 1),  # disk full after 5 parts
        ("write_part", 0, errno.EDQUOT, 1),  # over quota from the first part
        ("write_table", 1, errno.ENOSPC, 1),  # every run stored; the outcomes table is not
        ("write_part", 3, errno.EACCES, 2),  # the folder turned read-only mid-sweep
    ],
    ids=["enospc-parts", "edquot-first-part", "enospc-outcomes", "eacces-parts"],
)
def test_disk_full_keeps_completed_runs_and_resumes(
    reference: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    allow: int,
    err: int,
    code: int,
) -> None:
    spec, ref = reference
    out = tmp_path / "full"
    monkeypatch.setattr(Store, method, failing_after(getattr(Store, method), allow, err))
    if code == 1:
        with pytest.raises(SystemExit) as info:
            main(sweep_args(spec, out))
        assert info.value.code == 1
    else:
        assert main(sweep_args(spec, out)) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: {out}: cannot be written ({os.strerror(err)}).")
    assert "Fix: " in line
    expected_parts = RUNS if method == "write_table" else allow
    assert parts_intact(out) == expected_parts
    assert not [p for p in (out / "parts").iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    assert main(sweep_args(spec, out)) == 0
    assert (
        f"{RUNS - expected_parts} done now, {expected_parts} done before" in capsys.readouterr().out
    )
    assert_identical(ref, out)


@pytest.mark.slow
def test_analyse_cannot_write_its_table(
    reference: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``inclusim analyse`` with a folder in the way of its table (exit 2), then a full disk
    (exit 1): one message each, the sweep's results untouched."""
    _, ref = reference
    out = tmp_path / "copy"
    shutil.copytree(ref, out)
    (out / "sensitivity.parquet").mkdir()
    assert main(["analyse", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: cannot be written (Is a directory: ")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    (out / "sensitivity.parquet").rmdir()
    monkeypatch.setattr(Store, "write_table", failing_after(Store.write_table, 0, errno.ENOSPC))
    with pytest.raises(SystemExit) as info:
        main(["analyse", str(out)])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: cannot be written (No space left on device).")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    monkeypatch.undo()
    (out / "sensitivity.parquet").unlink(missing_ok=True)
    assert_identical(ref, out)


def test_replace_failing_in_the_middle_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``os.replace`` refused (EACCES) after the bytes are written: the temporary goes."""
    store = Store(tmp_path / "e")
    store.parts.mkdir(parents=True)

    def refuse(*_: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(store_module.os, "replace", refuse)
    with pytest.raises(PermissionError):
        store.write_part(1, b"PAR1")
    with pytest.raises(PermissionError):
        store_module.write_atomic(tmp_path / "e" / "outcomes.csv", b"x")
    assert list(store.parts.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "e").iterdir()) == ["parts"]


@pytest.mark.slow
def test_single_run_disk_full_keeps_the_previous_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``inclusim run`` into a folder holding an earlier result: a full disk halfway through
    writing leaves the earlier result as it was and no temporary folder."""
    monkeypatch.chdir(tmp_path)
    scenario = str(ROOT / "scenarios" / "lac" / "baseline.yaml")
    argv = ["run", scenario, "--households", "500", "--out", "res"]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "res").iterdir()}
    import pandas as pd

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main([*argv, "--seed", "1"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: res: cannot be written (No space left on device).")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert {p.name: p.read_bytes() for p in (tmp_path / "res").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


# -- (d) parts truncated at random offsets --------------------------------------------------


@pytest.mark.slow
def test_parts_truncated_at_random_offsets_are_redone(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a crash of a file system without atomic rename, or a copy cut short, would leave them
    (``tests/test_experiments_runs.py`` truncates one part at byte 100; here six parts at
    random offsets, from empty to one byte short)."""
    spec, ref = reference
    out = tmp_path / "copy"
    shutil.copytree(ref, out)
    rng = random.Random(KILL_SEED)
    victims = rng.sample(parts(out), 6)
    for k, part in enumerate(victims):
        data = part.read_bytes()
        cut = {0: 0, 1: len(data) - 1}.get(k, rng.randrange(1, len(data) - 1))
        part.write_bytes(data[:cut])
    (out / "outcomes.parquet").write_bytes((out / "outcomes.parquet").read_bytes()[:50])
    assert main(sweep_args(spec, out)) == 0
    printed = capsys.readouterr().out
    assert f"6 done now, {RUNS - 6} done before, 6 broken parts redone, 0 failed" in printed
    assert_identical(ref, out)


def test_store_module_reports_only_storage_errors() -> None:
    """Other OS errors (e.g. a lost connection to a Dask scheduler) are not mislabelled."""
    with pytest.raises(ConnectionResetError), store_module.output_errors("out"):
        raise ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
