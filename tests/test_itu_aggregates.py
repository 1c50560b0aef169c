"""ITU's regional estimates of one vintage (tools.itu_aggregates) and the profiles citing them."""

from __future__ import annotations

import csv
import math
from functools import partial
from pathlib import Path

import pytest

from tools.itu_aggregates import (
    REGIONS,
    TABLE,
    itu_use,
    parity,
    urban_rural_ratio,
    youth_ratio,
)


def _share(group: str, region: str, year: int) -> float:
    return itu_use(region, group, year)


PROFILES = Path(__file__).resolve().parent.parent / "scenarios" / "regions"

SHARES = {
    "targets.internet_use.people.all": "all",
    "paths.share_internet_use": "all",
    "paths.share_internet_use:sex=male": "male",
    "paths.share_internet_use:sex=female": "female",
    "paths.share_internet_use:age=15-24": "age_15_24",
    "paths.share_internet_use:location=urban": "urban",
    "paths.share_internet_use:location=rural": "rural",
}
"""Profile rows that hold one of the table's shares, and the table's group of each."""

EXPECTED = {
    **{key: partial(_share, group) for key, group in SHARES.items()},
    "targets.internet_use.people.sex=female/sex=male": parity,
    "targets.internet_use.people.location=urban/location=rural": urban_rural_ratio,
    "paths.gps_internet_use": parity,
    "paths.ratio_urban_rural_internet_use": urban_rural_ratio,
}
"""What each kind of profile row holds when its source is the table."""


def rows_citing_the_table() -> list[tuple[str, dict[str, str]]]:
    """(profile, row) for every row of a profile table whose source cites the ITU table."""
    found = []
    for path in sorted(PROFILES.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            found += [(path.stem, r) for r in csv.DictReader(f) if TABLE.name in r["source"]]
    return found


def fitted(row: dict[str, str]) -> bool:
    """A 2019 ratio fitted to the table's first year by area or age (ITU gives none for 2019)."""
    return row["source"].startswith("Fitted to ITU's")


def test_the_profiles_hold_the_figures_of_the_table_they_cite():
    rows = [
        (profile, r)
        for profile, r in rows_citing_the_table()
        if r["key"] in EXPECTED and not fitted(r)
    ]
    assert len(rows) >= 14
    for profile, r in rows:
        expected = EXPECTED[r["key"]](profile, int(r["year"]))
        assert float(r["value"]) == pytest.approx(expected, abs=0.0005), (profile, r["key"])


def test_only_fitted_2019_ratios_cite_the_table_without_holding_one_of_its_figures():
    others = [r for _, r in rows_citing_the_table() if r["key"] not in EXPECTED or fitted(r)]
    assert all(fitted(r) for r in others)
    assert {r["key"] for r in others} == {
        "targets.internet_use.people.age=15-24/age=not-15-24",
        "targets.internet_use.people.location=urban/location=rural",
    }


@pytest.mark.parametrize("region", REGIONS)
def test_women_and_the_rest_are_below_the_whole_and_men_and_youth_above(region):
    for year in range(2019, 2025):
        assert itu_use(region, "female", year) < itu_use(region, "all", year)
        assert itu_use(region, "all", year) < itu_use(region, "male", year)
    for year in range(2021, 2025):
        assert itu_use(region, "age_other", year) < itu_use(region, "all", year)
        assert itu_use(region, "all", year) < itu_use(region, "age_15_24", year)
        assert itu_use(region, "rural", year) < itu_use(region, "all", year)
        assert itu_use(region, "all", year) < itu_use(region, "urban", year)


def test_the_figures_facts_and_figures_2024_quotes():
    assert parity("asia_pacific", 2019) == pytest.approx(0.89, abs=0.005)
    assert parity("asia_pacific", 2024) == pytest.approx(0.95, abs=0.005)
    assert parity("ldc", 2024) == pytest.approx(0.70, abs=0.005)
    assert itu_use("africa", "age_15_24", 2024) == pytest.approx(0.53)
    assert youth_ratio("africa", 2021) == pytest.approx(1.82, abs=0.005)


def test_an_age_split_before_2021_is_not_in_the_table():
    with pytest.raises(KeyError):
        itu_use("africa", "age_15_24", 2019)


def test_gains_compare_logits_of_the_group_ahead_and_the_one_behind() -> None:
    """Equal logit gains give a ratio of 1 whatever the points; a stalled group a large one."""
    from tools.itu_aggregates import gain_rows

    half, up = 0.5, 1 / (1 + math.exp(-1.0))  # logit 0 -> 1
    low, mid = 1 / (1 + math.exp(2.0)), 1 / (1 + math.exp(1.0))  # logit -2 -> -1
    use = {
        "male": (half, up),
        "female": (low, mid),
        "urban": (half, up),
        "rural": (low, low + 1e-9),
        "age_15_24": (half, up),
        "age_other": (half, up),
    }
    sexes, areas, ages = gain_rows(use)
    assert sexes[0] == "male/female"
    assert sexes[3:] == pytest.approx((1.0, 1.0, 1.0))
    assert sexes[1] == pytest.approx(up - half) and sexes[2] == pytest.approx(mid - low)
    assert areas[5] > 1e6
    assert ages[5] == pytest.approx(1.0)


def test_itu_puts_asia_pacific_growth_in_its_towns() -> None:
    """The figure docs/calibration.md quotes: towns gained over four times rural areas' logit."""
    from tools.itu_aggregates import gain_rows, itu_gains

    areas = gain_rows(itu_gains("asia_pacific"))[1]
    assert areas[0] == "urban/rural"
    assert areas[1] == pytest.approx(0.083) and areas[2] == pytest.approx(0.027)
    assert areas[5] == pytest.approx(4.69, abs=0.01)
