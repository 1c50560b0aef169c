"""Regional Internet use from one vintage of ITU's country estimates (tools.regional_use)."""

from __future__ import annotations

import itertools

import pytest

from model.loader import load_region
from tools.regional_use import filled, lockdown_excess, lockdown_jumps, regional_use


def test_a_gap_is_filled_between_its_neighbours_and_the_ends_take_the_nearest_year():
    assert filled([None, 10.0, None, 20.0, None]).tolist() == [10.0, 10.0, 15.0, 20.0, 20.0]


def test_regional_levels_rise_every_year_from_2017_to_2022():
    for group in ("africa", "ldc", "asia_pacific"):
        level = regional_use(group)
        assert list(level) == list(range(2017, 2023))
        assert all(b > a for a, b in itertools.pairwise(level.values()))


@pytest.mark.parametrize(
    ("group", "level_2019"), [("africa", 0.243), ("ldc", 0.227), ("asia_pacific", 0.484)]
)
def test_the_2019_levels_docs_calibration_quotes(group, level_2019):
    assert regional_use(group)[2019] == pytest.approx(level_2019, abs=0.0005)


def test_low_income_countries_got_no_lockdown_jump_and_lower_middle_income_ones_did():
    jumps = lockdown_jumps()
    low, before_low = jumps["Low-income countries"]
    lower_middle, before_lower_middle = jumps["Lower-middle-income countries"]
    assert low < before_low and lower_middle > before_lower_middle + 3


def test_the_ldc_profile_starts_from_the_tools_2019_level():
    start = _start("ldc")
    assert "tools.regional_use" in start.source
    assert start.value == pytest.approx(regional_use("ldc")[2019], abs=0.0005)


@pytest.mark.parametrize("group", ["africa", "asia_pacific"])
def test_itus_own_2019_aggregate_where_a_profile_starts_from_it_is_within_a_point_of_the_tools(
    group,
):
    start = _start(group)
    assert "tools.regional_use" in start.source
    assert start.value == pytest.approx(regional_use(group)[2019], abs=0.01)


def _start(group: str):
    region = load_region(group)
    return next(t for t in region.targets if t.measure == "internet_use" and t.group == "all")


def test_the_2020_step_above_the_steady_pace_was_a_fifth_of_the_worlds_rise_and_none_of_africas():
    excess = lockdown_excess()
    steady, world, share = excess["World"]
    assert 2.5 < steady < 4.0 and 2.5 < world < 3.5 and 0.15 < share < 0.3
    assert excess["Sub-Saharan Africa (WB)"][2] < 0.1
    assert excess["Low-income countries"][1] < 0
    assert excess["Latin America and Caribbean (WB)"][2] > 0.2
