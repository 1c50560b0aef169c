"""The worked notebooks of docs/examples/ run to the end and produce what their prose reads.

Each percent script is run as a whole with ``runpy`` from an empty temporary working folder,
with matplotlib's non-interactive backend, at the small sizes it ships with. It is not run
as ``__main__``: notebooks 02 and 03 start worker processes, which import the main module.
"""

from __future__ import annotations

import runpy

import matplotlib
import pandas as pd
import pytest

from tests.paths import ROOT

EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def run_notebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def run(name: str) -> dict:
        try:
            return runpy.run_path(str(EXAMPLES / name), run_name="gallery")
        finally:
            plt.close("all")

    return run


def test_every_notebook_is_a_jupytext_percent_script_with_a_size_constant():
    scripts = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
    assert [p.name for p in scripts] == [
        "01_first_run.py",
        "02_comparing_policies.py",
        "03_sensitivity_sweep.py",
        "04_deciding_under_uncertainty.py",
    ]
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert "format_name: percent" in text.split("# ---", 2)[1], path.name
        assert "# %% [markdown]" in text and "\n# %%\n" in text, path.name
        assert "\nHOUSEHOLDS = " in text, path.name


@pytest.mark.slow
def test_first_run_tells_who_is_offline(run_notebook):
    g = run_notebook("01_first_run.py")
    offline = g["offline"]
    assert isinstance(offline, pd.DataFrame)
    assert set(offline["dimension"]) == {"sex", "age", "location", "quintile", "disability"}
    assert offline["share_offline"].between(0, 1).all()
    assert (offline["people_offline"] >= 0).all()
    assert not offline["who"].str.contains(":").any()  # labels, not indicator names
    assert g["fig"].axes


@pytest.mark.slow
def test_comparing_policies_reads_every_headline_difference(run_notebook):
    g = run_notebook("02_comparing_policies.py")
    results = g["results"]
    assert results.names == ["lac_baseline", "lac_affordability", "lac_four_is"]
    readings = g["readings"]
    assert {s for s, _ in readings} == {"lac_affordability", "lac_four_is"}
    assert set(readings.values()) <= {
        "a gain",
        "a harm",
        "no difference this run can tell (the interval includes zero)",
    }
    assert {"spend_mean", "cost_per_extra_households"} <= set(g["cost"].columns)
    assert g["fig"].axes


@pytest.mark.slow
def test_sensitivity_sweep_gives_indices_for_every_lever_and_outcome(run_notebook):
    g = run_notebook("03_sensitivity_sweep.py")
    indices = g["indices"]
    assert len(indices) == len(g["LEVERS"]) * len(g["OUTCOMES"])
    assert indices["mu_star"].ge(0).all()
    assert (g["folder"] / "results" / "sensitivity.csv").is_file()
    assert len(g["fig"].axes) == len(g["OUTCOMES"])


@pytest.mark.slow
def test_deciding_under_uncertainty_ranks_cells_finds_boxes_and_a_front_within_budget(
    run_notebook,
):
    g = run_notebook("04_deciding_under_uncertainty.py")
    # Who is left behind: every kept cell, ranked by mean lag, with people and intervals.
    ranked = g["ranked"]
    assert len(ranked) >= g["TOP"]
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["lag"].is_monotonic_decreasing
    assert (ranked["people"] > 0).all()
    assert ranked["people_lacking"].between(0, ranked["people"]).all()
    assert (ranked["lag_ci_low"] <= ranked["lag"]).all()
    assert (ranked["lag"] <= ranked["lag_ci_high"]).all()
    moved = g["moved"]
    assert set(moved["scenario"]) == {"lac_four_is"}
    assert moved["baseline_rank"].tolist() == list(range(1, g["TOP"] + 1))
    assert moved[["lag_diff_ci_low", "lag_diff_ci_high"]].notna().all().all()
    # PRIM: at least one box, coverage and density in [0, 1], denser than the runs overall.
    found = g["found"]
    assert found.boxes and len(g["box_words"]) == len(found.boxes)
    base_rate = found.failing / found.runs
    for box in found.boxes:
        assert 0 <= box.coverage <= 1 and 0 <= box.density <= 1
        assert box.density > base_rate and box.restrictions
    assert all(path.is_file() for path in found.files)
    # The best mix: a non-empty Pareto set, every mix on it within the budget, in words.
    front = g["front"]
    assert len(front) >= 1
    assert (front["cost_pv"] <= g["BUDGET_PV"]).all()
    assert front["description"].str.len().gt(0).all()
    table = g["table"]
    assert table.loc[table["on_front"], "feasible"].all()
    assert g["page"].is_file()
    assert g["fig"].axes and g["front_fig"].axes
