"""Scenario settings given as text (``--set address=value``), checked as a file's values are.

An address is a sweep's: ``parameters.<name>`` (or the bare name) or
``policies.<policy name or type>.<field>[.<sub>]``. The value is read as YAML reads a value in
a file (``1.0`` a number, ``true`` a boolean, ``2021Q1`` text), and the scenario with every
setting applied goes through the loader, so a bad value gets the message the file would get.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import yaml

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
