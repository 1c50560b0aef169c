"""Determinism of what the commands write: the same inputs give the same bytes.

``inclusim run``, ``compare`` and ``sweep`` are each run several ways -- in this process and in
fresh interpreters with other ``PYTHONHASHSEED`` values, with 1 and 2 local workers, and on a
Dask worker running two runs at once in threads -- and every result file must be byte for byte
the same. Already covered elsewhere, so not repeated: the model itself (same seed, fresh
process, other hash seed: ``tests/test_simulation.py``); sweeps with 1 vs 2 workers and local
vs Dask (``tests/test_experiments_runs.py``, compared to 1e-5 there and exactly, byte for byte,
in ``tests/test_faults.py``, whose resumed sweeps also run under random hash seeds).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from experiments.cli import main
from tests.installed import script
from tests.paths import ROOT
from tests.runhelpers import write_scenario
from tests.test_faults import SPEC

HASH_SEEDS = ("0", "4242", "random")
PROVENANCE = ("manifest.json", "report.html")
"""Files that record when, where and by which command results were made, so differ by design."""


def fresh(argv: list[str], cwd: Path, hash_seed: str) -> None:
    """Run ``inclusim ARGV`` in a new interpreter with the given ``PYTHONHASHSEED``."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run(
        [script("inclusim"), *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


UNSTABLE_SUFFIXES = (".svg",)
"""Matplotlib names SVG clip paths by a hash of their box at full float precision, and the
layout's last bits vary from one drawing to the next in a process (the same figure, the same
PNG), so the SVG text varies now and then (experiments/present/figures.py; reported)."""


def files(folder: Path, skip: tuple[str, ...] = PROVENANCE) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), but those named in ``skip``."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip and p.suffix not in UNSTABLE_SUFFIXES
    }


def assert_same_files(a: Path, b: Path, skip: tuple[str, ...] = PROVENANCE) -> None:
    fa, fb = files(a, skip), files(b, skip)
    assert sorted(fa) == sorted(fb)
    different = [name for name in fa if fa[name] != fb[name]]
    assert not different, f"{a} and {b} differ in {different}"


# -- inclusim run -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.subprocess
def test_run_writes_the_same_files_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Timeseries (Parquet and CSV) and summary: in process, and in fresh interpreters with
    three hash seeds; the manifests agree on everything but time and command line."""
    monkeypatch.chdir(tmp_path)
    scenario = str(ROOT / "scenarios" / "lac" / "four_is.yaml")
    argv = ["run", scenario, "--households", "1500", "--seed", "11"]
    assert main([*argv, "--out", "here"]) == 0
    capsys.readouterr()
    for seed in HASH_SEEDS:
        fresh([*argv, "--out", f"fresh_{seed}"], tmp_path, seed)
        assert_same_files(tmp_path / "here", tmp_path / f"fresh_{seed}")
    assert {p.name for p in (tmp_path / "here").iterdir()} >= {
        "timeseries.parquet",
        "timeseries.csv",
        "summary.csv",
    }
    varying = {"command", "finished", "seconds"}
    manifests = [
        {k: v for k, v in json.loads((tmp_path / d / "manifest.json").read_text()).items()}
        for d in ["here", *(f"fresh_{s}" for s in HASH_SEEDS)]
    ]
    for m in manifests[1:]:
        assert {k: v for k, v in m.items() if k not in varying} == {
            k: v for k, v in manifests[0].items() if k not in varying
        }


# -- inclusim compare -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.subprocess
def test_compare_writes_the_same_files_everywhere(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dask_cluster,
) -> None:
    """Parts, summary, differences, table, cost, figures (PNG) and exports (all but the
    provenance in the manifest and the report page): 1 worker in process, 2 workers in a fresh
    interpreter (another hash seed), a Dask worker with two threads, and once more in process
    (the second time every run is found done, and the tables are rebuilt identically)."""
    threaded_cluster = dask_cluster(workers=1, threads=2).address  # two runs at once
    monkeypatch.chdir(tmp_path)
    base = write_scenario(tmp_path, "base")
    other = write_scenario(
        tmp_path,
        "subsidy",
        "[{type: affordability, start: 2020Q1, eligibility: {quintile: [1, 2]}},"
        " {type: skills_training, start: 2020Q2}]",
    )
    argv = ["compare", str(base), str(other), "--replications", "3", "--households", "600"]
    argv += ["--seed", "3", "--quiet"]
    assert main([*argv, "--workers", "1", "--out", "one"]) == 0
    fresh([*argv, "--workers", "2", "--out", "two"], tmp_path, "random")
    assert main([*argv, "--scheduler", threaded_cluster, "--out", "dask"]) == 0
    capsys.readouterr()
    for other_run in ("two", "dask"):
        assert_same_files(tmp_path / "one", tmp_path / other_run)
    before = files(tmp_path / "one")
    assert main([*argv, "--workers", "2", "--out", "one"]) == 0
    assert "0 done now, 6 done before" in capsys.readouterr().out
    assert files(tmp_path / "one") == before
    assert {"summary.parquet", "differences.csv", "table.csv", "cost.csv"} <= set(before)
    assert any(name.startswith(("figures/", "exports/")) for name in before)


# -- inclusim sweep ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.subprocess
def test_sweep_writes_the_same_files_with_other_hash_seeds_and_threads(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dask_cluster,
) -> None:
    """The 18-run grid of ``tests/test_faults.py``: in fresh interpreters with two hash seeds
    (1 and 2 workers) and on a Dask worker running two runs at once in threads."""
    threaded_cluster = dask_cluster(workers=1, threads=2).address  # two runs at once
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "fault_grid.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    argv = ["sweep", str(spec), "--quiet"]
    fresh([*argv, "--workers", "1", "--out", "a"], tmp_path, "0")
    fresh([*argv, "--workers", "2", "--out", "b"], tmp_path, "random")
    assert main([*argv, "--scheduler", threaded_cluster, "--out", "dask"]) == 0
    capsys.readouterr()
    assert_same_files(tmp_path / "a", tmp_path / "b")
    assert_same_files(tmp_path / "a", tmp_path / "dask")
    assert len(list((tmp_path / "a" / "parts").iterdir())) == 18
