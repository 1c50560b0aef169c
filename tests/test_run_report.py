"""``inclusim report`` on the folder ``inclusim run`` wrote: a short report of one scenario."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from experiments.batch.store import lock_path
from experiments.cli import main
from model.indicator_registry import label
from tests.runhelpers import write_scenario


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real run (the model's, 300 households, 8 quarters) of a scenario with a lever."""
    base = tmp_path_factory.mktemp("run")
    scenario = write_scenario(base, "base", "[{type: affordability}]")
    out = base / "run"
    assert (
        main(["run", str(scenario), "--households", "300", "--seed", "7", "--out", str(out)]) == 0
    )
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_report_of_a_run_folder(run_folder: Path, tmp_path: Path, cli) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    result = cli(["report", str(folder)])
    assert result.code == 0 and result.err == "", result.err
    assert result.out.strip() == str(folder / "report.html")
    page = (folder / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for text in (
        "1. Headline numbers",
        label("n_people_internet_use:sex=female"),  # the registry's words for the count
        "Internet-use gaps over time",
        "People online by group over time",
        manifest["model"],  # provenance: the model fingerprint, seed and households
        "<th>seed</th><td>7</td>",
        "<th>households</th><td>300</td>",
        "base.yaml",
    ):
        assert text in page, text
    assert "million" in page or "," in page  # counts of real people, not shares
    for name in ("run_gaps", "run_people_online"):
        for suffix in (".png", ".svg"):
            assert (folder / "figures" / f"{name}{suffix}").stat().st_size > 1000
    assert not (folder / "exports").exists()
    assert not lock_path(folder).exists()
    assert cli(["report", str(folder)]).code == 0  # a second report replaces the first


@pytest.mark.slow
def test_a_run_folder_stays_a_run_folder_after_its_report(run_folder: Path, tmp_path: Path) -> None:
    """``inclusim run`` may write the same folder again once it holds a report."""
    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    assert main(["report", str(folder)]) == 0
    scenario = write_scenario(tmp_path, "base")
    assert main(["run", str(scenario), "--households", "200", "--out", str(folder)]) == 0
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize("contents", ["empty", "other_files", "damaged_run"])
def test_report_refuses_a_folder_that_is_neither_run_nor_experiment(
    contents: str, tmp_path: Path, cli
) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    expected = "is not an experiment folder (it has no manifest.json)."
    if contents == "other_files":
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
    if contents == "damaged_run":
        manifest = {"scenario": "base", "seed": 0, "households": 300}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        expected = "timeseries.parquet: is missing or cannot be read"
    before = _snapshot(folder)
    result = cli(["report", str(folder)])
    assert result.code == 2
    assert "Traceback" not in result.err and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith(f"error: {folder}") and expected in result.err, result.err
    assert " Fix: " in result.err and ("inclusim run" in result.err), result.err
    assert _snapshot(folder) == before and not lock_path(folder).exists()
