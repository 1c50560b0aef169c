"""What an experiment's results depend on, as hashes: its identity.

A ``compare`` or ``sweep`` folder is reused only by a command whose identity is the same:
every scenario's settings, the contents of every region profile they name (not only the file
name: an edited profile gives new results), replications, households, seeds, the experiments
table, the model's code and, with ``--parameter-draws``, the number of draws and the ensemble
file's bytes. The identity is stored in the manifest; a different one is
refused with the list of what changed (:func:`changes`), and every stored part carries the
identity's digest, so a part written by another experiment is never counted.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from model.errors import InputError, Problem
from model.loader import ROOT, region_files, resolve_region

MODEL_CODE = ("model", "experiments/batch/runner.py")
"""Source that shapes a run's stored result: the model package and the runner that encodes it."""


def digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of ``data``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def model_fingerprint() -> str:
    """SHA-256 of the model's source files (paths and bytes, in a fixed order).

    Any edit to the model's code gives another fingerprint, so results stored by other code
    are never taken for this code's (see :data:`MODEL_CODE`).
    """
    files: list[Path] = []
    for entry in MODEL_CODE:
        path = ROOT / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def table_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's CSV text: every input value and seed of every run."""
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()


def portable(data: dict[str, Any]) -> dict[str, Any]:
    """Scenario data with an absolute region path reduced to its file name.

    The region's contents are hashed separately (:func:`scenario_identity`), so the same
    experiment run from another folder or machine has the same identity.
    """
    out = dict(data)
    region = str(out.get("region", ""))
    if "/" in region:
        out["region"] = Path(region).name
    return out


def scenario_identity(data: dict[str, Any]) -> dict[str, str]:
    """Digest of a scenario mapping and the contents of the region profile it names.

    Args:
        data: a scenario mapping whose region is a shipped name or an absolute path.

    """
    region = resolve_region(str(data.get("region", "")))
    return {
        "scenario": digest(portable(data)),
        "region": region.name,
        "region_sha256": region_sha256(region),
    }


def check_region_unchanged(region: str, expected: str) -> None:
    """Refuse a region profile whose contents differ from the digest taken when a run was planned.

    A worker loads the profile when it first runs a scenario, which may be long after the
    experiment started; an edit in between would give later runs other figures than earlier
    ones under one identity.

    Args:
        region: the scenario's region (a shipped name or an absolute path).
        expected: :func:`region_sha256` of the profile when the experiment started.

    Raises:
        InputError: naming the profile, when its contents have changed.

    """
    path = resolve_region(region)
    if region_sha256(path) != expected:
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    "the region profile changed after the experiment started, so this run "
                    "would mix its old and new figures;",
                    "restore the file as it was, or run the experiment again in a new "
                    "output folder",
                )
            ],
        )


class RegionDigests(dict[str, str]):
    """Digest of each region profile (by the scenario's ``region``), taken when first asked.

    One per experiment: its runs are planned against the profiles as they were when it started.
    """

    def __missing__(self, region: str) -> str:
        self[region] = digest = region_sha256(resolve_region(region))
        return digest


def region_sha256(path: Path) -> str:
    """Digest of a region profile's contents: its file, and its figures table when it has one.

    A profile without a table keeps the digest of its file alone.
    """
    files = region_files(path)
    if len(files) == 1:
        return file_sha256(path)
    return hashlib.sha256("".join(file_sha256(f) for f in files).encode()).hexdigest()


WORDS = {
    "scenario": "the scenario's settings",
    "region_sha256": "the contents of region profile {region}",
    "region": "the region profile named",
    "model": "the model's code",
    "replications": "replications",
    "households": "households",
    "seed": "the root seed",
    "quarters": "quarters per run",
    "design": "the design",
    "inputs": "the levers and uncertainties",
    "base": "the base scenario's settings",
    "experiments": "the runs' inputs or seeds",
    "kind": "the kind of experiment",
    "parameter_draws": "the parameter draws (--parameter-draws K and the ensemble file's bytes)",
}
"""How each entry of an identity is named in a message."""


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two identities, in words (the runs' table only if nothing else).

    Args:
        old: the identity stored in a folder's manifest.
        new: this command's identity.

    """
    old, new = _plain(old), _plain(new)  # as stored: tuples are lists in JSON
    out: list[str] = []
    for key in sorted(set(old) | set(new), key=lambda k: (k == "experiments", k)):
        a, b = old.get(key), new.get(key)
        if a == b or (key == "experiments" and out):
            continue
        if key == "scenarios" and isinstance(a, list) and isinstance(b, list):
            out += _scenario_changes(a, b)
            continue
        if key == "region_sha256":
            out.append(WORDS[key].format(region=new.get("region", "?")))
        elif isinstance(a, int | str) and isinstance(b, int | str) and key in WORDS:
            out.append(f"{WORDS[key]} ({_short(a)} then, {_short(b)} now)")
        else:
            out.append(WORDS.get(key, key))
    return out


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))


def _scenario_changes(old: list[Any], new: list[Any]) -> list[str]:
    if len(old) != len(new):
        return [f"the number of scenarios ({len(old)} then, {len(new)} now)"]
    out = []
    for a, b in zip(old, new, strict=True):
        if not isinstance(a, dict) or not isinstance(b, dict):
            out.append("the scenarios")
            continue
        name = b.get("name", "?")
        if a.get("name") != name:
            out.append(f"the scenario named {a.get('name')} then, {name} now")
        if a.get("scenario") != b.get("scenario"):
            out.append(f"scenario {name}'s settings")
        if a.get("region_sha256") != b.get("region_sha256"):
            out.append(f"the contents of region profile {b.get('region', '?')} (scenario {name})")
    return out


def _short(value: int | str) -> str:
    text = str(value)
    return text[:12] if len(text) == 64 else text
