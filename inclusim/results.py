"""Comparisons and sweeps from Python, and the results of any finished experiment folder."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.analysis.sensitivity import sensitivity
from experiments.batch.experiment import (
    BatchOptions,
    Experiment,
    Finished,
    RunFailedError,
    run_experiment,
)
from experiments.design.comparison import DEFAULT_REPLICATIONS, comparison
from experiments.design.specs import load_spec
from experiments.design.sweep import sweep_experiment
from experiments.present.exports import Results
from experiments.present.exports import load_results as _load_folder
from inclusim.scenarios import scenario_file
from model.calendar import Quarter


class ExperimentResults:
    """A finished comparison or sweep: its tables in memory, its folder, its report.

    Attributes:
        folder: where the runs and tables are stored.
        kind: ``compare`` or ``sweep``.
        names: the scenarios, baseline first (a comparison).
        summary: every indicator per scenario and quarter: mean, CI, percentiles (compare).
        differences: the same for each scenario minus the baseline, paired by seed (compare).
        table: both at the table's quarter (compare).
        cost: spending, its present value and the US$ per unit of each clear gain
            (households connected, people online, meaningful connectivity, jobs, poverty)
            against the baseline, with the share of subsidies paid to households connected
            anyway (compare; see docs/costs.md).
        ledger: spending by scenario, policy, item and year (compare).
        experiments: the inputs of every run (sweep).
        outcomes: the outcomes of every run (sweep).

    """

    def __init__(self, results: Results) -> None:
        self._results = results
        self.folder: Path = results.folder
        self.kind: str = results.kind
        self.names: list[str] = list(results.names)
        self.summary = results.summary
        self.differences = results.differences
        self.table = results.table
        self.cost = results.cost
        self.ledger = results.ledger
        self.experiments = results.experiments
        self.outcomes = results.outcomes

    def __repr__(self) -> str:
        what = ", ".join(self.names) if self.kind == "compare" else self._results.manifest["name"]
        return f"ExperimentResults({self.kind}: {what}; folder {str(self.folder)!r})"

    def sensitivity(self) -> pd.DataFrame:
        """Sensitivity indices of a sweep (written to ``sensitivity.csv``; see ``analyse``)."""
        result = sensitivity(self.folder)
        if result.table is None:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in result.missing.items()))
        return result.table

    def report(self, path: str | Path | None = None) -> Path:
        """Write the one-file report (with its figures and exports); return its path.

        Args:
            path: a folder to hold a copy of the results and the report (None: the
                experiment's own folder).

        """
        from experiments.present.report import write_report

        folder = self.folder
        if path is not None and Path(path).resolve() != self.folder.resolve():
            folder = Path(path)
            shutil.copytree(self.folder, folder, dirs_exist_ok=True)
        return write_report(folder)


def compare(
    scenarios: Sequence[str | Path],
    *,
    replications: int = DEFAULT_REPLICATIONS,
    households: int | None = None,
    seed: int = 0,
    quarter: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    parameter_draws: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
) -> ExperimentResults:
    """Run scenarios with paired seeds and compare each to the first (the baseline).

    Args:
        scenarios: scenario files or shipped names; the first is the baseline.
        replications: paired seeds per scenario.
        households: simulated households per run (None: the baseline's).
        seed: root seed.
        quarter: quarter of the comparison table, e.g. ``"2030Q4"`` (None: the last).
        overrides: fields set in every scenario, by address (the sweep's syntax).
        parameter_draws: draw behavioural parameters from the first K ensemble sets.
        workers: local worker processes (None: one per core).
        scheduler: a Dask scheduler's address instead of local workers.
        out: results folder (None: a new temporary folder); an existing folder with the
            same experiment is resumed, one with another is refused.
        progress: show a progress bar.

    Raises:
        InputError: anything ``inclusim compare`` would refuse, with its message.

    """
    options = _options(out, "compare", workers, scheduler, progress, parameter_draws)
    options.check()
    exp, _ = comparison(
        [scenario_file(s) for s in scenarios],
        replications=replications,
        households=households,
        seed=seed,
        quarter=Quarter.parse(quarter) if quarter else None,
        settings=overrides,
        options=options,
    )
    return _finished(_run(exp, options))


def sweep(
    spec: str | Path,
    *,
    households: int | None = None,
    seed: int | None = None,
    parameter_draws: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
) -> ExperimentResults:
    """Run the design of a sweep spec (see docs/experiments.md for the spec's keys).

    Arguments as :func:`compare`'s; ``seed`` None keeps the spec's.

    Raises:
        InputError: anything ``inclusim sweep`` would refuse, with its message.

    """
    options = _options(out, "sweep", workers, scheduler, progress, parameter_draws)
    options.check()
    exp = sweep_experiment(load_spec(spec), households=households, seed=seed, options=options)
    return _finished(_run(exp, options))


def load_results(folder: str | Path) -> ExperimentResults:
    """The results of a folder ``compare`` or ``sweep`` wrote (from Python or the command line).

    Raises:
        InputError: the folder holds no finished experiment.

    """
    return ExperimentResults(_load_folder(folder))


def _options(
    out: str | Path | None,
    kind: str,
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    draws: int | None,
) -> BatchOptions:
    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix=f"inclusim-{kind}-"))
    return BatchOptions(
        workers=workers,
        scheduler=scheduler,
        out=folder,
        quiet=not progress,
        parameter_draws=draws,
    )


def _run(exp: Experiment, options: BatchOptions) -> Finished:
    """Run an experiment; a script missing its ``__main__`` guard is told so.

    Local workers import the calling script; a script that calls :func:`compare` at its top
    level then calls it again in every worker, which dies, and the pool reports only that a
    worker died.
    """
    try:
        return run_experiment(exp, options)
    except RunFailedError as exc:
        script = getattr(sys.modules.get("__main__"), "__file__", None)
        if script is None or options.scheduler:
            raise
        raise RunFailedError(
            f"{exc} If {script} calls compare() or sweep() at its top level, call them "
            'under `if __name__ == "__main__":` instead: each worker imports the script.'
        ) from exc


def _finished(done: Finished) -> ExperimentResults:
    if done.report.failed:
        failed = len(done.report.failed)
        raise RuntimeError(
            f"{failed} runs failed (inputs and tracebacks in {done.store.failures_path}); "
            "call again with the same arguments and out= to retry them."
        )
    return load_results(done.store.folder)
