"""``inclusim run``: one scenario, one seed, written to ``outputs/<name>/``.

The folder is built under a temporary name and renamed into place at the end, so an
interrupted or failed run never leaves a half-written result.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from experiments.provenance import git_commit, now, safe_name, sha256, versions
from experiments.tables import format_table
from model.indicators import HEADLINE
from model.loader import LoadedScenario
from model.run import RunResult, simulate


def run_scenario(
    loaded: LoadedScenario, seed: int, households: int | None, out: Path | None
) -> tuple[RunResult, Path, float]:
    """Simulate and write the results folder; return the result, its folder and seconds."""
    start = time.perf_counter()
    result = simulate(loaded, seed, households)
    elapsed = time.perf_counter() - start
    folder = out or Path("outputs") / safe_name(loaded.scenario.name)
    write_run(result, loaded, folder, elapsed)
    return result, folder, elapsed


def write_run(result: RunResult, loaded: LoadedScenario, folder: Path, seconds: float) -> None:
    """Write time series (Parquet and CSV), final-quarter summary and manifest atomically."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        tidy = result.tidy()
        tidy.to_parquet(tmp / "timeseries.parquet", index=False)
        tidy.to_csv(tmp / "timeseries.csv", index=False)
        final = result.timeseries.iloc[-1]
        summary = pd.DataFrame({"indicator": final.index, "value": final.to_numpy()})
        summary.insert(0, "quarter", result.timeseries.index[-1])
        summary.to_csv(tmp / "summary.csv", index=False)
        manifest = {
            "scenario": loaded.scenario.name,
            "scenario_file": loaded.path,
            "scenario_sha256": sha256(loaded.text),
            "scenario_text": loaded.text,
            "region": loaded.region.name,
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
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def headline_table(result: RunResult) -> str:
    """The headline gaps at the first and last quarter, as a text table."""
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
    return format_table(["indicator", first, last, "change"], rows)
