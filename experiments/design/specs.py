"""Sweep specs (``scenarios/sweeps/*.yaml``): their schema, loading and validation.

A spec names a base scenario, the inputs to vary (levers: policy settings; uncertainties:
behavioural parameters), constants, a design, replications and outcomes. Every problem becomes
an :class:`~model.errors.InputError` that names the file, the line, the key path and the fix,
exactly as for scenario files.
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from experiments.design.designs import MAX_POINTS, SAMPLED, Design, Input, count_points
from model import indicator_registry as registry
from model.calendar import Quarter
from model.errors import InputError, Problem, did_you_mean
from model.loader import finish_scenario, resolve_region, validate
from model.params import PARAMETERS
from model.schema import Region, Scenario
from model.settings import (
    apply_overrides,
    canonical_address,
    policy_prefix,
    scenario_path,
    with_policies,
)
from model.yamlio import Lines, line_of, read_yaml

MAX_RUNS = 10_000_000
"""Most runs (design points x replications) a spec may ask for."""

MAX_REPLICATIONS = 10_000
"""Most replications (seeds) per design point."""

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class DesignSpec(_Strict):
    """The ``design:`` block: the kind of design and its sizes."""

    kind: Literal["full_factorial", "latin_hypercube", "sobol", "morris"]
    levels: Annotated[int, Field(ge=2, le=1000)] | None = Field(
        None,
        description="full_factorial: values per range (default 3); morris: grid levels (default 4)",
    )
    samples: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = Field(
        None, description="latin_hypercube: points; sobol: base sample size N (a power of 2)"
    )
    trajectories: Annotated[int, Field(ge=2, le=100_000)] | None = Field(
        None, description="morris: number of trajectories"
    )
    second_order: bool | None = Field(None, description="sobol: estimate second-order indices")

    @model_validator(mode="after")
    def _sizes_fit_kind(self) -> DesignSpec:
        allowed = {
            "full_factorial": {"levels"},
            "latin_hypercube": {"samples"},
            "sobol": {"samples", "second_order"},
            "morris": {"trajectories", "levels"},
        }
        given = {
            k
            for k in ("levels", "samples", "trajectories", "second_order")
            if getattr(self, k) is not None
        }
        extra = sorted(given - allowed[self.kind])
        if extra:
            takes = ", ".join(sorted(allowed[self.kind]))
            raise ValueError(
                f"'{extra[0]}' does not apply to a {self.kind} design; remove it "
                f"(a {self.kind} design takes: {takes})"
            )
        if self.kind in ("latin_hypercube", "sobol") and self.samples is None:
            raise ValueError(f"a {self.kind} design needs 'samples'; add e.g. 'samples: 64'")
        if self.kind == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(
                f"samples {self.samples} is not a power of 2, which Sobol sequences "
                "need; use e.g. 32, 64 or 128"
            )
        if self.kind == "morris" and self.trajectories is None:
            raise ValueError("a morris design needs 'trajectories'; add e.g. 'trajectories: 10'")
        if self.kind == "morris" and self.levels is not None and self.levels % 2:
            raise ValueError(
                f"levels {self.levels} is odd; Morris grids need an even number of levels, e.g. 4"
            )
        return self

    def design(self) -> Design:
        """The design with defaults filled in."""
        default_levels = 4 if self.kind == "morris" else 3
        return Design(
            self.kind,
            levels=self.levels or default_levels,
            samples=self.samples or 0,
            trajectories=self.trajectories or 0,
            second_order=bool(self.second_order),
        )


class OutcomeSpec(_Strict):
    """One outcome: an indicator at a quarter."""

    indicator: Annotated[str, Field(min_length=1)]
    quarter: Quarter | None = Field(None, description="default: the last quarter of each run")
    name: Name | None = Field(None, description="column name (default: indicator@quarter)")


class SpecModel(_Strict):
    """Schema of a sweep spec file."""

    name: Name
    label: str = ""
    description: str = ""
    scenario: str | dict[str, Any] = Field(
        description="base scenario: a file (relative to the spec) or an inline scenario mapping"
    )
    households: Annotated[int, Field(gt=0, le=20_000_000)] | None = None
    quarters: Annotated[int, Field(gt=0, le=400)] | None = Field(
        None, description="stop each run after this many quarters (default: the scenario end)"
    )
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = 1
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    design: DesignSpec
    levers: dict[str, Any] = Field(default_factory=dict)
    uncertainties: dict[str, Any] | list[str] | Literal["all"] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    outcomes: Annotated[list[OutcomeSpec], Field(min_length=1)]


@dataclass(frozen=True)
class Outcome:
    """A resolved outcome.

    Attributes:
        name: column name in the outcomes table.
        indicator: indicator column of the run's time series.
        quarter: quarter to read ('' for the last row of each run).

    """

    name: str
    indicator: str
    quarter: str


@dataclass(frozen=True)
class Spec:
    """A validated sweep spec, ready to build runs from.

    Attributes:
        name: the spec's name (also the default output folder).
        model: the validated file contents.
        path: file it came from.
        text: the file's exact text (for provenance).
        base: base scenario mapping with the constants applied and a policy entry for every
            lever that addresses a policy type the scenario lacks.
        inputs: the varied inputs (levers first, then uncertainties).
        outcomes: outcomes to extract from each run.
        households: simulated households per run (spec, else the scenario's).
        quarters: quarters per run (None: to the scenario end).
        lines: line of every key path in the spec file (for messages).

    """

    name: str
    model: SpecModel
    path: str
    text: str
    base: dict[str, Any]
    inputs: tuple[Input, ...]
    outcomes: tuple[Outcome, ...]
    households: int
    quarters: int | None
    lines: Lines

    @property
    def design(self) -> Design:
        """The design with its defaults filled in."""
        return self.model.design.design()

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return count_points(self.design, self.inputs)

    def scenario_for(self, values: dict[str, Any]) -> dict[str, Any]:
        """The scenario mapping of one design point (``values``: address -> value)."""
        return apply_overrides(self.base, values)


def spec_record(path: str, text: str) -> dict[str, str]:
    """What a manifest keeps of the spec a batch ran: its path, SHA-256 and whole text."""
    return {"path": path, "sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text}


def load_spec(path: str | Path) -> Spec:
    """Load and validate a sweep spec.

    Checks the schema, the design, every input address and every value the design can reach
    (each range's two ends, each listed value) against the base scenario's own validation.

    Raises:
        InputError: anything wrong, with file, line, key path and fix.

    """
    model, lines, text = read_spec(path, SpecModel)
    return build_spec(model, lines, str(path), text, Path(path).resolve().parent)


def read_spec[M: BaseModel](path: str | Path, schema: type[M]) -> tuple[M, Lines, str]:
    """A spec file checked against its schema: the model, its lines and its text.

    Raises:
        InputError: the file cannot be read or breaks the schema.

    """
    data, lines = read_yaml(path)
    model = validate(schema, data, lines, str(path))
    return model, lines, Path(path).read_text(encoding="utf-8")


def last_run_quarter(scenario: Scenario, quarters: int | None) -> Quarter:
    """The last quarter the runs reach: the scenario's end, or earlier with ``quarters``."""
    if quarters is None:
        return scenario.end
    return min(scenario.end, scenario.start + (quarters - 1))


def unknown_indicator(section: str, k: int, indicator: str, lines: Lines) -> Problem | None:
    """The problem of entry ``k`` of ``section`` naming no indicator of the model, if it does."""
    if registry.is_known(indicator):
        return None
    return Problem(
        f"{section}[{k}].indicator",
        f"'{indicator}' is not an indicator of the model;",
        registry.unknown_hint(indicator),
        line_of(lines, (section, k, "indicator")),
    )


def outside_runs(
    section: str, k: int, quarter: Quarter | None, *, first: Quarter, last: Quarter, lines: Lines
) -> Problem | None:
    """The problem of entry ``k`` of ``section`` reading a quarter the runs miss, if it does."""
    if quarter is None or first <= quarter <= last:
        return None
    return Problem(
        f"{section}[{k}].quarter",
        f"{quarter} is outside the runs ({first} to {last}).",
        f"use a quarter from {first} to {last}.",
        line_of(lines, (section, k, "quarter")),
    )


def spec_from_text(text: str, name: str = "<spec>", folder: Path | None = None) -> Spec:
    """Validate a spec given as YAML text (e.g. the copy kept in a manifest)."""
    from model.yamlio import parse_yaml

    data, lines = parse_yaml(text, name)
    model = validate(SpecModel, data, lines, name)
    return build_spec(model, lines, name, text, folder or Path.cwd())


def build_spec(model: SpecModel, lines: Lines, name: str, text: str, folder: Path) -> Spec:
    """Check what the schema cannot: scenario, addresses, values, outcomes and size."""
    base, scenario = _base_scenario(model, lines, name, folder)
    problems: list[Problem] = []
    inputs: list[Input] = []
    for address, raw in model.levers.items():
        inp = _parse_input("levers", address, raw, lines, problems)
        if inp is not None:
            inputs.append(inp)
    for address, raw in _uncertainty_items(model.uncertainties):
        inp = _parse_input("uncertainties", address, raw, lines, problems)
        if inp is not None:
            inputs.append(inp)
    constants: dict[str, Any] = {}
    for address, raw in model.constants.items():
        canon = canonical_address(address, "constants", lines, problems)
        if canon is None:
            continue
        if isinstance(raw, dict) and set(raw) <= {"low", "high"} and raw:
            problems.append(
                Problem(
                    f"constants.{address}",
                    "a constant takes one value, not a range.",
                    "move it under levers: or uncertainties: to vary it.",
                    line_of(lines, ("constants", address)),
                )
            )
            continue
        constants[canon] = raw
    _check_duplicates(inputs, constants, model, lines, problems)
    if problems:
        raise InputError(name, problems)

    design = model.design.design()
    if design.kind in SAMPLED:
        for inp in inputs:
            if not inp.is_range:
                section = "levers" if inp.kind == "lever" else "uncertainties"
                problems.append(
                    Problem(
                        f"{section}.{_given(model, inp)}",
                        f"is a list of values, but a {design.kind} design samples from ranges.",
                        "give a range {low: ..., high: ...}, or use design kind full_factorial.",
                        line_of(lines, (section, _given(model, inp))),
                    )
                )
        if not inputs:
            problems.append(
                Problem(
                    "design.kind",
                    f"a {design.kind} design needs at least one lever or uncertainty to vary.",
                    "add levers: or uncertainties:, or use full_factorial for replications only.",
                    line_of(lines, ("design", "kind")),
                )
            )
    if problems:
        raise InputError(name, problems)
    n_runs = count_points(design, inputs) * model.replications
    if n_runs > MAX_RUNS:
        problems.append(
            Problem(
                "design",
                f"asks for {n_runs:,} runs, more than the limit of {MAX_RUNS:,}.",
                "use fewer levels, samples or replications.",
                line_of(lines, ("design",)),
            )
        )
        raise InputError(name, problems)

    base = with_policies(base, [i.address for i in inputs] + list(constants), lines, name)
    base = apply_overrides(base, constants)
    _check_values(base, inputs, constants, model, lines, name)
    outcomes = _outcomes(model, scenario, lines, name)
    households = model.households or scenario.households
    return Spec(
        model.name,
        model,
        name,
        text,
        base,
        tuple(inputs),
        outcomes,
        households,
        model.quarters,
        lines,
    )


def _base_scenario(
    model: SpecModel, lines: Lines, name: str, folder: Path
) -> tuple[dict[str, Any], Scenario]:
    """The base scenario as a mapping whose region resolves from any working folder."""
    loc = ("scenario",)
    if isinstance(model.scenario, str):
        path = Path(model.scenario)
        if not path.is_absolute():
            path = folder / path if (folder / path).exists() else Path.cwd() / path
        if not path.exists():
            raise InputError(
                name,
                [
                    Problem(
                        "scenario",
                        f"file '{model.scenario}' not found "
                        f"(looked beside the spec, in {folder}, and in the "
                        "working folder).",
                        "give the base scenario's path relative to the spec file.",
                        line_of(lines, loc),
                    )
                ],
            )
        data, sc_lines = read_yaml(path)
        sc_name, sc_folder = str(path), path.parent
    else:
        data = copy.deepcopy(model.scenario)
        sc_lines = {k[1:]: v for k, v in lines.items() if k[:1] == loc}
        sc_name, sc_folder = name, folder
    try:
        scenario = validate(Scenario, data, sc_lines, sc_name)
        finish_scenario(scenario, sc_lines, sc_name, "", sc_folder)
    except InputError as exc:
        if isinstance(model.scenario, str):
            raise
        raise InputError(
            name,
            [
                Problem(f"scenario.{p.path}" if p.path else "scenario", p.message, p.fix, p.line)
                for p in exc.problems
            ],
        ) from None
    region = str(data.get("region", ""))
    if region.endswith((".yaml", ".yml")) or "/" in region:
        data["region"] = str(resolve_region(region, sc_folder).resolve())
    return data, scenario


def _uncertainty_items(raw: dict[str, Any] | list[str] | str) -> list[tuple[str, Any]]:
    if raw == "all":
        return [(p, None) for p in PARAMETERS]
    if isinstance(raw, list):
        return [(str(p), None) for p in raw]
    return list(raw.items())


def _given(model: SpecModel, inp: Input) -> str:
    """The key under which the spec wrote an input (it may omit ``parameters.``)."""
    if inp.kind == "lever":
        return inp.address
    unc = model.uncertainties
    keys = unc if isinstance(unc, dict) else ([] if unc == "all" else unc)
    short = inp.address.removeprefix("parameters.")
    return inp.address if inp.address in keys else short


def _parse_input(
    section: str, address: str, raw: Any, lines: Lines, problems: list[Problem]
) -> Input | None:
    canon = canonical_address(address, section, lines, problems)
    if canon is None:
        return None
    kind = "lever" if section == "levers" else "uncertainty"
    path = f"{section}.{address}"
    line = line_of(lines, (section, address))
    if raw is None:
        if kind == "uncertainty" and canon.startswith("parameters."):
            p = PARAMETERS[canon.removeprefix("parameters.")]
            return Input(canon, kind, float(p.low), float(p.high))
        problems.append(
            Problem(
                path,
                "has no values.",
                "give a range {low: ..., high: ...} or a list of values.",
                line,
            )
        )
        return None
    if isinstance(raw, dict):
        unknown = sorted(set(raw) - {"low", "high"})
        if unknown:
            problems.append(
                Problem(
                    f"{path}.{unknown[0]}",
                    f"unknown key '{unknown[0]}';",
                    did_you_mean(str(unknown[0]), ["low", "high"]),
                    line_of(lines, (section, address, unknown[0])),
                )
            )
            return None
        if set(raw) != {"low", "high"}:
            missing = "low" if "low" not in raw else "high"
            problems.append(
                Problem(path, f"range has no '{missing}'.", "give both low and high.", line)
            )
            return None
        low, high = raw["low"], raw["high"]
        for key, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                problems.append(
                    Problem(
                        f"{path}.{key}",
                        f"{v!r} is not a number.",
                        "write a number, without quotes.",
                        line_of(lines, (section, address, key)),
                    )
                )
                return None
        if not low < high:
            problems.append(
                Problem(
                    path,
                    f"low {low} is not below high {high}.",
                    "make low smaller than high, or move a single value to constants:.",
                    line,
                )
            )
            return None
        return Input(canon, kind, float(low), float(high))
    if isinstance(raw, list):
        if not raw:
            problems.append(Problem(path, "is an empty list.", "list at least one value.", line))
            return None
        for k, v in enumerate(raw):
            if not isinstance(v, int | float | str | bool) or (
                isinstance(v, float) and not math.isfinite(v)
            ):
                problems.append(
                    Problem(
                        f"{path}[{k}]",
                        f"{v!r} is not a plain value.",
                        "list numbers, true/false or names.",
                        line_of(lines, (section, address, k)),
                    )
                )
                return None
        if len({repr(v) for v in raw}) < len(raw):
            problems.append(
                Problem(path, "lists a value twice.", "remove the repeated value.", line)
            )
            return None
        return Input(canon, kind, values=tuple(raw))
    problems.append(
        Problem(
            path,
            f"{raw!r} is a single value.",
            "give a range {low: ..., high: ...} or a list of values, or move it to constants:.",
            line,
        )
    )
    return None


def _check_duplicates(
    inputs: list[Input],
    constants: dict[str, Any],
    model: SpecModel,
    lines: Lines,
    problems: list[Problem],
) -> None:
    seen: set[str] = set()
    for inp in inputs:
        section = "levers" if inp.kind == "lever" else "uncertainties"
        if inp.address in seen or inp.address in constants:
            problems.append(
                Problem(
                    f"{section}.{_given(model, inp)}",
                    f"'{inp.address}' is given "
                    "more than once (levers, uncertainties and constants).",
                    "keep one entry.",
                    line_of(lines, (section, _given(model, inp))),
                )
            )
        seen.add(inp.address)


def _check_values(
    base: dict[str, Any],
    inputs: list[Input],
    constants: dict[str, Any],
    model: SpecModel,
    lines: Lines,
    name: str,
) -> None:
    """Validate the scenario at each end of every range and at each listed value."""
    from model.loader import scenario_from_dict

    trials: list[dict[str, Any]] = [
        {i.address: (i.low if i.is_range else i.values[0]) for i in inputs},  # type: ignore[index]
        {i.address: (i.high if i.is_range else i.values[-1]) for i in inputs},  # type: ignore[index]
    ]
    longest = max((len(i.values) for i in inputs if not i.is_range), default=0)
    for k in range(1, longest - 1):
        trials.append(
            {
                i.address: i.values[min(k, len(i.values) - 1)]  # type: ignore[index]
                for i in inputs
                if not i.is_range
            }
        )
    owners = {scenario_path(base, i.address): i for i in inputs}
    const_owners = {scenario_path(base, a): a for a in constants}
    for i in inputs:  # a problem with a whole policy entry (e.g. its type) goes to its first user
        owners.setdefault(policy_prefix(base, i.address), i)
    for a in constants:
        const_owners.setdefault(policy_prefix(base, a), a)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    region = _region_of(base)  # levers cannot change the region: load it once
    for trial in trials:
        try:
            scenario_from_dict(apply_overrides(base, trial), name, region)
        except InputError as exc:
            for p in exc.problems:
                # Dedupe on the scenario's own problem: the same one found at both ends of a
                # lever's values is one problem, whatever value the re-addressed text names.
                if (p.path, p.message) in seen:
                    continue
                seen.add((p.path, p.message))
                problems.append(_attribute(p, trial, owners, const_owners, model, lines))
    if problems:
        raise InputError(name, problems)


def _region_of(base: dict[str, Any]) -> Region | None:
    """The base scenario's region profile (None if the base itself is broken)."""
    from model.loader import load_region

    try:
        return load_region(resolve_region(str(base.get("region", ""))))
    except InputError:
        return None


def _attribute(
    p: Problem,
    trial: dict[str, Any],
    owners: dict[str, Input],
    const_owners: dict[str, str],
    model: SpecModel,
    lines: Lines,
) -> Problem:
    """Re-address a scenario problem to the spec entry that caused it."""
    for path, inp in sorted(owners.items(), key=lambda kv: -len(kv[0])):
        if not path:
            continue
        if p.path == path or p.path.startswith(path + ".") or p.path.startswith(path + "["):
            section = "levers" if inp.kind == "lever" else "uncertainties"
            given = _given(model, inp)
            value = trial[inp.address]
            return Problem(
                f"{section}.{given}",
                f"value {value!r} is not valid for the scenario: {p.message}",
                p.fix,
                line_of(lines, (section, given)),
            )
    for path, address in sorted(const_owners.items(), key=lambda kv: -len(kv[0])):
        if not path:
            continue
        if p.path == path or p.path.startswith(path + ".") or p.path.startswith(path + "["):
            given = address if address in model.constants else address.removeprefix("parameters.")
            return Problem(
                f"constants.{given}", p.message, p.fix, line_of(lines, ("constants", given))
            )
    where = f" (scenario key {p.path})" if p.path else ""
    return Problem("scenario", f"{p.message}{where}", p.fix, line_of(lines, ("scenario",)))


def _outcomes(model: SpecModel, scenario: Scenario, lines: Lines, name: str) -> tuple[Outcome, ...]:
    problems = []
    out = []
    names: set[str] = set()
    last = last_run_quarter(scenario, model.quarters)
    for k, o in enumerate(model.outcomes):
        checks = (
            unknown_indicator("outcomes", k, o.indicator, lines),
            outside_runs("outcomes", k, o.quarter, first=scenario.start, last=last, lines=lines),
        )
        problems += [p for p in checks if p is not None]
        quarter = "" if o.quarter is None else str(o.quarter)
        col = o.name or (f"{o.indicator}@{quarter}" if quarter else o.indicator)
        if col in names:
            problems.append(
                Problem(
                    f"outcomes[{k}]",
                    f"outcome '{col}' is listed twice.",
                    "remove it or give it another 'name:'.",
                    line_of(lines, ("outcomes", k)),
                )
            )
        names.add(col)
        out.append(Outcome(col, o.indicator, quarter))
    if problems:
        raise InputError(name, problems)
    return tuple(out)
