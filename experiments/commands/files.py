"""The ``validate``, ``population`` and ``run`` sub-commands.

They check files, build a region's population against its targets, and run one scenario.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from experiments.commands.settings import settings_of
from experiments.commands.status import EXIT_BAD_INPUT, EXIT_OK
from experiments.present.tables import format_table
from model.errors import InputError, key_path, printable
from model.households import Population
from model.loader import load_region, load_scenario
from model.policy_sizes import SIZED_FIELDS, field_period, implausible
from model.population import check_targets, synthesise_checked, totals
from model.schema import Region
from model.settings import load_with_settings
from model.yamlio import line_of, read_yaml


def file_kind(data: dict) -> str:
    """Tell regions, sweep specs, targets, effect-size literature and scenarios apart by keys."""
    if "composition" in data or "figures" in data:
        return "region"
    if "objectives" in data and "budget_pv" in data:
        return "optimise"
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
        from experiments.analysis.calibration import load_targets

        return f"calibration targets ({len(load_targets(path).targets)} targets)"
    if kind == "literature":
        from experiments.analysis.effect_literature import load_literature

        return f"effect-size literature ({len(load_literature(path))} published figures)"
    if kind == "optimise":
        from experiments.optimise.spec import load_optimise_spec

        return f"optimise spec {load_optimise_spec(path).name}"
    if kind == "sweep":
        from experiments.design.specs import load_spec

        spec = load_spec(path)
        return f"sweep {spec.name}"
    loaded = load_scenario(path)
    sc = loaded.scenario
    return f"scenario {sc.name} ({len(loaded.policies)} policies, region {loaded.region.name})"


def size_warnings(path: str) -> list[str]:
    """Warnings for absolute policy sizes beyond a plausible share of a scenario's region.

    Each names the file, the line, the field, the share the size implies and the share to
    give instead. Files that are not scenarios have none.
    """
    data, lines = read_yaml(path)
    if file_kind(data) != "scenario":
        return []
    loaded = load_scenario(path)
    out = []
    for k, (item, pol) in enumerate(zip(data.get("policies") or [], loaded.policies, strict=True)):
        given = {f for f, v in item.items() if isinstance(v, int | float)}
        for w in implausible(pol, given, loaded.region):
            loc = ("policies", k, w.field)
            where = f"{printable(path)}:{line_of(lines, loc) or ''}".rstrip(":")
            suggested = f"{{share: {w.most_per_year:g}, of: {SIZED_FIELDS[w.field].base}"
            suggested += ", per: year}" if w.field.endswith("_per_quarter") else "}"
            out.append(
                f"warning: {where}: {key_path(loc)}: {w.size:,.0f} {UNIT_WORDS[w.unit]} a "
                f"{field_period(w.field)} (at intensity {pol.intensity:g}) is "
                f"{_percent(w.share_per_year)} a year of the {w.count:,.0f} {w.words} of "
                f"{printable(loaded.region.label)} (2019); more than {w.most_per_year:.0%} a "
                f"year is implausible. Fix: check the size (copied from a larger region?), or "
                f"give it as a share of the region, e.g. {suggested}."
            )
    return out


UNIT_WORDS = {"households": "households", "persons": "people"}
"""What a policy size counts, in words."""


def _percent(share: float) -> str:
    return "more than all" if share == float("inf") else f"{share:.0%}"


def validate(args: argparse.Namespace) -> int:
    """Validate every file; print one line per file; exit 2 if any is invalid.

    Absolute policy sizes beyond a plausible share of the region draw a warning on stderr
    (:func:`size_warnings`); they do not make the file invalid.
    """
    failed = 0
    for path in args.files:
        try:
            print(f"ok: {printable(path)}: {printable(check_file(path))}")
            for warning in size_warnings(path):
                print(warning, file=sys.stderr)
        except InputError as exc:
            failed += 1
            print(exc.render(), file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.files)} files are invalid.", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


LEVELS = {"households": "households", "people": "people", "children": "children 5-12"}
"""What a target counts, in words, for the population table."""


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


def run(args: argparse.Namespace) -> int:
    """Run one scenario; write outputs/<name>/; print the headline gaps at start and end."""
    from experiments.batch.single_run import headline_table, run_scenario

    settings = settings_of(args)
    loaded = load_with_settings(args.scenario, settings)
    out = Path(args.out) if args.out else None
    result, folder, seconds = run_scenario(loaded, args.seed, args.households, out, settings)
    print(
        f"{printable(loaded.scenario.label)}: {result.households:,} households, seed {args.seed}, "
        f"{len(result.timeseries)} quarters in {seconds:.1f} s"
    )
    print(headline_table(result))
    print(f"worst-off group for Internet use at the end: {result.summary['worst_internet_use']}")
    print(f"results: {folder}/")
    return EXIT_OK
