"""Stand-in run functions and files for the experiments tests (importable by worker processes).

``fake_run`` is a cheap deterministic function of the scenario and the seed with the shape of
a real run (quarters x indicators), so the machinery can be tested without the simulation.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.batch.runner import Task
from model.calendar import Quarter, quarter_range

ROOT = Path(__file__).resolve().parent.parent


def _intensity(task: Task, kind: str) -> float:
    for p in task.scenario.get("policies") or []:
        if p.get("type") == kind:
            return float(p.get("intensity", 1.0))
    return 0.0


def fake_run(task: Task) -> pd.DataFrame:
    """A deterministic stand-in for the model (depends on scenario, parameters and seed)."""
    delay = float(os.environ.get("INCLUSIM_FAKE_DELAY", "0"))
    if delay:
        time.sleep(delay)
    sc = task.scenario
    start = Quarter.parse(sc.get("start", "2019Q4"))
    end = Quarter.parse(sc.get("end", "2030Q4"))
    quarters = quarter_range(start, end)
    if task.quarters is not None:
        quarters = quarters[: task.quarters]
    t = np.arange(len(quarters), dtype=float)
    rng = np.random.default_rng(task.seed)
    pars = sc.get("parameters") or {}
    aff = _intensity(task, "affordability")
    skl = _intensity(task, "skills_training")
    con = _intensity(task, "connectivity")
    lab = _intensity(task, "labour_regulation")
    beta = float(pars.get("beta_peer", 2.5))
    noise = rng.normal(0, 0.01, size=len(t)).cumsum()
    share = np.clip(
        0.55 + 0.006 * t * (1 + 0.3 * aff + 0.2 * skl + 0.1 * con) + 0.01 * beta + noise, 0, 1
    )
    n_households = (task.households or 1000) * 1000.0
    out = pd.DataFrame(
        {
            "share_internet_use": share,
            "share_internet_use:sex=female": share - 0.02 + 0.01 * skl,
            "gps_internet_use": 0.93 + 0.02 * skl + 0.005 * lab + rng.normal(0, 0.003, len(t)),
            "ratio_urban_rural_internet_use": 1.6
            - 0.2 * con
            - 0.1 * aff
            + rng.normal(0, 0.01, len(t)),
            "gini_income": 0.46 - 0.01 * lab + rng.normal(0, 0.002, len(t)),
            "n_households_connected": share * n_households,
        },
        index=[str(q) for q in quarters],
    )
    kinds = {p.get("type") for p in sc.get("policies") or []}
    if "affordability" in kinds:
        out["spend:affordability"] = np.cumsum(np.full(len(t), 1e6 * aff))
    if "skills_training" in kinds:
        out["spend:skills_training"] = np.cumsum(np.full(len(t), 5e5 * skl))
    return out


def failing_run(task: Task) -> pd.DataFrame:
    """Like :func:`fake_run`, but runs whose id is 3 modulo 5 raise."""
    if task.run_id % 5 == 3:
        raise RuntimeError(f"boom in run {task.run_id}")
    return fake_run(task)


SCENARIO = """\
name: {name}
label: {name}
region: lac
start: 2019Q4
end: 2021Q3
households: 2000
policies: {policies}
"""


def write_scenario(folder: Path, name: str, policies: str = "[]") -> Path:
    """A small scenario file (8 quarters, 2,000 households)."""
    path = folder / f"{name}.yaml"
    path.write_text(SCENARIO.format(name=name, policies=policies), encoding="utf-8")
    return path


SPEC = """\
name: {name}
scenario:
  name: tiny
  label: Tiny
  region: lac
  start: 2019Q4
  end: 2021Q1
  households: 2000
replications: 2
seed: 11
design:
  kind: full_factorial
  levels: 2
levers:
  policies.affordability.intensity: [0.0, 0.5, 1.0]
  policies.skills_training.intensity: [0.0, 1.0]
uncertainties:
  beta_peer: {{low: 1.0, high: 4.0}}
outcomes:
  - indicator: share_internet_use
    quarter: 2021Q1
  - indicator: gps_internet_use
  - indicator: "spend:affordability"
"""


def write_spec(folder: Path, name: str = "tiny_grid", text: str | None = None) -> Path:
    """A small full factorial: 12 points x 2 seeds = 24 runs of 2,000 households, 6 quarters."""
    path = folder / f"{name}.yaml"
    path.write_text(text if text is not None else SPEC.format(name=name), encoding="utf-8")
    return path


def all_parts(folder: Path) -> pd.DataFrame:
    """Every stored part of an experiment folder as one table sorted by run, quarter, indicator."""
    frames = [pd.read_parquet(p) for p in sorted((folder / "parts").glob("run-*.parquet"))]
    out = pd.concat(frames, ignore_index=True)
    for col in ("quarter", "indicator"):
        out[col] = out[col].astype(str)
    return out.sort_values(["run_id", "quarter", "indicator"]).reset_index(drop=True)
