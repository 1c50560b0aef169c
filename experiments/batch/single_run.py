"""``inclusim run``: one scenario, one seed, written to ``outputs/<name>/``.

The folder holds the time series of every indicator (``timeseries.parquet`` and ``.csv``), the
final quarter (``summary.csv``), the final quarter's intersections of sex, age band, location,
income quintile and disability with people counts and rates (``cells.parquet`` and ``.csv``),
and ``manifest.json``.

The folder is built under a temporary name (``.<name>.tmp-*`` beside it) and renamed into
place at the end, so an interrupted or failed run never leaves a half-written result; a folder
that holds anything but an earlier run's results is never replaced. The command holds the
folder's lock (:func:`experiments.batch.store.folder_lock`) throughout, so temporary folders found
beside it were left by a killed run and are removed.
"""

from __future__ import annotations

import glob
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.batch.identity import model_fingerprint, region_sha256
from experiments.batch.provenance import git_commit, now, safe_name, sha256, versions
from experiments.batch.store import folder_lock, output_errors
from experiments.present.tables import format_table
from model.errors import InputError, Problem
from model.indicator_registry import HEADLINE
from model.loader import LoadedScenario, resolve_region
from model.result import RunResult
from model.run import simulate


def run_scenario(
    loaded: LoadedScenario,
    seed: int,
    households: int | None,
    out: Path | None,
    settings: Mapping[str, Any] | None = None,
) -> tuple[RunResult, Path, float]:
    """Simulate and write the results folder; return the result, its folder and seconds.

    ``settings`` are the ``--set`` values already applied to ``loaded``; the manifest records
    them.
    """
    folder = out or Path("outputs") / safe_name(loaded.scenario.name)
    with ExitStack() as held:
        with output_errors(folder):
            held.enter_context(folder_lock(folder))
            check_folder(folder)
            remove_stale_temporaries(folder)
        start = time.perf_counter()
        result = simulate(loaded, seed, households)
        elapsed = time.perf_counter() - start
        with output_errors(folder):
            write_run(result, loaded, folder, elapsed, settings)
    return result, folder, elapsed


def temporary_prefix(folder: Path) -> str:
    """Name prefix of the temporary folders a run of ``folder`` builds beside it."""
    return f".{folder.name}.tmp-"


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary folders of ``folder`` left by killed runs; return them.

    Call it only while holding the folder's lock: no live command then owns one.
    """
    pattern = glob.escape(str(folder.parent / temporary_prefix(folder))) + "*"
    stale = [Path(p) for p in glob.glob(pattern, include_hidden=True)]
    for p in stale:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
    return stale


def write_run(
    result: RunResult,
    loaded: LoadedScenario,
    folder: Path,
    seconds: float,
    settings: Mapping[str, Any] | None = None,
) -> None:
    """Write time series, final-quarter summary and intersections, and manifest atomically.

    Time series and intersections are written as Parquet and CSV. The manifest records the
    scenario file's text and, under ``settings``, the ``--set`` values applied on top of it
    (``{}`` when none), so a run with settings is never taken for one of the file alone.

    Raises:
        InputError: ``folder`` exists and holds something other than a run's results.

    """
    check_folder(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=temporary_prefix(folder), dir=folder.parent))
    try:
        tidy = result.tidy()
        tidy.to_parquet(tmp / "timeseries.parquet", index=False)
        tidy.to_csv(tmp / "timeseries.csv", index=False)
        final = result.timeseries.iloc[-1]
        summary = pd.DataFrame({"indicator": final.index, "value": final.to_numpy()})
        summary.insert(0, "quarter", result.timeseries.index[-1])
        summary.to_csv(tmp / "summary.csv", index=False)
        if result.cells is not None:
            result.cells.to_parquet(tmp / "cells.parquet", index=False)
            result.cells.to_csv(tmp / "cells.csv", index=False)
        manifest = {
            "scenario": loaded.scenario.name,
            "scenario_file": loaded.path,
            "scenario_sha256": sha256(loaded.text),
            "scenario_text": loaded.text,
            "settings": dict(settings or {}),
            "region": loaded.region.name,
            "region_sha256": _region_sha256(loaded),
            "model": model_fingerprint(),
            "seed": result.seed,
            "households": result.households,
            "labels": result.summary,
            "versions": versions(),
            "git_commit": git_commit(),
            "command": sys.argv,
            "finished": now(),
            "seconds": round(seconds, 3),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _swap_in(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _region_sha256(loaded: LoadedScenario) -> str:
    """SHA-256 of the region profile and its figures table ('' for a scenario built in code)."""
    folder = Path(loaded.path).parent if loaded.path else None
    try:
        return region_sha256(resolve_region(loaded.scenario.region, folder))
    except (InputError, OSError):
        return ""


def check_folder(folder: Path) -> None:
    """Refuse to replace anything but an empty folder or an earlier run's results.

    Raises:
        InputError: ``folder`` is a file, or a folder holding files no run wrote.

    """
    if not folder.exists() and not folder.is_symlink():
        return
    problem, fix = None, "pass --out DIR to write elsewhere, or delete it."
    if folder.is_symlink():
        problem, fix = "is a symbolic link.", "pass --out with the folder it points to."
    elif not folder.is_dir():
        problem = "exists and is not a folder."
    elif any(folder.iterdir()) and not is_run_folder(folder):
        problem = "exists, is not empty and holds no run's manifest.json: it is not a run folder."
    if problem:
        raise InputError(str(folder), [Problem("", problem, fix)])


def is_run_folder(folder: Path) -> bool:
    """The folder holds the manifest 'inclusim run' writes (scenario, seed, households)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"scenario", "seed", "households"} <= set(manifest)


def _swap_in(new: Path, folder: Path) -> None:
    """Rename ``new`` to ``folder``; a previous result there is removed only once replaced."""
    if not folder.exists():
        new.rename(folder)
        return
    old = folder.with_name(f"{new.name}.old")
    folder.rename(old)
    try:
        new.rename(folder)
    except BaseException:
        old.rename(folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


CELLS_NOTE = (
    "people and rates in the final quarter by sex x age x location x quintile x disability: "
    "cells.csv, cells.parquet"
)
"""What ``inclusim run`` says about the intersections it writes."""


def headline_table(result: RunResult) -> str:
    """The headline gaps at the first and last quarter as a text table.

    When the run has intersections, a last line says where they are written.
    """
    ts = result.timeseries
    first, last = ts.index[0], ts.index[-1]
    rows = [
        [
            name,
            f"{ts[name].iloc[0]:.3f}",
            f"{ts[name].iloc[-1]:.3f}",
            f"{ts[name].iloc[-1] - ts[name].iloc[0]:+.3f}",
        ]
        for name in HEADLINE
        if name in ts
    ]
    table = format_table(["indicator", first, last, "change"], rows)
    return table if result.cells is None else f"{table}\n{CELLS_NOTE}"
