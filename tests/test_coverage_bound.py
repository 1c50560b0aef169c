"""Asia-Pacific's mobile-broadband coverage bounded from ITU's figures (tools.coverage_bound)."""

from __future__ import annotations

import pytest

from model.loader import load_region
from tools.coverage_bound import (
    PUBLISHED,
    ROUNDING_FLOOR,
    coverage_floor,
    profile_rural_rate,
    region_persons,
    rural_rate,
)


def test_the_regions_persons_are_the_profiles():
    for group in ("africa", "asia_pacific"):
        persons = load_region(group).population.persons.value
        assert region_persons(group) * 1e3 == pytest.approx(persons, rel=1e-5)


def test_the_floor_docs_calibration_quotes_and_the_rounding_extremes_lower_it():
    assert coverage_floor(PUBLISHED) == pytest.approx(0.962, abs=0.0005)
    assert coverage_floor(ROUNDING_FLOOR) == pytest.approx(0.951, abs=0.0005)


def test_the_rural_rate_gives_back_the_coverage_it_was_taken_from():
    rural = rural_rate(0.9, urban=0.99, rural_share=0.4)
    assert 0.6 * 0.99 + 0.4 * rural == pytest.approx(0.9)
    assert rural_rate(0.9, urban=1.0, rural_share=0.4) == pytest.approx(0.75)


def test_the_asia_pacific_profile_takes_the_rural_rate_of_the_published_floor():
    rates = load_region("asia_pacific").coverage
    floor = profile_rural_rate("asia_pacific", coverage_floor(PUBLISHED))
    assert "tools.coverage_bound" in rates.broadband_rural.source
    assert rates.broadband_rural.value == pytest.approx(floor, abs=0.005)


@pytest.mark.parametrize("name", ["africa", "arab_states", "asia_pacific", "lac", "ldc", "world"])
def test_every_shipped_profile_leaves_rural_households_with_only_2g_for_upgrades_to_reach(name):
    rates = load_region(name).coverage
    assert rates.rural.value > rates.broadband_rural.value
