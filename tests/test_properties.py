"""Invariants over randomly generated valid scenarios (property-based)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.groups import AGE_BANDS, DIMENSIONS
from model.inclusion_model import InclusionModel
from model.indicator_registry import MEASURES
from model.loader import scenario_from_dict
from model.params import PARAMETERS

QUARTERS = [f"{y}Q{q}" for y in range(2019, 2031) for q in range(1, 5)][3:]

share = st.floats(0.0, 1.0)
window = st.tuples(st.integers(0, 20), st.integers(0, 20)).map(sorted)


AGE_VALUES = list(DIMENSIONS["age"].values)


def _some(values: list) -> st.SearchStrategy:
    return st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True)


@st.composite
def eligibility(draw) -> dict:
    """Any combination of the eligibility keys, each with any non-empty set of its values."""
    out = {}
    if draw(st.booleans()):
        out["quintile"] = draw(_some([1, 2, 3, 4, 5]))
    if draw(st.booleans()):
        out["location"] = draw(_some(["urban", "rural"]))
    if draw(st.booleans()):
        out["sex"] = draw(_some(["female", "male"]))
    if draw(st.booleans()):
        out["age"] = draw(_some(AGE_VALUES))
    if draw(st.booleans()):
        out["disability"] = draw(_some(["with", "without"]))
    if draw(st.booleans()):
        out["offline_in_2019"] = draw(st.booleans())
    return out


@st.composite
def policy(draw) -> dict:
    kind = draw(
        st.sampled_from(
            [
                "connectivity",
                "affordability",
                "skills_training",
                "labour_regulation",
                "social_protection",
            ]
        )
    )
    start, end = draw(window)
    p = {
        "type": kind,
        "start": QUARTERS[start],
        "end": QUARTERS[end],
        "intensity": draw(share),
        "eligibility": draw(eligibility()),
    }
    if kind == "connectivity":
        p["households_covered_per_year"] = draw(st.floats(0, 5e7))
    elif kind == "affordability":
        p["service_subsidy"] = draw(share)
        p["device_subsidy"] = draw(share)
        p["extra_price_decline_per_year"] = draw(st.floats(0, 0.3))
    elif kind == "skills_training":
        p["places_per_quarter"] = draw(st.floats(0, 1e7))
        p["accessible_delivery"] = draw(st.booleans())
    elif kind == "labour_regulation":
        p["gig_reduction"] = draw(share)
        p["platform_income_floor"] = draw(share)
    return p


@st.composite
def scenario(draw) -> dict:
    names = draw(st.lists(st.sampled_from(sorted(PARAMETERS)), max_size=4, unique=True))
    pars = {n: draw(st.floats(PARAMETERS[n].low, PARAMETERS[n].high)) for n in names}
    return {
        "name": "prop",
        "label": "property test",
        "region": draw(st.sampled_from(["lac", "ldc", "world"])),
        "parameters": pars,
        "policies": draw(st.lists(policy(), max_size=3)),
    }


def partitions(adults_only: bool) -> list[list[str]]:
    """Groups that split everyone a measure counts into disjoint parts, one list per dimension.

    Ages: the bands 15-24, 25-64, 65+ for measures of persons 15+; for measures of everyone
    the bands from 5-12 (children under 5 cannot use the Internet, so they count nowhere).
    """
    ages = ["15-24", "25-64", "65+"] if adults_only else list(AGE_BANDS[1:])
    out = [[f"age={a}" for a in ages]]
    for dim in ("sex", "disability", "location", "quintile"):
        out.append([f"{dim}={v}" for v in DIMENSIONS[dim].values])
    return out


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.integers(0, 2**32))
def test_invariants_hold_in_any_valid_scenario(data: dict, seed: int) -> None:
    loaded = scenario_from_dict(data)
    model = InclusionModel(loaded, seed, 1_500)
    h, p = model.h, model.p
    assert np.isclose(h.n * model.pop.weight, loaded.region.population.households)
    model.run(8)
    ts = model.result().timeseries
    assert not ts.isna().any().any()
    shares = ts[[c for c in ts if c.startswith("share_")]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    money = ts[[c for c in ts if c.startswith(("mean_income", "spend:"))]]
    assert (money >= 0).all().all()
    assert (h.income >= 0).all()
    assert not (p.is_online & (p.age < 5)).any()
    assert not ((p.is_employed | p.is_trained) & ~p.is_working_age).any()
    for m in MEASURES:
        total = ts[f"n_people_{m.name}"]
        for names in partitions(m.adults_only):
            parts = sum(ts[f"n_people_{m.name}:{g}"] for g in names)
            assert np.allclose(parts, total, rtol=1e-9), (m.name, names)
    homes = ts["n_households_connected"]
    for dim in ("location", "quintile"):
        parts = sum(ts[f"n_households_connected:{dim}={v}"] for v in DIMENSIONS[dim].values)
        assert np.allclose(parts, homes, rtol=1e-9)
