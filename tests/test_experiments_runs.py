"""Running experiments end to end: determinism across workers and executors, resuming after
kill -9, broken parts, failing runs, refusals, compare and analyse (tiny real runs)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

from experiments.batch import executors
from experiments.batch.executors import Pool
from experiments.batch.runner import Task, run_tasks
from experiments.batch.store import Store
from experiments.cli import main, parser
from experiments.commands.batch import run_compare, run_sweep
from tests.installed import script
from tests.runhelpers import (
    all_parts,
    failing_run,
    fake_run,
    write_scenario,
    write_spec,
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny grid run once, uninterrupted, with 2 local workers: (spec, output folder)."""
    folder = tmp_path_factory.mktemp("reference")
    spec = write_spec(folder)
    out = folder / "out"
    assert main(["sweep", str(spec), "--workers", "2", "--quiet", "--out", str(out)]) == 0
    return spec, out


def assert_same_results(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(all_parts(a), all_parts(b))
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "outcomes.parquet"), pd.read_parquet(b / "outcomes.parquet")
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "experiments.parquet"), pd.read_parquet(b / "experiments.parquet")
    )


@pytest.mark.slow
def test_reference_sweep_tables(reference: tuple[Path, Path]) -> None:
    _, out = reference
    ex = pd.read_parquet(out / "experiments.parquet")
    oc = pd.read_parquet(out / "outcomes.parquet")
    assert len(ex) == len(oc) == 24
    assert ex["run_id"].tolist() == oc["run_id"].tolist() == list(range(24))
    assert {
        "point",
        "replication",
        "seed",
        "policies.affordability.intensity",
        "policies.skills_training.intensity",
        "parameters.beta_peer",
    } <= set(ex.columns)
    # common random numbers: replication k has the same seed at every design point
    assert ex.groupby("replication")["seed"].nunique().eq(1).all()
    assert ex["seed"].nunique() == 2
    assert list(oc.columns) == [
        "run_id",
        "share_internet_use@2021Q1",
        "gps_internet_use",
        "spend:affordability",
    ]
    assert oc.notna().all().all()
    # more affordability spends more, at the same seed and other inputs
    merged = ex.merge(oc, on="run_id")
    spend = merged.groupby("policies.affordability.intensity")["spend:affordability"].mean()
    assert spend.loc[0.0] == 0 and spend.loc[1.0] > spend.loc[0.5] > 0
    parts = all_parts(out)
    assert (parts.groupby("run_id")["seed"].first().to_numpy() == ex["seed"].to_numpy()).all()
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and set(m["run_status"].values()) == {"done"}
    assert m["spec"]["text"] == reference[0].read_text()


@pytest.mark.slow
def test_one_and_two_workers_agree(reference: tuple[Path, Path], tmp_path: Path) -> None:
    spec, ref = reference
    out = tmp_path / "one"
    assert main(["sweep", str(spec), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert_same_results(ref, out)


def _children(pid: int) -> list[int]:
    return [c.pid for c in psutil.Process(pid).children(recursive=True)]


@pytest.mark.slow
@pytest.mark.subprocess
def test_sigkill_then_resume_equals_uninterrupted(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, ref = reference
    out = tmp_path / "killed"
    cmd = [script("inclusim"), "sweep", str(spec), "--workers", "1", "--quiet", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "parts").glob("run-*.parquet"))) >= 3 if out.exists() else False:
            break
        time.sleep(0.01)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    workers = _children(proc.pid)
    assert workers, "the sweep started no worker process to watch"
    os.kill(proc.pid, signal.SIGKILL)  # the parent only: its workers must notice and quit
    proc.wait()
    done_at_kill = len(list((out / "parts").glob("run-*.parquet")))
    assert 3 <= done_at_kill < 24
    gone = time.monotonic() + 10
    while time.monotonic() < gone and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "orphaned workers outlived their parent"
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    assert main(cmd[1:]) == 0  # the same command again, in process
    assert f"{24 - done_at_kill} done now, {done_at_kill} done before" in capsys.readouterr().out
    assert_same_results(ref, out)
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def _default_ctrl_c() -> None:
    """Start the command with Ctrl-C handled as in a terminal, whatever this process does.

    A disposition of 'ignore' is inherited across exec, and Python then installs no
    KeyboardInterrupt handler; the test must not depend on what earlier tests left behind.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.subprocess
def test_ctrl_c_stops_cleanly_and_resumes(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, ref = reference
    out = tmp_path / "interrupted"
    cmd = [script("inclusim"), "sweep", str(spec), "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_ctrl_c,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and len(list((out / "parts").glob("run-*.parquet"))) >= 3:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; completed work is kept." in err
    assert "Traceback" not in err
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert main([*cmd[1:], "--quiet"]) == 0
    assert_same_results(ref, out)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its (dead) parent to reap it counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_broken_parts_are_redone(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, ref = reference
    out = tmp_path / "copy"
    shutil.copytree(ref, out)
    first, second = sorted((out / "parts").glob("run-*.parquet"))[5:7]
    first.write_bytes(first.read_bytes()[:100])
    second.write_bytes(b"not parquet at all")
    (out / "outcomes.parquet").unlink()
    assert main(["sweep", str(spec), "--workers", "2", "--quiet", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "2 done now, 22 done before, 2 broken parts redone, 0 failed" in stdout
    assert_same_results(ref, out)


@pytest.mark.slow
def test_other_spec_refused_but_new_outcomes_reuse_runs(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, ref = reference
    out = tmp_path / "copy"
    shutil.copytree(ref, out)
    changed = write_spec(
        tmp_path, "tiny_grid", spec.read_text().replace("replications: 2", "replications: 3")
    )
    assert main(["sweep", str(changed), "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds the results of a different experiment" in err
    assert "pass --out DIR to write elsewhere, or delete" in err
    more = write_spec(
        tmp_path,
        "tiny_grid",
        spec.read_text().replace("outcomes:\n", "outcomes:\n  - indicator: gini_income\n"),
    )
    assert main(["sweep", str(more), "--quiet", "--out", str(out)]) == 0
    assert "0 done now, 24 done before" in capsys.readouterr().out
    assert pd.read_parquet(out / "outcomes.parquet")["gini_income"].notna().all()


def test_unknown_outcome_is_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        write_spec(tmp_path)
        .read_text()
        .replace("indicator: gps_internet_use", "indicator: gps_internet")
    )
    spec = write_spec(tmp_path, "typo", text.replace("name: tiny_grid", "name: typo"))
    out = tmp_path / "out"
    for command in (["validate", str(spec)], ["sweep", str(spec), "--quiet", "--out", str(out)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{spec}:22: outcomes[1].indicator: 'gps_internet' is not an indicator" in err
        assert "Fix: did you mean 'gps_internet_use'? Else the names are listed in" in err
        assert "Traceback" not in err and len(err) < 400  # one line, not every name
    assert not out.exists()


@pytest.mark.slow
def test_outcome_of_a_policy_the_runs_lack_stops_early_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = write_spec(tmp_path).read_text().replace("spend:affordability", "spend:afordability")
    spec = write_spec(tmp_path, "typo", text.replace("name: tiny_grid", "name: typo"))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        f"{spec}:23: outcomes[2].indicator: the model reports no indicator "
        "'spend:afordability';" in err
    )
    assert "did you mean 'spend:affordability'?" in err and "Traceback" not in err
    assert len(list((out / "parts").glob("*.parquet"))) < 24
    assert json.loads((out / "manifest.json").read_text())["status"] == "stopped"


@pytest.mark.slow
def test_failing_runs_are_recorded_and_the_rest_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = parser().parse_args(["sweep", str(spec), "--workers", "2", "--quiet", "--out", str(out)])
    assert run_sweep(args, run_fn=failing_run) == 1
    captured = capsys.readouterr()
    bad = [r for r in range(24) if r % 5 == 3]
    assert f"24 in all; {24 - len(bad)} done now, 0 done before, {len(bad)} failed." in captured.out
    assert f"{len(bad)} runs failed" in captured.err and "boom in run 3" in captured.err
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert sorted(f["run_id"] for f in failures) == bad
    f3 = next(f for f in failures if f["run_id"] == 3)
    assert "RuntimeError: boom in run 3" in f3["traceback"]
    assert set(f3["inputs"]) == {
        "point",
        "policies.affordability.intensity",
        "policies.skills_training.intensity",
        "parameters.beta_peer",
    }
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "failed"
    assert [int(r) for r, s in m["run_status"].items() if s == "failed"] == bad
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert outcomes.iloc[bad, 1:].isna().all().all()
    assert outcomes.drop(index=bad).iloc[:, 1:].notna().all().all()
    # running again retries only the failed runs
    assert run_sweep(args, run_fn=fake_run) == 0
    assert f"{len(bad)} done now, {24 - len(bad)} done before" in capsys.readouterr().out
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that remembers the most runs ever in flight."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.in_flight = 0
        self.most = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        fut = super().submit(fn, *args, **kwargs)
        fut.add_done_callback(self._done)
        return fut

    def _done(self, _: Future) -> None:
        with self.lock:
            self.in_flight -= 1


@pytest.mark.slow
def test_runs_in_flight_are_bounded(tmp_path: Path) -> None:
    store = Store(tmp_path / "e")
    store.open("sweep", "e", {}, "h", pd.DataFrame({"run_id": range(200)}), 0)
    tasks = (Task(r, r, 0, {"end": "2020Q2"}) for r in range(200))
    with CountingExecutor() as ex:
        report = run_tasks(tasks, 200, store, Pool(ex, 2, "threads"), fake_run, progress=False)
    assert report.done == 200 and not report.failed
    assert ex.most <= 4  # WINDOW_PER_SLOT x slots, however many runs there are
    assert len(store.done_ids()) == 200


@pytest.mark.slow
def test_progress_bar_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path)
    args = parser().parse_args(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "o")])
    assert run_sweep(args, run_fn=fake_run) == 0
    err = capsys.readouterr().err
    assert "24/24" in err and "failed=0" in err


@pytest.mark.slow
def test_compare_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    base = write_scenario(tmp_path, "base")
    subsidy = write_scenario(
        tmp_path,
        "subsidy",
        "[{type: affordability, name: basket, start: 2020Q1, eligibility: {quintile: [1, 2]}}]",
    )
    cmd = [
        "compare",
        str(base),
        str(subsidy),
        "--replications",
        "3",
        "--workers",
        "2",
        "--quiet",
        "--seed",
        "5",
    ]
    assert main(cmd) == 0
    res = capsys.readouterr()
    assert res.err == ""
    out = tmp_path / "outputs" / "compare_base-subsidy"
    assert (
        "2 scenarios x 3 paired replications of 2,000 households (root seed 5), at 2021Q3"
        in res.out
    )
    for name in (
        "gps_internet_use",
        "ratio_urban_rural_internet_use",
        "share_meaningful",
        "minus base",
        "US$ per extra person online",
        "present value (US$)",
        "results in outputs/compare_base-subsidy/",
    ):
        assert name in res.out
    ex = pd.read_parquet(out / "experiments.parquet")
    assert (
        ex[ex.scenario == "base"]["seed"].to_numpy()
        == ex[ex.scenario == "subsidy"]["seed"].to_numpy()
    ).all()
    summary = pd.read_parquet(out / "summary.parquet")
    diffs = pd.read_parquet(out / "differences.parquet")
    table = pd.read_csv(out / "table.csv")
    assert set(summary["quarter"]) == {
        f"{y}Q{q}"
        for y, q in [
            (2019, 4),
            (2020, 1),
            (2020, 2),
            (2020, 3),
            (2020, 4),
            (2021, 1),
            (2021, 2),
            (2021, 3),
        ]
    }
    # the difference of means equals the mean of the paired differences
    parts = all_parts(out)
    last = parts[(parts.quarter == "2021Q3") & (parts.indicator == "share_internet_use")]
    by_run = last.set_index("run_id")["value"]
    paired = by_run.loc[[3, 4, 5]].to_numpy() - by_run.loc[[0, 1, 2]].to_numpy()
    d = diffs[(diffs.quarter == "2021Q3") & (diffs.indicator == "share_internet_use")].iloc[0]
    assert d["mean"] == pytest.approx(paired.mean())
    assert d["n"] == 3 and d["ci_low"] <= d["mean"] <= d["ci_high"]
    row = table[(table.scenario == "subsidy") & (table.indicator == "share_internet_use")].iloc[0]
    assert row["mean_diff"] == pytest.approx(paired.mean())
    cost = pd.read_csv(out / "cost.csv").set_index("scenario")
    assert cost.loc["base", "spend_mean"] == 0
    assert cost.loc["subsidy", "spend_mean"] > 0
    assert "cost_per_extra_households" in cost.columns
    # running it again finds everything done
    assert main(cmd) == 0
    assert "0 done now, 6 done before" in capsys.readouterr().out


def test_compare_refuses_bad_quarter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_scenario(tmp_path, "base")
    assert main(["compare", str(base), "--quarter", "2030Q4", "--out", str(tmp_path / "o")]) == 2
    assert (
        "2030Q4 is outside the quarters every scenario covers (2019Q4 to 2021Q3)"
        in capsys.readouterr().err
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("design", "measures", "rank"),
    [
        ("kind: sobol\n  samples: 16", {"S1", "S1_conf", "ST", "ST_conf"}, "ST"),
        ("kind: morris\n  trajectories: 6", {"mu", "mu_star", "sigma", "mu_star_conf"}, "mu_star"),
        ("kind: latin_hypercube\n  samples: 40", {"S1", "S1_conf"}, "S1"),
    ],
)
def test_analyse_sampled_designs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], design: str, measures: set, rank: str
) -> None:
    text = write_spec(tmp_path).read_text()
    text = text.replace("kind: full_factorial\n  levels: 2", design)
    text = (
        text.replace("[0.0, 0.5, 1.0]", "{low: 0.0, high: 1.0}")
        .replace("[0.0, 1.0]", "{low: 0.0, high: 1.0}")
        .replace("replications: 2", "replications: 1")
    )
    spec = write_spec(tmp_path, "sampled", text.replace("name: tiny_grid", "name: sampled"))
    out = tmp_path / "sampled"
    args = parser().parse_args(["sweep", str(spec), "--workers", "2", "--quiet", "--out", str(out)])
    assert run_sweep(args, run_fn=fake_run) == 0
    capsys.readouterr()
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "spend:affordability" in printed and "written to" in printed
    sens = pd.read_csv(out / "sensitivity.csv")
    assert set(sens.columns) == {"outcome", "input"} | measures
    assert len(sens) == 3 * 3  # outcomes x inputs
    spend = sens[sens.outcome == "spend:affordability"].set_index("input")
    assert spend[rank].abs().idxmax() == "policies.affordability.intensity"
    assert np.isfinite(sens[rank]).all()


@pytest.mark.slow
def test_analyse_full_factorial(
    reference: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(reference[1], out)
    assert main(["analyse", str(out)]) == 0
    assert "main effects" in capsys.readouterr().out
    sens = pd.read_csv(out / "sensitivity.csv")
    spend = sens[sens.outcome == "spend:affordability"].set_index("input")["main_effect"]
    assert spend.idxmax() == "policies.affordability.intensity"
    assert spend["parameters.beta_peer"] < spend["policies.affordability.intensity"]


def test_analyse_refuses_a_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "compare"}))
    assert main(["analyse", str(tmp_path)]) == 2
    assert "holds a comparison, not a sweep." in capsys.readouterr().err


def test_analyse_refuses_what_it_cannot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", str(tmp_path)]) == 2
    assert "is not an experiment folder (it has no manifest.json)" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.subprocess
def test_dask_and_local_agree(
    reference: tuple[Path, Path],
    dask_cluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A real scheduler and one single-threaded worker give the local pool's results."""
    spec, ref = reference
    address = dask_cluster(workers=1, threads=1).address
    out = tmp_path / "dask"
    assert main(["sweep", str(spec), "--scheduler", address, "--quiet", "--out", str(out)]) == 0
    assert_same_results(ref, out)
    m = json.loads((out / "manifest.json").read_text())
    assert m["invocations"][-1]["executor"].startswith(f"Dask cluster at {address}")


@pytest.mark.slow
def test_unreachable_scheduler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    spec = write_spec(tmp_path)
    port = _free_port()
    code = main(
        [
            "sweep",
            str(spec),
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
            "--quiet",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot reach a Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_compare_baseline_alone_gives_replication_bands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_scenario(tmp_path, "base")
    args = parser().parse_args(
        [
            "compare",
            str(base),
            "--replications",
            "4",
            "--workers",
            "1",
            "--quiet",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert run_compare(args, run_fn=fake_run) == 0
    out = capsys.readouterr().out
    assert "1 scenario x 4 paired replications" in out and "share_internet_use" in out
    summary = pd.read_csv(tmp_path / "o" / "summary.csv")
    row = summary[(summary.quarter == "2021Q3") & (summary.indicator == "share_internet_use")]
    assert row["n"].item() == 4 and row["p5"].item() <= row["median"].item() <= row["p95"].item()
    assert pd.read_csv(tmp_path / "o" / "differences.csv").empty


def test_run_writes_the_final_intersections_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``inclusim run`` writes cells.csv and cells.parquet (people and rates by intersection)."""
    from model.indicator_registry import is_known

    scenario = write_scenario(tmp_path, "tiny")
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--households", "1000", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "cells.csv" in printed and "cells.parquet" in printed
    cells = pd.read_parquet(out / "cells.parquet")
    assert cells.equals(
        pd.read_csv(out / "cells.csv", dtype={"quintile": str}).astype(cells.dtypes)
    )
    assert list(cells.columns[:5]) == ["sex", "age", "location", "quintile", "disability"]
    assert all(is_known(c) for c in cells.columns[6:])
    timeseries = pd.read_parquet(out / "timeseries.parquet")
    last = timeseries[timeseries["quarter"] == timeseries["quarter"].max()].set_index("indicator")
    assert cells["people"].sum() == pytest.approx(last.loc["n_people", "value"])
    online = last.loc["n_people_internet_use", "value"]
    assert cells["n_people_internet_use"].sum() == pytest.approx(online)
