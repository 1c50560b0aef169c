"""The on-disk store of an experiment: one Parquet part per run, the experiments table, a manifest.

Layout of ``outputs/<experiment>/``::

    manifest.json        what was run, by whom, with what, and the status of every run
    experiments.parquet  one row per run: run_id, inputs, replication, seed (also .csv)
    parts/run-0000042.parquet   the time series of run 42 (written atomically)
    failures.jsonl       one line per failed run of the latest invocation (inputs, traceback)

A part is written under a temporary name in ``parts/``, flushed to disk (fsync) and renamed
with :func:`os.replace`, so a part under its final name is always complete. Resuming trusts
only parts that pyarrow reads back with the right run id and the experiment's run hash (kept
in the part's Parquet metadata); anything else is deleted and rerun.

One command at a time writes a folder: :func:`folder_lock` holds an OS lock on a file beside
it (``.<folder>.lock``) for the whole command, so a second writer is refused with a message
naming the first, even if the folder itself was deleted in between.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.identity import changes, digest
from experiments.batch.provenance import git_commit, now, safe_name, versions
from model.errors import InputError, Problem

__all__ = ["Store", "digest", "output_errors", "safe_name", "write_atomic"]

FORMAT = 2
"""Version of the store layout, recorded in every manifest (2: identity, parts stamped)."""

EXPERIMENT_KEY = b"inclusim.run_hash"
"""Parquet metadata key of a part: the run hash of the experiment that wrote it."""

TEMP_FILE = re.compile(r"^\..+\.\d+\.tmp$")
"""Name of a temporary file :func:`write_atomic` leaves when killed (``.NAME.PID.tmp``)."""

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


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file in the same folder.

    ``path`` may be a plain string (run parts are, see :meth:`Store.part_path`); the temporary
    file is ``.<name>.<pid>.tmp`` beside it.
    """
    folder, name = os.path.split(os.fspath(path))
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
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
        self.run_hash: str | None = None

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
        identity: dict[str, Any] | None = None,
    ) -> None:
        """Create the folder, or reopen it to resume the same experiment.

        Call it while holding :func:`folder_lock` on the folder.

        Args:
            kind: ``sweep`` or ``compare``.
            name: the experiment's name.
            definition: everything needed to reproduce the runs (stored in the manifest).
            run_hash: digest of what determines the runs' results; a folder holding another
                hash is refused.
            experiments: the experiments table (one row per run, ``run_id`` first).
            root_seed: the root seed the run seeds were spawned from.
            extra: further entries for the manifest (e.g. the spec's text and hash).
            identity: what ``run_hash`` digests, entry by entry (see
                :mod:`experiments.batch.identity`), so a refusal can say what changed.

        Raises:
            InputError: the folder holds another experiment, or something that is not one.

        """
        self.check_owner(run_hash, identity)
        self.parts.mkdir(parents=True, exist_ok=True)
        self._remove_temporaries()
        self.run_hash = run_hash
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
            "identity": identity or {},
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

    def check_owner(self, run_hash: str, identity: dict[str, Any] | None = None) -> None:
        """Refuse a folder that holds another experiment's results, or anything else.

        Raises:
            InputError: the folder is a file, holds a manifest with another run hash (the
                message lists what changed), or holds files but no manifest.

        """
        if not self.folder.exists():
            return
        if not self.folder.is_dir():
            raise InputError(
                str(self.folder),
                [Problem("", "exists and is not a folder.", "pass --out with another path.")],
            )
        if self.manifest_path.exists():
            try:
                theirs = self.read_manifest()
            except (OSError, ValueError):
                theirs = {}
            if not isinstance(theirs, dict):
                theirs = {}
            if theirs.get("run_hash") == run_hash:
                return
            raise InputError(
                str(self.folder),
                [
                    Problem(
                        "",
                        f"holds the results of a different experiment: "
                        f"{_what_changed(theirs, identity)} (run hash "
                        f"{str(theirs.get('run_hash'))[:12]}, this one {run_hash[:12]}); they "
                        "are not reused.",
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

    def _remove_temporaries(self) -> None:
        """Delete temporary files a killed command left (the caller holds the folder lock)."""
        for entry in os.scandir(self.folder):
            if entry.is_file(follow_symlinks=False) and TEMP_FILE.match(entry.name):
                with suppress(FileNotFoundError):
                    os.unlink(entry.path)

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
        threads check them in parallel); one that fails to read, holds another run id or was
        written by another experiment (another run hash) is deleted, so its run is done again.

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
            ok = list(pool.map(lambda c: _valid(c[1], c[0], self.run_hash), candidates))
        done = set()
        for (run_id, path), good in zip(candidates, ok, strict=True):
            if good:
                done.add(run_id)
            else:
                os.unlink(path)
        return done, len(candidates) - len(done)

    def write_part(self, run_id: int, data: bytes) -> None:
        """Store one run's Parquet bytes atomically (temporary file, fsync, rename)."""
        write_atomic(self.part_path(run_id), data)

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


def _valid(path: str, run_id: int, run_hash: str | None) -> bool:
    """The part reads back in full, is not empty, belongs to ``run_id`` and to the experiment.

    ``run_hash`` None (a store not opened, as in some tests) skips the experiment check.
    """
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError):
        return False
    if table.num_rows == 0 or "run_id" not in table.column_names:
        return False
    stamp = (table.schema.metadata or {}).get(EXPERIMENT_KEY)
    if run_hash is not None and stamp != run_hash.encode():
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


def _what_changed(theirs: dict[str, Any], identity: dict[str, Any] | None) -> str:
    """The inputs that differ between a stored manifest and this command, in words."""
    old = theirs.get("identity")
    if not isinstance(old, dict) or not old or not identity:
        if theirs.get("format") != FORMAT:
            return (
                "it was written by another version of inclusim, which did not record the "
                "contents of its inputs"
            )
        return "the spec, scenarios, region profiles, seed, replications or households differ"
    found = changes(old, identity)
    return ("changed since: " + "; ".join(found)) if found else "its identity differs"


# -- reading a finished folder ------------------------------------------------------------------

MAX_MANIFEST_BYTES = 512_000_000
"""Largest manifest read (it holds spec and scenario texts and the failures' tracebacks)."""

KINDS = ("compare", "sweep")
"""Kinds of experiment folder: what ``report`` and ``analyse`` read."""

RERUN = "run the 'inclusim compare' or 'inclusim sweep' command that wrote it again"


def experiment_manifest(folder: str | Path, fix: str) -> dict[str, Any]:
    """The manifest of a ``compare`` or ``sweep`` folder; anything else is refused.

    Args:
        folder: the folder named on the command line.
        fix: what to do when the folder is not an experiment folder at all.

    Raises:
        InputError: no such folder, no manifest, a manifest that is not JSON or not an
            object, the folder of an ``inclusim run``, or an unknown kind.

    """
    name = str(folder)
    path = Path(folder) / "manifest.json"
    if not Path(folder).is_dir():
        what = "does not exist" if not Path(folder).exists() else "is not a folder"
        raise InputError(name, [Problem("", f"{what}.", fix)])
    if not path.is_file():
        raise InputError(
            name, [Problem("", "is not an experiment folder (it has no manifest.json).", fix)]
        )
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ValueError(f"more than {MAX_MANIFEST_BYTES:,} bytes")
        manifest = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise InputError(
            str(path), [Problem("", f"is damaged and cannot be read ({exc}).", f"{RERUN}.")]
        ) from None
    if not isinstance(manifest, dict):
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    f"holds a {type(manifest).__name__}, not the object inclusim writes.",
                    f"{RERUN}.",
                )
            ],
        )
    _check_kind(name, manifest)
    return manifest


def _check_kind(name: str, manifest: dict[str, Any]) -> None:
    kind = manifest.get("kind")
    if kind is None and {"scenario", "seed", "households"} <= set(manifest):
        raise InputError(
            name,
            [
                Problem(
                    "",
                    "holds the result of 'inclusim run' (one scenario, one seed), not a "
                    "comparison or a sweep.",
                    "its results are in timeseries.csv and summary.csv, and 'inclusim report' "
                    "writes its report; analyse reads the folders 'inclusim sweep' writes.",
                )
            ],
        )
    if kind == "optimise":
        raise InputError(
            name,
            [
                Problem(
                    "",
                    "holds an 'inclusim optimise' search, not a comparison or a sweep.",
                    "its results are in pareto.csv and regret.csv, and 'inclusim report' "
                    "writes its report; this command reads the folders 'inclusim compare' and "
                    "'inclusim sweep' write.",
                )
            ],
        )
    if kind not in KINDS or not isinstance(manifest.get("definition", {}), dict):
        raise InputError(
            name,
            [
                Problem(
                    "",
                    f"has a manifest.json that is not one inclusim writes (kind {kind!r}).",
                    f"{RERUN}.",
                )
            ],
        )


def read_frame(folder: str | Path, name: str, columns: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """A table of an experiment folder (``NAME.parquet``, else ``NAME.csv``), None if absent.

    Raises:
        InputError: the file is truncated or damaged, or lacks one of ``columns``.

    """
    for suffix in (".parquet", ".csv"):
        path = Path(folder) / f"{name}{suffix}"
        if not path.exists():
            continue
        try:
            frame = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
        except (OSError, ValueError, pa.ArrowException, pd.errors.ParserError) as exc:
            reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            raise InputError(
                str(path),
                [Problem("", f"is damaged and cannot be read ({reason}).", f"{RERUN}.")],
            ) from None
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(
                str(path),
                [
                    Problem(
                        "",
                        f"is not a table inclusim wrote (no column '{missing[0]}').",
                        f"{RERUN}.",
                    )
                ],
            )
        return frame
    return None


# -- one writer per folder ---------------------------------------------------------------------


def lock_path(folder: str | Path) -> Path:
    """The lock file of an output folder: ``.<name>.lock`` beside it (it survives a deletion)."""
    full = Path(os.path.abspath(folder))
    return full.parent / f".{full.name or 'root'}.lock"


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[None]:
    """Hold the OS lock of ``folder`` for the block: one writing command per folder.

    The lock file sits beside the folder, so deleting the folder while a command writes it
    does not let a second command in. It is removed on release (and on any exit the process
    survives); after ``kill -9`` the file stays but the kernel has dropped the lock, so the next
    command takes it. Folders created only to hold the lock are removed again.

    Raises:
        InputError: another command holds the lock (the message names it).

    """
    path = lock_path(folder)
    made = _make_parents(path.parent)
    fd = _acquire(path, folder)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "command": sys.argv, "since": now()}).encode())
        yield
    finally:
        with suppress(OSError):
            os.unlink(path)
        os.close(fd)
        for parent in made:
            with suppress(OSError):
                parent.rmdir()  # only if still empty


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, deepest first."""
    missing = []
    for p in (folder, *folder.parents):
        if p.exists():
            break
        missing.append(p)
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _acquire(path: Path, folder: str | Path) -> int:
    """Open and lock ``path`` without waiting; the path must still name the file locked."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no OS lock; run one command per folder by hand
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise InputError(
                str(folder),
                [
                    Problem(
                        "",
                        f"is being written by another inclusim command ({holder}); two "
                        "commands writing one folder would mix their results.",
                        "wait for it to finish (or stop it), or pass --out DIR to write elsewhere.",
                    )
                ],
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed it while we waited: lock the new file
        time.sleep(0.001)


def _holder(fd: int) -> str:
    """Who holds a lock, from what it wrote into the lock file."""
    try:
        info = json.loads(os.pread(fd, 65536, 0) or b"{}")
        command = " ".join(str(a) for a in info.get("command", []))
        return f"pid {info['pid']}, since {info['since']}: {command}"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "its process id is not recorded yet"
