"""Safe defaults: only safe YAML, no code run from data, no pickles of untrusted bytes, output
folders that cannot escape ``outputs/`` nor overwrite what is not a result, and a dashboard
that serves this machine only unless told otherwise."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from experiments.batch import experiment, runner
from experiments.batch.executors import Pool
from experiments.batch.experiment import BatchOptions
from experiments.batch.single_run import run_scenario
from experiments.batch.store import safe_name
from experiments.cli import main, parser
from experiments.commands import batch as batch_commands
from experiments.commands import dashboard
from experiments.design.specs import SpecModel
from model.errors import InputError
from model.loader import load_scenario
from model.schema import Scenario
from tests.paths import ROOT
from tests.runhelpers import fake_run, write_scenario, write_spec

SOURCE_DIRS = ("model", "experiments")


def _sources() -> list[Path]:
    files = [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 30
    return files


# -- 1. no unsafe loaders, no code from data ----------------------------------------------------

FORBIDDEN_MODULES = {"pickle", "cPickle", "cloudpickle", "dill", "marshal", "shelve", "joblib"}
"""Modules that turn bytes into arbitrary objects (or code)."""

FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "yaml.load",
    "yaml.load_all",
    "yaml.unsafe_load",
    "yaml.unsafe_load_all",
    "yaml.full_load",
    "yaml.full_load_all",
    "pd.read_pickle",
    "pandas.read_pickle",
    "os.system",
    "os.popen",
}
FORBIDDEN_NAMES = {"yaml.Loader", "yaml.FullLoader", "yaml.UnsafeLoader", "yaml.CLoader"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            out += [f"{where}: import {a.name}" for a in node.names if a.name in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in FORBIDDEN_MODULES:
            out.append(f"{where}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in FORBIDDEN_CALLS:
                out.append(f"{where}: {name}(...)")
            keywords = {k.arg: k.value for k in node.keywords}
            if name.endswith(".load") and name.split(".")[0] in {"np", "numpy"}:
                pickle = keywords.get("allow_pickle")
                if isinstance(pickle, ast.Constant) and pickle.value:
                    out.append(f"{where}: {name}(allow_pickle=True)")
            shell = keywords.get("shell")
            if isinstance(shell, ast.Constant) and shell.value:
                out.append(f"{where}: {name}(shell=True)")
        elif isinstance(node, ast.Attribute) and _dotted(node) in FORBIDDEN_NAMES:
            out.append(f"{where}: {_dotted(node)}")
    return out


def test_no_unsafe_yaml_pickle_eval_or_shell_in_the_source() -> None:
    """yaml.safe_load / SafeLoader only; no pickle, eval, exec, shell=True (AST, not regex, so
    docstrings that name them do not count)."""
    findings = [f for path in _sources() for f in _findings(path)]
    assert findings == []


def test_the_scanner_catches_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text(
        "import pickle\nimport yaml\nimport numpy as np\nimport subprocess\n"
        "yaml.load(open('x'), Loader=yaml.FullLoader)\nyaml.unsafe_load('x')\n"
        "pickle.loads(b'')\neval('1')\nexec('x = 1')\nnp.load('f', allow_pickle=True)\n"
        "subprocess.run('ls', shell=True)\n",
        encoding="utf-8",
    )
    assert len(_findings(bad)) == 8, _findings(bad)


def test_yaml_is_read_with_the_safe_loader_only() -> None:
    """The one reader (``model.yamlio``) builds on ``yaml.SafeLoader``; a Python tag is refused
    before anything is constructed (the corpus has the files: tests/data/bad/*python*)."""
    import model.yamlio as yamlio

    text = inspect.getsource(yamlio)
    assert "yaml.SafeLoader(" in text
    from model.errors import InputError

    marker = Path(f"/tmp/inclusim-pwned-{os.getpid()}")
    with pytest.raises(InputError, match="tag that is not allowed"):
        yamlio.parse_yaml(f"x: !!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()


# -- 2. names that become folders -----------------------------------------------------------

ESCAPES = ["../../etc", "..", ".", "a/b", "/abs", "x\\y", ".hidden", "Name", "name with space"]
ESCAPES += ["", "a" * 65, "1abc", "abc\x00", "é"]


@pytest.mark.parametrize("name", ESCAPES)
def test_scenario_and_spec_names_cannot_leave_their_folder(name: str) -> None:
    with pytest.raises(ValidationError):
        Scenario.model_validate({"name": name, "label": "x", "region": "lac"})
    with pytest.raises(ValidationError):
        SpecModel.model_validate(
            {
                "name": name,
                "scenario": "x.yaml",
                "design": {"kind": "full_factorial"},
                "outcomes": [{"indicator": "x"}],
            }
        )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_safe_name_stays_inside_outputs(name: str) -> None:
    """Defence in depth: whatever name reaches ``safe_name``, the folder is inside outputs/."""
    safe = safe_name(name)
    assert safe and len(safe) <= 80
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".")
    base = Path("/srv/outputs")
    assert (base / safe).resolve().parent == base


def test_a_name_that_bypassed_validation_is_refused_and_nothing_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario object built in code with a hostile name (skipping validation): the model
    validates it again and refuses it, and nothing is written where the name points."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    loaded = load_scenario(ROOT / "scenarios" / "lac" / "baseline.yaml")
    hostile = loaded.scenario.model_copy(update={"name": "../../escaped"})
    loaded = dataclasses.replace(loaded, scenario=hostile)
    with pytest.raises(InputError, match=r"'\.\./\.\./escaped' is not a valid name"):
        run_scenario(loaded, 0, 300, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert not list((tmp_path / "work").rglob("timeseries.*"))
    assert BatchOptions().folder("compare_../../x") == Path("outputs/compare_.._.._x")


@pytest.mark.parametrize("command", ["run", "sweep", "compare"])
def test_out_never_replaces_a_folder_that_is_not_a_result(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--out DIR`` naming a folder of the user's own files (even ``.``) is refused with exit
    2, and every file in it is kept. (``inclusim run --out DIR`` used to delete DIR first.)"""
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("years of work")
    scenario = write_scenario(tmp_path, "base")
    spec = write_spec(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    for out in (str(mine), "."):
        argv = {
            "run": ["run", str(scenario), "--households", "300"],
            "sweep": ["sweep", str(spec), "--workers", "1", "--quiet"],
            "compare": ["compare", str(scenario), "--replications", "1", "--quiet"],
        }[command]
        assert main([*argv, "--out", out]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {out}: exists, is not empty and holds no")
        assert "Traceback" not in err and len(err.splitlines()) == 1
    assert (mine / "chapter1.tex").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_out_replaces_an_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = str(write_scenario(tmp_path, "base"))
    for seed in ("1", "2"):
        assert main(["run", scenario, "--households", "300", "--seed", seed, "--out", "r"]) == 0
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.yaml", "r"]
    (tmp_path / "empty").mkdir()
    assert main(["run", scenario, "--households", "300", "--out", "empty"]) == 0
    (tmp_path / "file").write_text("x")
    assert main(["run", scenario, "--households", "300", "--out", "file"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert (tmp_path / "file").read_text() == "x"


# -- 3. the dashboard listens on this machine only by default ---------------------------------


def test_dashboard_defaults_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parser().parse_args(["dashboard"]).host == "127.0.0.1"
    assert inspect.signature(dashboard.serve).parameters["host"].default == "127.0.0.1"
    from solara.__main__ import run  # the dashboard extra, which `make test` installs

    seen: list[list[str]] = []

    def fake_main(args: list[str], **_: object) -> None:
        seen.append(args)

    monkeypatch.setattr(run, "main", fake_main)
    monkeypatch.delenv(dashboard.SCENARIO_ENV, raising=False)
    for key in dashboard.SERVER_ENV:  # serve() sets them; restored after the test
        monkeypatch.setenv(key, os.environ.get(key, ""))
    assert dashboard.main(["--port", "0"]) == 0
    assert main(["dashboard", "--port", "0"]) == 0
    for args in seen:
        assert args[args.index("--host") + 1] == "127.0.0.1"
    assert len(seen) == 2


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads listening sockets")
def test_dashboard_server_listens_on_loopback_only(tmp_path: Path) -> None:
    """The real server (``experiments.commands.dashboard``) binds 127.0.0.1, not 0.0.0.0."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != dashboard.SCENARIO_ENV}
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.commands.dashboard", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        listening: set[str] = set()
        while time.monotonic() < deadline and proc.poll() is None and not listening:
            listening = {
                c.laddr.ip
                for c in psutil.net_connections(kind="inet")
                if c.status == psutil.CONN_LISTEN and c.laddr.port == port
            }
            time.sleep(0.2)
        assert listening == {"127.0.0.1"}
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- 4. nothing untrusted is unpickled ----------------------------------------------------------


def test_store_reads_only_parquet_and_json() -> None:
    """Resuming reads parts back from disk, which anyone may have changed: Parquet and JSON
    only, through a pyarrow without the PyExtensionType hole (CVE-2023-47248, fixed in 14.0.1)."""
    import pyarrow

    from experiments.batch import store

    major, minor, patch = (int(x) for x in pyarrow.__version__.split(".")[:3])
    assert (major, minor, patch) >= (14, 0, 1)
    text = inspect.getsource(store)
    readers = {"json.loads", "pq.read_table", "pd.read_parquet", "ds.dataset"}
    calls = {_dotted(n.func) for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)} & (
        readers | {"pickle.load", "pickle.loads", "pd.read_pickle", "np.load"}
    )
    assert calls <= readers and calls


class RecordingExecutor(Executor):
    """Runs each submission at once in this process and keeps what was submitted."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, tuple]] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        self.calls.append((fn, args))
        fut: Future = Future()
        fut.set_result(fn(*args, **kwargs))
        return fut


def _plain(value: object) -> bool:
    """JSON-like data: what YAML and our own tables give, nothing that runs code when loaded."""
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_workers_get_and_return_only_our_own_plain_objects(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What crosses to a process pool or a Dask cluster (pickled on the way): our ``execute``
    and run function, and a ``Task`` of plain data; back: a ``RunOutput`` of bytes and text."""
    executor = RecordingExecutor()

    @contextmanager
    def recording_pool(workers: int | None = None, scheduler: str | None = None) -> Iterator[Pool]:
        yield Pool(executor, 2, "recording")

    monkeypatch.setattr(experiment, "open_pool", recording_pool)
    monkeypatch.chdir(tmp_path)
    if command == "sweep":
        args = parser().parse_args(["sweep", str(write_spec(tmp_path)), "--quiet"])
        assert batch_commands.run_sweep(args, run_fn=fake_run) == 0
    else:
        scenario = str(write_scenario(tmp_path, "base", "[{type: affordability}]"))
        args = parser().parse_args(["compare", scenario, "--replications", "3", "--quiet"])
        args.no_report = True
        assert batch_commands.run_compare(args, run_fn=fake_run) == 0
    capsys.readouterr()
    assert executor.calls
    for fn, (run_fn, task) in executor.calls:
        assert fn is runner.execute and run_fn is fake_run
        assert type(task) is runner.Task
        for f in dataclasses.fields(task):
            value = getattr(task, f.name)
            assert _plain(value), (f.name, value)
        assert json.loads(json.dumps(task.scenario)) == task.scenario
        out = runner.execute(run_fn, task)
        assert type(out) is runner.RunOutput
        assert type(out.part) is bytes and out.error is None
    assert runner.simulate_task.__module__ == "experiments.batch.runner"
