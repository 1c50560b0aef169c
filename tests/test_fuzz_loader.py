"""Property-based fuzzing of the loader: no input gives a traceback, only InputError."""

from __future__ import annotations

import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.loader import scenario_from_dict, validate
from model.schema import Region
from model.yamlio import parse_yaml
from tests.paths import REGIONS, SCENARIOS

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(string.ascii_lowercase + "_", max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)


def _accepts_or_explains(fn, *args) -> None:
    try:
        fn(*args)
    except InputError as exc:
        text = exc.render()
        assert text.startswith("error: ")
        assert "Traceback" not in text


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_but_input_error(raw: bytes) -> None:
    _accepts_or_explains(parse_yaml, raw, "fuzz.yaml")


@SETTINGS
@given(st.text(alphabet=string.printable + "&*!|>-:{}[]#'\"", max_size=300))
def test_yaml_like_text_never_raises_anything_but_input_error(text: str) -> None:
    _accepts_or_explains(parse_yaml, text, "fuzz.yaml")


BASELINE, _ = parse_yaml((SCENARIOS / "lac" / "four_is.yaml").read_bytes())
REGION, _ = parse_yaml((REGIONS / "lac.yaml").read_bytes())


def _mutate(data: dict, path: list, value) -> dict:
    out = yaml.safe_load(yaml.safe_dump(data))
    node = out
    for key in path[:-1]:
        node = node[key] if isinstance(node, dict) else node[int(key) % len(node)]
    if isinstance(node, dict):
        node[path[-1]] = value
    return out


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


SCENARIO_PATHS = [p for p in _paths(BASELINE) if not isinstance(p[-1], int)]
REGION_PATHS = [p for p in _paths(REGION) if not isinstance(p[-1], int)]


@pytest.mark.slow
@SETTINGS
@given(st.sampled_from(SCENARIO_PATHS), values)
def test_any_value_at_any_scenario_key_is_accepted_or_explained(path, value) -> None:
    _accepts_or_explains(scenario_from_dict, _mutate(BASELINE, list(path), value))


@pytest.mark.slow
@SETTINGS
@given(st.sampled_from(REGION_PATHS), values)
def test_any_value_at_any_region_key_is_accepted_or_explained(path, value) -> None:
    _accepts_or_explains(validate, Region, _mutate(REGION, list(path), value), {}, "r.yaml")
