"""Regional Internet use from one vintage of ITU's country estimates.

Facts and Figures revises its regional back series every year, so a region's 2019 level
from an early edition and its 2024 level from a late one do not describe one path. This
tool rebuilds the regions' yearly levels from one vintage of ITU's country estimates, as the
World Bank publishes them (World Development Indicators, ``IT.NET.USER.ZS``, last updated
2025-01-24, through Our World in Data's "Share of the population using the Internet"),
weighted by each country's persons in 2020 (UN DESA World Population Prospects 2019, medium
variant, data package ``wpp2019``). The table ``scenarios/sources/internet_use_by_country.csv``
holds those inputs for the countries of ITU's Africa region (44 countries), the UN's 46 least
developed countries of 2019 and ITU's Asia-Pacific region (35 UN members of East, South-East
and South Asia and Oceania; the Democratic People's Republic of Korea has no estimate, and
Taiwan Province of China is not in the table). A country's missing year is filled linearly
between its neighbours, or with its nearest year at the ends; after 2022 most countries have
no estimate yet, so only 2017-2022 are printed. India has no estimate after 2020 in this
vintage, so Asia-Pacific's level from 2021 on carries India's 2020 value and understates the
region's.

Check against the World Bank's own Sub-Saharan Africa aggregate of the same vintage (which
adds Sudan, Somalia, Mauritania, Djibouti and Comoros): 22.2 / 25.3 / 28.6 / 31.4 / 33.6 in
2018-2022; this method gives 22.2 / 24.3 / 28.4 / 31.2 / 33.3 for the same countries.

``scenarios/sources/internet_use_aggregates.csv`` holds the World Bank's own aggregates of the
same vintage (income groups and its regions); the tool prints each one's rise in use from 2019
to 2020 beside the year before (who got a lockdown jump), and how much of each one's rise
since 2019 that jump above its steady pace was (:func:`lockdown_excess`).

Usage: ``python -m tools.regional_use``.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np

SOURCES = Path(__file__).resolve().parent.parent / "scenarios" / "sources"
"""Where the source tables are."""

TABLE = SOURCES / "internet_use_by_country.csv"
"""The country table: name, M49 code, persons in 2020, membership flags, use by year (%)."""

AGGREGATES = SOURCES / "internet_use_aggregates.csv"
"""The World Bank's own aggregates of the same vintage (income groups and its regions), %."""

GROUPS = ("africa", "ldc", "asia_pacific")
"""Membership columns of the table, one per region."""

YEARS = tuple(range(2017, 2023))
"""Years with estimates for nearly every country of the vintage."""


def filled(values: list[float | None]) -> np.ndarray:
    """A country's yearly values with gaps filled linearly, and its nearest value at the ends."""
    known = [i for i, v in enumerate(values) if v is not None]
    if not known:
        return np.full(len(values), np.nan)
    return np.interp(range(len(values)), known, [values[i] for i in known])


def members(group: str, table: Path = TABLE) -> list[dict[str, str]]:
    """The rows of the country table whose membership column ``group`` is 1."""
    with table.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r[group] == "1"]


def regional_use(group: str, table: Path = TABLE) -> dict[int, float]:
    """Share of the region's persons using the Internet each year (0-1).

    Args:
        group: a membership column of the table (:data:`GROUPS`).
        table: the country table.

    """
    rows = members(group, table)
    all_years = [c for c in rows[0] if c.isdigit()]
    weights, series = [], []
    for r in rows:
        values = filled([float(r[y]) if r[y] else None for y in all_years])
        if not np.isnan(values).all():
            weights.append(float(r["persons_2020"]))
            series.append(values)
    level = np.average(np.array(series), axis=0, weights=weights) / 100
    return {int(y): float(v) for y, v in zip(all_years, level, strict=True) if int(y) in YEARS}


def _aggregates(table: Path) -> dict[str, dict[int, float]]:
    """Each aggregate's use by year (%), the years it has an estimate for."""
    with table.open(newline="", encoding="utf-8") as f:
        return {
            r["aggregate"]: {int(y): float(v) for y, v in r.items() if y != "aggregate" and v}
            for r in csv.DictReader(f)
        }


def lockdown_jumps(table: Path = AGGREGATES) -> dict[str, tuple[float, float]]:
    """Each aggregate's rise in use (points) from 2019 to 2020, and from 2018 to 2019."""
    return {
        name: (level[2020] - level[2019], level[2019] - level[2018])
        for name, level in _aggregates(table).items()
    }


def lockdown_excess(table: Path = AGGREGATES) -> dict[str, tuple[float, float, float]]:
    """How much of each aggregate's growth since 2019 the 2020 step above its steady pace was.

    The steady pace is the mean yearly rise of every other year of the table (2017-2018 to
    2022-2023, where estimated); the excess is the 2019-2020 rise above it; its share is of the
    rise from 2019 to the last year estimated. A simple counterfactual: it credits the
    lockdowns with no lasting acceleration, which the slower rises after 2020 do not show.

    Returns:
        Per aggregate: (steady pace, excess of 2020, excess as a share of the rise since 2019).

    """
    out = {}
    for name, level in _aggregates(table).items():
        years = sorted(level)
        steps = {b: level[b] - level[a] for a, b in itertools.pairwise(years)}
        steady = float(np.mean([v for y, v in steps.items() if y != 2020]))
        excess = steps[2020] - steady
        out[name] = (steady, excess, excess / (level[years[-1]] - level[2019]))
    return out


def main() -> None:
    """Print each region's yearly level, then who got the lockdown jump."""
    print("region        " + "".join(f"{y:>8}" for y in YEARS))
    for group in GROUPS:
        level = regional_use(group)
        print(f"{group:<14}" + "".join(f"{level[y]:>8.3f}" for y in YEARS))
    print("\nrise in use, points (the World Bank's aggregates)   2019-2020   2018-2019")
    for name, (jump, before) in lockdown_jumps().items():
        print(f"{name:<50}{jump:>10.1f}{before:>12.1f}")
    print(
        "\nthe 2020 step above the steady pace     steady, points a year   excess   share of the"
        " rise since 2019"
    )
    for name, (steady, excess, share) in lockdown_excess().items():
        print(f"{name:<40}{steady:>22.1f}{excess:>9.1f}{share:>12.0%}")


if __name__ == "__main__":
    main()
