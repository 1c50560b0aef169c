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

``--gains`` prints, for each region the workbook splits by sex, area and age, who gained
from 2021 to 2024 (the years every split covers): each pair's gain in points and in logit,
and the ratio of the logit gains of the group ahead and the group behind, beside the same
figures of the region's baseline in the model (its shared pulls give every group about the
same logit, so a ratio of about 1, or below 1 for women where their pull is damped).

Usage: ``python -m tools.itu_aggregates [--gains [--seeds N] [--households N]]``.
"""

from __future__ import annotations

import argparse
import csv
import math
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


PAIRS = (("male", "female"), ("urban", "rural"), ("age_15_24", "age_other"))
"""The groups compared by ``--gains``: the one ahead in 2021, then the one behind."""

MODEL_COLUMNS = {
    "all": "share_internet_use",
    "male": "share_internet_use:sex=male",
    "female": "share_internet_use:sex=female",
    "urban": "share_internet_use:location=urban",
    "rural": "share_internet_use:location=rural",
    "age_15_24": "share_internet_use:age=15-24",
}
"""The model's indicator for each group of the table (``age_other`` is derived)."""

GAIN_YEARS = (2021, 2024)
"""The years of ``--gains``: the first and last the workbook splits by area and by age."""


def logit(p: float) -> float:
    """Log-odds of a share."""
    return math.log(p / (1 - p))


def gain_rows(
    use: dict[str, tuple[float, float]],
) -> list[tuple[str, float, float, float, float, float]]:
    """Each pair's gains: (pair, points ahead, points behind, logit ahead, logit behind, ratio)."""
    rows = []
    for ahead, behind in PAIRS:
        (a0, a1), (b0, b1) = use[ahead], use[behind]
        la, lb = logit(a1) - logit(a0), logit(b1) - logit(b0)
        rows.append((f"{ahead}/{behind}", a1 - a0, b1 - b0, la, lb, la / lb))
    return rows


def itu_gains(region: str) -> dict[str, tuple[float, float]]:
    """ITU's 2021 and 2024 shares of every group of :data:`PAIRS`."""
    groups = {g for pair in PAIRS for g in pair}
    return {g: tuple(itu_use(region, g, y) for y in GAIN_YEARS) for g in groups}


def model_gains(region: str, seeds: int, households: int) -> dict[str, tuple[float, float]]:
    """The region baseline's 2021 and 2024 shares (yearly means over ``seeds`` runs).

    Everyone not aged 15-24 is derived from everyone and the youth, weighted by the youth's
    share of persons, as ITU's ``age_other`` is.
    """
    from experiments.analysis.calibration import scenario_with
    from model.run import simulate

    loaded = scenario_with(f"{region}/baseline.yaml")
    steps = (GAIN_YEARS[1] - 2019) * 4 + 1
    yearly = []
    for seed in range(seeds):
        ts = simulate(loaded, seed, households, steps).timeseries
        years = ts.index.str[:4].astype(int)
        means = ts.groupby(years).mean()
        youth = means["n_people_internet_use:age=15-24"] / means["share_internet_use:age=15-24"]
        everyone = means["n_people_internet_use"] / means["share_internet_use"]
        rest = (means["n_people_internet_use"] - means["n_people_internet_use:age=15-24"]) / (
            everyone - youth
        )
        yearly.append({**{g: means[c] for g, c in MODEL_COLUMNS.items()}, "age_other": rest})
    return {
        g: tuple(float(sum(y[g][year] for y in yearly) / seeds) for year in GAIN_YEARS)
        for g in (*MODEL_COLUMNS, "age_other")
    }


def print_gains(seeds: int, households: int) -> None:
    """ITU's and the model's gains of 2021-2024, pair by pair, for every split region."""
    head = f"{'region':<14}{'source':<7}{'pair':<21}{'points':>15}{'logit':>15}{'ratio':>7}"
    print(f"gains {GAIN_YEARS[0]}-{GAIN_YEARS[1]}: the group ahead, then the one behind")
    print(head)
    for region in REGIONS:
        if (region, "urban", GAIN_YEARS[0]) not in _table():
            continue
        model = model_gains(region, seeds, households)
        for source, use in (("ITU", itu_gains(region)), ("model", model)):
            for pair, pa, pb, la, lb, ratio in gain_rows(use):
                print(
                    f"{region:<14}{source:<7}{pair:<21}{pa * 100:+7.1f}{pb * 100:+7.1f} "
                    f"{la:+7.2f}{lb:+7.2f} {ratio:6.2f}"
                )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.itu_aggregates")
    parser.add_argument("--gains", action="store_true", help="who gained from 2021 to 2024")
    parser.add_argument("--seeds", type=int, default=3, help="model runs per region (default 3)")
    parser.add_argument(
        "--households", type=int, default=20_000, help="households per run (default 20,000)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = _arguments()
    if args.gains:
        print_gains(args.seeds, args.households)
    else:
        main()
