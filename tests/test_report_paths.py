"""The report's check of a region's baseline against its published paths (report_paths)."""

from __future__ import annotations

import copy
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from experiments.analysis.calibration import region_path_targets, target_rows
from experiments.batch.store import Store
from experiments.cli import main
from experiments.present import report_paths
from experiments.present.exports import Results, load_results
from model.loader import load_region, load_scenario
from model.run import simulate
from tests.paths import ROOT

AFRICA = ROOT / "scenarios" / "africa" / "baseline.yaml"


@pytest.fixture(scope="module")
def africa(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """Africa's status quo alone, 2 seeds x 400 households, to 2030Q4."""
    out = tmp_path_factory.mktemp("paths") / "africa"
    argv = ["compare", str(AFRICA), "--replications", "2", "--households", "400"]
    assert main([*argv, "--out", str(out), "--quiet", "--no-report"]) == 0
    return load_results(out)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_report_checks_the_very_runs_it_shows(africa: Results) -> None:
    check = report_paths.baseline_paths(africa)
    assert check is not None and check.rows is not None
    region = load_region(africa.region_path)
    targets = region_path_targets(region, africa.region_path)
    loaded = load_scenario(AFRICA)
    runs = [simulate(loaded, seed, 400, 4 * 5 + 1).timeseries for seed in africa.seeds()]
    again = target_rows(targets, {t.scenario: runs for t in targets})
    pd.testing.assert_series_equal(check.rows["simulated"], again["simulated"])
    assert list(check.rows["pass"]) == list(again["pass"])


def test_the_subsection_counts_passes_and_misses_and_warns_of_small_runs(africa: Results) -> None:
    rows = report_paths.baseline_paths(africa).rows
    text = _text(report_paths.paths_html(africa))
    passed, missed = int(rows["pass"].sum()), int((~rows["pass"]).sum())
    assert f"{passed} of {len(rows)} published paths of the region pass" in text
    assert ("inherit the miss" in text) == (missed > 0)
    assert "(2 seeds x 400 households)" in text
    assert "inclusim calibrate --check --region africa is the check" in text
    assert text.count(" misses ") == missed
    assert "Share of people using the Internet - youth aged 15-24" in text
    assert "In-sample paths (read up to 2021)" in text and "(2022 on) are only checked" in text


def test_a_baseline_with_a_policy_is_not_checked_as_the_status_quo(africa: Results) -> None:
    changed = copy.copy(africa)
    changed.scenario_data = copy.deepcopy(africa.scenario_data)
    changed.scenario_data[africa.baseline]["policies"] = [{"type": "skills_training"}]
    text = _text(report_paths.paths_html(changed))
    assert "Not checked here: the comparison's baseline has policies" in text
    assert "published paths of the region pass" not in text


def test_runs_that_end_before_the_last_path_are_not_checked(
    africa: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = Store.read_part
    monkeypatch.setattr(Store, "read_part", lambda self, r: read(self, r).loc[:"2022Q4"])
    text = _text(report_paths.paths_html(africa))
    assert "Not checked here: the baseline's runs end before 2024Q4" in text


def test_a_sweep_or_a_region_without_paths_has_no_subsection(
    africa: Results, tmp_path: Path
) -> None:
    sweep = copy.copy(africa)
    sweep.kind = "sweep"
    assert report_paths.paths_html(sweep) == ""
    (tmp_path / "mine.yaml").write_text(
        (ROOT / "scenarios" / "regions" / "ldc.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    own = copy.copy(africa)
    own.region_path = tmp_path / "mine.yaml"
    assert report_paths.paths_html(own) == ""


def test_runs_without_an_indicator_a_path_reads_are_not_checked(
    africa: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = Store.read_part
    gone = "share_internet_use:location=rural"
    monkeypatch.setattr(Store, "read_part", lambda self, r: read(self, r).drop(columns=gone))
    text = _text(report_paths.paths_html(africa))
    assert f"Not checked here: the baseline's runs do not report {gone}" in text


def test_a_group_against_another_and_a_count_read_in_words() -> None:
    assert report_paths._words("share_employed:sex=female - share_employed:sex=male") == (
        "Share of people 15+ in work - women and girls minus Share of people 15+ in work - men "
        "and boys"
    )
    assert report_paths._value(23127547.786) == "23,127,548"
    assert report_paths._value(0.8534) == "0.853"


def test_a_baseline_without_a_finished_run_is_not_checked(
    africa: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "done_ids", lambda self: set())
    text = _text(report_paths.paths_html(africa))
    assert "Not checked here: no run of the baseline has finished" in text
