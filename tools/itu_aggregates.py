"""ITU's own regional estimates of Internet use, all of one vintage (Facts and Figures 2024).

ITU revises its regional back series with every edition of Facts and Figures, and its age
model changed between editions: FF2021 put Africa's ratio of youth to everyone else at 1.47
for 2020, FF2024 puts it at 1.82 for 2021. A profile that starts from one edition and is
checked against another mixes two paths. ``scenarios/sources/itu_regional_internet_use_2024.csv``
copies, for the ITU regions and groups the profiles model, the percentages of ITU's *Key ICT
indicators for the world and ITU regions*, version November 2024, the data of Facts and
Figures 2024 (``ITU_regional_global_Key_ICT_indicator_aggregates_Nov_2024.xlsx``, published
under itu.int/en/ITU-D/Statistics/Documents/facts/; read from a copy at
github.com/youss-ben/PI2-441-, commit 7196386, whose every figure checked against FF2024's
text agrees: 227 million new users in 2024, Asia-Pacific's gender parity 0.89 -> 0.95,
Africa's youth 53% against 34%):

- sheet "By gender": ``all``, ``female`` and ``male``, 2019-2024;
- sheet "By urban-rural area": ``urban`` and ``rural``, 2021-2024;
- sheet "Internet use by age": ``age_15_24`` and ``age_other`` (everyone not aged 15-24,
  children included: the two average to the all-ages rate), 2021-2024. The workbook has no
  age split before 2021.

Values are ITU's, rounded to one decimal; the parity scores and youth ratios this tool prints
are arithmetic on them.

Usage: ``python -m tools.itu_aggregates``.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

TABLE = (
    Path(__file__).resolve().parent.parent
    / "scenarios"
    / "sources"
    / "itu_regional_internet_use_2024.csv"
)
"""The table: region, group, year, percent."""

REGIONS = ("world", "ldc", "africa", "arab_states", "asia_pacific")
"""The regions of the table, by the name of the profile that models each."""


@cache
def _table() -> dict[tuple[str, str, int], float]:
    with TABLE.open(newline="", encoding="utf-8") as f:
        return {
            (r["region"], r["group"], int(r["year"])): float(r["percent"])
            for r in csv.DictReader(f)
        }


def itu_use(region: str, group: str, year: int) -> float:
    """Share (0-1) of ``group`` in ``region`` using the Internet in ``year``, as ITU estimates.

    Args:
        region: one of :data:`REGIONS`.
        group: ``all``, ``female``, ``male``, ``urban``, ``rural``, ``age_15_24`` or
            ``age_other``.
        year: 2019-2024 (2021-2024 for the areas and the age groups).

    Raises:
        KeyError: the table has no such figure.

    """
    return _table()[(region, group, year)] / 100.0


def parity(region: str, year: int) -> float:
    """ITU's gender parity score: women's rate over men's."""
    return itu_use(region, "female", year) / itu_use(region, "male", year)


def urban_rural_ratio(region: str, year: int) -> float:
    """Town dwellers' rate over rural dwellers' (2021-2024)."""
    return itu_use(region, "urban", year) / itu_use(region, "rural", year)


def youth_ratio(region: str, year: int) -> float:
    """Youth 15-24's rate over everyone else's (2021-2024)."""
    return itu_use(region, "age_15_24", year) / itu_use(region, "age_other", year)


def main() -> None:
    """Print each region's level, gender parity and youth ratio by year."""
    print(f"{'region':<14}{'year':>6}{'use':>8}{'parity':>8}{'youth':>8}{'rest':>8}{'ratio':>7}")
    for region in REGIONS:
        for year in range(2019, 2025):
            aged = (region, "age_15_24", year) in _table()
            youth = f"{itu_use(region, 'age_15_24', year):8.3f}" if aged else " " * 8
            rest = f"{itu_use(region, 'age_other', year):8.3f}" if aged else " " * 8
            ratio = f"{youth_ratio(region, year):7.2f}" if aged else ""
            print(
                f"{region:<14}{year:>6}{itu_use(region, 'all', year):8.3f}"
                f"{parity(region, year):8.3f}{youth}{rest}{ratio}"
            )


if __name__ == "__main__":
    main()
