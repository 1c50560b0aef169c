"""Scenario settings by address: the one syntax of sweeps, ``--set`` and the Python API.

An address is ``parameters.<name>`` (or the bare name),
``policies.<policy name or type>.<field>[.<sub>]``, or a scenario field of
:data:`SCENARIO_FIELDS` (``discount_rate``). Settings are applied to a scenario's
mapping and the result goes through the loader, so a bad value gets the message the same
value in a file gets.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.errors import InputError, Problem, did_you_mean, key_path, single
from model.loader import LoadedScenario, load_scenario, resolve_region, scenario_from_dict
from model.params import PARAMETERS
from model.yamlio import Lines, line_of, read_yaml

SCENARIO_FIELDS = ("discount_rate",)
"""Top-level scenario fields an address can set (a number a user may vary, e.g. in a sweep)."""


def canonical_address(
    address: str, section: str, lines: Lines, problems: list[Problem]
) -> str | None:
    """Canonical address of an input or constant, or None after recording a problem."""
    address = str(address)
    loc = (section, address)
    if section == "levers" and not address.startswith("policies."):
        problems.append(
            Problem(
                f"{section}.{address}",
                f"'{address}' is not a policy setting.",
                "address levers as policies.<policy name or type>.<field>, e.g. "
                "policies.affordability.intensity; behavioural parameters go "
                "under uncertainties:.",
                line_of(lines, loc),
            )
        )
        return None
    if address.startswith("policies."):
        parts = address.split(".")
        if len(parts) < 3 or not all(parts):
            problems.append(
                Problem(
                    f"{section}.{address}",
                    f"'{address}' does not name a policy field.",
                    "write policies.<policy name or type>.<field>, e.g. "
                    "policies.affordability.intensity.",
                    line_of(lines, loc),
                )
            )
            return None
        return address
    if address in SCENARIO_FIELDS and section != "levers":
        return address
    param = address.removeprefix("parameters.")
    if param not in PARAMETERS:
        what = (
            "behavioural parameter" if section == "uncertainties" else "parameter or policy field"
        )
        problems.append(
            Problem(
                f"{section}.{address}",
                f"unknown {what} '{param}';",
                did_you_mean(param, PARAMETERS),
                line_of(lines, loc),
            )
        )
        return None
    return f"parameters.{param}"


def _split_policy(address: str) -> tuple[str, list[str]]:
    parts = address.split(".")
    return parts[1], parts[2:]


def _policy_index(policies: list[dict[str, Any]], ref: str) -> list[int]:
    by_name = [k for k, p in enumerate(policies) if isinstance(p, dict) and p.get("name") == ref]
    if by_name:
        return by_name
    return [
        k
        for k, p in enumerate(policies)
        if isinstance(p, dict) and p.get("type") == ref and not p.get("name")
    ] or [k for k, p in enumerate(policies) if isinstance(p, dict) and p.get("type") == ref]


def with_policies(
    base: dict[str, Any], addresses: list[str], lines: Lines, name: str
) -> dict[str, Any]:
    """Add a default entry for each addressed policy type the scenario does not have."""
    out = copy.deepcopy(base)
    policies = list(out.get("policies") or [])
    problems = []
    for address in addresses:
        if not address.startswith("policies."):
            continue
        ref, _ = _split_policy(address)
        found = _policy_index(policies, ref)
        if len(found) > 1:
            problems.append(
                Problem(
                    address,
                    f"the base scenario has {len(found)} policies of type '{ref}'.",
                    "give each a 'name:' in the scenario and address it by name.",
                    None,
                )
            )
        elif not found:
            policies.append({"type": ref})
    if problems:
        raise InputError(name, problems)
    out["policies"] = policies
    return out


def apply_overrides(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of scenario mapping ``base`` with each address set to its value.

    ``parameters.<name>`` sets a behavioural parameter; ``policies.<ref>.<field>[.<sub>]``
    sets a field of the policy whose ``name`` (else ``type``) is ``ref``.

    Raises:
        KeyError: a policy address matches no policy of ``base``.

    """
    out = copy.deepcopy(base)
    for address, value in values.items():
        if address.startswith("parameters."):
            out.setdefault("parameters", {})[address.removeprefix("parameters.")] = _plain(value)
            continue
        if address in SCENARIO_FIELDS:
            out[address] = _plain(value)
            continue
        ref, fields = _split_policy(address)
        found = _policy_index(out.get("policies") or [], ref)
        if not found:
            raise KeyError(f"no policy '{ref}' in the base scenario")
        target = out["policies"][found[0]]
        for f in fields[:-1]:
            if not isinstance(target.get(f), dict):
                target[f] = {}
            target = target[f]
        target[fields[-1]] = _plain(value)
    return out


def with_settings(
    base: dict[str, Any], values: Mapping[str, Any], name: str, section: str = "set"
) -> dict[str, Any]:
    """A copy of scenario mapping ``base`` with each address set, checked as a sweep's constants.

    Addresses are the sweep's: ``parameters.<name>`` (or the bare name),
    ``policies.<policy name or type>.<field>[.<sub>]`` and ``discount_rate``; a policy type
    the scenario lacks is added with its defaults. The values themselves are checked when the
    scenario is loaded.

    Args:
        base: the scenario mapping.
        values: address -> value.
        name: what messages call the scenario.
        section: what messages call the settings (``set`` for ``--set`` and the Python API).

    Raises:
        InputError: an address names no parameter or policy field.

    """
    problems: list[Problem] = []
    canon: dict[str, Any] = {}
    for address, value in values.items():
        c = canonical_address(address, section, {}, problems)
        if c is not None:
            canon[c] = value
    if problems:
        raise InputError(name, problems)
    return apply_overrides(with_policies(base, list(canon), {}, name), canon)


def scenario_path(base: dict[str, Any], address: str) -> str:
    """Key path inside the scenario that ``address`` sets, e.g. ``policies[1].intensity``."""
    if address.startswith("parameters.") or address in SCENARIO_FIELDS:
        return address
    ref, fields = _split_policy(address)
    k = _policy_index(base.get("policies") or [], ref)[0]
    return key_path(("policies", k, *fields))


def policy_prefix(base: dict[str, Any], address: str) -> str:
    """Key path of the policy entry an address points into ('' for parameters)."""
    if not address.startswith("policies."):
        return ""
    ref, _ = _split_policy(address)
    return key_path(("policies", _policy_index(base.get("policies") or [], ref)[0]))


def _plain(value: Any) -> Any:
    """Numpy scalars to Python scalars (mappings must stay plain YAML-like data)."""
    return value.item() if hasattr(value, "item") else value


def scenario_data(path: str | Path) -> dict[str, Any]:
    """A scenario file's mapping, its region path made absolute so workers find it anywhere."""
    data, _ = read_yaml(path)
    region = str(data.get("region", ""))
    if region.endswith((".yaml", ".yml")) or "/" in region:
        data["region"] = str(resolve_region(region, Path(path).parent).resolve())
    return data


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
