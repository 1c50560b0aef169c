"""A policy mix in words: "rural_coverage (connectivity) at 0.60 from 2022Q1; ..."."""

from __future__ import annotations

from typing import Any

SKIPPED = ("type", "name", "intensity", "start", "end", "eligibility")
"""Policy fields described by the sentence's fixed parts, not as 'field value'."""


def describe_mix(scenario: dict[str, Any], addresses: list[str]) -> str:
    """Describe the policies a search decides, as they stand in a candidate's scenario.

    Each policy an address points into gets one clause: its name (and type), its intensity
    ("off" at 0), its start, its eligibility when decided, and any other decided field.

    Args:
        scenario: the candidate's scenario mapping.
        addresses: the decided addresses (``policies.<name or type>.<field>[.<sub>]``).

    """
    policies = [p for p in scenario.get("policies") or [] if isinstance(p, dict)]
    clauses = []
    decided: dict[str, list[list[str]]] = {}
    for a in addresses:
        if a.startswith("policies."):
            ref, *fields = a.split(".")[1:]
            decided.setdefault(ref, []).append(fields)
    for ref, fields in decided.items():
        policy = next((p for p in policies if p.get("name") == ref), None) or next(
            (p for p in policies if p.get("type") == ref), None
        )
        if policy is None:
            continue
        clauses.append(_clause(policy, fields))
    params = [a.removeprefix("parameters.") for a in addresses if a.startswith("parameters.")]
    for name in params:
        clauses.append(f"{name} {_value((scenario.get('parameters') or {}).get(name))}")
    return "; ".join(clauses)


def _clause(policy: dict[str, Any], fields: list[list[str]]) -> str:
    name = policy.get("name") or policy.get("type")
    kind = policy.get("type")
    who = f"{name} ({kind})" if kind and kind != name else str(name)
    intensity = float(policy.get("intensity", 1.0))
    if intensity == 0:
        return f"no {who}"
    parts = [f"{who} at {intensity:.2f}"]
    if policy.get("start"):
        parts.append(f"from {policy['start']}")
    if any(f[0] == "eligibility" for f in fields) and policy.get("eligibility"):
        parts.append(eligibility_words(policy["eligibility"]))
    for f in fields:
        if f[0] in SKIPPED:
            continue
        value: Any = policy
        for key in f:
            value = value.get(key) if isinstance(value, dict) else None
        parts.append(f"{' '.join(f).replace('_', ' ')} {_value(value)}")
    return " ".join(parts)


def eligibility_words(rule: dict[str, Any]) -> str:
    """An eligibility rule in words: 'for quintiles 1-2, rural, offline in 2019'."""
    words = []
    for key, value in sorted(rule.items(), key=lambda kv: _order(kv[0])):
        if key == "quintile" and isinstance(value, list):
            words.append(("quintile " if len(value) == 1 else "quintiles ") + _span(value))
        elif key == "offline_in_2019":
            words.append("offline in 2019" if value else "online in 2019")
        elif isinstance(value, list):
            words.append(f"{key} {'/'.join(map(str, value))}")
        else:
            words.append(f"{key} {value}")
    return "for " + ", ".join(words) if words else "for everyone"


ELIGIBILITY_ORDER = ("quintile", "location", "sex", "age", "disability", "job", "offline_in_2019")
"""The order conditions are named in, whatever order the mapping holds them in."""


def _order(key: str) -> tuple[int, str]:
    return (ELIGIBILITY_ORDER.index(key), "") if key in ELIGIBILITY_ORDER else (99, key)


def _span(values: list[int]) -> str:
    v = sorted(int(x) for x in values)
    if len(v) > 1 and v == list(range(v[0], v[-1] + 1)):
        return f"{v[0]}-{v[-1]}"
    return ", ".join(map(str, v))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)
