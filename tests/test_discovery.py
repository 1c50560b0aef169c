"""Scenario discovery: PRIM recovers a planted box; bad input gets one message and exit 2."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.analysis import discovery

if importlib.util.find_spec("ema_workbench") is None:  # never skip: `make test` installs it
    pytest.fail("EMA Workbench is missing: pip install -e '.[dev]'", pytrace=False)


def planted(n: int = 600, noise: float = 0.0, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Three uniform inputs and a named one; runs fail inside a < 0.3 and b > 0.6 only."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "a": rng.uniform(0, 1, n),
            "b": rng.uniform(0, 1, n),
            "c": rng.uniform(0, 1, n),
            "flag": rng.choice([True, False], n),
        }
    )
    failed = ((x["a"] < 0.3) & (x["b"] > 0.6)).to_numpy()
    flip = rng.uniform(0, 1, n) < noise
    return x, failed ^ flip


def test_prim_recovers_a_planted_box() -> None:
    x, failed = planted()
    boxes = discovery.discover(x, failed)
    first = boxes[0]
    limits = {r.name: r for r in first.restrictions}
    assert set(limits) == {"a", "b"}
    assert limits["a"].low is None and limits["a"].high == pytest.approx(0.3, abs=0.03)
    assert limits["b"].high is None and limits["b"].low == pytest.approx(0.6, abs=0.03)
    assert first.coverage > 0.9 and first.density > 0.9


def test_prim_finds_the_box_through_noise() -> None:
    x, failed = planted(n=1000, noise=0.05)
    first = discovery.discover(x, failed)[0]
    assert {r.name for r in first.restrictions} >= {"a", "b"}
    assert first.density >= discovery.DEFAULT_DENSITY
    assert first.coverage > 0.6


def test_a_box_reads_in_plain_words() -> None:
    x, failed = planted()
    result = discovery.Discovery("share", 0.8, False, len(x), int(failed.sum()), [], ["a"])
    box = discovery.discover(x, failed)[0]
    text = result.sentence(box)
    assert text.startswith("when a is at most 0.29")
    assert "and b is at least 0.59" in text or "and b is at least 0.6" in text
    assert f"share stays below 0.8 in {box.density:.0%} of runs" in text
    assert f"coverage {box.coverage:.0%}" in text


def test_a_named_input_is_kept_as_a_set_of_values() -> None:
    x, _ = planted()
    failed = (x["flag"] & (x["c"] > 0.5)).to_numpy()
    first = discovery.discover(x, failed)[0]
    limits = {r.name: r for r in first.restrictions}
    assert limits["flag"].values == ("True",)
    assert limits["flag"].words() == "flag is True"


def _fake_sweep(folder: Path, n: int = 200) -> None:
    x, failed = planted(n=n)
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps({"kind": "sweep", "definition": {}}), encoding="utf-8"
    )
    experiments = x.drop(columns="flag").assign(run_id=np.arange(n), point=np.arange(n))
    experiments["replication"] = 0
    experiments["seed"] = 1
    experiments.to_csv(folder / "experiments.csv", index=False)
    outcome = np.where(failed, 0.7, 0.9)
    pd.DataFrame({"run_id": np.arange(n), "share@2030Q4": outcome}).to_csv(
        folder / "outcomes.csv", index=False
    )


def test_cli_finds_the_box_in_a_folder_and_writes_figure_and_tables(tmp_path: Path, cli) -> None:
    folder = tmp_path / "sweep"
    _fake_sweep(folder)
    result = cli(["discover", str(folder), "--outcome", "share@2030Q4", "--threshold", "0.8"])
    assert result.code == 0, result.err
    assert "box 1: coverage" in result.out
    assert "when a is at most 0.3" in result.out and "b is at least 0." in result.out
    slug = "discovery_share_2030Q4_below_0.8"
    assert (folder / "figures" / f"{slug}.png").exists()
    assert (folder / "figures" / f"{slug}.svg").exists()
    table = pd.read_csv(folder / f"{slug}.csv")
    assert set(table.loc[table["box"] == 1, "input"]) == {"a", "b"}
    assert (folder / f"{slug}_trajectory.csv").exists()
    # the sweep's report shows the boxes in words and the peeling figure
    from experiments.present.report_discovery import discovery_html

    html = discovery_html(folder)
    assert "when a is at most 0.3" in html and "coverage" in html
    assert f'data-figure="{slug}"' in html
    assert "No scenario discovery" in discovery_html(tmp_path)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--outcome", "shar@2030Q4", "--threshold", "0.8"], "did you mean 'share@2030Q4'"),
        (["--outcome", "share@2030Q4", "--threshold", "0.1"], "no run has share@2030Q4 below"),
        (["--outcome", "share@2030Q4", "--threshold", "0.8", "--above"], "--threshold"),
        (["--outcome", "share@2030Q4", "--threshold", "0.8", "--density", "2"], "--density"),
    ],
)
def test_bad_input_gets_one_message_and_exit_2(tmp_path: Path, cli, args, words) -> None:
    folder = tmp_path / "sweep"
    _fake_sweep(folder)
    if "--above" in args:
        pd.DataFrame({"run_id": np.arange(200), "share@2030Q4": 0.5}).to_csv(
            folder / "outcomes.csv", index=False
        )
    result = cli(["discover", str(folder), *args])
    assert result.code == 2
    assert words in result.err and "Fix:" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_comparison_folder_is_refused(tmp_path: Path, cli) -> None:
    (tmp_path / "manifest.json").write_text(
        json.dumps({"kind": "compare", "definition": {}}), encoding="utf-8"
    )
    result = cli(["discover", str(tmp_path), "--outcome", "x", "--threshold", "1"])
    assert result.code == 2
    assert "inclusim sweep" in result.err and "Traceback" not in result.err


def test_missing_ema_workbench_gets_the_install_command(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis", None)
    result = cli(["discover", str(tmp_path), "--outcome", "x", "--threshold", "1"])
    assert result.code == 2
    assert "pip install 'inclusim[discovery]'" in result.err
    assert len(result.err.strip().splitlines()) == 1
