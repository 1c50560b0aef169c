"""The ``region`` sub-command: start a new region's profile, and check how far it is filled.

``inclusim region new NAME --from PROFILE`` writes ``regions/NAME.yaml`` with its figures in
``regions/NAME.csv`` (every row marked "needs national data" or "default from PROFILE
(assumption)") and a baseline scenario ``NAME/baseline.yaml``; ``inclusim region check FILE``
lists the figures still taken from another profile and the region's calibration targets.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from pathlib import Path

from experiments.commands.status import EXIT_OK
from experiments.present.tables import format_table
from model import region_figures, region_table
from model.errors import InputError, Problem, printable
from model.indicator_registry import label as indicator_label
from model.loader import REGIONS_DIR, load_region, resolve_region
from model.region_figures import Figure
from model.schema import Region

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
"""A region's name: as a scenario's (lower-case letters, digits and '_')."""
SCENARIOS_DIR = REGIONS_DIR.parent


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``region new`` and ``region check`` to the command line."""
    region = sub.add_parser("region", help="start a new region's profile, or check one")
    actions = region.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new", help="write a profile, its figures table and a baseline from a similar profile"
    )
    new.add_argument("name", metavar="NAME", help="the new region's name, e.g. kenya")
    new.add_argument(
        "--from", dest="profile", required=True, metavar="PROFILE", help="lac, ldc, world ..."
    )
    new.add_argument("--label", default=None, help="its name in reports (default: NAME)")
    new.add_argument(
        "--dir",
        default=None,
        metavar="DIR",
        help="where regions/ and NAME/ go (default: the project's scenarios/)",
    )
    check = actions.add_parser("check", help="list the figures still taken from another profile")
    check.add_argument("file", metavar="FILE", help="region name or file")


def region(args: argparse.Namespace) -> int:
    """Dispatch ``region new`` and ``region check``."""
    return new(args) if args.action == "new" else check(args)


def new(args: argparse.Namespace) -> int:
    """Write the new profile, its figures table and its baseline; print the checklist."""
    name = args.name
    if not NAME.match(name):
        raise InputError(
            name,
            [
                Problem(
                    "",
                    f"'{name}' is not a valid region name.",
                    "use lower-case letters, digits and '_', starting with a letter (e.g. kenya).",
                )
            ],
        )
    source_path = resolve_region(args.profile)
    source = load_region(source_path)
    folder = Path(args.dir) if args.dir else SCENARIOS_DIR
    files = {
        "profile": _shown(folder / "regions" / f"{name}.yaml"),
        "table": _shown(folder / "regions" / f"{name}.csv"),
        "baseline": _shown(folder / name / "baseline.yaml"),
    }
    taken = [p for p in files.values() if p.exists()]
    if taken:
        raise InputError(
            str(taken[0]),
            [
                Problem(
                    "",
                    "already exists; nothing was written.",
                    "choose another name, another --dir, or remove the files first.",
                )
            ],
        )
    rows = marked_rows(source, _source_paths(source_path, source))
    texts = {
        "profile": _profile_text(name, args.label or name.replace("_", " ").title(), source),
        "table": region_figures.table_text(rows, descriptions(rows)),
        "baseline": _baseline_text(name, args.label, files, folder.resolve() == SCENARIOS_DIR),
    }
    for key, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new(path, texts[key])
    print(checklist(name, files, rows, source.name))
    return EXIT_OK


def _shown(path: Path) -> Path:
    """``path`` relative to the working folder when it lies inside it (for the checklist)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (through a temporary file beside it)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _source_paths(path: Path, region: Region) -> list[Figure]:
    """Published paths of the profile: its own, and those the targets file gives its baseline."""
    from experiments.analysis.calibration import TARGETS_FILE, load_targets

    figures = [f for f in region_figures.region_figures(region) if f.key.startswith("paths.")]
    if path.parent == REGIONS_DIR:
        for t in load_targets(TARGETS_FILE).targets:
            data = t.model_dump(mode="json", exclude_none=True)
            if t.scenario == f"{region.name}/baseline.yaml" and region_figures.tabular_path(data):
                figures.append(
                    Figure(f"paths.{t.indicator}", t.target, t.source, t.year, t.tolerance)
                )
    return figures


def marked_rows(source: Region, paths: list[Figure]) -> list[Figure]:
    """The profile's figures, each source marked as needing national data or as a default."""
    marker = region_figures.default_marker(source.name)
    rows = []
    for f in [x for x in region_figures.region_figures(source) if not x.key.startswith("paths.")]:
        rows.append(replace(f, source=_marked(f.key, f.source, marker)))
    for f in paths:
        rows.append(replace(f, source=_marked(f.key, f.source, marker)))
    return rows


def _marked(key: str, source: str, marker: str) -> str:
    if region_figures.needs_national_data(key):
        return f"{region_figures.NEEDS_NATIONAL_DATA}; {marker}: {source}"
    return f"{marker}: {source}"


def descriptions(rows: list[Figure]) -> dict[str, str]:
    """What each row of a table is, in words, from the profile's schema."""
    out = {}
    for f in rows:
        parts = f.key.split(".")
        if parts[0] == "targets":
            group = parts[3].replace("/", " / ")
            out[f.key] = f"2019: {parts[1].replace('_', ' ')} ({parts[2]}), {group}"
        elif parts[0] == "paths":
            out[f.key] = f"published path: {indicator_label(parts[1])} (year in 'year')"
        elif parts[0] == "labour_shock":
            out[f.key] = f"share of working hours lost against 2019Q4 in {parts[2]}"
        else:
            section = Region.model_fields[parts[0]].annotation
            field = section.model_fields[parts[1]]
            part = f" ({_part(parts[1], parts[2])})" if len(parts) == 3 else ""
            out[f.key] = (field.description or parts[1]) + part
    return out


def _part(name: str, part: str) -> str:
    if name.endswith("_by_quintile"):
        return f"quintile {part}" + {"1": ", poorest", "5": ", richest"}.get(part, "")
    return {"male": "men", "female": "women"}.get(part, f"ages {part}")


def _profile_text(name: str, label: str, source: Region) -> str:
    return (
        f"# Region profile: {label}, started with `inclusim region new {name} --from "
        f"{source.name}`.\n"
        f"# Its figures are in {name}.csv, one row per figure: key, value, year, source.\n"
        f"# Rows whose source starts '{region_figures.NEEDS_NATIONAL_DATA}' want a national "
        "figure; the rest are defaults\n"
        f"# from {source.name} (assumptions) until you have better. `inclusim region check "
        "FILE` lists what is left.\n"
        f"name: {name}\n"
        f"label: {_quoted(label)}\n"
        f"figures: {name}.csv\n"
        "population:\n"
        f"  countries: {_quoted(label + ' (say which country or countries it covers)')}\n"
    )


def _baseline_text(name: str, label: str | None, files: dict[str, Path], shipped: bool) -> str:
    region = name if shipped else "../regions/" + files["profile"].name
    title = label or name.replace("_", " ").title()
    return (
        f"name: {name}_baseline\n"
        f"label: {_quoted(title + ': status quo')}\n"
        "description: >-\n"
        "  No new policy: market prices keep falling, the COVID-19 shock hits in 2020 and fades.\n"
        f"region: {region}\n"
        "start: 2019Q4\n"
        "end: 2030Q4\n"
        "households: 20000\n"
        "policies: []\n"
    )


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def checklist(name: str, files: dict[str, Path], rows: list[Figure], profile: str) -> str:
    """What was written and what to do next, with the figures that want national data."""
    national = [f for f in rows if f.source.startswith(region_figures.NEEDS_NATIONAL_DATA)]
    table = format_table(
        ["key", f"default ({profile})", "what"],
        [[f.key, number(f.value), d] for f, d in zip(national, _what(national), strict=True)],
    )
    written = "\n".join(f"  {printable(str(p))}" for p in files.values())
    profile_file = printable(str(files["profile"]))
    return (
        f"wrote:\n{written}\n\n"
        f"Checklist: {len(national)} of {len(rows)} figures need national data (the rest are "
        f"defaults from {profile}, marked as assumptions):\n{table}\n\n"
        f"1. In {printable(str(files['table']))}, replace the value and the source of each row "
        f"above (and of any default you can do better than); keep the key.\n"
        f"2. inclusim region check {profile_file}   lists what is still a default\n"
        f"3. inclusim population {profile_file} --households 20000\n"
        f"4. inclusim calibrate --check --region {profile_file}\n"
        f"5. inclusim compare {printable(str(files['baseline']))} YOUR_SCENARIO.yaml "
        "--replications 10  (size policies as shares of the region: docs/your-country.md)"
    )


def number(value: float) -> str:
    """A figure as text: whole numbers of a million and more with thousands separators."""
    return f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:g}"


def _what(rows: list[Figure]) -> list[str]:
    d = descriptions(rows)
    return [d[f.key][:60] for f in rows]


def check(args: argparse.Namespace) -> int:
    """List the figures that are still defaults or assumptions, and the calibration targets."""
    path = resolve_region(args.file)
    region = load_region(path)
    written, left_out = region_table.profile_figures(path, region)
    figures = written + left_out
    national = [f for f in written if f.source.startswith(region_figures.NEEDS_NATIONAL_DATA)]
    defaults = [f for f in written if "default from " in f.source and f not in national]
    assumed = [f for f in figures if region_figures.is_assumption(f.source)]
    where = printable(str(path.parent / region.figures)) if region.figures else printable(str(path))
    counted = f"{len(figures)} figures in {where}"
    if left_out:
        counted = f"{len(figures)} figures, {len(written)} in {where} and {len(left_out)} left out"
    print(
        f"{printable(region.label)} ({region.name}): {counted}; "
        f"{len(national)} still need national data, {len(defaults)} more are defaults from "
        f"another profile; {len(assumed)} of {len(figures)} are assumptions."
    )
    groups = (
        ("still need national data", national),
        ("defaults", defaults),
        ("not in the file, so the model's defaults apply (assumptions)", left_out),
    )
    for head, group in groups:
        if group:
            rows = [[str(f.line or ""), f.key, number(f.value)] for f in group]
            print(f"\n{head}:\n" + format_table(["line", "key", "value"], rows))
    print("\n" + targets_text(region, path))
    return EXIT_OK


def targets_text(region: Region, path: Path) -> str:
    """The region's 2019 marginals and its published paths, as two short tables."""
    marginals = [
        [t.measure, t.unit, t.group + (f" / {t.versus}" if t.versus else ""), f"{t.value:g}"]
        for t in region.targets
    ]
    paths = [[p.label, p.period_label, p.wanted(), p.role] for p in _all_paths(region, path)]
    text = (
        f"calibration targets: {len(marginals)} 2019 marginals the population is raked to\n"
        + format_table(["measure", "unit", "group", "value"], marginals)
    )
    if not paths:
        return text + "\nno published paths: calibrate --check --region has nothing to check."
    return (
        text
        + f"\n{len(paths)} published paths its baseline must follow (calibrate --check --region)\n"
        + format_table(["indicator", "period", "target", "role"], paths)
    )


def _all_paths(region: Region, path: Path) -> list:
    from experiments.analysis.calibration import region_path_targets

    return region_path_targets(region, path)
