"""The ``calibrate`` sub-command.

Published paths beside the baselines, the decomposition of 2019-2024 change by mechanism,
the effect sizes, and the fit of the parameter ensemble.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from experiments.commands.status import EXIT_FAILED, EXIT_OK
from experiments.present.tables import format_table
from model.errors import InputError, Problem, printable
from model.loader import load_scenario

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from experiments.analysis.calibration import PathTarget


def calibrate(args: argparse.Namespace) -> int:
    """Print every published path target beside the baselines' values; exit 1 on a miss."""
    from experiments.analysis.calibration import load_targets

    plot = _plot_path(args)
    if args.effect_sizes:
        return _effect_sizes(args)
    if args.region:
        return _decompose_region(args) if args.decompose else _check_region(args, plot)
    targets = load_targets(args.targets)
    if args.fit_ensemble:
        from experiments.commands.fit_ensemble import fit_ensemble_command

        return fit_ensemble_command(args, targets)
    seeds, households = _run_size(args)
    if args.decompose:
        return _decompose(targets, seeds, households)
    subtitle = f"{seeds} seeds x {households:,} households per baseline"
    table = _checked(
        targets.targets, seeds, households, plot, "Baselines beside their published paths", subtitle
    )
    print(subtitle)
    print(check_text(table))
    failed = int((~table["pass"]).sum())
    return EXIT_OK if failed == 0 or not args.check else EXIT_FAILED


def _plot_path(args: argparse.Namespace) -> Path | None:
    """The ``--plot`` file, checked before anything runs (only with ``--check``).

    Raises:
        InputError: the file name cannot be a figure, or ``--plot`` is given without
            ``--check`` (or with ``--decompose``, ``--effect-sizes`` or ``--fit-ensemble``).

    """
    from experiments.present.calibration_figure import check_plot_path

    if args.plot is None:
        return None
    if not args.check or args.decompose or args.effect_sizes or args.fit_ensemble:
        fix = "use --plot with --check alone, e.g. inclusim calibrate --check --plot fit.png."
        raise InputError(args.plot, [Problem("", "is a --plot file, drawn only by --check.", fix)])
    return check_plot_path(args.plot)


def _run_size(args: argparse.Namespace) -> tuple[int, int]:
    """Seeds per baseline and households per run: the options, else the check's defaults."""
    from experiments.analysis.calibration import CALIBRATION_HOUSEHOLDS, CALIBRATION_SEEDS

    return args.seeds or CALIBRATION_SEEDS, args.households or CALIBRATION_HOUSEHOLDS


def _checked(
    targets: Sequence[PathTarget],
    seeds: int,
    households: int,
    plot: Path | None,
    title: str,
    subtitle: str,
) -> pd.DataFrame:
    """Run the baselines the targets name; one row per target; the figure if asked for."""
    from experiments.analysis.calibration import baseline_runs, target_rows

    runs = baseline_runs(targets, range(seeds), households)
    table = target_rows(targets, runs)
    if plot is not None:
        from experiments.present import calibration_figure

        fig = calibration_figure.draw(targets, runs, table, title=title, subtitle=subtitle)
        calibration_figure.write(fig, plot)
    return table


def _check_region(args: argparse.Namespace, plot: Path | None) -> int:
    """Check one region's baseline against its published paths; say how much is assumed."""
    from experiments.analysis.calibration import region_path_targets
    from model.loader import load_region, resolve_region
    from model.region_figures import is_assumption
    from model.region_table import profile_figures

    path = resolve_region(args.region)
    region = load_region(path)
    written, left_out = profile_figures(path, region)
    figures = written + left_out
    assumed = sum(is_assumption(f.source) for f in figures)
    seeds, households = _run_size(args)
    print(
        f"{printable(region.label)}: {assumed} of {len(figures)} figures of the profile are "
        "assumptions (their source says so, or still needs national data)."
    )
    targets = region_path_targets(region, path)
    if not targets:
        print("no published paths to check: add rows 'paths.INDICATOR' to its figures table.")
        return EXIT_FAILED if args.check else EXIT_OK
    subtitle = (
        f"{seeds} seeds x {households:,} households; {assumed} of {len(figures)} figures of the "
        "profile are assumptions"
    )
    title = f"{printable(region.label)}: the baseline beside its published paths"
    table = _checked(targets, seeds, households, plot, title, subtitle)
    print(f"{seeds} seeds x {households:,} households")
    print(check_text(table))
    failed = int((~table["pass"]).sum())
    return EXIT_OK if failed == 0 or not args.check else EXIT_FAILED


def _effect_sizes(args: argparse.Namespace) -> int:
    """Write the effect-size document (see :mod:`experiments.analysis.effect_sizes`)."""
    from experiments.analysis import effect_sizes
    from experiments.present import effect_doc

    out = Path(args.out) if args.out else effect_doc.DOC_FILE
    replications = args.seeds or effect_sizes.REPLICATIONS
    households = args.households or effect_sizes.HOUSEHOLDS
    start = time.perf_counter()
    results = effect_doc.generate(
        out,
        households=households,
        replications=replications,
        command=f"inclusim calibrate --effect-sizes --households {households} "
        f"--seeds {replications}" + (f" --out {args.out}" if args.out else ""),
    )
    outside = [r.row.id for r in results if r.row.comparable and r.verdict != "within"]
    print(
        f"wrote {printable(str(out))} in {time.perf_counter() - start:.0f} s: "
        f"{len(results)} rows, {len(outside)} outside the published range"
    )
    return EXIT_OK


def check_text(table: pd.DataFrame) -> str:
    """The checked targets in two sections, in-sample then out-of-sample, each with its count."""
    from model.paths import FIT_LAST_YEAR, IN_SAMPLE, ROLES

    heads = {
        IN_SAMPLE: f"in-sample targets (read in 2019-{FIT_LAST_YEAR}; a fit may use them)",
    }
    parts = []
    for role in ROLES:
        part = table[table["role"] == role]
        head = heads.get(role, f"out-of-sample targets (read after {FIT_LAST_YEAR}; only checked)")
        rows = [
            [
                r.scenario,
                r.indicator,
                r.period,
                r.target,
                f"{r.simulated:.3f}",
                "" if r.error != r.error else f"{r.error:+.3f}",
                "pass" if r.pass_ else "FAIL",
            ]
            for r in part.rename(columns={"pass": "pass_"}).itertuples()
        ]
        columns = ["scenario", "indicator", "period", "target", "simulated", "error", "result"]
        passed = int(part["pass"].sum())
        parts.append(
            f"{head}\n{format_table(columns, rows)}\n{passed} of {len(part)} {role} targets pass."
        )
    total = int(table["pass"].sum())
    return "\n\n".join(parts) + f"\n\n{total} of {len(table)} targets pass."


def _decompose(targets, seeds: int, households: int) -> int:
    """Print the decomposition of 2019-2024 change for each baseline of the targets file."""
    from experiments.analysis.calibration import TARGETS_FILE

    print(_decomposition_lead(seeds, households))
    for name in dict.fromkeys(t.scenario for t in targets.targets):
        print(_decomposition_text(name, TARGETS_FILE.parent / name, seeds, households))
    return EXIT_OK


def _decompose_region(args: argparse.Namespace) -> int:
    """Print the decomposition of one region's baseline (``--decompose --region``)."""
    from experiments.analysis.calibration import region_baseline
    from model.loader import load_region, resolve_region

    path = resolve_region(args.region)
    baseline = region_baseline(load_region(path), path)
    seeds, households = _run_size(args)
    print(_decomposition_lead(seeds, households))
    print(_decomposition_text(str(baseline), baseline, seeds, households))
    return EXIT_OK


def _decomposition_lead(seeds: int, households: int) -> str:
    return (
        "Change 2019Q4-2024Q4 carried by each mechanism: Shapley values over every subset of "
        f"mechanisms switched off, {seeds} seeds x {households:,} households, common random "
        "numbers; 'none' is what remains with all of them off. Shares and differences in "
        "share points (0-1), ratios in ratio units."
    )


def _decomposition_text(name: str, scenario: Path, seeds: int, households: int) -> str:
    """One baseline's decomposition as a table, under its name."""
    from model.decomposition import OUTCOMES, decompose
    from model.indicator_registry import label

    table = decompose(load_scenario(scenario), seeds, households)
    rows = [[label(o), *(f"{v:+.4f}" for v in table[o])] for o in OUTCOMES]
    growth = table[OUTCOMES[0]]
    total = growth["total"]
    rows.append(["share of the growth online", *(f"{v / total:.0%}" for v in growth)])
    return f"\n{name}\n{format_table(['change of', *table.index], rows)}"
