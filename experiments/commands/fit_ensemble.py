"""``inclusim calibrate --fit-ensemble``: run the ensemble fit, report it, write the file."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from experiments.analysis.calibration import (
    TARGETS_FILE,
    PathTargets,
)
from experiments.analysis.ensemble import (
    DISTANCE,
    ENSEMBLE_FILE,
    ENSEMBLE_PARAMETERS,
    MIN_ACCEPTED,
    PRIOR_STREAM,
    EnsembleFit,
    FitSettings,
    check_sets,
    fit_ensemble,
    write_ensemble,
)
from experiments.batch.identity import file_sha256, model_fingerprint
from experiments.commands.status import EXIT_FAILED, EXIT_OK
from experiments.present.tables import format_table
from model.errors import InputError, Problem
from model.paths import FIT_LAST_YEAR, IN_SAMPLE, ROLES

DEFAULTS = FitSettings()


def settings_of(args: argparse.Namespace) -> FitSettings:
    """The fit's settings from the command line (the defaults of :class:`FitSettings` else).

    Raises:
        InputError: ``--keep`` is below :data:`MIN_ACCEPTED`.

    """
    if args.keep is not None and args.keep < MIN_ACCEPTED:
        raise InputError(
            "--keep",
            [
                Problem(
                    "",
                    f"{args.keep} is fewer than {MIN_ACCEPTED} sets.",
                    f"keep {MIN_ACCEPTED} or more.",
                )
            ],
        )
    return FitSettings(
        samples=args.samples or DEFAULTS.samples,
        households=args.households or DEFAULTS.households,
        seeds=args.seeds or DEFAULTS.seeds,
        seed=args.seed,
        keep=args.keep or DEFAULTS.keep,
    )


def command_line(s: FitSettings) -> str:
    """The command that repeats a fit with these settings."""
    return (
        f"inclusim calibrate --fit-ensemble --samples {s.samples} --households {s.households} "
        f"--seeds {s.seeds} --seed {s.seed} --keep {s.keep}"
    )


class Ticker:
    """Prints a progress line on stderr about every 5% of the sets."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.last = -1

    def __call__(self, done: int, total: int, seconds: float) -> None:
        """Print ``what done/total, seconds`` when a new 5% step is reached."""
        step = done * 20 // total
        if step != self.last or done == total:
            self.last = step
            print(f"{self.what}: {done}/{total} sets, {seconds:.0f} s", file=sys.stderr)


def provenance(fit: EnsembleFit, targets_file: Path) -> dict[str, str]:
    """The header of the ensemble file: what made it, how, and from which model."""
    s = fit.settings
    passing = int((fit.draws[DISTANCE] <= 1).sum())
    return {
        "inclusim parameter ensemble": "accepted sets of a rejection-ABC fit (docs/calibration.md)",
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command_line(s),
        "prior": f"Latin hypercube, uniform over [low, high] of model/params.py, stream "
        f"'{PRIOR_STREAM}' of seed {s.seed}",
        "parameters": " ".join(ENSEMBLE_PARAMETERS),
        "distance": "max over the scored in-sample targets of |error| / tolerance "
        "(Target.distance; <= 1 passes)",
        "scored targets": "; ".join(f"{t.scenario} {t.label} {t.period}" for t in fit.scored),
        "samples": str(s.samples),
        "households": str(s.households),
        "run seeds": " ".join(map(str, fit.run_seeds)),
        "accepted": f"{len(fit.accepted)} kept of {passing} passing of {s.samples} drawn",
        "seconds": f"{fit.seconds:.0f}",
        "targets sha256": file_sha256(targets_file),
        "model fingerprint": model_fingerprint(),
    }


def sets_text(table: pd.DataFrame) -> str:
    """Every target over the accepted sets, in-sample then out-of-sample sections."""
    parts = []
    for role in ROLES:
        part = table[table["role"] == role]
        rows = [
            [
                r.scenario,
                r.indicator,
                r.period,
                r.target,
                f"{r.mean:.3f}",
                f"[{r.low:.3f}, {r.high:.3f}]",
                f"{r.passing}/{r.sets}",
            ]
            for r in part.itertuples()
        ]
        head = (
            f"in-sample targets (2019-{FIT_LAST_YEAR})"
            if role == IN_SAMPLE
            else f"out-of-sample targets (after {FIT_LAST_YEAR}; not used by the fit)"
        )
        columns = ["scenario", "indicator", "period", "target", "mean", "range", "sets pass"]
        all_pass = int((part["passing"] == part["sets"]).sum())
        parts.append(
            f"{head}\n{format_table(columns, rows)}\n"
            f"{all_pass} of {len(part)} {role} targets pass for every accepted set."
        )
    return "\n\n".join(parts)


def fit_ensemble_command(args: argparse.Namespace, targets: PathTargets) -> int:
    """Fit, report the in- and out-of-sample check of the accepted sets, write the file."""
    s = settings_of(args)
    out = Path(args.ensemble) if args.ensemble else ENSEMBLE_FILE
    print(
        f"rejection ABC over {', '.join(ENSEMBLE_PARAMETERS)}: {s.samples} sets x {s.seeds} "
        f"seeds x {s.households:,} households (seed {s.seed})"
    )
    fit = fit_ensemble(targets.targets, s, Ticker("fit"))
    passing = int((fit.draws[DISTANCE] <= 1).sum())
    print(
        f"{passing} of {s.samples} sets meet every scored in-sample target "
        f"({fit.seconds:.0f} s); kept the {len(fit.accepted)} closest."
    )
    if len(fit.accepted) < MIN_ACCEPTED:
        print(
            f"error: only {len(fit.accepted)} sets accepted, fewer than {MIN_ACCEPTED}; "
            f"{out} is left as it was. Fix: draw more sets (--samples).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    began = time.perf_counter()
    table = check_sets(fit.accepted, targets.targets, fit.run_seeds, s.households, Ticker("check"))
    print(f"\naccepted sets against every target ({time.perf_counter() - began:.0f} s):\n")
    print(sets_text(table))
    targets_file = Path(args.targets) if args.targets else TARGETS_FILE
    write_ensemble(fit.accepted, provenance(fit, targets_file), out)
    print(f"\nwrote {len(fit.accepted)} sets to {out}; repeat with: {command_line(s)}")
    return EXIT_OK
