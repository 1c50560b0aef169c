"""Handlers of the ``inclusim`` sub-commands (argument parsing lives in :mod:`experiments.cli`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from experiments.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, command
from experiments.tables import format_table
from model.errors import InputError, printable
from model.households import Population
from model.loader import load_region, load_scenario
from model.population import check_targets, synthesise_checked, totals
from model.schema import Region
from model.yamlio import read_yaml

if TYPE_CHECKING:
    import pandas as pd


def file_kind(data: dict) -> str:
    """Tell regions, sweep specs, targets, effect-size literature and scenarios apart by keys."""
    if "composition" in data:
        return "region"
    if "design" in data or "outcomes" in data:
        return "sweep"
    if "literature" in data:
        return "literature"
    if "targets" in data and "region" not in data:
        return "region" if "population" in data else "calibration"
    return "scenario"


def check_file(path: str) -> str:
    """Validate one file of any kind; return a one-line description.

    Raises:
        InputError: the file is not valid.

    """
    data, _ = read_yaml(path)
    kind = file_kind(data)
    if kind == "region":
        region = load_region(path)
        synthesise_checked(region, 5_000, 0, path)
        return f"region {region.name} ({len(region.targets)} targets)"
    if kind == "calibration":
        from experiments.calibration import load_targets

        return f"calibration targets ({len(load_targets(path).targets)} targets)"
    if kind == "literature":
        from experiments.effect_sizes import load_literature

        return f"effect-size literature ({len(load_literature(path))} published figures)"
    if kind == "sweep":
        from experiments.specs import load_spec

        spec = load_spec(path)
        return f"sweep {spec.name}"
    loaded = load_scenario(path)
    sc = loaded.scenario
    return f"scenario {sc.name} ({len(loaded.policies)} policies, region {loaded.region.name})"


@command("validate")
def validate(args: argparse.Namespace) -> int:
    """Validate every file; print one line per file; exit 2 if any is invalid."""
    failed = 0
    for path in args.files:
        try:
            print(f"ok: {printable(path)}: {printable(check_file(path))}")
        except InputError as exc:
            failed += 1
            print(exc.render(), file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.files)} files are invalid.", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


CALIBRATION_SEEDS = 3
"""Seeds per baseline of ``calibrate --check`` and ``--decompose`` unless ``--seeds`` is given."""
CALIBRATION_HOUSEHOLDS = 20_000
"""Households per run of ``calibrate --check`` and ``--decompose`` unless ``--households``."""

LEVELS = {"households": "households", "people": "people", "children": "children 5-12"}
"""What a target counts, in words, for the population table."""


@command("population")
def population(args: argparse.Namespace) -> int:
    """Build a region's population and print every target beside the simulated value."""
    ref = args.region
    region = load_region(ref)
    start = time.perf_counter()
    pop = synthesise_checked(region, args.households, args.seed, ref)
    elapsed = time.perf_counter() - start
    checks = check_targets(pop, region)
    print(
        f"{region.label}: {pop.h.n:,} simulated households with {pop.p.n:,} members "
        f"(seed {args.seed}, built in {elapsed:.2f} s)"
    )
    print(f"covers: {region.population.countries}")
    print(format_table(["total", "published", "simulated", "diff"], _total_rows(pop, region)))
    rows = []
    for c in checks:
        t = c.target
        group = t.group if t.versus is None else f"{t.group} / {t.versus}"
        rows.append(
            [
                LEVELS[t.unit],
                t.measure,
                group,
                f"{t.value:.3f}",
                f"{c.simulated:.3f}",
                f"{c.error_pp:+.2f}",
            ]
        )
    print(format_table(["level", "target", "group", "published", "simulated", "diff (pp)"], rows))
    worst = max(abs(c.error_pp) for c in checks)
    print(f"largest difference: {worst:.2f} percentage points")
    return EXIT_OK


def _total_rows(pop: Population, region: Region) -> list[list[str]]:
    """Persons and households the population stands for beside the published totals."""
    real = totals(pop)
    published = {
        "persons": region.population.persons.value,
        "households": region.population.households,
    }
    return [
        [
            name,
            f"{published[name]:,.0f}",
            f"{real[name]:,.0f}",
            f"{100 * (real[name] / published[name] - 1):+.2f}%",
        ]
        for name in ("persons", "households")
    ]


@command("run")
def run(args: argparse.Namespace) -> int:
    """Run one scenario; write outputs/<name>/; print the headline gaps at start and end."""
    from experiments.single_run import headline_table, run_scenario

    loaded = load_scenario(args.scenario)
    out = Path(args.out) if args.out else None
    result, folder, seconds = run_scenario(loaded, args.seed, args.households, out)
    print(
        f"{printable(loaded.scenario.label)}: {result.households:,} households, seed {args.seed}, "
        f"{len(result.timeseries)} quarters in {seconds:.1f} s"
    )
    print(headline_table(result))
    print(f"worst-off group for Internet use at the end: {result.summary['worst_internet_use']}")
    print(f"results: {folder}/")
    return EXIT_OK


@command("calibrate")
def calibrate(args: argparse.Namespace) -> int:
    """Print every published path target beside the baselines' values; exit 1 on a miss."""
    from experiments.calibration import check, load_targets

    if args.effect_sizes:
        return _effect_sizes(args)
    targets = load_targets(args.targets)
    if args.fit_ensemble:
        from experiments.ensemble_command import fit_ensemble_command

        return fit_ensemble_command(args, targets)
    seeds = args.seeds or CALIBRATION_SEEDS
    households = args.households or CALIBRATION_HOUSEHOLDS
    if args.decompose:
        return _decompose(targets, seeds, households)
    table = check(targets, seeds, households)
    print(f"{seeds} seeds x {households:,} households per baseline")
    print(check_text(table))
    failed = int((~table["pass"]).sum())
    return EXIT_OK if failed == 0 or not args.check else EXIT_FAILED


def _effect_sizes(args: argparse.Namespace) -> int:
    """Write the effect-size document (see :mod:`experiments.effect_sizes`)."""
    from experiments import effect_sizes

    out = Path(args.out) if args.out else effect_sizes.DOC_FILE
    replications = args.seeds or effect_sizes.REPLICATIONS
    households = args.households or effect_sizes.HOUSEHOLDS
    start = time.perf_counter()
    results = effect_sizes.generate(
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
    from experiments.calibration import FIT_LAST_YEAR, IN_SAMPLE, ROLES

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
    from experiments.calibration import TARGETS_FILE
    from model.decomposition import OUTCOMES, decompose
    from model.indicator_registry import label

    print(
        "Change 2019Q4-2024Q4 carried by each mechanism: Shapley values over every subset of "
        f"mechanisms switched off, {seeds} seeds x {households:,} households, common random "
        "numbers; 'none' is what remains with all of them off. Shares and differences in "
        "share points (0-1), ratios in ratio units."
    )
    for name in dict.fromkeys(t.scenario for t in targets.targets):
        table = decompose(load_scenario(TARGETS_FILE.parent / name), seeds, households)
        rows = [[label(o), *(f"{v:+.4f}" for v in table[o])] for o in OUTCOMES]
        growth = table[OUTCOMES[0]]
        total = growth["total"]
        rows.append(["share of the growth online", *(f"{v / total:.0%}" for v in growth)])
        print(f"\n{name}")
        print(format_table(["change of", *table.index], rows))
    return EXIT_OK


@command("dashboard")
def dashboard(args: argparse.Namespace) -> int:
    """Serve the live dashboard until Ctrl-C."""
    from experiments.dashboard import serve

    return serve(args.scenario, args.port, args.host)
