"""Left-behind discovery: cells ranked by their lag, on hand-made cells and a real folder."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.analysis import left_behind as lb
from experiments.batch.runner import CELLS_KEY, cells_from_metadata, cells_metadata
from model.result import RunResult

ROOT = Path(__file__).resolve().parent.parent

WORST = {"sex": "female", "age": "65+", "location": "rural", "quintile": "1", "disability": "with"}
TINY = {"sex": "male", "age": "18-24", "location": "rural", "quintile": "5", "disability": "with"}


def hand_made(replications: int = 5) -> lb.CellRuns:
    """Cells of two scenarios: one planted worst cell, one tiny cell offline, others near 0.8.

    Under ``policy`` the planted cell gains 55 points (above the average) in every replication.
    """
    rng = np.random.default_rng(7)
    rows = []
    dims = itertools.product(
        ("male", "female"), ("18-24", "25-64", "65+"), ("urban", "rural"), ("1", "5"), ("with",)
    )
    for sex, age, loc, q, dis in dims:
        cell = {"sex": sex, "age": age, "location": loc, "quintile": q, "disability": dis}
        for scenario in ("baseline", "policy"):
            for r in range(replications):
                persons = 5.0 if cell == TINY else 200.0
                share = 0.8 + rng.normal(0, 0.01)
                if cell == TINY:
                    share = 0.0  # offline, but too small to estimate
                if cell == WORST:
                    share = 0.3 + 0.01 * r + (0.55 if scenario == "policy" else 0.0)
                rows.append(
                    {
                        "scenario": scenario,
                        "replication": r,
                        **cell,
                        "people": persons * 1000,
                        "persons": persons,
                        "share_internet_use": share,
                        "n_people_internet_use": share * persons * 1000,
                    }
                )
    return lb.CellRuns(pd.DataFrame(rows), ["baseline", "policy"], "2030Q4")


def test_planted_worst_cell_ranks_first() -> None:
    ranked = lb.rank(hand_made(), "internet_use")
    top = ranked.iloc[0]
    assert {d: top[d] for d in WORST} == WORST
    assert top["cell"] == "Women, Aged 65+, Rural, Q1 (poorest fifth), With disability"
    assert top["lag"] == pytest.approx(top["average"] - top["share"])
    assert top["lag_ci_low"] < top["lag"] < top["lag_ci_high"]
    assert top["lag"] > 0.4 and ranked.iloc[1]["lag"] < 0.05
    assert top["people"] == pytest.approx(200_000)
    assert top["people_lacking"] == pytest.approx(200_000 * (1 - top["share"]))


def test_cells_too_small_are_left_out() -> None:
    runs = hand_made()
    keep = lb.eligible(runs.cells, "internet_use")
    assert not keep[tuple(TINY.values())]
    assert keep[tuple(WORST.values())]
    ranked = lb.rank(runs, "internet_use")
    assert lb.cell_label(TINY) not in set(ranked["cell"])
    assert len(ranked) == len(keep) - 1


def test_a_cell_small_in_one_run_is_left_out() -> None:
    runs = hand_made()
    one = (runs.cells["replication"] == 2) & np.logical_and.reduce(
        [runs.cells[d] == v for d, v in WORST.items()]
    )
    runs.cells.loc[one, "persons"] = lb.MIN_PERSONS - 1
    assert lb.cell_label(WORST) not in set(lb.rank(runs, "internet_use")["cell"])


def test_scenario_change_is_paired_against_the_baseline() -> None:
    change = lb.changes(hand_made(), "internet_use", top=3)
    first = change.iloc[0]
    assert first["cell"] == lb.cell_label(WORST) and first["baseline_rank"] == 1
    assert first["share_diff"] == pytest.approx(0.55)
    # paired: the planted change is the same in every replication, so the interval is tight
    assert first["share_diff_ci_high"] - first["share_diff_ci_low"] < 1e-9
    assert first["lag_diff"] < -0.25 and first["clear"]
    assert first["rank"] > 1  # no longer the worst cell under the policy
    assert first["people_reached"] == pytest.approx(0.55 * 200_000)


def test_a_folder_whose_cells_are_all_too_small_has_no_ranking_and_no_error() -> None:
    """Small populations (a tiny region, few households) leave nothing to rank."""
    runs = hand_made()
    runs.cells["persons"] = lb.MIN_PERSONS - 1
    assert lb.rank(runs, "internet_use").empty
    assert lb.changes(runs, "internet_use", top=3).empty


def test_fewer_than_three_runs_give_no_interval() -> None:
    ranked = lb.rank(hand_made(replications=2), "internet_use")
    assert ranked["lag_ci_low"].isna().all()


def test_adult_measure_leaves_out_bands_outside_its_universe() -> None:
    runs = hand_made()
    runs.cells["age"] = runs.cells["age"].replace({"18-24": "13-17"})
    runs.cells["share_basic_skills"] = runs.cells["share_internet_use"]
    runs.cells["n_people_basic_skills"] = runs.cells["n_people_internet_use"]
    ranked = lb.rank(runs, "basic_skills")
    assert "13-17" not in set(ranked["age"])
    assert ranked.iloc[0]["cell"] == lb.cell_label(WORST)


class _Result:
    def __init__(self, cells: pd.DataFrame) -> None:
        self.cells = cells
        self.households = 100
        self.timeseries = pd.DataFrame({"n_households": [1e6, 2e6]}, index=["2019Q4", "2030Q4"])


def test_part_metadata_round_trips_the_cells_with_simulated_persons() -> None:
    cells = pd.DataFrame({**{d: ["x"] for d in WORST}, "people": [40_000.0]})
    raw = cells_metadata(_Result(cells))
    back = cells_from_metadata(raw)
    assert back["persons"].iloc[0] == pytest.approx(2.0)  # 2e6 / 100 real per simulated person
    assert cells_metadata(_Result(cells.iloc[:0])) == b""


def test_a_sweep_folder_is_refused_with_the_command_to_use(tmp_path: Path, cli) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "sweep"}), encoding="utf-8")
    result = cli(["left-behind", str(tmp_path)])
    assert result.code == 2
    assert "inclusim discover" in result.err and "Traceback" not in result.err


def test_an_optimise_folder_is_refused_with_where_its_results_are(tmp_path: Path, cli) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "optimise"}), encoding="utf-8")
    result = cli(["left-behind", str(tmp_path)])
    assert result.code == 2 and "Traceback" not in result.err
    assert "holds an 'inclusim optimise' search" in result.err
    assert "pareto.csv" in result.err and "inclusim compare BASELINE MIX" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_a_missing_folder_is_refused(tmp_path: Path, cli) -> None:
    result = cli(["left-behind", str(tmp_path / "nothing")])
    assert result.code == 2
    assert "nothing: does not exist" in result.err and "Fix:" in result.err


def _tiny_scenario(folder: Path, name: str, policies: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nlabel: {name}\ndescription: a tiny test scenario\nregion: lac\n"
        "start: 2019Q4\nend: 2021Q4\nhouseholds: 1500\n"
        f"policies: {policies}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_cli_on_a_real_tiny_comparison(tmp_path: Path, cli) -> None:
    base = _tiny_scenario(tmp_path, "tiny_base", "[]")
    other = _tiny_scenario(tmp_path, "tiny_afford", "[{type: affordability, intensity: 1.0}]")
    out = tmp_path / "cmp"
    args = ["compare", str(base), str(other), "--replications", "3", "--workers", "1"]
    assert cli([*args, "--quiet", "--out", str(out)]).code == 0
    part = next((out / "parts").glob("run-*.parquet"))
    import pyarrow.parquet as pq

    assert CELLS_KEY in pq.read_schema(part).metadata
    result = cli(["left-behind", str(out), "--measure", "internet_use", "--top", "3"])
    assert result.code == 0, result.err
    assert "cells furthest behind under tiny_base" in result.out
    assert "paired change of the lag" in result.out
    bad = cli(["left-behind", str(out), "--measure", "internet_us"])
    assert bad.code == 2
    assert "--measure" in bad.err and "did you mean 'internet_use'" in bad.err
    assert "Traceback" not in bad.err
    csv = tmp_path / "lb.csv"
    assert cli(["left-behind", str(out), "--csv", str(csv)]).code == 0
    frame = pd.read_csv(csv)
    assert {"rank", "cell", "lag", "lag_ci_low", "people"} <= set(frame.columns)


def test_run_result_cells_have_the_dimensions_the_ranking_needs() -> None:
    assert set(lb.CELL_DIMENSIONS) == set(WORST)
    assert "cells" in RunResult.__dataclass_fields__


def test_report_subsection_ranks_the_planted_cell_and_writes_figure_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments.present import report_left_behind
    from experiments.present.exports import Results

    monkeypatch.setattr(lb, "load_cells", lambda folder: hand_made())
    res = Results(folder=tmp_path, manifest={}, kind="compare", names=["baseline", "policy"])
    html = report_left_behind.left_behind_html(res)
    assert '<h3 id="left-behind">Who is left behind</h3>' in html
    first_row = html.split("<tbody><tr>", 1)[1]
    assert first_row.startswith(f"<td class='num'>1</td><td>{lb.cell_label(WORST)}</td>")
    assert (tmp_path / "figures" / "left_behind.svg").exists()
    ranked = pd.read_csv(tmp_path / "exports" / "left_behind.csv", encoding="utf-8-sig")
    assert ranked.iloc[0]["cell"] == lb.cell_label(WORST)
    assert (tmp_path / "exports" / "left_behind_changes.csv").exists()


def test_report_subsection_of_a_folder_without_cells_says_how_to_get_them(tmp_path: Path) -> None:
    from experiments.present import report_left_behind
    from experiments.present.exports import Results

    res = Results(folder=tmp_path / "none", manifest={}, kind="compare", names=["b"])
    assert "run the same" in report_left_behind.left_behind_html(res)


def test_a_run_folder_is_ranked_without_intervals(tmp_path: Path, cli) -> None:
    runs = hand_made(replications=1)
    cells = runs.cells[runs.cells["scenario"] == "baseline"].drop(
        columns=["scenario", "replication", "persons"]
    )
    cells.to_csv(tmp_path / "cells.csv", index=False)
    pd.DataFrame(
        {"quarter": ["2030Q4"], "indicator": ["n_households"], "value": [100_000.0]}
    ).to_csv(tmp_path / "timeseries.csv", index=False)
    manifest = {"scenario": "base", "seed": 0, "households": 100}  # 1,000 real per simulated
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = cli(["left-behind", str(tmp_path), "--top", "2"])
    assert result.code == 0, result.err
    assert "Fewer than 3 replications: no intervals." in result.out
    assert f"   1  {lb.cell_label(WORST)}" in result.out


def test_a_wide_comparison_splits_the_lag_changes_into_tables_that_fit_1024_px() -> None:
    """Seven scenarios: six of change columns, in tables of at most three (no sideways scroll)."""
    import re

    from experiments.present import report_left_behind as rlb

    names = ["baseline", *(f"s{k}" for k in range(6))]
    runs = lb.CellRuns(hand_made().cells, names, "2030Q4")
    top = lb.rank(hand_made(), "internet_use").head(3)

    class Labels:
        def short_label(self, name: str) -> str:
            return name

    html = rlb._table(
        Labels(), runs, "internet_use", top, pd.DataFrame(columns=["scenario", "cell"])
    )
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    assert len(tables) == 1 + 2  # the ranking, then two tables of three scenarios
    for table in tables[1:]:
        assert table.count("lag change (pp)") == rlb.CHANGE_COLUMNS
