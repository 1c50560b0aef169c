"""Invariants over randomly generated valid scenarios (property-based)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.inclusion_model import InclusionModel
from model.indicators import GROUPS
from model.loader import scenario_from_dict
from model.params import PARAMETERS

QUARTERS = [f"{y}Q{q}" for y in range(2019, 2031) for q in range(1, 5)][3:]

share = st.floats(0.0, 1.0)
window = st.tuples(st.integers(0, 20), st.integers(0, 20)).map(sorted)


@st.composite
def eligibility(draw) -> dict:
    out = {}
    if draw(st.booleans()):
        out["quintiles"] = draw(st.lists(st.integers(1, 5), min_size=1, max_size=5, unique=True))
    if draw(st.booleans()):
        out["location"] = draw(
            st.lists(st.sampled_from(["urban", "rural"]), min_size=1, unique=True)
        )
    if draw(st.booleans()):
        out["disability"] = draw(st.booleans())
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


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.integers(0, 2**32))
def test_invariants_hold_in_any_valid_scenario(data: dict, seed: int) -> None:
    loaded = scenario_from_dict(data)
    model = InclusionModel(loaded, seed, 1_500)
    h = model.h
    assert np.isclose(h.weight.sum(), loaded.region.households.value)
    model.run(8)
    ts = model.result().timeseries
    assert not ts.isna().any().any()
    shares = ts[[c for c in ts if c.startswith("share_")]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    money = ts[[c for c in ts if c.startswith(("mean_income", "spend:"))]]
    assert (money >= 0).all().all()
    assert (h.income >= 0).all()
    for measure in ("internet_use", "meaningful", "basic_skills", "employed"):
        total = ts[f"n_people_{measure}"]
        for names in GROUPS.values():
            parts = sum(ts[f"n_people_{measure}:{g}"] for g in names)
            assert np.allclose(parts, total, rtol=1e-9)
