"""Results you can trust after edits, crashes and bad input (issue 16).

Content-addressed runs, one writer per output folder, ``report`` and ``analyse`` on damaged
or wrong folders, size caps, clean-up after kills, safe addresses, and escapes that never
reach the terminal. Broken input files live in the corpus (``tests/data/bad/``, checked by
``tests/test_hardening.py``); what needs a folder, two processes or a command line is here.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.batch.store import lock_path
from experiments.cli import main, parser
from experiments.commands import batch as batch_commands
from model import loader
from model.errors import InputError, Problem, printable
from tests.installed import script
from tests.paths import REGIONS, ROOT
from tests.runhelpers import fake_run, write_scenario, write_spec

HOSTILE = "a\x1b[2J\x1b]0;t\x07\u202eb\u2066c\u200fd\r\n\udc80e\u2028"


def _clean(text: str) -> bool:
    """No character a terminal would act on (newlines between lines excepted)."""
    return all(c.isprintable() or c == "\n" for c in text)


def test_printable_escapes_controls_bidi_and_surrogates() -> None:
    out = printable(HOSTILE)
    assert _clean(out) and "\n" not in out
    assert out == "a\\x1b[2J\\x1b]0;t\\x07\\u202eb\\u2066c\\u200fd\\x0d\\x0a\\udc80e\\u2028"
    assert printable("école 中文 ok") == "école 中文 ok"


def test_every_part_of_a_message_is_escaped() -> None:
    error = InputError(HOSTILE, [Problem(HOSTILE, HOSTILE, HOSTILE, 3)])
    text = error.render()
    assert _clean(text) and len(text.splitlines()) == 1
    assert text.startswith("error: a\\x1b[2J")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "s.yaml", "--households", HOSTILE],
        ["compare", "s.yaml", "--seed", HOSTILE],
        ["run", "s.yaml", f"--{HOSTILE}"],
        [HOSTILE],
    ],
)
def test_argument_errors_are_escaped(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "\\x1b[2J" in err and _clean(err), err


def test_a_file_name_with_escapes_is_escaped(cli) -> None:
    result = cli(["validate", f"{HOSTILE}.yaml"])
    assert result.code == 2 and _clean(result.err) and "not found" in result.err


# -- nonsense refused ------------------------------------------------------------------------


def test_policy_names_follow_the_models_renaming() -> None:
    """The loader predicts the names the model gives policies (and so their columns)."""
    from model.inclusion_model import InclusionModel
    from model.loader import policy_names, scenario_from_dict

    policies = [
        {"type": "affordability"},
        {"type": "affordability"},
        {"type": "skills_training", "name": "training"},
        {"type": "affordability", "name": "basket"},
        {"type": "affordability"},
    ]
    loaded = scenario_from_dict(
        {"name": "n", "label": "N", "region": "lac", "end": "2021Q2", "policies": policies}
    )
    model = InclusionModel(loaded, 0, 300)
    predicted = policy_names(list(loaded.policies))
    assert predicted == [p.name for p in model.policies]
    assert predicted == [
        "affordability",
        "affordability_2",
        "training",
        "basket",
        "affordability_3",
    ]


# -- content-addressed runs ------------------------------------------------------------------


def _compare(scenario: Path, out: Path, *more: str, run_fn=fake_run, reps: str = "2") -> int:
    args = parser().parse_args(
        [
            "compare",
            str(scenario),
            "--replications",
            reps,
            "--workers",
            "1",
            "--quiet",
            "--out",
            str(out),
            "--no-report",
            *more,
        ]
    )
    return batch_commands.run_compare(args, run_fn=run_fn)


def _edit_prices(region: Path) -> None:
    text = region.read_text(encoding="utf-8")
    assert "basic_monthly:\n    value: " in text
    region.write_text(text.replace("basic_monthly:\n    value: ", "basic_monthly:\n    value: 3"))


def test_an_edited_region_file_is_never_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The identity hashes the region's contents, not its name: after an edit of prices the
    same compare into the same folder is refused, and says what changed."""
    region = tmp_path / "myregion.yaml"
    shutil.copy(REGIONS / "lac.yaml", region)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nlabel: S\nregion: myregion.yaml\nend: 2021Q1\n")
    out = tmp_path / "o"
    assert _compare(scenario, out) == 0
    assert _compare(scenario, out) == 0  # unchanged: resumed, nothing redone
    assert "0 done now, 2 done before" in capsys.readouterr().out
    _edit_prices(region)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(InputError) as info:
        _compare(scenario, out)
    message = info.value.render()
    assert "holds the results of a different experiment" in message
    assert "the contents of region profile myregion.yaml (scenario s)" in message
    assert "they are not reused" in message and f"delete {out}" in message
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not lock_path(out).exists()


def test_an_edited_shipped_region_is_never_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a region named (``region: lac``) rather than given as a file."""
    regions = tmp_path / "regions"
    shutil.copytree(REGIONS, regions)
    monkeypatch.setattr(loader, "REGIONS_DIR", regions)
    scenario = write_scenario(tmp_path, "base")
    out = tmp_path / "o"
    assert _compare(scenario, out) == 0
    _edit_prices(regions / "lac.yaml")
    with pytest.raises(InputError, match=r"the contents of region profile lac\.yaml"):
        _compare(scenario, out)


def test_an_edited_region_under_a_sweep_is_never_reused(tmp_path: Path) -> None:
    region = tmp_path / "r.yaml"
    shutil.copy(REGIONS / "lac.yaml", region)
    spec = write_spec(tmp_path)
    spec.write_text(spec.read_text().replace("region: lac", f"region: {region}"))
    args = parser().parse_args(["sweep", str(spec), "--workers", "1", "--quiet"])
    args.out = str(tmp_path / "o")
    assert batch_commands.run_sweep(args, run_fn=fake_run) == 0
    _edit_prices(region)
    with pytest.raises(InputError) as info:
        batch_commands.run_sweep(args, run_fn=fake_run)
    assert "changed since: the contents of region profile r.yaml (run hash" in str(info.value)


def test_other_model_code_is_never_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = write_scenario(tmp_path, "base")
    out = tmp_path / "o"
    assert _compare(scenario, out) == 0
    from experiments.design import comparison

    monkeypatch.setattr(comparison, "model_fingerprint", lambda: "0" * 64)
    with pytest.raises(InputError, match="changed since: the model's code"):
        _compare(scenario, out)


def test_model_fingerprint_covers_the_model_sources() -> None:
    from experiments.batch import identity

    assert len(identity.model_fingerprint()) == 64
    files = [ROOT / e for e in identity.MODEL_CODE]
    assert all(f.exists() for f in files)
    assert (ROOT / "model" / "kernels.py") in set((ROOT / "model").rglob("*.py"))


@pytest.mark.slow
def test_edited_region_with_the_real_model_gives_a_refusal_then_new_results(
    tmp_path: Path, cli
) -> None:
    """With the model itself: the old numbers are never reported for the new inputs."""
    region = tmp_path / "r.yaml"
    shutil.copy(REGIONS / "lac.yaml", region)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nlabel: S\nregion: r.yaml\nend: 2021Q1\nhouseholds: 500\n")
    argv = ["compare", str(scenario), "--replications", "2", "--workers", "1", "--quiet"]
    argv += ["--no-report"]
    assert cli([*argv, "--out", "old"]).code == 0
    text = region.read_text(encoding="utf-8")
    region.write_text(
        text.replace("mean_monthly:\n    value: 1200", "mean_monthly:\n    value: 300")
    )
    refused = cli([*argv, "--out", "old"])
    assert refused.code == 2 and "region profile r.yaml" in refused.err
    assert "Traceback" not in refused.err
    assert cli([*argv, "--out", "new"]).code == 0
    old = pd.read_csv(tmp_path / "old" / "summary.csv")
    new = pd.read_csv(tmp_path / "new" / "summary.csv")
    assert not old["mean"].equals(new["mean"])


# -- one writer per folder -----------------------------------------------------------------

HOLD = """
import sys, time
from experiments.batch.store import folder_lock
with folder_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_second_writer_is_refused_and_a_killed_holder_frees_the_folder(
    tmp_path: Path, cli
) -> None:
    scenario = write_scenario(tmp_path, "base")
    hold = [sys.executable, "-c", HOLD, str(tmp_path / "o")]
    holder = subprocess.Popen(hold, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        argv = ["compare", str(scenario), "--replications", "1", "--households", "300"]
        argv += ["--workers", "1", "--quiet", "--no-report", "--out", "o"]
        for command in (argv, ["run", str(scenario), "--households", "300", "--out", "o"]):
            result = cli(command)
            assert result.code == 2 and "Traceback" not in result.err
            assert result.err.startswith("error: o: is being written by another inclusim command")
            assert f"pid {holder.pid}" in result.err and "Fix: wait for it" in result.err
        assert not (tmp_path / "o").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock_path(tmp_path / "o").exists()  # left by the kill, but no longer locked
    assert cli(argv).code == 0
    assert not lock_path(tmp_path / "o").exists()


@pytest.mark.slow
@pytest.mark.subprocess
def test_concurrent_identical_commands_never_leave_a_manifest_running(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, "base")
    argv = [script("inclusim"), "compare", str(scenario), "--replications", "2"]
    argv += ["--households", "500", "--workers", "1", "--quiet", "--no-report", "--out", "o"]
    procs = [
        subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert "is being written by another inclusim command" in refused
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [i["status"] for i in manifest["invocations"]] == ["complete"]


# -- clean-up after kills -------------------------------------------------------------------


def test_temporaries_of_killed_commands_are_removed_on_next_start(tmp_path: Path, cli) -> None:
    scenario = write_scenario(tmp_path, "base")
    stale = tmp_path / ".r.tmp-k1ll3d"  # what a SIGKILL during run's write leaves
    stale.mkdir()
    (stale / "timeseries.csv").write_text("half")
    (tmp_path / ".r.lock").write_text("{}")  # lock file of the killed command
    assert cli(["run", str(scenario), "--households", "300", "--out", "r"]).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.yaml", "r"]
    out = tmp_path / "o"
    assert _compare(scenario, out) == 0
    (out / ".manifest.json.999999.tmp").write_text("half")
    assert _compare(scenario, out) == 0
    assert not (out / ".manifest.json.999999.tmp").exists()


# -- report and analyse on damaged or wrong folders ---------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A finished compare, sweep and run folder (fake runs; the run is the model's)."""
    base = tmp_path_factory.mktemp("finished")
    scenario = write_scenario(base, "base", "[{type: affordability}]")
    assert _compare(scenario, base / "compare") == 0
    args = parser().parse_args(["sweep", str(write_spec(base)), "--workers", "1", "--quiet"])
    args.out = str(base / "sweep")
    assert batch_commands.run_sweep(args, run_fn=fake_run) == 0
    assert main(["run", str(scenario), "--households", "300", "--out", str(base / "run")]) == 0
    return {"compare": base / "compare", "sweep": base / "sweep", "run": base / "run"}


def _damaged(
    kind: str, finished: dict[str, Path], into: Path, command: str = "report"
) -> tuple[Path, str]:
    """A copy of a finished folder damaged one way; the message ``command`` must give.

    ``report`` writes the report of an intact run folder, so its ``run_folder`` case is a
    run folder whose time series is gone.
    """
    source = {"run_folder": "run", "compare_for_analyse": "compare"}.get(kind, "compare")
    if kind.startswith("sweep") or kind.startswith("analyse"):
        source = "sweep"
    folder = into / kind
    shutil.copytree(finished[source], folder)
    manifest = folder / "manifest.json"
    if kind == "manifest_list":
        manifest.write_text("[1, 2]")
        return folder, "manifest.json: holds a list, not the object inclusim writes."
    if kind == "manifest_not_json":
        manifest.write_text('{"kind": "compare", "defin')
        return folder, "manifest.json: is damaged and cannot be read"
    if kind == "manifest_wrong_types":
        m = json.loads(manifest.read_text())
        m["definition"]["scenarios"] = [1, 2]
        manifest.write_text(json.dumps(m))
        return folder, "manifest.json: is not a manifest inclusim writes (TypeError"
    if kind == "manifest_unknown_kind":
        m = json.loads(manifest.read_text())
        m["kind"] = "\x1b[31mother"
        manifest.write_text(json.dumps(m))
        return folder, "is not one inclusim writes (kind '\\x1b[31mother')."
    if kind == "truncated_summary":
        data = (folder / "summary.parquet").read_bytes()
        (folder / "summary.parquet").write_bytes(data[: len(data) // 2])
        return folder, "summary.parquet: is damaged and cannot be read"
    if kind == "summary_wrong_columns":
        pd.DataFrame({"x": [1]}).to_parquet(folder / "summary.parquet")
        return folder, "summary.parquet: is not a table inclusim wrote (no column 'scenario')."
    if kind == "sweep_truncated_outcomes":
        (folder / "outcomes.parquet").write_bytes(b"PAR1")
        return folder, "outcomes.parquet: is damaged and cannot be read"
    if kind == "run_folder" and command == "report":
        (folder / "timeseries.parquet").unlink()
        return folder, "timeseries.parquet: is missing or cannot be read"
    if kind == "run_folder":
        return folder, "holds the result of 'inclusim run' (one scenario, one seed)"
    if kind == "no_manifest":
        manifest.unlink()
        return folder, "is not an experiment folder (it has no manifest.json)."
    raise AssertionError(kind)


DAMAGE = [
    "manifest_list",
    "manifest_not_json",
    "manifest_wrong_types",
    "manifest_unknown_kind",
    "truncated_summary",
    "summary_wrong_columns",
    "sweep_truncated_outcomes",
    "run_folder",
    "no_manifest",
]


@pytest.mark.parametrize("command", ["report", "analyse"])
@pytest.mark.parametrize("kind", DAMAGE)
def test_report_and_analyse_refuse_damaged_or_wrong_folders(
    kind: str, command: str, finished: dict[str, Path], tmp_path: Path, cli
) -> None:
    folder, expected = _damaged(kind, finished, tmp_path, command)
    if command == "analyse" and kind in ("truncated_summary", "summary_wrong_columns"):
        expected = "holds a comparison, not a sweep."
    if command == "analyse" and kind == "manifest_wrong_types":
        expected = "holds a comparison, not a sweep."
    before = _snapshot(folder)
    result = cli([command, str(folder)])
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and _clean(result.err)
    assert len(result.err.splitlines()) == 1 and " Fix: " in result.err
    assert expected in result.err, result.err
    assert _snapshot(folder) == before  # nothing written
    assert not lock_path(folder).exists()


@pytest.mark.parametrize("command", ["report", "analyse"])
def test_report_and_analyse_refuse_missing_paths_and_files(
    command: str, tmp_path: Path, cli
) -> None:
    (tmp_path / "file").write_text("x")
    for path, message in (("nowhere", "does not exist."), ("file", "is not a folder.")):
        result = cli([command, path])
        assert result.code == 2 and f"error: {path}: {message}" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_report_reads_the_manifests_region_with_the_bounded_reader(
    finished: dict[str, Path], tmp_path: Path
) -> None:
    """A manifest pointing its region at /dev/zero (or a huge file) costs only the sources."""
    from experiments.present.exports import _region

    assert _region("/dev/zero", {}) == (None, None)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"a: " + b"x" * 3_000_000)
    assert _region(str(huge), {}) == (None, None)


# -- size caps, linear validation --------------------------------------------------------------


def _refused(result, *parts: str) -> None:
    assert result.code == 2 and "Traceback" not in result.err, result.err
    assert len(result.err.splitlines()) == 1 and " Fix: " in result.err, result.err
    for part in parts:
        assert part in result.err, result.err


def test_compare_caps_replications_runs_and_workers(tmp_path: Path, cli) -> None:
    from experiments.batch.executors import max_workers

    scenario = str(write_scenario(tmp_path, "base"))
    _refused(
        cli(["compare", scenario, "--replications", "20000000"]),
        "error: --replications: 20,000,000 is more than 10,000 seeds per scenario.",
    )
    _refused(
        cli(["compare", scenario, scenario, "--replications", "6", "--max-runs", "10"]),
        "2 scenario(s) x 6 replications is 12 runs, more than --max-runs 10.",
        "pass --max-runs 12 if you mean it",
    )
    _refused(
        cli(["compare", scenario, "--replications", "2", "--workers", str(max_workers() + 1)]),
        f"error: --workers: {max_workers() + 1} is more than {max_workers()}",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.yaml"]


def test_sweep_caps_runs_with_a_stated_overridable_limit(tmp_path: Path, cli) -> None:
    spec = write_spec(tmp_path)  # 12 points x 2 replications
    _refused(
        cli(["sweep", str(spec), "--max-runs", "20"]),
        ":11: design: 12 design points x 2 replications is 24 runs, more than --max-runs 20.",
    )
    big = tmp_path / "big.yaml"
    big.write_text(spec.read_text().replace("replications: 2", "replications: 10000"))
    _refused(
        cli(["sweep", str(big)]),
        "12 design points x 10,000 replications is 120,000 runs, more than --max-runs 100,000 "
        "(the default).",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml", "tiny_grid.yaml"]
    assert batch_commands.MAX_RUNS == 100_000
    args = parser().parse_args(["sweep", str(spec), "--max-runs", "24", "--workers", "1"])
    args.quiet, args.out = True, str(tmp_path / "o")
    assert batch_commands.run_sweep(args, run_fn=fake_run) == 0  # the limit is overridable


@pytest.mark.slow
def test_a_spec_with_a_long_list_validates_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20,000 listed values: every one is checked, but the region is loaded once, not once per
    value (which took minutes)."""
    from experiments.design.specs import load_spec

    values = ", ".join(str(1000 + k) for k in range(20_000))
    spec = tmp_path / "long.yaml"
    spec.write_text(
        "name: long\nscenario: {name: t, label: T, region: lac, end: 2021Q1}\n"
        "design: {kind: full_factorial}\n"
        f"levers:\n  policies.affordability.admin_cost_per_household: [{values}]\n"
        "outcomes: [{indicator: share_internet_use}]\n",
        encoding="utf-8",
    )
    loads = []
    real = loader.load_region
    monkeypatch.setattr(loader, "load_region", lambda ref: loads.append(ref) or real(ref))
    start = time.perf_counter()
    assert load_spec(spec).n_points == 20_000
    assert time.perf_counter() - start < 60
    assert len(loads) <= 2
    bad = spec.read_text().replace(f"{1000 + 19_998}, ", "-1, ")
    spec.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError, match="value -1 is not valid for the scenario"):
        load_spec(spec)


# -- safe addresses -----------------------------------------------------------------------------

MALFORMED = ["foo", "tcp://::not an address::", "tcp://127.0.0.1:port", "tcp://[::1", "://x:1"]
MALFORMED += ["inproc://x", "tcp://h:99999", "tcp://h:1/path", "tcp://h\x1b[31m:1"]


@pytest.mark.parametrize("address", MALFORMED)
def test_malformed_scheduler_address_is_one_message_at_once(
    address: str, tmp_path: Path, cli
) -> None:
    spec = write_spec(tmp_path)
    start = time.perf_counter()
    result = cli(["sweep", str(spec), "--scheduler", address, "--quiet"])
    _refused(result, "error: --scheduler: ", "is not a scheduler address")
    assert _clean(result.err)
    assert time.perf_counter() - start < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny_grid.yaml"]


@pytest.mark.slow
def test_unreachable_scheduler_leaves_nothing(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments.batch import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    scenario = write_scenario(tmp_path, "base")
    spec = write_spec(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for argv in (
        ["compare", str(scenario), "--replications", "1", "--quiet"],
        ["sweep", str(spec), "--quiet"],
    ):
        result = cli([*argv, "--scheduler", f"tcp://127.0.0.1:{port}"])
        _refused(result, f"cannot reach a Dask scheduler at tcp://127.0.0.1:{port}")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["base.yaml", "tiny_grid.yaml"]
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("", "is empty, which a server reads as every network interface."),
        ("   ", "is empty"),
        ("no-such-host.invalid", "'no-such-host.invalid' does not resolve to an address"),
        ("bad\x1b[2Jhost", "'bad\\x1b[2Jhost' does not resolve to an address"),
    ],
)
def test_dashboard_refuses_an_empty_or_unresolvable_host(host: str, message: str, cli) -> None:
    from experiments.commands import dashboard

    result = cli(["dashboard", "--host", host, "--port", "0"])
    _refused(result, f"error: --host: {message}")
    assert _clean(result.err)
    assert dashboard.main(["--host", host, "--port", "0"]) == 2


def test_a_runs_manifest_records_its_regions_contents_and_the_model(
    finished: dict[str, Path],
) -> None:
    from experiments.batch.identity import file_sha256, model_fingerprint

    manifest = json.loads((finished["run"] / "manifest.json").read_text())
    assert manifest["region_sha256"] == file_sha256(REGIONS / "lac.yaml")
    assert manifest["model"] == model_fingerprint()
    compare = json.loads((finished["compare"] / "manifest.json").read_text())
    assert compare["identity"]["scenarios"][0]["region_sha256"] == manifest["region_sha256"]
    assert compare["format"] == 2


@pytest.mark.parametrize(
    "command", [["analyse"], ["discover", "--outcome", "x", "--threshold", "0"]]
)
def test_sweep_commands_name_an_optimise_folder_for_what_it_is(
    command: list[str], finished: dict[str, Path], tmp_path: Path, cli
) -> None:
    folder = tmp_path / "optimised"
    shutil.copytree(finished["sweep"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "kind": "optimise"}))
    before = _snapshot(folder)
    result = cli([command[0], str(folder), *command[1:]])
    assert result.code == 2 and " Fix: " in result.err and "Traceback" not in result.err
    assert "holds an 'inclusim optimise' search, not a comparison or a sweep." in result.err
    assert "pareto.csv" in result.err
    assert _snapshot(folder) == before
