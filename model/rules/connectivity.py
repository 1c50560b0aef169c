"""Coverage, affordability and the connect / upgrade / drop decisions.

Form: each household wants a connection when its latent propensity (calibrated to 2019 by
raking, :mod:`model.population`) plus the change in its utility since 2019 is positive; it
closes the gap between what it has and what it wants at a rate per quarter (partial
adjustment; utility with network influence reproduces Bass S-curves, Laciana, Rovere &
Podestá 2013). Choice is in levels of cost: the utility falls by ``beta_afford`` per unit of
log(monthly cost / own income + a non-price cost share), with no floor at the 2% target,
and the raked 2019 propensity is the
utility net of 2019 costs (so a change in price or income moves every household, poor or
not, by the same logit per log point, and a free plan is worth most to the poorest). A
device is bought in instalments over :data:`DEVICE_MONTHS` by households with credit, and
otherwise paid up front from :data:`SAVING_MONTHS` of income. The utility change adds the
pull of online neighbours, of skills, of a secular trend and of the lockdown's needs; a
plan costing over 5% of an income that fell is dropped under stress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.calendar import Quarter

AFFORDABLE_SHARE = 0.02
"""Affordability target: a plan costs at most 2% of income (Broadband Commission Target 2);
reported, not a floor on the choice."""
STRESS_SHARE = 0.05
"""Affordability stress: a plan costing over 5% of income (design choice, see DESIGN.md)."""
DEVICE_MONTHS = 24
"""Months over which a household with credit pays a device off (instalments)."""
SAVING_MONTHS = 6
"""Months of a plan's budget over which a household without credit pays a device up front
(assumption: the device is bought from a few months' savings)."""


@dataclass(frozen=True)
class Prices:
    """Monthly prices a household faces this quarter (US$), before subsidies."""

    basic: float
    meaningful: float
    device: float


def market_prices(base: Prices, index: float, policy_factor: float) -> Prices:
    """Prices at market price ``index`` (:func:`price_index`), times the policy's own factor."""
    f = index * policy_factor
    return Prices(base.basic * f, base.meaningful * f, base.device * f)


MEASURED_PRICE_YEARS = (2022, 2023)
"""The two calendar years between ITU's observations of the median mobile-broadband basket as
a share of GNI per capita in 2022 and 2024 (1.5% -> 1.3% -> 1.1%, ITU Facts and Figures 2023
and 2024): from 2022Q1 to 2024Q1 prices fall at ``price_decline_measured``, in every other
quarter at ``price_decline_per_year``."""


def years_of_decline(start: Quarter, now: Quarter) -> tuple[float, float]:
    """Years between ``start`` and ``now`` outside and inside :data:`MEASURED_PRICE_YEARS`."""
    first = Quarter(MEASURED_PRICE_YEARS[0], 1)
    after = Quarter(MEASURED_PRICE_YEARS[1] + 1, 1)
    total = now - start
    inside = max(0, min(now, after) - max(start, first)) if now > first else 0
    return (total - inside) / 4, inside / 4


def price_index(
    start: Quarter, now: Quarter, decline_per_year: float, decline_measured: float
) -> float:
    """Market price now relative to ``start``.

    ITU's measured fall from 2022 to 2024, the long-run ``decline_per_year`` before and after
    (the model's incomes do not grow, so the fall of a price is the fall of its share of
    income, which is what ITU measured).
    """
    other, measured = years_of_decline(start, now)
    return (1 - decline_per_year) ** other * (1 - decline_measured) ** measured


def device_months(has_credit: np.ndarray) -> np.ndarray:
    """Months over which each household pays a device: instalments with credit, else savings."""
    return np.where(has_credit, DEVICE_MONTHS, SAVING_MONTHS).astype(np.float64)


def monthly_cost(
    prices: Prices, subsidy_service: np.ndarray, subsidy_device: np.ndarray, months: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What a household pays a month for basic and for meaningful use, after subsidies.

    Args:
        prices: market prices after the policy price factor.
        subsidy_service: share of the plan paid by policy, per household.
        subsidy_device: share of the device paid by policy, per household.
        months: months over which each household pays its device (:func:`device_months`).

    """
    basic = prices.basic * (1 - subsidy_service)
    device = prices.device / months * (1 - subsidy_device)
    return basic, prices.meaningful * (1 - subsidy_service) + device


def log_cost_share(cost: np.ndarray, income: np.ndarray, nonprice: float) -> np.ndarray:
    """Log of a monthly cost over the household's monthly income plus the non-price cost.

    The non-price cost (time, effort, risk of being online, as a share of income) keeps a
    free plan from being worth an unbounded utility: at zero price the utility gain is
    ``beta_afford * log((share_2019 + nonprice) / nonprice)``, so households with a low
    enough propensity stay offline at any price (Carare et al.: about two thirds of
    non-adopters). Income is taken as at least US$1.
    """
    return np.log(cost / np.maximum(income, 1.0) + nonprice)


def advance_ramp(ramp: np.ndarray, years: float) -> np.ndarray:
    """The coverage ramp-up one quarter on: ``1 / (4 * years)`` more, at most 1."""
    return np.minimum(ramp + np.float32(1.0 / (4.0 * years)), np.float32(1.0)).astype(np.float32)


def reached_by_coverage(ramp: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Rows (households or persons) that the network reaches now.

    Established coverage (ramp 1) reaches everyone under it; new coverage reaches the rows
    whose fixed draw ``u`` lies below the ramp, so the share reached grows linearly over
    ``coverage_ramp_years`` and a row once reached stays reached.
    """
    return (ramp >= 1.0) | ((ramp > 0.0) & (u < ramp))


def electricity_at_home(
    is_rural: np.ndarray,
    online: np.ndarray,
    shares: tuple[float, float],
    u: np.ndarray,
) -> np.ndarray:
    """Households with electricity at home in 2019.

    A household with a home connection in 2019 has electricity (its devices are kept charged
    at home). The rest of each area's share goes to its other households by their draw ``u``,
    so that the area's share of households with electricity is the region's figure, or its
    connected share where that is larger.

    Args:
        is_rural: households in rural areas.
        online: households with a home connection in 2019.
        shares: the region's shares with electricity, (urban, rural).
        u: one uniform draw per household.

    """
    chance = np.zeros(is_rural.shape)
    for area, share in ((~is_rural, shares[0]), (is_rural, shares[1])):
        connected = online[area].mean() if area.any() else 0.0
        chance[area] = np.clip((share - connected) / max(1.0 - connected, 1e-12), 0.0, 1.0)
    return online | (u < chance)


def barrier(is_female: np.ndarray, rel_female: float) -> np.ndarray:
    """Multiplier (<= 1) on a woman's pull towards use (residual barriers: norms, devices).

    Sources: GSMA Mobile Gender Gap reports (women 20% less likely to own a smartphone in low-
    and middle-income countries); ITU FF2024 (gender parity 0.91 -> 0.94 in the world, 0.74
    -> 0.70 in LDCs). Damping what a new home connection adds as well was tried and rejected:
    it pulled the world's 2024 parity to 0.924 (target 0.94) and moved the LDC's only from
    0.818 to 0.798 (target 0.70).
    """
    return np.where(is_female, rel_female, 1.0)


def women_new_access(
    is_female: np.ndarray,
    age: np.ndarray,
    u: np.ndarray,
    women_access: float,
    rel_female: float,
    own_device_age: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Women held at their 2019 access, and the multiplier on each person's pull.

    Where a region gives ``women_access`` below 1 (LDCs: GSMA Mobile Gender Gap Report 2021,
    women 36-37% less likely than men to use mobile Internet in South Asia and Sub-Saharan
    Africa), a woman or girl aged ``own_device_age``+ (the age from which the model's persons
    use a device of their own) has one to take up new access with chance ``women_access``
    (her fixed draw ``u``). One without is held at her 2019 access: the shift of her
    household's 2019 connection and no pull. One with it is treated as a man: the GSMA gap is
    the whole gap of adults (devices, norms, skills), so ``rel_female`` is not applied again.
    Girls under ``own_device_age`` use family devices and get ``rel_female``, as every woman
    does where ``women_access`` is 1 (the world's residual barrier).

    Reading the GSMA figure as a chance (a ratio of rates, as it is published) rather than as a
    share of the logit a new connection adds makes women's share of new use about 0.6-0.65 of
    men's in the LDCs, the margin ITU's parity path (0.74 -> 0.70, FF2024) implies; the
    logit reading gave 0.70 and a parity of 0.73 in 2024.

    Returns:
        (held, damp): persons held at their 2019 access; multiplier on each person's pull.

    """
    if women_access >= 1.0:
        return np.zeros(is_female.shape, dtype=bool), barrier(is_female, rel_female).astype(
            np.float32
        )
    owns_age = age >= own_device_age
    held = is_female & owns_age & (u >= women_access)
    damp = np.where(held, 0.0, np.where(is_female & ~owns_age, rel_female, 1.0))
    return held, damp.astype(np.float32)


def release_held(held: np.ndarray, damp: np.ndarray, u: np.ndarray, women_access: float) -> None:
    """Release the held women whose fixed draw ``u`` lies below the risen ``women_access``.

    A released woman has a device of her own from now on: she is no longer held at her 2019
    access and her pull is no longer damped (as in :func:`women_new_access`, a woman with a
    device is treated as a man). Writes ``held`` and ``damp`` in place.
    """
    released = held & (u < women_access)
    held[released] = False
    damp[released] = 1.0


def utility_shift(
    pull: np.ndarray, cost_share_now: np.ndarray, cost_share_2019: np.ndarray, beta_afford: float
) -> np.ndarray:
    """Change in the logit of wanting a connection since 2019.

    Args:
        pull: sum of the peer, skill, trend and lockdown terms (logit).
        cost_share_now: log of the monthly cost over income this quarter.
        cost_share_2019: the same in 2019 (the raked propensity is net of it).
        beta_afford: logit per unit of log cost share.

    """
    return pull - beta_afford * (cost_share_now - cost_share_2019)


HOME_USE_SHIFT = np.array([-2.0, 0.5, 1.5], dtype=np.float32)
"""Logit shift of a person's own use by the home connection (none, basic, meaningful plan).

Without a home connection, use rests on own mobile data. Assumption; the 2019 levels are
raked to the published person targets (:mod:`model.population`).
"""


def person_uses(
    use_latent: np.ndarray,
    home: np.ndarray,
    can_use: np.ndarray,
    pull: np.ndarray | float,
    barrier: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Persons who use the Internet this quarter.

    Args:
        use_latent: each person's raked logit of use, net of the home connection and of the
            disability barrier.
        home: the home connection of each person's household (0, 1, 2).
        can_use: aged 5+ where the network reaches.
        pull: change since 2019 of the person's own pull towards use (logit), e.g. skills.
        barrier: the disability barrier each person faces (:func:`disability_barrier`).

    """
    return can_use & (use_latent + HOME_USE_SHIFT[home] - barrier + pull > 0)


def home_shift_for(
    home: np.ndarray, home_2019: np.ndarray, is_female: np.ndarray, women_access: float
) -> np.ndarray:
    """The shift of each person's use by the home connection.

    A man gets the shift of the connection his household has now; a woman gets the shift of
    its 2019 connection plus ``women_access`` of the change since (devices in the home go to
    men first: GSMA Mobile Gender Gap reports), so where ``women_access`` is below 1 a gender
    gap can widen as households connect.
    """
    now, before = HOME_USE_SHIFT[home], HOME_USE_SHIFT[home_2019]
    return np.where(is_female, before + women_access * (now - before), now)


def disability_barrier(
    has_disability: np.ndarray, has_assistive: np.ndarray, size: float
) -> np.ndarray:
    """Logit barrier to use of each person: ``size`` with a disability and no assistive tech."""
    return np.where(has_disability & ~has_assistive, size, 0.0)


def adjust(
    has: np.ndarray, wants: np.ndarray, rate: float, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Partial adjustment: who gains and who loses the state this quarter.

    Args:
        has: households in the state now.
        wants: households whose desired state it is.
        rate: share of the mismatch closed per quarter.
        u: one uniform draw per household.

    Returns:
        Masks of households that enter and that leave the state.

    """
    move = u < rate
    return ~has & wants & move, has & ~wants & move


def stress_drop(
    connection: np.ndarray,
    cost_share: np.ndarray,
    income: np.ndarray,
    income_2019: np.ndarray,
    p_stress: float,
    u: np.ndarray,
) -> np.ndarray:
    """Households forced one level down by a plan over 5% of an income that has fallen."""
    stressed = (connection > 0) & (cost_share > STRESS_SHARE) & (income < income_2019)
    return stressed & (u < p_stress)


def skill_pull(skill: np.ndarray, midpoint: float) -> np.ndarray:
    """Smooth 0-1 readiness for meaningful use around a skill ``midpoint``."""
    return 1.0 / (1.0 + np.exp(-10.0 * (skill - midpoint)))
