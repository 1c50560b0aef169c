"""A region profile's figures read from a table: one row per figure (key, value, year, source).

A statistics office fills a spreadsheet, not YAML: a profile that says ``figures: FILE.csv``
takes every figure from that file (keys as in :mod:`model.region_figures`, which writes such
tables), and every problem names the table, its line and the figure's key.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import InputError, Problem, did_you_mean, key_path
from model.region_figures import (
    COLUMNS,
    FIGURE_SECTIONS,
    OPTIONAL_COLUMNS,
    QUINTILES,
    Figure,
    figures_of,
    region_figures,
)
from model.yamlio import read_yaml

MAX_BYTES = 1_000_000
"""Largest figures table accepted (bytes)."""
YEARS = (1950, 2100)
"""Years a figure may be dated (inclusive)."""
DEFAULT_PATH_TOLERANCE = 0.03
"""Tolerance of a published path given without one: ITU rounds Internet use to the percent,
and regional estimates move by up to 3 points between editions (CALIBRATION.md: 'ITU revises
back series every edition')."""

KeyPath = tuple[str | int, ...]


@dataclass
class Table:
    """A figures table read from a file, and where each of its figures went in the profile.

    Attributes:
        file: the table's path as given to messages.
        rows: its figures, in file order.
        places: for each key path in the profile a row filled, that row.

    """

    file: str
    rows: list[Figure] = field(default_factory=list)
    places: dict[KeyPath, Figure] = field(default_factory=dict)

    def relocate(self, exc: InputError, region_file: str) -> InputError:
        """The same problems, those about the table's figures pointing at its file and line."""
        moved = [self._moved(p) for p in exc.problems]
        return InputError(region_file, moved)

    def _moved(self, p: Problem) -> Problem:
        """``p`` pointing at the table row it is about, when it is about one."""
        inside = [
            (loc, row)
            for loc, row in self.places.items()
            if key_path(loc).startswith(p.path + ".") or key_path(loc).startswith(p.path + "[")
        ]
        for loc, row in self.places.items():
            text = key_path(loc)
            if p.path == text or p.path.startswith((text + ".", text + "[")):
                return Problem(row.key, p.message, p.fix, row.line, self.file)
        if inside:
            first = min(row.line for _, row in inside)
            return Problem(p.path, p.message, p.fix, first, self.file)
        section = p.path.split(".")[0].split("[")[0]
        figure = section in (*FIGURE_SECTIONS, "labour_shock") and p.path != "population.countries"
        if "required but missing" in p.message and figure:
            return Problem(
                p.path,
                "has no row in the table.",
                f"add a row '{p.path}' to the table{_parts(p.path)}.",
                None,
                self.file,
            )
        return p


def _parts(path: str) -> str:
    """For a figure with parts (by sex, age band or quintile), the rows it takes, in words."""
    section, _, name = path.partition(".")
    fields = getattr(_figure_type(section, name), "model_fields", {})
    if "value" in fields or not fields:
        return ""
    if "by_quintile" in fields:
        return f" (one row per quintile: '{path}.1', poorest, to '{path}.5')"
    parts = [f.alias or n for n, f in fields.items() if n != "source"]
    return " (one row per part: " + ", ".join(f"'{path}.{k}'" for k in parts) + ")"


def profile_figures(path: Path, region: Any) -> tuple[list[Figure], list[Figure]]:
    """A profile's figures as written, and those it leaves to the model's defaults.

    Figures as written are the table's rows, each with its own line and source, or the YAML's
    figures; so a figure of several rows (the labour shock's quarters) is counted row by row,
    not by the joined source the loaded profile keeps. ``region check`` and ``calibrate
    --check --region`` count assumptions from this one list.

    Args:
        path: the profile's YAML file.
        region: the same profile, loaded and validated (:class:`model.schema.Region`).

    """
    data, _ = read_yaml(path)
    if isinstance(data.get("figures"), str):
        file = path.parent / data["figures"]
        written = read_table(file, str(file))
    else:
        written = figures_of(data)
    keys = {f.key for f in written}
    return written, [f for f in region_figures(region) if f.key not in keys]


def read_table(path: Path, name: str) -> list[Figure]:
    """Read a figures table.

    Args:
        path: the CSV file.
        name: what messages call it.

    Raises:
        InputError: the file is missing, not UTF-8 text, too large, has the wrong columns, or
            a row whose key is empty, whose value is not a number, whose year is not a year,
            whose source is empty, or that repeats an earlier row.

    """
    text = _text(path, name)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    columns = _columns(header, name)
    problems: list[Problem] = []
    rows: list[Figure] = []
    seen: dict[tuple[str, int | None], int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        row = _row(dict(zip(columns, record, strict=False)), record, columns, line, name, problems)
        if row is None:
            continue
        first = seen.setdefault((row.key, row.year), line)
        if first != line:
            problems.append(
                Problem(
                    row.key,
                    f"repeats the row of line {first}"
                    + (f" (same key and year {row.year})" if row.year else "")
                    + ".",
                    "keep one of the two rows.",
                    line,
                    name,
                )
            )
            continue
        rows.append(row)
    if problems:
        raise InputError(name, problems)
    if not rows:
        raise InputError(name, [Problem("", "has no figures.", "add one row per figure.", 2)])
    return rows


def _text(path: Path, name: str) -> str:
    def fail(message: str, fix: str) -> InputError:
        return InputError(name, [Problem("", message, fix)])

    if not path.is_file():
        raise fail("figures table not found.", "check the path (relative to the region file).")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise fail(f"is more than {MAX_BYTES:,} bytes.", "keep one row per figure.")
    if b"\x00" in raw:
        raise fail("is a binary file, not a CSV table.", "save the spreadsheet as CSV (UTF-8).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(
            f"is not UTF-8 text (byte {exc.start}).", "save the spreadsheet as CSV UTF-8."
        ) from None
    if not text.strip():
        raise fail("is empty.", "write the header 'key,value,year,source' and one row per figure.")
    return text


def _columns(header: list[str] | None, name: str) -> list[str]:
    cells = [c.strip().lower() for c in header or []]
    if len(cells) == 1 and ";" in cells[0]:
        raise InputError(
            name,
            [
                Problem(
                    "",
                    "its columns are separated by ';', not ','.",
                    "save it as 'CSV (comma delimited)', with a decimal point.",
                    1,
                )
            ],
        )
    if cells[: len(COLUMNS)] != list(COLUMNS) or any(
        c not in OPTIONAL_COLUMNS for c in cells[len(COLUMNS) :]
    ):
        return _bad_header(cells, name)
    return cells


def _bad_header(cells: list[str], name: str) -> list[str]:
    wrong = next(
        (c for c in cells if c not in COLUMNS + OPTIONAL_COLUMNS), ",".join(cells) or "(none)"
    )
    raise InputError(
        name,
        [
            Problem(
                "",
                f"the header is '{','.join(cells)}'; the first columns must be "
                f"{','.join(COLUMNS)} (then, optionally, {' and '.join(OPTIONAL_COLUMNS)}).",
                f"rename column '{wrong}': " + did_you_mean(wrong, COLUMNS + OPTIONAL_COLUMNS),
                1,
            )
        ],
    )


def _row(
    cells: dict[str, str],
    record: list[str],
    columns: list[str],
    line: int,
    name: str,
    problems: list[Problem],
) -> Figure | None:
    """One row as a figure; its problems appended to ``problems`` (then None)."""
    key = cells.get("key", "").strip()
    before = len(problems)

    def bad(message: str, fix: str) -> None:
        problems.append(Problem(key or "key", message, fix, line, name))

    if len(record) > len(columns):
        bad(f"has {len(record)} cells but the header {len(columns)}.", _QUOTE_FIX)
        return None
    if not key:
        bad("the key is empty.", "write the figure's key (see the table inclusim wrote).")
    value = _number(cells.get("value", ""), bad, "value")
    year = _year(cells.get("year", ""), bad)
    tolerance = None
    if cells.get("tolerance", "").strip():
        tolerance = _number(cells["tolerance"], bad, "tolerance")
    source = cells.get("source", "").strip()
    if len(source) < 3:
        bad("has no source.", "say where the figure was read, or write 'Assumption: why'.")
    if len(problems) > before or value is None:
        return None
    return Figure(key, value, source, year, tolerance, line)


_QUOTE_FIX = (
    "write numbers with a decimal point, and put text that holds a comma in double quotes "
    "(a spreadsheet does both when it saves as 'CSV UTF-8')."
)


def _number(text: str, bad: Any, column: str) -> float | None:
    raw = text.strip().replace("_", "")
    if not raw:
        bad(f"the {column} is empty.", f"write the {column} as a number.")
        return None
    if raw.count(",") == 1 and "." not in raw:
        bad(f"'{raw}' uses a decimal comma.", f"write {raw.replace(',', '.')}.")
        return None
    percent = raw.endswith("%")
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        bad(f"the {column} '{text.strip()}' is not a number.", "write a plain number.")
        return None
    if not math.isfinite(value):
        bad(f"the {column} '{text.strip()}' is not a finite number.", "write an ordinary number.")
        return None
    if percent:
        bad(f"'{raw}' is a percentage.", f"write it as a share: {value / 100:g}.")
        return None
    return value


def _year(text: str, bad: Any) -> int | None:
    raw = text.strip()
    if not raw:
        return None
    if not raw.isdigit() or not YEARS[0] <= int(raw) <= YEARS[1]:
        bad(f"the year '{raw}' is not a year.", "write a year such as 2019, or leave it empty.")
        return None
    return int(raw)


def merge(data: dict[str, Any], rows: list[Figure], name: str) -> tuple[dict[str, Any], Table]:
    """The profile's mapping with the table's figures put in place.

    Args:
        data: the profile read from YAML (it names the table; it must not repeat its figures).
        rows: the table's figures.
        name: what messages call the table.

    Raises:
        InputError: a key that names no figure, a figure given in both files, or a
            five-quintile figure missing a quintile.

    """
    table = Table(name, rows)
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    problems: list[Problem] = []
    groups: dict[tuple[str, ...], list[Figure]] = {}
    for row in rows:
        parts = row.key.split(".")
        head = parts[0]
        if head == "targets":
            _place_target(out, row, table, problems)
        elif head == "paths":
            _place_path(out, row, table, problems)
        elif head == "labour_shock" and parts[1:2] == ["hours_lost"] and len(parts) == 3:
            groups.setdefault(("labour_shock",), []).append(row)
        elif head in FIGURE_SECTIONS and len(parts) in (2, 3):
            groups.setdefault(tuple(parts[:2]), []).append(row)
        else:
            problems.append(_unknown_key(row, name))
    for where, members in groups.items():
        problems += _place_group(out, where, members, table, data)
    if problems:
        raise InputError(name, problems)
    return out, table


def _unknown_key(row: Figure, name: str) -> Problem:
    heads = (*FIGURE_SECTIONS, "labour_shock", "targets", "paths")
    return Problem(
        row.key,
        f"'{row.key}' names no figure of a profile.",
        "keys start with " + ", ".join(heads) + " (see the table inclusim region new writes).",
        row.line,
        name,
    )


def _place_group(
    out: dict[str, Any],
    where: tuple[str, ...],
    members: list[Figure],
    table: Table,
    data: dict[str, Any],
) -> list[Problem]:
    """Put the rows of one figure (or of the labour shock) in place; return the problems."""
    source = _joined_sources(members)
    if where == ("labour_shock",):
        if "labour_shock" in data:
            return [_both(members[0], table.file)]
        out["labour_shock"] = {
            "hours_lost": {m.key.split(".")[2]: m.value for m in members},
            "source": source,
        }
        for m in members:
            table.places[("labour_shock", "hours_lost", m.key.split(".")[2])] = m
        return []
    section, name = where
    target = out.setdefault(section, {})
    if not isinstance(target, dict):
        return []
    if name in (data.get(section) or {}):
        return [_both(members[0], table.file)]
    parts = [m.key.split(".") for m in members]
    if all(len(p) == 2 for p in parts) and len(members) == 1:
        target[name] = {"value": members[0].value, "source": source}
        table.places[(section, name, "value")] = members[0]
        return []
    if any(len(p) == 2 for p in parts):
        m = next(m for m, p in zip(members, parts, strict=True) if len(p) == 2)
        return [
            Problem(
                m.key,
                "is given twice or with and without a part.",
                "keep one row.",
                m.line,
                table.file,
            )
        ]
    if name.endswith("_by_quintile"):
        return _place_quintiles(target, (section, name), members, table, source)
    if _yearly(section, name):
        return _place_years(target, (section, name), members, table, source)
    target[name] = {p[2]: m.value for m, p in zip(members, parts, strict=True)} | {"source": source}
    for m, p in zip(members, parts, strict=True):
        table.places[(section, name, p[2])] = m
    return []


def _place_quintiles(
    target: dict[str, Any],
    where: tuple[str, str],
    members: list[Figure],
    table: Table,
    source: str,
) -> list[Problem]:
    by = {m.key.split(".")[2]: m for m in members}
    prefix = ".".join(where)
    wrong = [m for q, m in by.items() if q not in QUINTILES]
    if wrong:
        m = wrong[0]
        return [
            Problem(
                m.key,
                f"'{m.key.split('.')[2]}' is not a quintile.",
                f"write {prefix}.1 (poorest) to {prefix}.5 (richest).",
                m.line,
                table.file,
            )
        ]
    missing = [q for q in QUINTILES if q not in by]
    if missing:
        return [
            Problem(
                prefix,
                "has no row for quintile " + ", ".join(missing) + ".",
                "add " + ", ".join(f"'{prefix}.{q}'" for q in missing) + ".",
                members[0].line,
                table.file,
            )
        ]
    target[where[1]] = {"by_quintile": [by[q].value for q in QUINTILES], "source": source}
    for k, q in enumerate(QUINTILES):
        table.places[(*where, "by_quintile", k)] = by[q]
    return []


def _figure_type(section: str, name: str) -> Any:
    """The schema's type of the figure ``section.name`` of a profile (None if there is none)."""
    from model.schema import Region

    field = getattr(Region.model_fields.get(section), "annotation", None)
    return getattr(getattr(field, "model_fields", {}).get(name), "annotation", None)


def _yearly(section: str, name: str) -> bool:
    """The figure may be given one share a year (:class:`model.schema.YearlyShareFigure`)."""
    from model.schema import YearlyShareFigure

    return _figure_type(section, name) is YearlyShareFigure


def _place_years(
    target: dict[str, Any],
    where: tuple[str, str],
    members: list[Figure],
    table: Table,
    source: str,
) -> list[Problem]:
    from model.schema import SHARE_YEARS, is_share_year

    prefix = ".".join(where)
    by = {m.key.split(".")[2]: m for m in members}
    for year, m in by.items():
        if not is_share_year(year):
            return [
                Problem(
                    m.key,
                    f"'{year}' is not a year from {SHARE_YEARS[0]}.",
                    f"write the year the share describes after the key, e.g. '{prefix}.2023'.",
                    m.line,
                    table.file,
                )
            ]
    target[where[1]] = {year: m.value for year, m in by.items()} | {"source": source}
    for year, m in by.items():
        table.places[(*where, "by_year", int(year))] = m
    return []


def _place_target(out: dict[str, Any], row: Figure, table: Table, problems: list[Problem]) -> None:
    parts = row.key.split(".", 3)
    if len(parts) != 4:
        problems.append(
            Problem(
                row.key,
                "a target's key has four parts.",
                "write targets.MEASURE.UNIT.GROUP, e.g. targets.internet_use.people.all.",
                row.line,
                table.file,
            )
        )
        return
    _, measure, unit, groups = parts
    group, _, versus = groups.partition("/")
    item: dict[str, Any] = {"measure": measure, "unit": unit, "group": group}
    if versus:
        item["versus"] = versus
    targets = out.setdefault("targets", [])
    if not isinstance(targets, list):
        return
    targets.append(item | {"value": row.value, "source": _dated(row)})
    table.places[("targets", len(targets) - 1)] = row


def _place_path(out: dict[str, Any], row: Figure, table: Table, problems: list[Problem]) -> None:
    parts = row.key.split(".")
    if len(parts) != 2 or row.year is None:
        problems.append(
            Problem(
                row.key,
                "a path row names one indicator and a year.",
                "write paths.INDICATOR as the key and the year in the year column.",
                row.line,
                table.file,
            )
        )
        return
    paths = out.setdefault("paths", [])
    if not isinstance(paths, list):
        return
    tolerance = row.tolerance if row.tolerance is not None else DEFAULT_PATH_TOLERANCE
    paths.append(
        {
            "indicator": parts[1],
            "year": row.year,
            "target": row.value,
            "tolerance": tolerance,
            "source": row.source,
        }
    )
    table.places[("paths", len(paths) - 1)] = row


def _both(row: Figure, name: str) -> Problem:
    section = ".".join(row.key.split(".")[:2])
    return Problem(
        row.key,
        f"'{section}' is given both in the region file and in the table.",
        "keep it in one of them (the table, for figures a statistics office fills).",
        row.line,
        name,
    )


def _dated(row: Figure) -> str:
    return (
        row.source
        if row.year is None or str(row.year) in row.source
        else (f"{row.source} ({row.year})")
    )


def _joined_sources(members: list[Figure]) -> str:
    return "; ".join(dict.fromkeys(_dated(m) for m in members))
