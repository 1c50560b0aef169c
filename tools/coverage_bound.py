"""Asia-Pacific's mobile-broadband coverage, bounded from ITU's world and regional figures.

ITU's *Facts and Figures 2021* (mobile network coverage page, 15 November 2021) gives the
share of persons with 3G or better in 2021 for the world (95%), Africa (82%: "18 per cent of
the population remains without any access to a mobile broadband network") and the CIS (89%),
and says only that the three other regions besides Asia-Pacific are at 90% or more. The
persons the world's 95% covers, less those Africa's and the CIS's shares cover, and less every
person of the Americas, the Arab States and Europe (taken as fully covered, which makes the
result a floor: FF2021 has 22% of the Americas' rural population without any coverage), are
covered persons of Asia-Pacific. Persons are those of 2020 (UN DESA World Population
Prospects 2019, medium variant, data package ``wpp2019``, files ``popM``/``popF``): Africa's
and Asia-Pacific's summed from ``scenarios/sources/internet_use_by_country.csv``, the world's
and the CIS's below.

The region's rural rate follows as in ITU's method (FF2021 methodology page: urban areas are
taken as covered, the rest of the covered persons live in rural areas), with the profile's
urban coverage and rural share: ``(coverage - (1 - rural_share) * urban) / rural_share``.

The published figures are rounded to whole per cents; the tool prints the central reading
and the floor at the rounding extremes (world 94.5%, Africa 82.5%, CIS 89.5%). It also prints
the rural 3G+ rate that the world's own 95% implies with the world profile's towns and rural
share, beside which the profile's assumed 0.72 stands.

Usage: ``python -m tools.coverage_bound``.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from model.loader import load_region
from tools.regional_use import members

WORLD_PERSONS = 7_794_798.7
"""Persons in the world on 1 July 2020, thousands (WPP2019, ``popM`` + ``popF``, code 900)."""

CIS_PERSONS = 294_582.0
"""Persons of ITU's CIS region on 1 July 2020, thousands (WPP2019): Armenia, Azerbaijan,
Belarus, Georgia, Kazakhstan, Kyrgyzstan, the Republic of Moldova, the Russian Federation,
Tajikistan, Turkmenistan, Ukraine and Uzbekistan (Georgia's 3,989 moves the floor by less than
0.001)."""


class Shares(NamedTuple):
    """Shares of persons with 3G or better in 2021 (ITU Facts and Figures 2021)."""

    world: float
    africa: float
    cis: float


PUBLISHED = Shares(world=0.95, africa=0.82, cis=0.89)
"""As published (whole per cents)."""

ROUNDING_FLOOR = Shares(world=0.945, africa=0.825, cis=0.895)
"""The rounding extremes that make Asia-Pacific's floor lowest."""


@cache
def region_persons(group: str) -> float:
    """Persons of a region of the country table in 2020, thousands (read once a region)."""
    return sum(float(r["persons_2020"]) for r in members(group)) / 1e3


def coverage_floor(shares: Shares) -> float:
    """The least share of Asia-Pacific's persons with 3G or better that ``shares`` allow."""
    africa, asia_pacific = region_persons("africa"), region_persons("asia_pacific")
    rest = WORLD_PERSONS - africa - asia_pacific - CIS_PERSONS
    covered = (
        shares.world * WORLD_PERSONS - shares.africa * africa - shares.cis * CIS_PERSONS - rest
    )
    return covered / asia_pacific


def rural_rate(coverage: float, *, urban: float, rural_share: float) -> float:
    """The rural coverage that gives ``coverage`` of persons with ``urban`` in towns."""
    return (coverage - (1 - rural_share) * urban) / rural_share


@cache
def _towns_and_rural_share(name: str) -> tuple[float, float]:
    """Profile ``name``'s 3G+ coverage of towns and its rural share (loaded once a profile)."""
    region = load_region(name)
    return region.coverage.broadband_urban.value, region.composition.share_rural.value


def profile_rural_rate(name: str, coverage: float) -> float:
    """The rural 3G+ rate that gives ``coverage`` with profile ``name``'s towns and rural share."""
    urban, rural_share = _towns_and_rural_share(name)
    return rural_rate(coverage, urban=urban, rural_share=rural_share)


def main() -> None:
    """Print the floor of Asia-Pacific's coverage, and the rural rates of both profiles."""
    for name, shares in (("published", PUBLISHED), ("rounding floor", ROUNDING_FLOOR)):
        floor = coverage_floor(shares)
        rural = profile_rural_rate("asia_pacific", floor)
        print(f"{name:<15} Asia-Pacific 3G+ at least {floor:.3f}; rural {rural:.3f}")
    for name, world in (("published", PUBLISHED.world), ("rounding floor", ROUNDING_FLOOR.world)):
        rural = profile_rural_rate("world", world)
        print(f"{name:<15} world 3G+ {world:.3f}; rural {rural:.3f}")


if __name__ == "__main__":
    main()
