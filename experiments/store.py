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

import errno
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.provenance import git_commit, now, safe_name, versions
from model.errors import InputError, Problem

__all__ = ["Store", "digest", "output_errors", "safe_name", "write_atomic"]

FORMAT = 1
"""Version of the store layout, recorded in every manifest."""

PART_PATTERN = re.compile(r"^run-(\d+)\.parquet$")

CHECK_THREADS = 4
"""Threads that read parts back when an experiment resumes."""


PATH_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOTDIR,
        errno.EEXIST,
        errno.ENOENT,
        errno.EISDIR,
        errno.ENAMETOOLONG,
    }
)
"""Errors that say the output folder cannot be made or written there: bad input (exit 2)."""

SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
"""Errors that say the disk cannot take more: not the input's fault (exit 1)."""

EXIT_NOT_STORED = 1
"""Exit status when results could not be stored for lack of space (as for failed runs)."""


@contextmanager
def output_errors(folder: str | Path, has_out: bool = True) -> Iterator[None]:
    """Turn a failure to write results into one message on stderr, never a traceback.

    A folder that cannot be made or written (a file in the way, no permission, a read-only
    file system) raises :class:`InputError` (exit status 2); a full disk or quota prints the
    message and exits with status 1. Parts already stored are complete (each is written
    atomically), so running the same command again once the problem is fixed resumes.

    Args:
        folder: the output folder (the message names it, and the file that failed).
        has_out: the command takes ``--out DIR`` (the fix suggests it).

    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in PATH_ERRNOS | SPACE_ERRNOS:
            raise
        full = exc.errno in SPACE_ERRNOS
        if full:
            elsewhere = ", or pass --out DIR on another disk," if has_out else ""
            fix = (
                f"free some space{elsewhere} and run the same command again: completed runs "
                "are kept."
            )
        elif has_out:
            fix = (
                "pass --out DIR with a folder you can write to (not under a file, not on a "
                "read-only disk)."
            )
        else:
            fix = "make the folder writable (a file may be in the way, or the disk read-only)."
        reason = exc.strerror or str(exc)
        failed = exc.filename2 or exc.filename  # os.replace(src, dst): dst is the one refused
        if failed and str(failed) != str(folder):
            reason += f": {failed}"
        error = InputError(str(folder), [Problem("", f"cannot be written ({reason}).", fix)])
        if not full:
            raise error from None
        print(error.render(), file=sys.stderr)
        raise SystemExit(EXIT_NOT_STORED) from None


def digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of ``data``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file in the same folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


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

    def open(
        self,
        kind: str,
        name: str,
        definition: dict[str, Any],
        run_hash: str,
        experiments: pd.DataFrame,
        root_seed: int,
        extra: dict[str, Any] | None = None,
    ) -> None:
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
        self.invocation = {
            "command": list(sys.argv),
            "started": now(),
            "ended": None,
            "status": "running",
        }
        self.manifest = {
            "format": FORMAT,
            "kind": kind,
            "name": name,
            "run_hash": run_hash,
            "root_seed": root_seed,
            "runs": len(experiments),
            **(extra or {}),
            "definition": definition,
            "versions": versions(),
            "git_commit": git_commit(),
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
            raise InputError(
                str(self.folder),
                [Problem("", "exists and is not a folder.", "pass --out with another path.")],
            )
        if self.manifest_path.exists():
            try:
                theirs = self.read_manifest().get("run_hash")
            except (OSError, ValueError):
                theirs = None
            if theirs == run_hash:
                return
            raise InputError(
                str(self.folder),
                [
                    Problem(
                        "",
                        f"holds the results of a different experiment (run hash "
                        f"{str(theirs)[:12]}, this one {run_hash[:12]}): the spec, scenarios, "
                        "seed, replications or households differ.",
                        f"pass --out DIR to write elsewhere, or "
                        f"delete {self.folder} to start over.",
                    )
                ],
            )
        if any(self.folder.iterdir()):
            raise InputError(
                str(self.folder),
                [
                    Problem(
                        "",
                        "exists, is not empty and holds no manifest.json, so it is not an "
                        "experiment folder.",
                        "pass --out DIR to write elsewhere, or delete it.",
                    )
                ],
            )

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
            str(r): "done" if r in done else "failed" if r in failed else "pending" for r in run_ids
        }
        self.manifest["failures"] = failures
        self.write_manifest()
        _fsync_dir(self.parts)
        _fsync_dir(self.folder)

    # -- parts -----------------------------------------------------------------------------

    def part_path(self, run_id: int) -> str:
        """File of run ``run_id``'s part.

        A plain string: :mod:`pathlib` interns every path component it parses, which would keep
        one string per run alive for the life of the process.

        """
        return os.path.join(self.parts, f"run-{run_id:07d}.parquet")

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

        Every part under its final name is read in full (pyarrow releases the GIL, so a few
        threads check them in parallel); one that fails to read or holds another run id is
        deleted, so its run is done again.

        Returns:
            The completed run ids, and how many broken parts were deleted.

        """
        if not self.parts.exists():
            return set(), 0
        candidates: list[tuple[int, str]] = []
        for entry in os.scandir(self.parts):
            if entry.name.endswith(".tmp"):
                os.unlink(entry.path)
                continue
            m = PART_PATTERN.match(entry.name)
            if m:
                candidates.append((int(m.group(1)), entry.path))
        with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
            ok = list(pool.map(lambda c: _valid(c[1], c[0]), candidates))
        done = set()
        for (run_id, path), good in zip(candidates, ok, strict=True):
            if good:
                done.add(run_id)
            else:
                os.unlink(path)
        return done, len(candidates) - len(done)

    def write_part(self, run_id: int, data: bytes) -> None:
        """Store one run's Parquet bytes atomically (temporary file, fsync, rename)."""
        final = self.part_path(run_id)
        tmp = os.path.join(self.parts, f".run-{run_id:07d}.parquet.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise

    def read_part(self, run_id: int) -> pd.DataFrame:
        """One run's time series: index quarter, one column per indicator (run order kept)."""
        frame = pq.read_table(
            self.part_path(run_id), columns=["quarter", "indicator", "value"]
        ).to_pandas()
        quarter = frame["quarter"].astype("category")
        indicator = frame["indicator"].astype("category")
        values = np.full((len(quarter.cat.categories), len(indicator.cat.categories)), np.nan)
        values[quarter.cat.codes.to_numpy(), indicator.cat.codes.to_numpy()] = frame["value"]
        return pd.DataFrame(
            values,
            index=pd.Index(quarter.cat.categories.astype(str), name="quarter"),
            columns=list(indicator.cat.categories.astype(str)),
        )

    def read_values(self, run_ids: Iterable[int], indicators: list[str]) -> pd.DataFrame:
        """Long table (run_id, quarter, indicator, value) of some indicators of many runs."""
        files = [self.part_path(r) for r in sorted(run_ids)]
        columns = ["run_id", "quarter", "indicator", "value"]
        if not files:
            return pd.DataFrame(columns=columns)
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        table = ds.dataset(files, format="parquet").to_table(
            columns=columns, filter=pc.field("indicator").isin(indicators)
        )
        frame = table.to_pandas()
        for col in ("quarter", "indicator"):
            frame[col] = frame[col].astype(str)
        return frame

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


def _valid(path: str, run_id: int) -> bool:
    """The part reads back in full, is not empty and belongs to ``run_id``."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError):
        return False
    if table.num_rows == 0 or "run_id" not in table.column_names:
        return False
    ids = table.column("run_id").to_numpy()
    return bool((ids == run_id).all())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix" or not folder.exists():
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
