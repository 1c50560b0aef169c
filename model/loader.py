"""Load region profiles and scenarios from YAML into validated objects.

Every failure becomes an :class:`~model.errors.InputError` naming the file, the line, the key
path, the problem and the fix; nothing here prints or exits.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from model import region_table
from model.errors import InputError, Problem, did_you_mean, key_path
from model.params import PARAMETERS
from model.policy_sizes import SIZED_FIELDS, ShareOfRegion, resolve_sizes, unit_problem
from model.schema import Region, Scenario
from model.yamlio import Lines, line_of, read_yaml

ROOT = Path(__file__).resolve().parent.parent
REGIONS_DIR = ROOT / "scenarios" / "regions"


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario with its region and its validated policies.

    Attributes:
        scenario: the validated scenario.
        region: the region profile it names.
        policies: policy configurations, validated against the policy registry.
        path: the file it came from ('' when built in code).
        text: the file's exact text (for provenance).

    """

    scenario: Scenario
    region: Region
    policies: tuple[Any, ...]
    path: str = ""
    text: str = ""


def region_names() -> list[str]:
    """Names of the shipped region profiles."""
    return sorted(p.stem for p in REGIONS_DIR.glob("*.yaml"))


def resolve_region(ref: str, relative_to: Path | None = None) -> Path:
    """Path of a region given by name (``lac``) or by file path.

    A relative path is looked up beside the scenario first (``relative_to``), then from the
    working folder, so a scenario names the same region wherever it is run from.

    Raises:
        InputError: no such region.

    """
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        p = Path(ref)
        if not p.is_absolute() and relative_to is not None and (relative_to / p).exists():
            p = relative_to / p
        return p
    p = REGIONS_DIR / f"{ref}.yaml"
    if not p.exists():
        raise InputError(
            str(ref), [Problem("", f"unknown region '{ref}';", did_you_mean(ref, region_names()))]
        )
    return p


def region_files(path: Path) -> list[Path]:
    """The files a region profile is read from: itself, then its figures table if it names one."""
    data, _ = read_yaml(path)
    table = data.get("figures")
    return [path, path.parent / table] if isinstance(table, str) else [path]


def region_data(path: Path) -> dict[str, Any]:
    """A region file's mapping, with the figures of its table (if it names one) put in place.

    Raises:
        InputError: the file or its table cannot be read.

    """
    return _region_data(path)[0]


def _region_data(path: Path) -> tuple[dict[str, Any], Lines, region_table.Table | None]:
    data, lines = read_yaml(path)
    if not isinstance(data.get("figures"), str):
        return data, lines, None
    file = path.parent / data["figures"]
    if not file.is_file():
        raise InputError(
            str(path),
            [
                Problem(
                    "figures",
                    f"the figures table '{file}' is not found.",
                    "name a CSV file beside the region file.",
                    line_of(lines, ("figures",)),
                )
            ],
        )
    merged, table = region_table.merge(data, region_table.read_table(file, str(file)), str(file))
    return merged, lines, table


def load_region(ref: str | Path) -> Region:
    """Load and validate a region profile by name or path.

    A profile that names a figures table (``figures: FILE.csv``, beside it) takes its figures
    from the table; a problem with a figure names the table, its line and the figure's key.

    Raises:
        InputError: anything wrong with the profile or its table.

    """
    path = resolve_region(str(ref))
    data, lines, table = _region_data(path)
    try:
        return validate(Region, data, lines, str(path))
    except InputError as exc:
        if table is None:
            raise
        raise table.relocate(exc, str(path)) from None


def load_scenario(path: str | Path) -> LoadedScenario:
    """Load a scenario file, its region profile and its policies.

    Raises:
        InputError: anything wrong with the scenario or the region it names.

    """
    name = str(path)
    data, lines = read_yaml(path)
    scenario = validate(Scenario, data, lines, name)
    return finish_scenario(
        scenario, lines, name, Path(path).read_text(encoding="utf-8"), Path(path).parent
    )


def scenario_from_dict(
    data: dict[str, Any],
    name: str = "<scenario>",
    region: Region | None = None,
    folder: Path | None = None,
) -> LoadedScenario:
    """Validate a scenario given as a mapping (e.g. built by a sweep).

    Args:
        data: the scenario mapping.
        name: what messages call it.
        region: its region profile, already loaded (a sweep checking many variants of one
            scenario loads it once); by default it is loaded from the scenario's ``region``.
        folder: where a region given as a relative path is looked up first (the folder of
            the scenario file the mapping was read from).

    """
    scenario = validate(Scenario, data, {}, name)
    return finish_scenario(scenario, {}, name, "", folder, region)


def finish_scenario(
    scenario: Scenario,
    lines: Lines,
    name: str,
    text: str,
    folder: Path | None,
    region: Region | None = None,
) -> LoadedScenario:
    """Check parameters and policies of a validated scenario; load its region if not given."""
    problems = _check_parameters(scenario.parameters, lines)
    policies, policy_problems = _validate_policies(scenario.policies, lines)
    problems += policy_problems
    for k, pol in enumerate(policies):
        if pol is not None and pol.end < pol.start:
            problems.append(
                Problem(
                    f"policies[{k}].end",
                    f"end {pol.end} is before start {pol.start}.",
                    "set end to a later quarter.",
                    line_of(lines, ("policies", k, "end")),
                )
            )
        elif pol is not None:
            problems += _outside_horizon(scenario, pol, k, lines)
    problems += _colliding_names(policies, lines)
    problems += _size_units(policies, lines)
    if problems:
        raise InputError(name, problems)
    if region is not None:
        return LoadedScenario(scenario, region, _resolved(policies, region), name, text)
    try:
        region_path = resolve_region(scenario.region, folder)
    except InputError as exc:
        p = exc.problems[0]
        raise InputError(
            name, [Problem("region", p.message, p.fix, line_of(lines, ("region",)))]
        ) from None
    if not region_path.is_file():
        raise InputError(
            name,
            [
                Problem(
                    "region",
                    f"region file '{region_path}' not found.",
                    "name a region (" + ", ".join(region_names()) + ") or an existing file.",
                    line_of(lines, ("region",)),
                )
            ],
        )
    region = load_region(region_path)
    return LoadedScenario(scenario, region, _resolved(policies, region), name, text)


def _resolved(policies: list[Any], region: Region) -> tuple[Any, ...]:
    """The policies with every size given as a share of the region made absolute."""
    return tuple(resolve_sizes(p, region) for p in policies)


def _size_units(policies: list[Any], lines: Lines) -> list[Problem]:
    """Shares of a region count that does not count what the field counts."""
    problems = []
    for k, pol in enumerate(policies):
        for field in SIZED_FIELDS:
            size = getattr(pol, field, None)
            why = unit_problem(size, field) if isinstance(size, ShareOfRegion) else None
            if why:
                head, _, fix = why.partition("; ")
                loc = ("policies", k, field, "of")
                problems.append(Problem(key_path(loc), head + ".", fix + ".", line_of(lines, loc)))
    return problems


def _outside_horizon(scenario: Scenario, pol: Any, k: int, lines: Lines) -> list[Problem]:
    """A policy whose whole window lies before the scenario's start or after its end."""
    if pol.start <= scenario.end and pol.end >= scenario.start:
        return []
    key = "start" if pol.start > scenario.end else "end"
    given = key in pol.model_fields_set
    return [
        Problem(
            f"policies[{k}].{key}",
            f"the policy runs {pol.start} to {pol.end}"
            + ("" if given else f" ({key} {getattr(pol, key)} is the default)")
            + f", entirely outside the scenario ({scenario.start} to {scenario.end}), so it "
            "would never act.",
            "move its start and end inside the scenario's quarters, or remove the policy.",
            line_of(lines, ("policies", k, key)),
        )
    ]


def policy_names(policies: list[Any]) -> list[str]:
    """Names the policies' columns take: ``name`` or the type, a repeat suffixed ``_2``, ``_3``.

    Kept in step with the model's own renaming (a test compares both).
    """
    seen: dict[str, int] = {}
    out = []
    for pol in policies:
        base = pol.name or pol.type
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return out


def _colliding_names(policies: list[Any], lines: Lines) -> list[Problem]:
    """Two policies sharing a name, or whose columns (``spend:NAME`` ...) would be the same."""
    valid = [(k, p) for k, p in enumerate(policies) if p is not None]
    final = policy_names([p for _, p in valid])
    problems: list[Problem] = []
    first: dict[str, int] = {}
    named: dict[str, int] = {}
    for (k, pol), name in zip(valid, final, strict=True):
        loc = ("policies", k, "name")
        if pol.name and pol.name in named:
            problems.append(
                Problem(
                    key_path(loc),
                    f"policies[{named[pol.name]}] is also named '{pol.name}'.",
                    "give each policy its own name.",
                    line_of(lines, loc),
                )
            )
        elif name in first:
            problems.append(
                Problem(
                    key_path(loc if pol.name else ("policies", k, "type")),
                    f"its columns (spend:{name} ...) would be the same as those of "
                    f"policies[{first[name]}].",
                    "give the policies distinct names ('name:').",
                    line_of(lines, loc),
                )
            )
        if pol.name:
            named.setdefault(pol.name, k)
        first.setdefault(name, k)
    return problems


def _check_parameters(pars: dict[str, float], lines: Lines) -> list[Problem]:
    problems = []
    for key, value in pars.items():
        loc = ("parameters", key)
        if key not in PARAMETERS:
            problems.append(
                Problem(
                    key_path(loc),
                    f"unknown parameter '{key}';",
                    did_you_mean(key, PARAMETERS),
                    line_of(lines, loc),
                )
            )
            continue
        p = PARAMETERS[key]
        if not (p.low <= value <= p.high):
            problems.append(
                Problem(
                    key_path(loc),
                    f"{value} is outside the plausible range [{p.low}, {p.high}] ({p.unit}).",
                    f"use a value between {p.low} and {p.high}.",
                    line_of(lines, loc),
                )
            )
    return problems


def _validate_policies(items: list[dict], lines: Lines) -> tuple[list[Any], list[Problem]]:
    from model.policies.registry import POLICY_TYPES

    out: list[Any] = []
    problems: list[Problem] = []
    for k, item in enumerate(items):
        loc: tuple[str | int, ...] = ("policies", k)
        kind = item.get("type") if isinstance(item, dict) else None
        if not isinstance(kind, str) or kind not in POLICY_TYPES:
            msg = "has no 'type';" if kind is None else f"unknown policy type '{kind}';"
            problems.append(
                Problem(
                    key_path((*loc, "type")),
                    msg,
                    did_you_mean(str(kind), POLICY_TYPES),
                    line_of(lines, (*loc, "type")),
                )
            )
            out.append(None)
            continue
        config_cls = POLICY_TYPES[kind].Config
        try:
            out.append(config_cls.model_validate(item))
        except ValidationError as exc:
            problems += _problems(exc, config_cls, lines, prefix=loc)
            out.append(None)
    return out, problems


def validate[M: BaseModel](cls: type[M], data: Any, lines: Lines, name: str) -> M:
    """Validate ``data`` against a schema model.

    Raises:
        InputError: one problem per validation error, with line and key path.

    """
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InputError(name, _problems(exc, cls, lines)) from None


def _problems(
    exc: ValidationError, cls: type[BaseModel], lines: Lines, prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if not str(x).startswith("function-") and x != "[key]")
        full = (*prefix, *loc)
        path, line = _as_written(full, lines)
        out.append(Problem(path, *_explain(err, cls, loc), line))
    return out


def _as_written(loc: tuple[str | int, ...], lines: Lines) -> tuple[str, int | None]:
    """The key path and line of ``loc`` as its author wrote it.

    :class:`model.schema.YearlyShareFigure` moves years written as keys (``2023: 0.84``) under
    ``by_year``; a problem with one is reported at ``...women_device_access.2023`` and that
    key's line, as the author wrote it, rather than at ``...by_year[2023]``.
    """
    if "by_year" in loc[:-1]:
        i = loc.index("by_year")
        written = (*loc[:i], *loc[i + 1 :])
        if (*loc[:i], "by_year") not in lines and written[: i + 1] in lines:
            shown = (*loc[:i], str(loc[i + 1]), *loc[i + 2 :])
            return key_path(shown), line_of(lines, written)
    return key_path(loc), line_of(lines, loc)


def _explain(err: dict[str, Any], cls: type[BaseModel], loc: tuple) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        valid = _fields_at(cls, loc[:-1])
        return f"unknown key '{loc[-1]}';", did_you_mean(str(loc[-1]), valid)
    if kind == "missing":
        return "is required but missing.", f"add '{loc[-1]}:' here (see scenarios/ for examples)."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()))
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return (
            f"{value!r} is out of range: it must be {word} {bound}.",
            f"use a value {word} {bound}.",
        )
    if kind == "finite_number":
        return f"{value!r} is not a finite number.", "write an ordinary number."
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return f"{value!r} is not a number of the right type.", "write a number, without quotes."
    if kind in ("string_type", "bool_type", "list_type", "dict_type", "model_type"):
        want = {
            "string_type": "text",
            "bool_type": "true or false",
            "list_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping of keys",
        }[kind]
        return f"{_short(value)} has the wrong type: expected {want}.", f"write {want} here."
    if kind == "value_error":
        msg = str(ctx.get("error", err["msg"]))
        head, _, fix = msg.partition("; ")
        return head + ".", (fix + ".") if fix else "correct the value."
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid name.", "use lower-case letters, digits and '_'."
    if kind in ("too_short", "too_long"):
        return err["msg"] + ".", "give the expected number of entries."
    if kind == "literal_error":
        return f"{value!r} is not allowed.", f"use one of {ctx.get('expected', '')}."
    return err["msg"] + ".", "correct the value."


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fields_at(cls: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found by walking ``loc`` from ``cls``."""
    current: Any = cls
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _step(tp: Any, part: str | int) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        field = tp.model_fields.get(part)
        return None if field is None else field.annotation
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (list, tuple) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = options[0] if len(options) == 1 else tp
            if len(options) != 1:
                return tp
        else:
            return tp


def revalidated(loaded: LoadedScenario) -> LoadedScenario:
    """Validate a loaded scenario's scenario, region and policies again, from their values.

    A copy changed in code (pydantic's ``model_copy(update=...)``) skips validation; the
    model calls this before it builds anything, so such a change meets the same checks and
    messages as the YAML.

    Raises:
        InputError: a value the YAML loader would refuse.

    """
    name = loaded.path or "<scenario>"
    problems: list[Problem] = []
    checked = [_again(obj, (), problems) for obj in (loaded.scenario, loaded.region)]
    policies = [_again(p, ("policies", k), problems) for k, p in enumerate(loaded.policies)]
    problems += _size_units(policies, {})
    if problems:
        raise InputError(name, problems)
    region = checked[1]
    return LoadedScenario(checked[0], region, _resolved(policies, region), loaded.path, loaded.text)


def _again[M: BaseModel](obj: M, prefix: tuple[str | int, ...], problems: list[Problem]) -> M:
    """``obj`` validated again through its JSON form (kept as is when it fails)."""
    cls = type(obj)
    try:
        return cls.model_validate_json(obj.model_dump_json(by_alias=True))
    except ValidationError as exc:
        problems += _problems(exc, cls, {}, prefix=prefix)
        return obj
