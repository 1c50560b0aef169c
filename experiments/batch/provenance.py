"""Provenance of a result: what was run, with what, from which code."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata

from model.loader import ROOT

PACKAGES = ("inclusim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "dask")
"""Packages whose versions are recorded."""

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape results."""
    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str:
    """The commit of the source tree ('+dirty' when it has uncommitted changes), or 'unknown'."""
    root = ROOT
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty.strip() else "")


def sha256(text: str) -> str:
    """Hex SHA-256 of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def safe_name(name: str) -> str:
    """A folder name derived from a user-supplied name: no separators, no '..', no hidden."""
    cleaned = _SAFE.sub("_", name).strip("._") or "run"
    return cleaned[:80]
