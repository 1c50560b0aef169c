"""Scenario settings given as text (``--set address=value``), checked as a file's values are.

An address is a sweep's: ``parameters.<name>`` (or the bare name) or
``policies.<policy name or type>.<field>[.<sub>]``. The value is read as YAML reads a value in
a file (``1.0`` a number, ``true`` a boolean, ``2021Q1`` text), and the scenario with every
setting applied goes through the loader, so a bad value gets the message the file would get.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from experiments.design.comparison import scenario_data
from experiments.design.specs import with_settings
from model.errors import single
from model.loader import LoadedScenario, load_scenario, scenario_from_dict

EXAMPLE = "policies.digital_basket.service_subsidy=1.0"
"""A well-formed setting, quoted in messages."""


def parse_setting(text: str) -> tuple[str, Any]:
    """Split ``address=value`` and read the value as YAML reads it in a file.

    A date (``2021-01-01``) stays text, so every value can be written to a manifest.

    Raises:
        ValueError: no ``=``, an empty address or value, or a value that is not plain YAML.

    """
    address, equals, raw = text.partition("=")
    address = address.strip()
    if not equals:
        raise ValueError(f"'{text}' has no '='; write ADDRESS=VALUE, e.g. {EXAMPLE}")
    if not address:
        raise ValueError(f"'{text}' has no address before '='; e.g. {EXAMPLE}")
    if not raw.strip():
        raise ValueError(f"'{text}' has no value after '='; write null for an empty value")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise ValueError(f"the value of '{text}' is not a YAML value; quote it") from None
    if isinstance(value, datetime.date):
        value = raw.strip()
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        raise ValueError(f"the value of '{text}' is not a plain YAML value") from None
    return address, value


def load_with_settings(path: str | Path, settings: Mapping[str, Any] | None) -> LoadedScenario:
    """The scenario file with each setting applied, validated as the file itself would be.

    Without settings this is :func:`model.loader.load_scenario`. With them, the loaded
    scenario keeps the file's path and text (for provenance); record the settings beside them.

    Raises:
        InputError: the file, an address or a value is not valid; a value's message is the
            one the loader gives for that value in a file.

    """
    if not settings:
        return load_scenario(path)
    loaded = scenario_from_dict(with_settings(scenario_data(path), settings, str(path)), str(path))
    return dataclasses.replace(loaded, text=Path(path).read_text(encoding="utf-8"))


def settings_json(settings: Mapping[str, Any] | None) -> str:
    """Settings as JSON text ('' for none), e.g. for an environment variable."""
    return json.dumps(dict(settings), sort_keys=True) if settings else ""


def settings_from_json(text: str, name: str) -> dict[str, Any]:
    """Settings from :func:`settings_json` text ('' gives none).

    Raises:
        InputError: the text is not a JSON object.

    """
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise single(name, "is not a JSON object of settings.", 'write {"address": value, ...}.')
    return data
