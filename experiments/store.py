"""The on-disk store of an experiment: one Parquet part per run, the experiments table, a manifest.

Layout of ``outputs/<experiment>/``::

    manifest.json        what was run, by whom, with what, and the status of every run
    experiments.parquet  one row per run: run_id, inputs, replication, seed (also .csv)
    parts/run-0000042.parquet   the time series of run 42 (written atomically)
    failures.jsonl       one line per failed run of the latest invocation (inputs, traceback)

A part is written under a temporary name in ``parts/``, flushed to disk (fsync) and renamed
with :func:`os.replace`, so a part under its final name is always complete. Resuming trusts
only parts that pyarrow reads back with the right run id; anything else is deleted and rerun.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.errors import InputError, Problem

FORMAT = 1
"""Version of the store layout, recorded in every manifest."""

PART_PATTERN = re.compile(r"^run-(\d+)\.parquet$")

PACKAGES = ("inclusim", "mesa", "numpy", "pandas", "pyarrow", "SALib", "scipy", "pydantic",
            "dask", "distributed")
"""Packages whose versions the manifest records (when installed)."""


def digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of ``data``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def safe_name(name: str) -> str:
    """A folder name made only of letters, digits, ``_``, ``-`` and ``.``, never ``.``/``..``."""
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("._") or "experiment"
    return clean[:100]


def now() -> str:
    """Current time, ISO 8601 with time zone."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape results."""
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def git_commit(folder: Path | None = None) -> str | None:
    """Commit of the source tree (with ``+dirty`` if it has local changes), when in git."""
    here = folder or Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                              text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "") if head else None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file in the same folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Store:
    """One experiment's folder.

    Args:
        folder: the experiment's folder (created if missing).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.manifest_path = self.folder / "manifest.json"
        self.failures_path = self.folder / "failures.jsonl"
        self.manifest: dict[str, Any] = {}
        self.invocation: dict[str, Any] = {}

    # -- opening -----------------------------------------------------------------------------

    def open(self, kind: str, name: str, definition: dict[str, Any], run_hash: str,
             experiments: pd.DataFrame, root_seed: int, extra: dict[str, Any] | None = None) -> None:
        """Create the folder, or reopen it to resume the same experiment.

        Args:
            kind: ``sweep`` or ``compare``.
            name: the experiment's name.
            definition: everything needed to reproduce the runs (stored in the manifest).
            run_hash: digest of what determines the runs' results; a folder holding another
                hash is refused.
            experiments: the experiments table (one row per run, ``run_id`` first).
            root_seed: the root seed the run seeds were spawned from.
            extra: further entries for the manifest (e.g. the spec's text and hash).

        Raises:
            InputError: the folder holds another experiment, or something that is not one.
        """
        self._check_owner(run_hash)
        self.parts.mkdir(parents=True, exist_ok=True)
        previous = self.manifest_path.exists()
        manifest = self.read_manifest() if previous else {}
        self.invocation = {"command": list(sys.argv), "started": now(), "ended": None,
                           "status": "running"}
        self.manifest = {
            "format": FORMAT, "kind": kind, "name": name, "run_hash": run_hash,
            "root_seed": root_seed, "runs": len(experiments), **(extra or {}),
            "definition": definition, "versions": versions(), "git_commit": git_commit(),
            "created": manifest.get("created", self.invocation["started"]),
            "invocations": [*manifest.get("invocations", []), self.invocation],
            "status": "running",
        }
        self.write_manifest()
        self.write_table("experiments", experiments)
        if self.failures_path.exists():
            self.failures_path.unlink()

    def _check_owner(self, run_hash: str) -> None:
        if not self.folder.exists():
            return
        if not self.folder.is_dir():
            raise InputError(str(self.folder), [Problem("", "exists and is not a folder.",
                                                        "pass --out with another path.")])
        if self.manifest_path.exists():
            try:
                theirs = self.read_manifest().get("run_hash")
            except (OSError, ValueError):
                theirs = None
            if theirs == run_hash:
                return
            raise InputError(str(self.folder), [Problem(
                "", f"holds the results of a different experiment (run hash "
                f"{str(theirs)[:12]}, this one {run_hash[:12]}): the spec, scenarios, seed, "
                "replications or households differ.", f"pass --out DIR to write elsewhere, or "
                f"delete {self.folder} to start over.")])
        if any(self.folder.iterdir()):
            raise InputError(str(self.folder), [Problem(
                "", "exists, is not empty and holds no manifest.json, so it is not an "
                "experiment folder.", "pass --out DIR to write elsewhere, or delete it.")])

    # -- manifest ------------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as stored."""
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self) -> None:
        """Write the manifest atomically."""
        text = json.dumps(self.manifest, indent=1, default=str, allow_nan=False)
        write_atomic(self.manifest_path, text.encode("utf-8"))

    def finish(self, status: str, run_ids: Iterable[int], summary: dict[str, Any]) -> None:
        """Record the end of this invocation and the status of every run.

        Args:
            status: ``complete``, ``failed`` (some runs raised) or ``interrupted``.
            run_ids: every run of the experiment.
            summary: counts and timings of this invocation.
        """
        failures = self.failures()
        failed = {f["run_id"] for f in failures}
        done = self.done_ids()
        self.invocation.update(ended=now(), status=status, **summary)
        self.manifest["status"] = status
        self.manifest["run_status"] = {
            str(r): "done" if r in done else "failed" if r in failed else "pending"
            for r in run_ids}
        self.manifest["failures"] = failures
        self.write_manifest()
        _fsync_dir(self.parts)
        _fsync_dir(self.folder)

    # -- parts -----------------------------------------------------------------------------

    def part_path(self, run_id: int) -> Path:
        """File of run ``run_id``'s part."""
        return self.parts / f"run-{run_id:07d}.parquet"

    def done_ids(self) -> set[int]:
        """Run ids with a part under its final name (not re-read)."""
        if not self.parts.exists():
            return set()
        out = set()
        for entry in os.scandir(self.parts):
            m = PART_PATTERN.match(entry.name)
            if m:
                out.add(int(m.group(1)))
        return out

    def completed(self) -> tuple[set[int], int]:
        """Runs whose part reads back correctly; deletes leftovers and unreadable parts.

        Returns:
            The completed run ids, and how many broken parts were deleted (to be rerun).
        """
        done: set[int] = set()
        broken = 0
        if not self.parts.exists():
            return done, broken
        for entry in list(os.scandir(self.parts)):
            if entry.name.endswith(".tmp"):
                os.unlink(entry.path)
                continue
            m = PART_PATTERN.match(entry.name)
            if not m:
                continue
            run_id = int(m.group(1))
            if self._valid(Path(entry.path), run_id):
                done.add(run_id)
            else:
                os.unlink(entry.path)
                broken += 1
        return done, broken

    @staticmethod
    def _valid(path: Path, run_id: int) -> bool:
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException, ValueError):
            return False
        if table.num_rows == 0 or "run_id" not in table.column_names:
            return False
        ids = table.column("run_id").to_pylist()
        return all(i == run_id for i in ids)

    def write_part(self, run_id: int, table: pa.Table) -> None:
        """Store one run's table atomically (temporary file, fsync, rename)."""
        final = self.part_path(run_id)
        tmp = self.parts / f".{final.name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)

    def read_part(self, run_id: int, columns: list[str] | None = None) -> pd.DataFrame:
        """One run's table (optionally only some columns)."""
        path = self.part_path(run_id)
        if columns is not None:
            schema = pq.read_schema(path)
            columns = [c for c in columns if c in schema.names]
        return pq.read_table(path, columns=columns).to_pandas()

    # -- failures and tables ---------------------------------------------------------------

    def record_failure(self, record: dict[str, Any]) -> None:
        """Append one failed run (run id, inputs, seed, error, traceback) to the failures file."""
        line = json.dumps(record, default=str) + "\n"
        with open(self.failures_path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def failures(self) -> list[dict[str, Any]]:
        """Failed runs of the latest invocation, without the runs done since."""
        if not self.failures_path.exists():
            return []
        done = self.done_ids()
        out = []
        for line in self.failures_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if rec.get("run_id") not in done:
                    out.append(rec)
        return out

    def write_table(self, name: str, frame: pd.DataFrame, csv: bool = True) -> Path:
        """Write ``name.parquet`` (and ``name.csv``) atomically; return the Parquet path."""
        path = self.folder / f"{name}.parquet"
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
        write_atomic(path, sink.getvalue().to_pybytes())
        if csv:
            write_atomic(self.folder / f"{name}.csv", frame.to_csv(index=False).encode("utf-8"))
        return path

    def read_table(self, name: str) -> pd.DataFrame:
        """Read ``name.parquet`` from the folder."""
        return pd.read_parquet(self.folder / f"{name}.parquet")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix" or not folder.exists():
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
