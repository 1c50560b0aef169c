"""The parameter ensemble: targets by role, the ABC fit, the shipped file, ``--parameter-draws``.

Fast tests use the stand-in run function (:func:`tests.runhelpers.fake_run`,
which reads ``beta_peer``) and small ensemble files written here; the end-to-end fit and the
real model's response to a draw are marked slow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.analysis.calibration import PathTarget, load_targets
from experiments.analysis.ensemble import (
    DISTANCE,
    DRAW,
    ENSEMBLE_FILE,
    ENSEMBLE_PARAMETERS,
    MIN_ACCEPTED,
    load_ensemble,
    prior_sample,
    with_draw,
)
from experiments.batch.runner import Task
from experiments.cli import parser
from experiments.commands import batch as batch_commands
from model.errors import InputError
from model.params import PARAMETERS
from model.paths import IN_SAMPLE, OUT_OF_SAMPLE
from tests.runhelpers import fake_run, write_scenario, write_spec

# -- targets and distance --------------------------------------------------------------------


def _target(**fields: object) -> PathTarget:
    base = {"scenario": "world/baseline.yaml", "indicator": "share_internet_use", "source": "x y"}
    return PathTarget(**{**base, **fields})


def test_role_follows_the_last_period_read() -> None:
    assert _target(year=2021, target=0.6, tolerance=0.1).role == IN_SAMPLE
    assert _target(year=2022, target=0.6, tolerance=0.1).role == OUT_OF_SAMPLE
    late = _target(quarter="2023Q4", relative_to="2019Q4", min=0.9)
    assert late.role == OUT_OF_SAMPLE
    assert _target(quarter="2020Q2", relative_to="2019Q4", max=0.95).role == IN_SAMPLE


def test_every_shipped_target_has_a_role_and_both_roles_are_used() -> None:
    roles = {t.role for t in load_targets().targets}
    assert roles == {IN_SAMPLE, OUT_OF_SAMPLE}


@pytest.mark.parametrize(
    ("fields", "values"),
    [
        ({"target": 0.6, "tolerance": 0.03}, (0.6, 0.629, 0.631, 0.5)),
        ({"min": 1.5, "max": 2.0}, (1.4, 1.5, 1.75, 2.0, 2.1)),
        ({"max": 0.95}, (0.8, 0.95, 0.96)),
        ({"min": 0.0}, (-0.2, 0.0, 0.3)),
    ],
)
def test_distance_is_at_most_one_exactly_when_the_target_passes(
    fields: dict[str, float], values: tuple[float, ...]
) -> None:
    t = _target(year=2021, **fields)
    for v in values:
        assert (t.distance(v) <= 1.0) == t.passes(v), (fields, v, t.distance(v))


# -- the prior and the shipped file -------------------------------------------------------------


def test_prior_is_reproducible_and_inside_every_range() -> None:
    a = prior_sample(50, seed=3)
    assert a.equals(prior_sample(50, seed=3))
    assert not a.equals(prior_sample(50, seed=4))
    for name in ENSEMBLE_PARAMETERS:
        p = PARAMETERS[name]
        assert a[name].between(p.low, p.high).all(), name


def test_shipped_ensemble_has_enough_sets_inside_their_ranges() -> None:
    ens = load_ensemble()
    assert len(ens) >= MIN_ACCEPTED
    assert set(ens.parameters) == set(ENSEMBLE_PARAMETERS)
    for name in ens.parameters:
        p = PARAMETERS[name]
        assert ens.sets[name].between(p.low, p.high).all(), name
    assert (ens.sets[DISTANCE] <= 1.0).all()
    assert ens.sets[DRAW].is_unique
    for key in ("command", "model fingerprint", "samples", "households", "generated"):
        assert key in ens.provenance, key


def _ensemble(folder: Path, rows: int = 4, **change: object) -> Path:
    """A small valid ensemble file (rows of the shipped one), with optional edits."""
    sets = load_ensemble().sets.head(rows).copy()
    for column, value in change.items():
        sets[column] = value
    path = folder / "ens.csv"
    path.write_text("# test ensemble: made by tests\n" + sets.to_csv(index=False))
    return path


def test_scenario_parameters_win_over_a_draw() -> None:
    data = {"name": "x", "parameters": {"beta_peer": 1.0}}
    out = with_draw(data, {"beta_peer": 4.0, "rate_adjust": 0.2})
    assert out["parameters"] == {"beta_peer": 1.0, "rate_adjust": 0.2}
    assert data["parameters"] == {"beta_peer": 1.0}


def test_a_draw_changes_a_run() -> None:
    ens = load_ensemble()
    scenario = {"name": "x", "start": "2019Q4", "end": "2021Q4"}
    runs = []
    for row in (0, 1):
        _, values = ens.draw(row, 2)
        runs.append(fake_run(Task(0, 7, 0, with_draw(scenario, values), 1000)))
    assert not runs[0].equals(runs[1])


# -- compare and sweep with draws --------------------------------------------------------------


def _compare(folder: Path, out: Path, *more: str, reps: str = "4", report: bool = False) -> int:
    base = write_scenario(folder, "base")
    other = write_scenario(folder, "other", "[{type: affordability, intensity: 1.0}]")
    argv = ["compare", str(base), str(other), "--replications", reps, "--workers", "1"]
    argv += ["--quiet", "--out", str(out), *more]
    args = parser().parse_args(argv + ([] if report else ["--no-report"]))
    return batch_commands.run_compare(args, run_fn=fake_run)


@pytest.mark.slow
def test_compare_pairs_the_same_draw_and_seed_in_every_scenario(tmp_path: Path) -> None:
    ens_path = _ensemble(tmp_path, rows=3)
    out = tmp_path / "out"
    assert _compare(tmp_path, out, "--parameter-draws", "3", "--ensemble", str(ens_path)) == 0
    runs = pd.read_csv(out / "experiments.csv")
    ids = load_ensemble(ens_path).sets[DRAW].tolist()
    for _, group in runs.groupby("replication"):
        assert group["draw"].nunique() == 1 and group["seed"].nunique() == 1
    by_rep = runs.drop_duplicates("replication").set_index("replication")["draw"]
    assert by_rep.tolist() == [ids[r % 3] for r in range(4)]
    assert "draw:beta_peer" in runs.columns
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["definition"]["parameter_draws"]["draws"] == 3


@pytest.mark.slow
def test_same_draws_and_seed_give_the_same_results(tmp_path: Path) -> None:
    ens = str(_ensemble(tmp_path))
    for name in ("a", "b"):
        assert _compare(tmp_path, tmp_path / name, "--parameter-draws", "2", "--ensemble", ens) == 0
    a = pd.read_csv(tmp_path / "a" / "summary.csv")
    b = pd.read_csv(tmp_path / "b" / "summary.csv")
    pd.testing.assert_frame_equal(a, b)
    assert _compare(tmp_path, tmp_path / "c") == 0
    assert not a.equals(pd.read_csv(tmp_path / "c" / "summary.csv"))


@pytest.mark.slow
def test_a_folder_made_without_draws_is_refused_for_draws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _compare(tmp_path, out) == 0
    capsys.readouterr()
    ens = str(_ensemble(tmp_path))
    with pytest.raises(InputError) as info:
        _compare(tmp_path, out, "--parameter-draws", "2", "--ensemble", ens)
    assert "the parameter draws (--parameter-draws K" in info.value.render()


@pytest.mark.slow
def test_report_says_bands_include_parameter_uncertainty(tmp_path: Path) -> None:
    ens = str(_ensemble(tmp_path, rows=3))
    out = tmp_path / "out"
    assert _compare(tmp_path, out, "--parameter-draws", "3", "--ensemble", ens, report=True) == 0
    html = (out / "report.html").read_text()
    assert "Bands include parameter uncertainty: 3 accepted sets" in html
    assert "These bands cover chance only" not in html


@pytest.mark.slow
def test_sweep_records_the_draw_of_every_run(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "drawn")
    ens = str(_ensemble(tmp_path, rows=2))
    out = tmp_path / "out"
    argv = ["sweep", str(spec), "--workers", "1", "--quiet", "--out", str(out)]
    args = parser().parse_args([*argv, "--parameter-draws", "2", "--ensemble", ens])
    assert batch_commands.run_sweep(args, run_fn=fake_run) == 0
    runs = pd.read_csv(out / "experiments.csv")
    assert (runs.groupby("replication")["draw"].nunique() == 1).all()
    assert runs["draw"].nunique() == 2


# -- refusals: exit 2, one message, nothing written -----------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.csv", "the parameter ensemble file does not exist"),
        (lambda d: _write(d, "draw,beta_peer\n0,abc\n"), "not a CSV table of numbers"),
        (lambda d: _write(d, "# only a header\n"), "has no rows"),
        (lambda d: _ensemble(d, beta_gone=1.0), "'beta_gone', which model/params.py does not have"),
        (lambda d: _ensemble(d, beta_peer=99.0), "sets beta_peer = 99, outside its range"),
        (lambda d: _write(d, b"\xff\xfe\x00bad"), "cannot be read"),
    ],
)
def test_a_missing_broken_or_stale_ensemble_is_refused(cli, tmp_path: Path, make, message) -> None:
    ens = make(tmp_path)
    base = write_scenario(tmp_path, "base")
    args = ["compare", str(base), "--replications", "2", "--workers", "1", "--quiet"]
    result = cli([*args, "--parameter-draws", "2", "--ensemble", str(ens)])
    assert result.code == 2, result.err
    assert message in result.err and str(ens) in result.err
    assert "inclusim calibrate --fit-ensemble" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "outputs").exists()


def _write(folder: Path, content: str | bytes) -> Path:
    path = folder / "ens.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_too_many_draws_are_refused(cli, tmp_path: Path) -> None:
    ens = _ensemble(tmp_path, rows=3)
    spec = write_spec(tmp_path, "drawn")
    result = cli(["sweep", str(spec), "--quiet", "--parameter-draws", "4", "--ensemble", str(ens)])
    assert result.code == 2
    assert "4 draws asked" in result.err and "use 1 to 3" in result.err
    assert not (tmp_path / "outputs").exists()


def test_zero_draws_are_refused_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        parser().parse_args(["compare", "s.yaml", "--parameter-draws", "0"])
    assert info.value.code == 2


def test_the_default_ensemble_is_the_shipped_file() -> None:
    assert load_ensemble().path == ENSEMBLE_FILE


# -- calibrate -----------------------------------------------------------------------------


TARGETS = """\
targets:
  - {scenario: world/baseline.yaml, indicator: share_internet_use, year: 2021, target: 0.6, tolerance: 0.5, source: "test wide"}
  - {scenario: world/baseline.yaml, indicator: share_internet_use, year: 2022, target: 0.65, tolerance: 0.5, source: "test wide"}
"""  # noqa: E501


@pytest.mark.slow
def test_calibrate_check_prints_in_and_out_of_sample_sections(cli, tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(TARGETS)
    result = cli(["calibrate", "--check", "--targets", str(targets), "--seeds", "1"])
    assert result.code == 0, result.err
    assert "in-sample targets" in result.out and "out-of-sample targets" in result.out
    assert "1 of 1 in-sample targets pass." in result.out
    assert "1 of 1 out-of-sample targets pass." in result.out


def tiny_fit(cli, tmp_path: Path, samples: int, name: str = "ens.csv"):
    """Fit ``samples`` sets on 200 households, one seed, into ``name``; the result and file."""
    targets = tmp_path / "targets.yaml"
    targets.write_text(TARGETS)
    out = tmp_path / name
    args = ["calibrate", "--fit-ensemble", "--targets", str(targets), "--samples", str(samples)]
    return cli([*args, "--households", "200", "--seeds", "1", "--ensemble", str(out)]), out


@pytest.mark.slow
def test_a_fit_with_too_few_accepted_sets_fails_and_writes_nothing(cli, tmp_path: Path) -> None:
    result, out = tiny_fit(cli, tmp_path, 3)
    assert result.code == 1
    assert "fewer than 20" in result.err
    assert not out.exists()


def test_keeping_fewer_than_the_minimum_is_refused(cli) -> None:
    result = cli(["calibrate", "--fit-ensemble", "--keep", "5"])
    assert result.code == 2 and "5 is fewer than 20 sets" in result.err


@pytest.mark.slow
def test_a_tiny_fit_writes_a_loadable_ensemble(cli, tmp_path: Path) -> None:
    result, out = tiny_fit(cli, tmp_path, 22)
    assert result.code == 0, result.err
    assert "out-of-sample targets" in result.out
    ens = load_ensemble(out)
    assert len(ens) == 22
    assert ens.provenance["samples"] == "22"
    repeat, again = tiny_fit(cli, tmp_path, 22, "again.csv")
    assert repeat.code == 0
    assert load_ensemble(again).sets.equals(ens.sets)


@pytest.mark.slow
def test_a_draw_changes_the_real_model() -> None:
    from experiments.batch.runner import simulate_task

    ens = load_ensemble()
    scenario = {"name": "x", "label": "x", "region": "world", "start": "2019Q4", "end": "2021Q4"}
    runs = [
        simulate_task(Task(0, 5, 0, with_draw(scenario, ens.draw(r, 2)[1]), 2000)) for r in (0, 1)
    ]
    first, second = (run.timeseries["share_internet_use"] for run in runs)
    assert not first.equals(second)
