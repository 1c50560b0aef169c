"""A comparison as an experiment: the scenarios are the levels of one categorical input.

Every scenario runs with the same paired seeds (common random numbers), so each difference
from the first scenario (the baseline) is measured replication by replication.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.comparison import compare_tables
from experiments.batch.experiment import BatchOptions, Experiment, check_size, draws_for
from experiments.batch.identity import (
    digest,
    model_fingerprint,
    scenario_identity,
    table_digest,
)
from experiments.batch.runner import replication_seed
from experiments.design.specs import MAX_REPLICATIONS
from model.calendar import Quarter
from model.errors import InputError, Problem
from model.loader import LoadedScenario, load_scenario, scenario_from_dict
from model.settings import scenario_data, with_settings

DEFAULT_REPLICATIONS = 10

FOLDER_NAME_LIMIT = 64
"""Longest default folder name that lists every scenario (see :func:`folder_name`)."""

LISTED_NAMES_LIMIT = 40
"""Longest run of scenario names kept in a default folder name that is cut short."""

HASH_DIGITS = 8
"""Hexadecimal digits of the run hash in a default folder name that is cut short."""


def comparison(
    paths: Sequence[str | Path],
    *,
    replications: int = DEFAULT_REPLICATIONS,
    households: int | None = None,
    seed: int = 0,
    quarter: Quarter | None = None,
    settings: Mapping[str, Any] | None = None,
    options: BatchOptions | None = None,
) -> tuple[Experiment, Quarter]:
    """The comparison of scenario files, the first being the baseline.

    Args:
        paths: scenario files; the first is the baseline every other is compared with.
        replications: paired seeds per scenario.
        households: simulated households per run (None: the baseline's).
        seed: root seed of the replications.
        quarter: quarter of the comparison table (None: the last every scenario covers).
        settings: scenario fields set by address (``--set``; the sweep's syntax), validated
            as the files are: each parameter in every scenario, each policy field in the
            scenarios that have that policy (all of them when none has it, which adds it).
        options: the batch options (their ``max_runs`` and parameter draws are used here).

    Returns:
        The experiment and the quarter its table is at.

    Raises:
        InputError: a bad file, duplicate names, too many runs, or a quarter not covered.

    """
    options = options or BatchOptions()
    paths = [str(p) for p in paths]
    _check_replications(replications)
    size = (
        "--replications",
        Problem("", f"{len(paths)} scenario(s) x {replications:,} replications", "use fewer"),
    )
    check_size(len(paths) * replications, options.max_runs, size)
    if settings:
        raw = [scenario_data(p) for p in paths]
        data = [
            with_settings(d, _settings_for(d, settings, raw), p)
            for d, p in zip(raw, paths, strict=True)
        ]
        loaded = [scenario_from_dict(d, p) for d, p in zip(data, paths, strict=True)]
    else:
        loaded = [load_scenario(p) for p in paths]
        data = [scenario_data(p) for p in paths]
    names = _unique_names(loaded, paths)
    quarter = _table_quarter(loaded, quarter)
    households = households or loaded[0].scenario.households
    draws = draws_for(options, replications)
    seeds = [replication_seed(seed, k) for k in range(replications)]
    table = _experiments_table(names, seeds, draws.columns() if draws else {})
    definition: dict[str, Any] = {
        "kind": "compare",
        "scenarios": [
            {"name": n, "path": p, "data": d} for n, p, d in zip(names, paths, data, strict=True)
        ],
        "replications": replications,
        "households": households,
        "seed": seed,
        **({"settings": dict(settings)} if settings else {}),
    }
    identity: dict[str, Any] = {
        "kind": "compare",
        "scenarios": [
            {"name": n, **scenario_identity(d)} for n, d in zip(names, data, strict=True)
        ],
        "replications": replications,
        "households": households,
        "seed": seed,
        "experiments": table_digest(table),
        "model": model_fingerprint(),
    }
    if draws:
        definition["parameter_draws"] = draws.definition()
        identity["parameter_draws"] = draws.identity()
    texts = {p: Path(p).read_text(encoding="utf-8") for p in paths}
    exp = Experiment(
        kind="compare",
        name=folder_name(names, digest(identity)),
        n_points=len(paths),
        scenario_at=lambda p: data[p],
        inputs_at=lambda p: {"scenario": names[p]},
        seeds=seeds,
        households=households,
        quarters=None,
        experiments=table,
        definition=definition,
        identity=identity,
        seed=seed,
        extra={"scenario_texts": texts, "quarter": str(quarter)},
        size=size,
        draws=draws,
        analyse=lambda store: compare_tables(store, names, replications, str(quarter)),
    )
    return exp, quarter


def folder_name(names: Sequence[str], run_hash: str) -> str:
    """A comparison's default folder name: its scenarios, and a short hash when they are many.

    ``compare_`` and the scenario names in order, joined by ``-`` (names hold only ``a-z``,
    ``0-9`` and ``_``, so the joins are unambiguous), when that is at most
    :data:`FOLDER_NAME_LIMIT` characters: ``compare_lac_baseline-lac_four_is``. Otherwise the
    leading names that fit in :data:`LISTED_NAMES_LIMIT` characters (the baseline at least,
    cut if it must be), how many more there are (if any), and the first
    :data:`HASH_DIGITS` digits of the run hash (the digest of the experiment's identity,
    stored in its manifest):
    ``compare_lac_baseline-lac_connectivity-5_more-1a2b3c4d``. Two comparisons of other
    scenarios never share a folder; the same command finds its own folder again.

    Args:
        names: the scenario names, the baseline first.
        run_hash: the digest of the experiment's identity.

    """
    full = "compare_" + "-".join(names)
    if len(full) <= FOLDER_NAME_LIMIT:
        return full
    kept = [names[0][:LISTED_NAMES_LIMIT]]
    for name in names[1:]:
        if len("-".join([*kept, name])) > LISTED_NAMES_LIMIT:
            break
        kept.append(name)
    more = len(names) - len(kept)
    counted = f"-{more}_more" if more else ""
    return f"compare_{'-'.join(kept)}{counted}-{run_hash[:HASH_DIGITS]}"


def _settings_for(
    data: dict[str, Any], settings: Mapping[str, Any], every: list[dict[str, Any]]
) -> dict[str, Any]:
    """The settings one scenario takes: a policy field only if it has that policy.

    So ``--set policies.affordability.device_subsidy=0.8`` changes the scenarios with an
    affordability policy and does not give the baseline one; a policy no scenario has is
    set (added) in every scenario, as for a single run.
    """

    def has(d: dict[str, Any], ref: str) -> bool:
        return any(
            isinstance(p, dict) and ref in (p.get("name"), p.get("type"))
            for p in d.get("policies") or []
        )

    def applies(address: str) -> bool:
        if not address.startswith("policies."):
            return True
        ref = address.split(".")[1]
        return has(data, ref) or not any(has(d, ref) for d in every)

    return {a: v for a, v in settings.items() if applies(str(a))}


def _check_replications(replications: int) -> None:
    if replications > MAX_REPLICATIONS:
        raise InputError(
            "--replications",
            [
                Problem(
                    "",
                    f"{replications:,} is more than {MAX_REPLICATIONS:,} seeds per scenario.",
                    f"use at most {MAX_REPLICATIONS:,} (the 95% CI narrows little beyond).",
                )
            ],
        )


def _unique_names(loaded: list[LoadedScenario], paths: list[str]) -> list[str]:
    """The scenarios' names; two files with one name are refused."""
    names = [ls.scenario.name for ls in loaded]
    for k, name in enumerate(names):
        if names.index(name) != k:
            other = paths[names.index(name)]
            raise InputError(
                paths[k],
                [
                    Problem(
                        "name",
                        f"another scenario given ({other}) is also named '{name}'.",
                        "give each scenario its own name.",
                    )
                ],
            )
    return names


def _table_quarter(loaded: list[LoadedScenario], quarter: Quarter | None) -> Quarter:
    """The quarter of the comparison table: given, or the last every scenario covers."""
    first = max(ls.scenario.start for ls in loaded)
    last = min(ls.scenario.end for ls in loaded)
    quarter = quarter or last
    if not first <= quarter <= last:
        raise InputError(
            "--quarter",
            [
                Problem(
                    "",
                    f"{quarter} is outside the quarters every scenario covers ({first} to {last}).",
                    f"use a quarter from {first} to {last}.",
                )
            ],
        )
    return quarter


def _experiments_table(
    names: list[str], seeds: list[int], draw_columns: dict[str, list[Any]]
) -> pd.DataFrame:
    """One row per run: scenario, replication, seed (and the drawn parameters)."""
    reps = len(seeds)
    table = pd.DataFrame(
        {
            "run_id": np.arange(len(names) * reps, dtype=np.int64),
            "scenario": np.repeat(names, reps),
            "replication": np.tile(np.arange(reps, dtype=np.int32), len(names)),
            "seed": np.tile(np.array(seeds, dtype=np.int64), len(names)),
        }
    )
    for col, values in draw_columns.items():
        table[col] = np.tile(np.array(values), len(names))
    return table
