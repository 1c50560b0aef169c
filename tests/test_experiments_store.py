"""The store: atomic parts, detection of broken parts, ownership of folders, safe names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.batch.identity import digest
from experiments.batch.runner import Task, part_bytes
from experiments.batch.store import Store, safe_name
from model.errors import InputError
from tests.runhelpers import fake_run


def _experiments(n: int) -> pd.DataFrame:
    return pd.DataFrame({"run_id": range(n), "replication": 0, "seed": 1})


def _open(folder: Path, run_hash: str = "h1", n: int = 3) -> Store:
    store = Store(folder)
    store.open("sweep", "x", {"a": 1}, run_hash, _experiments(n), 7)
    return store


def _part(run_id: int, experiment: str = "h1") -> bytes:
    task = Task(run_id, 5, 0, {}, experiment=experiment)
    return part_bytes(fake_run(Task(run_id, 5, 0, {"end": "2020Q4"})), task)


def test_part_round_trip_is_atomic(tmp_path: Path) -> None:
    store = _open(tmp_path / "e")
    store.write_part(2, _part(2))
    assert [p.name for p in store.parts.iterdir()] == ["run-0000002.parquet"]
    frame = store.read_part(2)
    expected = fake_run(Task(2, 5, 0, {"end": "2020Q4"}))
    assert list(frame.index) == list(expected.index)
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame, expected, check_names=False, check_index_type=False)


def test_broken_parts_are_found_and_deleted(tmp_path: Path) -> None:
    store = _open(tmp_path / "e", n=5)
    for r in range(4):
        store.write_part(r, _part(r))
    good = Path(store.part_path(0)).read_bytes()
    Path(store.part_path(1)).write_bytes(good[: len(good) // 2])  # truncated (kill during a copy)
    Path(store.part_path(2)).write_bytes(b"PAR1" + b"\0" * 200)  # garbage
    Path(store.part_path(3)).write_bytes(good)  # a valid file holding another run's data
    (store.parts / ".run-0000004.parquet.123.tmp").write_bytes(b"half")  # leftover temporary
    done, broken = store.completed()
    assert done == {0}
    assert broken == 3
    assert sorted(p.name for p in store.parts.iterdir()) == ["run-0000000.parquet"]


def test_a_part_of_another_experiment_is_never_counted(tmp_path: Path) -> None:
    """Parts carry their experiment's run hash; one from another experiment (or from before
    parts were stamped) is deleted and its run done again."""
    store = _open(tmp_path / "e", "h1", n=3)
    store.write_part(0, _part(0, "h1"))
    store.write_part(1, _part(1, "h2"))
    store.write_part(2, _part(2, ""))
    assert store.completed() == ({0}, 2)
    assert [p.name for p in store.parts.iterdir()] == ["run-0000000.parquet"]


def test_folder_of_another_experiment_is_refused(tmp_path: Path) -> None:
    _open(tmp_path / "e", "h1")
    _open(tmp_path / "e", "h1")  # same experiment: reopened for resuming
    with pytest.raises(InputError) as info:
        _open(tmp_path / "e", "h2")
    msg = info.value.render()
    assert "holds the results of a different experiment" in msg
    assert "pass --out DIR to write elsewhere, or delete" in msg


def test_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"holds no manifest\.json"):
        _open(tmp_path / "e")
    (tmp_path / "f").mkdir()
    _open(tmp_path / "f")  # an empty folder is fine


def test_manifest_records_provenance_and_status(tmp_path: Path) -> None:
    store = _open(tmp_path / "e")
    store.write_part(0, _part(0))
    store.record_failure(
        {"run_id": 1, "seed": 1, "inputs": {"a": 2}, "error": "E: x", "traceback": "Traceback ..."}
    )
    store.finish("failed", range(3), {"done": 1})
    m = json.loads((tmp_path / "e" / "manifest.json").read_text())
    assert m["run_hash"] == "h1" and m["root_seed"] == 7 and m["definition"] == {"a": 1}
    assert m["versions"]["numpy"] and "python" in m["versions"]
    assert m["run_status"] == {"0": "done", "1": "failed", "2": "pending"}
    assert m["failures"][0]["traceback"] == "Traceback ..."
    assert m["invocations"][-1]["status"] == "failed" and m["invocations"][-1]["ended"]
    assert "git_commit" in m
    assert (tmp_path / "e" / "experiments.parquet").exists()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("..", "run"),
        ("compare_lac baseline", "compare_lac_baseline"),
        (".hidden", "hidden"),
    ],
)
def test_safe_names(name: str, safe: str) -> None:
    assert safe_name(name) == safe
    assert "/" not in safe_name(name) and not safe_name(name).startswith(".")


def test_digest_ignores_key_order() -> None:
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})
