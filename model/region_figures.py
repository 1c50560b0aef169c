"""A region profile's figures: each with its key, value, year and source.

:func:`figures_of` lists a profile's figures as the rows of a figures table
(:mod:`model.region_table` reads such a table back); the rest says which figures a country
publishes and which are assumptions. Keys name where a figure sits in the profile:
``composition.share_rural``, ``composition.age_structure.0-4``,
``composition.informal_by_quintile.1`` (the poorest quintile), ``labour_shock.hours_lost.2020Q2``,
``targets.internet_use.people.sex=female/sex=male`` (a 2019 marginal: measure, unit, group and
the group it is divided by) and ``paths.share_internet_use`` (a published path: one row a year).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

COLUMNS = ("key", "value", "year", "source")
"""Columns every figures table has, in this order."""

OPTIONAL_COLUMNS = ("tolerance", "description")
"""Columns a table may add: a path's tolerance, and words for whoever fills the table."""

FIGURE_SECTIONS = (
    "population",
    "income",
    "composition",
    "coverage",
    "electricity",
    "prices",
    "schooling",
)
"""Sections of a profile whose figures each carry a source."""

QUINTILES = ("1", "2", "3", "4", "5")
"""Last part of a key into a five-quintile figure, poorest first."""


@dataclass(frozen=True)
class Figure:
    """One figure of a profile.

    Attributes:
        key: its name in a table, e.g. ``composition.age_structure.0-4``.
        value: the number.
        source: where it was read, or why it is assumed.
        year: the year the figure describes, when known.
        tolerance: for a published path, how far a simulated value may be from it.
        line: the table line it came from (0 when it came from YAML).

    """

    key: str
    value: float
    source: str
    year: int | None = None
    tolerance: float | None = None
    line: int = 0


def figures_of(data: dict[str, Any]) -> list[Figure]:
    """Every figure of a profile's mapping (as read from YAML), in the order of the file."""
    out: list[Figure] = []
    for section in FIGURE_SECTIONS:
        for name, fig in (data.get(section) or {}).items():
            if isinstance(fig, dict) and "source" in fig:
                out += _figure_rows(f"{section}.{name}", fig)
    shock = data.get("labour_shock") or {}
    for quarter, value in (shock.get("hours_lost") or {}).items():
        out.append(Figure(f"labour_shock.hours_lost.{quarter}", value, shock["source"]))
    for t in data.get("targets") or []:
        out.append(Figure(target_key(t), t["value"], t["source"]))
    for p in data.get("paths") or []:
        if tabular_path(p):
            out.append(
                Figure(
                    f"paths.{p['indicator']}", p["target"], p["source"], p["year"], p["tolerance"]
                )
            )
    return out


def _figure_rows(prefix: str, fig: dict[str, Any]) -> list[Figure]:
    if fig.get("by_year"):
        by_year = fig["by_year"].items()
        return [Figure(f"{prefix}.{y}", v, fig["source"], int(y)) for y, v in by_year]
    if "value" in fig:
        return [Figure(prefix, fig["value"], fig["source"])]
    if "by_quintile" in fig:
        return [
            Figure(f"{prefix}.{q}", v, fig["source"])
            for q, v in zip(QUINTILES, fig["by_quintile"], strict=True)
        ]
    return [Figure(f"{prefix}.{k}", v, fig["source"]) for k, v in fig.items() if k != "source"]


def tabular_path(p: dict[str, Any]) -> bool:
    """A path a table row can hold: an indicator's yearly mean against a target."""
    extra = {"relative_to", "change_since", "versus", "quarter", "min", "max"}
    return "year" in p and "target" in p and not extra & set(p)


def target_key(t: dict[str, Any]) -> str:
    """Table key of a 2019 marginal: ``targets.MEASURE.UNIT.GROUP[/VERSUS]``."""
    group = t.get("group", "all") + (f"/{t['versus']}" if t.get("versus") else "")
    return f"targets.{t['measure']}.{t.get('unit', 'households')}.{group}"


def table_text(figures: list[Figure], descriptions: dict[str, str]) -> str:
    """Figures as a table's text, with a description column for whoever fills it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, *OPTIONAL_COLUMNS])
    for f in figures:
        writer.writerow(
            [
                f.key,
                f"{f.value:.0f}" if abs(f.value) >= 1e6 else f"{f.value:.6g}",
                "" if f.year is None else f.year,
                f.source,
                "" if f.tolerance is None else f"{f.tolerance:g}",
                descriptions.get(f.key, ""),
            ]
        )
    return out.getvalue()


NEEDS_NATIONAL_DATA = "needs national data"
"""How a table row that a statistics office should fill starts its source."""

NATIONAL_FIGURES = (
    "population.persons",
    "population.household_size",
    "income.mean_monthly",
    "income.gini",
    "income.poverty_rate",
    "composition.share_rural",
    "composition.share_female",
    "composition.age_structure",
    "composition.employment_rate",
    "composition.informal_by_quintile",
    "coverage.",
    "electricity.",
    "prices.basic_monthly",
    "prices.device",
    "schooling.quarters_closed",
    "targets.",
    "paths.",
)
"""Figures (key prefixes) every country publishes: census, household survey, labour force
survey, the regulator's coverage and price data, electricity access (census, Tracking SDG7),
UNESCO's school closures, ITU's Internet use. The rest of a new profile may stay a default
from a similar profile, marked as an assumption."""


def needs_national_data(key: str) -> bool:
    """The figure ``key`` is one a country publishes (:data:`NATIONAL_FIGURES`)."""
    return any(
        key == k or key.startswith(k if k.endswith(".") else k + ".") for k in NATIONAL_FIGURES
    )


def default_marker(profile: str) -> str:
    """How a row copied from another profile marks its source."""
    return f"default from {profile} (assumption)"


def is_assumption(source: str) -> bool:
    """The source says the figure is assumed, not read (or still needs national data)."""
    text = source.lower()
    return "assumption" in text or text.startswith(NEEDS_NATIONAL_DATA)


def region_figures(region: Any) -> list[Figure]:
    """Every figure of a validated region profile (:class:`model.schema.Region`).

    A section the profile leaves to its default is one of its figures only when that default
    is an assumption (``electricity``: the world's figures), so that ``region check`` and
    ``calibrate --check --region`` count it; a default that is the shared published value
    (``schooling``: the closure period of every profile) is not.
    """
    data = region.model_dump(mode="json", by_alias=True, exclude_none=True)
    for section in set(FIGURE_SECTIONS) - region.model_fields_set:
        defaults = (data.get(section) or {}).values()
        if not any(is_assumption(f.get("source", "")) for f in defaults if isinstance(f, dict)):
            data.pop(section, None)
    data["paths"] = [{k: v for k, v in p.items() if v is not None} for p in data.get("paths") or []]
    return figures_of(data)
