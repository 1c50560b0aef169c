"""The parameter ensemble: a rejection-ABC fit of the adoption parameters, and its shipped file.

``inclusim calibrate --fit-ensemble`` draws parameter sets from a Latin-hypercube prior over the
plausible ranges of :mod:`model.params`, scores each on the in-sample calibration targets only
(common random numbers: the same seeds for every set), keeps the closest sets that meet every
in-sample tolerance, checks them out of sample and writes them to
``scenarios/parameter_ensemble.csv``. ``compare`` and ``sweep`` draw from that file with
``--parameter-draws K`` (:func:`draw_parameters`). docs/calibration.md describes the procedure.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from experiments.analysis.calibration import (
    FIT_PARAMETERS,
    PathTarget,
    baseline_runs,
    scenario_with,
    target_rows,
)
from experiments.batch.identity import file_sha256
from model.errors import InputError, Problem
from model.loader import ROOT
from model.params import PARAMETERS
from model.paths import IN_SAMPLE
from model.streams import Streams

ENSEMBLE_FILE = ROOT / "scenarios" / "parameter_ensemble.csv"
"""The shipped ensemble of accepted parameter sets."""

ENSEMBLE_PARAMETERS: tuple[str, ...] = (
    *FIT_PARAMETERS,
    "beta_afford",
    "nonprice_cost_share",
    "rate_adjust",
)
"""The parameters the ensemble fit draws (each over its [low, high] in :mod:`model.params`)."""

MIN_ACCEPTED = 20
"""Fewest accepted sets an ensemble may have."""

PRIOR_STREAM = "abc_prior"
"""Named random stream (of the fit's seed) of the Latin-hypercube prior."""

DRAW = "draw"
DISTANCE = "distance"
"""Columns of the ensemble file besides the parameters: the draw's id and in-sample distance."""

REGENERATE = "inclusim calibrate --fit-ensemble"
"""The command that writes the ensemble file."""


@dataclass(frozen=True)
class FitSettings:
    """Size and seed of an ensemble fit.

    Attributes:
        samples: parameter sets drawn from the prior.
        households: simulated households per run.
        seeds: runs per parameter set and baseline (the same seeds for every set).
        seed: root seed of the prior and of the run seeds.
        keep: most sets kept (the closest of those that meet every in-sample tolerance).

    """

    samples: int = 800
    households: int = 5_000
    seeds: int = 2
    seed: int = 0
    keep: int = 40


@dataclass(frozen=True)
class EnsembleFit:
    """What a fit found.

    Attributes:
        draws: every drawn set: ``draw``, the parameters, ``distance`` (in-sample).
        accepted: the kept sets, in draw order.
        scored: the targets the distance reads.
        settings: the fit's settings.
        run_seeds: the seeds every set was run with.
        seconds: wall time of the fit.

    """

    draws: pd.DataFrame
    accepted: pd.DataFrame
    scored: list[PathTarget]
    settings: FitSettings
    run_seeds: tuple[int, ...]
    seconds: float


def run_seeds(seed: int, n: int) -> tuple[int, ...]:
    """The run seeds of a fit: replications ``0..n-1`` of the root seed (common to every set)."""
    from experiments.batch.runner import replication_seed

    return tuple(replication_seed(seed, k) for k in range(n))


def prior_sample(
    samples: int, seed: int, names: Sequence[str] = ENSEMBLE_PARAMETERS
) -> pd.DataFrame:
    """A Latin hypercube of ``samples`` sets, uniform over each parameter's [low, high].

    Args:
        samples: number of sets.
        seed: root seed; the hypercube draws from its stream :data:`PRIOR_STREAM`.
        names: parameters, each a key of :data:`model.params.PARAMETERS`.

    """
    rng = Streams(seed)(PRIOR_STREAM)
    unit = qmc.LatinHypercube(d=len(names), rng=rng).random(samples)
    low = np.array([PARAMETERS[n].low for n in names])
    high = np.array([PARAMETERS[n].high for n in names])
    frame = pd.DataFrame(low + unit * (high - low), columns=list(names))
    frame.insert(0, DRAW, np.arange(samples, dtype=np.int64))
    return frame


UNDRAWN_INDICATORS = (
    "share_employed",
    "share_labour_force",
    "share_unemployed",
    "n_people_working_from_home",
    "share_basic_skills",
    "share_poor",
)
"""Indicators of the labour, income and skills submodels, whose parameters the ensemble does
not draw (``rate_skill_use`` is fitted to the LAC skills level of 2021 and
``share_income_kept_jobless`` to world poverty in 2020, each on its own)."""


def scored_targets(targets: Sequence[PathTarget]) -> list[PathTarget]:
    """In-sample targets the drawn parameters can move.

    A target read only at the start quarter (the 2019 levels) is set by the population's
    raking (docs/calibration.md, stage 1) before any behavioural parameter acts, so it is the
    same for every set and cannot tell sets apart. The labour targets of 2020 are set by the
    labour parameters, which are read from ILO and ECLAC and not drawn, and the skills level
    of 2021 by ``rate_skill_use`` (:data:`UNDRAWN_INDICATORS`): the adoption parameters
    leave them (nearly) unchanged, and scoring them would only let sampling noise at a fit's
    small populations decide which sets are kept.
    ``calibrate --check`` still reports both kinds.
    """
    starts = {
        n: scenario_with(n).scenario.start for n in dict.fromkeys(t.scenario for t in targets)
    }
    return [
        t
        for t in targets
        if t.role == IN_SAMPLE
        and t.last_quarter > starts[t.scenario]
        and t.indicator.split(":")[0] not in UNDRAWN_INDICATORS
    ]


def in_sample_distance(
    values: Mapping[str, float],
    scored: Sequence[PathTarget],
    seeds: Sequence[int],
    households: int,
) -> float:
    """The largest distance (in tolerances) of the scored targets for one parameter set.

    Baselines are run in the order the targets first name them, and the search stops at the
    first baseline whose distance exceeds 1: the set is rejected whatever the others give, and
    the value returned is then that baseline's distance (a lower bound of the whole maximum).
    For a set that passes, every baseline is run and the value is exact.
    """
    worst = 0.0
    for name in dict.fromkeys(t.scenario for t in scored):
        mine = [t for t in scored if t.scenario == name]
        runs = baseline_runs(mine, seeds, households, values)
        worst = max(worst, float(target_rows(mine, runs)[DISTANCE].max()))
        if worst > 1.0:
            break
    return worst


Progress = Callable[[int, int, float], None]
"""Called with (sets done, sets in all, seconds so far)."""


def fit_ensemble(
    targets: Sequence[PathTarget],
    settings: FitSettings,
    progress: Progress | None = None,
) -> EnsembleFit:
    """Rejection ABC: draw from the prior, score in sample, keep the closest that pass.

    Args:
        targets: every calibration target (only in-sample ones are scored).
        settings: sizes and seed.
        progress: called after each set.

    """
    began = time.perf_counter()
    scored = scored_targets(targets)
    seeds = run_seeds(settings.seed, settings.seeds)
    draws = prior_sample(settings.samples, settings.seed)
    names = [c for c in draws.columns if c != DRAW]
    distances = []
    for i, row in enumerate(draws[names].itertuples(index=False)):
        values = dict(zip(names, map(float, row), strict=True))
        distances.append(in_sample_distance(values, scored, seeds, settings.households))
        if progress:
            progress(i + 1, settings.samples, time.perf_counter() - began)
    draws[DISTANCE] = distances
    passing = draws[draws[DISTANCE] <= 1.0]
    accepted = passing.nsmallest(settings.keep, DISTANCE, keep="first").sort_values(DRAW)
    return EnsembleFit(
        draws,
        accepted.reset_index(drop=True),
        scored,
        settings,
        seeds,
        time.perf_counter() - began,
    )


def check_sets(
    sets: pd.DataFrame,
    targets: Sequence[PathTarget],
    seeds: Sequence[int],
    households: int,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Every target for every set: one row per target with the range over sets and passes.

    Columns: ``role``, ``scenario``, ``indicator``, ``period``, ``target``, ``mean`` (over
    sets), ``low`` and ``high`` (smallest and largest set value), ``passing`` (sets within the
    tolerance) and ``sets``.
    """
    began = time.perf_counter()
    names = [c for c in sets.columns if c in PARAMETERS]
    per_set = []
    for i, row in enumerate(sets[names].itertuples(index=False)):
        values = dict(zip(names, map(float, row), strict=True))
        per_set.append(target_rows(targets, baseline_runs(targets, seeds, households, values)))
        if progress:
            progress(i + 1, len(sets), time.perf_counter() - began)
    first = per_set[0]
    sims = np.array([t["simulated"].to_numpy() for t in per_set])
    passes = np.array([t["pass"].to_numpy() for t in per_set])
    out = first[["role", "scenario", "indicator", "period", "target"]].copy()
    out["mean"] = sims.mean(axis=0)
    out["low"] = sims.min(axis=0)
    out["high"] = sims.max(axis=0)
    out["passing"] = passes.sum(axis=0)
    out["sets"] = len(per_set)
    return out


# -- the file --------------------------------------------------------------------------------


def ensemble_text(accepted: pd.DataFrame, provenance: Mapping[str, Any]) -> str:
    """The ensemble file: ``# key: value`` provenance lines, then the CSV of accepted sets."""
    head = "".join(f"# {k}: {v}\n" for k, v in provenance.items())
    body = io.StringIO()
    accepted.to_csv(body, index=False, float_format="%.6g", lineterminator="\n")
    return head + body.getvalue()


def write_ensemble(accepted: pd.DataFrame, provenance: Mapping[str, Any], path: Path) -> None:
    """Write the ensemble file (see :func:`ensemble_text`)."""
    path.write_text(ensemble_text(accepted, provenance), encoding="utf-8")


@dataclass(frozen=True)
class Ensemble:
    """A loaded, checked ensemble of parameter sets.

    Attributes:
        path: the file.
        sets: one row per set: ``draw``, one column per parameter, ``distance``.
        parameters: the parameter columns, in file order.
        sha256: SHA-256 of the file's bytes (part of an experiment's identity).
        provenance: the file's ``# key: value`` header.

    """

    path: Path
    sets: pd.DataFrame
    parameters: tuple[str, ...]
    sha256: str
    provenance: dict[str, str]

    def __len__(self) -> int:
        return len(self.sets)

    def draw(self, replication: int, draws: int) -> tuple[int, dict[str, float]]:
        """The set replication ``replication`` uses when ``draws`` sets are drawn.

        The ``draws`` sets are the first ``draws`` rows of the file (kept sets in draw order, so
        any prefix is a sample of the accepted sets); replication ``r`` uses row
        ``r mod draws``. Returns the draw id and the parameter values.
        """
        row = self.sets.iloc[replication % draws]
        return int(row[DRAW]), {n: float(row[n]) for n in self.parameters}


def _broken(path: Path, message: str, fix: str = "") -> InputError:
    return InputError(
        str(path), [Problem("", message, fix or f"regenerate it: {REGENERATE} (about 8 minutes).")]
    )


def load_ensemble(path: str | Path | None = None) -> Ensemble:
    """Load and check an ensemble file against today's :mod:`model.params`.

    Raises:
        InputError: the file is missing or unreadable, has no sets, names a parameter the
            model no longer has, or holds a value outside its parameter's [low, high] (a
            stale ensemble); the message names the file and how to regenerate it.

    """
    p = Path(path) if path else ENSEMBLE_FILE
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _broken(p, "the parameter ensemble file does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _broken(p, f"the parameter ensemble file cannot be read ({exc}).") from None
    lines = text.splitlines()
    provenance = dict(
        line[1:].strip().split(": ", 1) for line in lines if line.startswith("#") and ": " in line
    )
    body = "\n".join(line for line in lines if not line.startswith("#"))
    try:
        sets = pd.read_csv(io.StringIO(body), dtype=float) if body.strip() else pd.DataFrame()
    except (ValueError, pd.errors.ParserError, csv.Error) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _broken(
            p, f"the parameter ensemble is not a CSV table of numbers ({first})."
        ) from None
    _check_sets(p, sets)
    sets[DRAW] = sets[DRAW].astype(np.int64)
    names = tuple(c for c in sets.columns if c not in (DRAW, DISTANCE))
    return Ensemble(p, sets.reset_index(drop=True), names, file_sha256(p), provenance)


def _check_sets(p: Path, sets: pd.DataFrame) -> None:
    """Refuse an ensemble without sets, ids or parameters, or one stale for today's model."""
    if sets.empty or DRAW not in sets.columns:
        raise _broken(p, f"the parameter ensemble has no rows or no '{DRAW}' column.")
    names = [c for c in sets.columns if c not in (DRAW, DISTANCE)]
    unknown = [n for n in names if n not in PARAMETERS]
    if unknown:
        raise _broken(
            p,
            f"the parameter ensemble sets {', '.join(map(repr, unknown))}, which model/params.py "
            "does not have (the ensemble is stale).",
        )
    if not names:
        raise _broken(p, "the parameter ensemble has no parameter columns.")
    if not np.isfinite(sets[[DRAW, *names]].to_numpy()).all():
        raise _broken(p, "the parameter ensemble has empty or non-finite values.")
    for n in names:
        par = PARAMETERS[n]
        bad = sets[(sets[n] < par.low) | (sets[n] > par.high)]
        if len(bad):
            v = float(bad[n].iloc[0])
            raise _broken(
                p,
                f"draw {int(bad[DRAW].iloc[0])} sets {n} = {v:g}, outside its range "
                f"[{par.low:g}, {par.high:g}] in model/params.py (the ensemble is stale).",
            )


def check_draws(ensemble: Ensemble, draws: int) -> None:
    """Refuse a number of draws outside 1..rows of the ensemble.

    Raises:
        InputError: ``draws`` is larger than the ensemble.

    """
    if not 1 <= draws <= len(ensemble):
        raise InputError(
            "--parameter-draws",
            [
                Problem(
                    "",
                    f"{draws} draws asked, but {ensemble.path} holds {len(ensemble)} "
                    "parameter sets.",
                    f"use 1 to {len(ensemble)}.",
                )
            ],
        )


def with_draw(data: Mapping[str, Any], values: Mapping[str, float]) -> dict[str, Any]:
    """A scenario mapping with a drawn parameter set under its own ``parameters:``.

    A parameter the scenario sets explicitly keeps the scenario's value.
    """
    out = dict(data)
    out["parameters"] = {**dict(values), **dict(out.get("parameters") or {})}
    return out
