"""The live dashboard's runs without the page: levers, the scenario beside its baseline, numbers.

:mod:`experiments.app` draws what this module computes; nothing here imports Solara, so the rules of
the page (which policy a slider sets, which baseline a run is paired with, how a difference in
people is written) are tested without a browser.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model import indicator_registry
from model.inclusion_model import InclusionModel
from model.loader import ROOT, LoadedScenario, load_scenario
from model.streams import SeedLike

DEFAULT_SCENARIO = ROOT / "scenarios" / "lac" / "four_is.yaml"
"""Scenario the page opens when ``INCLUSIM_SCENARIO`` is not set."""
DEFAULT_HOUSEHOLDS = 5_000
"""Simulated households the page starts with (a quarter of both runs takes milliseconds)."""
HOUSEHOLDS_RANGE = (1_000, 50_000, 1_000)
"""The households slider: lowest, highest, step."""

LEVERS: dict[str, str] = {
    "connectivity": "Connectivity",
    "affordability": "Affordability",
    "skills_training": "Skills training",
    "labour_regulation": "Labour regulation",
    "social_protection": "Social protection",
}
"""The five policy types a slider sets, with the slider's label."""

DEFAULT_POLICY_FILES = ("four_is.yaml", "social_protection.yaml")
"""Scenario files a lever the scenario lacks borrows its policy from, in the order searched."""
FALLBACK_REGION = "lac"
"""Region whose files are searched when the scenario's region has no policy of a type."""

HEADLINE: tuple[str, ...] = (
    "n_people_internet_use",
    "n_people_internet_use:sex=female",
    "n_people_meaningful",
    "n_children_no_remote_learning",
    "n_people_employed",
)
"""The counts the headline card compares, scenario against baseline (labels: the registry)."""


# --- levers --------------------------------------------------------------------------------


@functools.cache
def load(path: str, settings: str = "") -> LoadedScenario:
    """The scenario file with its settings (JSON text, '' for none) applied and checked."""
    if not settings:
        return load_scenario(path)
    # The command line's checked path, so a setting gets the message a file's value gets.
    from model.settings import load_with_settings, settings_from_json

    return load_with_settings(path, settings_from_json(settings, "INCLUSIM_SETTINGS"))


@functools.cache
def default_policy(kind: str, region: str) -> tuple[Any, Path]:
    """The policy a slider adds when the scenario has none of type ``kind``, and its file.

    The files of :data:`DEFAULT_POLICY_FILES` are searched in ``scenarios/<region>/``, then in
    ``scenarios/lac/``; the first policy of type ``kind`` found is used (so a region's own
    four-levers scenario gives its own sizes, and social protection, in no four-levers file,
    comes from ``social_protection.yaml``).

    Raises:
        LookupError: no searched file has a policy of that type.

    """
    for folder in dict.fromkeys((region, FALLBACK_REGION)):
        for name in DEFAULT_POLICY_FILES:
            path = ROOT / "scenarios" / folder / name
            if path.exists():
                found = [p for p in load(str(path)).policies if p.type == kind]
                if found:
                    return found[0], path
    raise LookupError(f"no scenario file offers a '{kind}' policy for region '{region}'")


def with_intensities(
    loaded: LoadedScenario, intensities: Mapping[str, float | None]
) -> LoadedScenario:
    """The scenario with the main policy of each lever set to the given intensity.

    The main policy of a lever is the scenario's first policy of that type; other policies of
    the same type keep their intensity. A lever the scenario lacks gets
    :func:`default_policy` when its intensity is above zero; at zero nothing is added, which
    is the same run (a policy at zero intensity never acts). ``None`` leaves a lever as the
    scenario has it.

    Raises:
        ValueError: an unknown lever or an intensity outside 0-1.

    """
    policies = list(loaded.policies)
    for kind, value in intensities.items():
        if kind not in LEVERS:
            raise ValueError(f"unknown lever '{kind}'; use one of {', '.join(LEVERS)}")
        if value is None:
            continue
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"intensity of {kind} is {value}; it must be between 0 and 1")
        first = next((k for k, p in enumerate(policies) if p.type == kind), None)
        if first is not None:
            policies[first] = policies[first].model_copy(update={"intensity": float(value)})
        elif value > 0:
            base, _ = default_policy(kind, loaded.region.name)
            policies.append(base.model_copy(update={"intensity": float(value)}))
    return dataclasses.replace(loaded, policies=tuple(policies))


def lever_intensity(loaded: LoadedScenario, kind: str) -> float:
    """Intensity of the scenario's main policy of type ``kind`` (0 when it has none)."""
    return next((float(p.intensity) for p in loaded.policies if p.type == kind), 0.0)


def lever_note(loaded: LoadedScenario, kind: str) -> str:
    """What a slider moves: its policy's name, or what raising it adds when the scenario lacks it.

    Two or more policies of the type: the note says the others keep their intensity.
    """
    own = [p.name for p in loaded.policies if p.type == kind]
    if not own:
        policy, path = default_policy(kind, loaded.region.name)
        where = path.relative_to(ROOT).as_posix()
        return f"not in this scenario: above 0 adds {policy.name} from {where}"
    if len(own) > 1:
        return f"sets {own[0]}; {', '.join(own[1:])} keep their intensity"
    return f"sets {own[0]}"


def baseline_of(loaded: LoadedScenario) -> LoadedScenario:
    """The scenario's baseline: the same region, window, parameters and settings, no policy."""
    return dataclasses.replace(loaded, policies=())


def parse_seed(text: int | str) -> tuple[int, str]:
    """The run seed typed in the page, and a note when it had to fall back to 0."""
    try:
        seed = int(str(text).strip().replace("_", ""))
    except ValueError:
        return 0, f"seed '{text}' is not a whole number: using 0"
    if not 0 <= seed < 2**63:
        return 0, f"seed {seed} is not between 0 and 2**63 - 1: using 0"
    return seed, ""


class DashboardModel(InclusionModel):
    """:class:`InclusionModel` built from the page's controls (keyword arguments only).

    Also a ready model for ``mesa.batch_run``: the levers are keyword arguments, and ``seed``
    and ``rng`` follow :class:`InclusionModel`'s rule (:func:`model.streams.run_seed`; ``None``
    draws a fresh seed), except that text, as the page's box gives, is read by
    :func:`parse_seed`.

    Args:
        scenario_path: the scenario file.
        households: simulated households.
        seed: run seed: text from the page's box, or anything :class:`InclusionModel` takes.
        connectivity: intensity 0-1 of the main connectivity policy (None: as in the file).
        affordability: same for affordability.
        skills_training: same for skills training.
        labour_regulation: same for labour regulation.
        social_protection: same for social protection.
        settings: ``--set`` settings as JSON text (``{"beta_afford": 1.5}``; '' for none),
            applied to the file before the sliders.
        rng: Mesa's name for ``seed`` (not a control of the page).

    """

    def __init__(
        self,
        scenario_path: str = str(DEFAULT_SCENARIO),
        households: int = DEFAULT_HOUSEHOLDS,
        seed: SeedLike | str | None = None,
        connectivity: float | None = None,
        affordability: float | None = None,
        skills_training: float | None = None,
        labour_regulation: float | None = None,
        social_protection: float | None = None,
        settings: str = "",
        rng: SeedLike | None = None,
    ) -> None:
        self.seed_note = ""
        if isinstance(seed, str):
            seed, self.seed_note = parse_seed(seed)
        loaded = with_intensities(
            load(str(scenario_path), settings),
            {
                "connectivity": connectivity,
                "affordability": affordability,
                "skills_training": skills_training,
                "labour_regulation": labour_regulation,
                "social_protection": social_protection,
            },
        )
        super().__init__(loaded, seed, int(households), rng=rng)


# --- the scenario beside its baseline ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Controls:
    """What the page's controls hold: seed text, simulated households, lever intensities."""

    seed: str
    households: int
    levers: Mapping[str, float]


def start_controls(path: str, settings: str = "") -> Controls:
    """The controls the page opens with: seed 0, 5,000 households, the scenario's intensities."""
    loaded = load(path, settings)
    return Controls("0", DEFAULT_HOUSEHOLDS, {k: lever_intensity(loaded, k) for k in LEVERS})


def whole_run(model: InclusionModel) -> tuple[dict[str, float], ...]:
    """A model's indicators: its start state, then every quarter to the end (steps the model).

    Row ``k`` (``k`` >= 1) is what the model's DataCollector records for quarter ``k``.
    """
    rows = [model.indicators]
    while model.running:
        model.step()
        rows.append(model.indicators)
    return tuple(rows)


@functools.lru_cache(maxsize=8)
def baseline_history(
    path: str, settings: str, seed: int, households: int
) -> tuple[dict[str, float], ...]:
    """The baseline's indicators, start state then every quarter (kept for a few runs).

    The baseline does not depend on the levers, so moving a slider reuses it.
    """
    return whole_run(InclusionModel(baseline_of(load(path, settings)), seed, households))


@dataclasses.dataclass(frozen=True, eq=False)
class View:
    """One moment of the runs as the page draws it (immutable; the play loop hands it over).

    Attributes:
        label: the scenario's label.
        start: first quarter (``YYYYQn``); ``scenario[0]`` and ``baseline[0]`` are before it.
        quarter: the quarter shown.
        steps: quarters shown so far.
        total: quarters in the run.
        scenario: the scenario's indicators: start state, then one row per quarter shown.
        baseline: the baseline's, paired row by row with ``scenario``.
        scenario_run: the scenario's rows for the whole run (the charts' axes fit them all, so
            they stay still while the run plays).
        baseline_run: the baseline's rows for the whole run.
        policies: (lever, policy name, intensity) of every policy in the run.
        seed: the run seed.
        seed_note: a note when the seed box did not hold a usable seed.
        households: simulated households.
        people: simulated people.
        weight: real households (and people) each simulated one stands for.

    """

    label: str
    start: str
    quarter: str
    steps: int
    total: int
    scenario: tuple[dict[str, float], ...]
    baseline: tuple[dict[str, float], ...]
    scenario_run: tuple[dict[str, float], ...]
    baseline_run: tuple[dict[str, float], ...]
    policies: tuple[tuple[str, str, float], ...]
    seed: int
    seed_note: str
    households: int
    people: int
    weight: float

    @property
    def at_end(self) -> bool:
        """Whether every quarter of the run is shown."""
        return self.steps >= self.total


class Runs:
    """The scenario's run beside its baseline's (same seed and households), quarter by quarter.

    Both runs are simulated to the end when the settings are applied (under a second at 5,000
    households); Step, Play and Run to 2030 then show their quarters. So playing never waits
    for the model, and the charts' axes can fit the whole run from the first quarter.

    Args:
        path: the scenario file.
        settings: ``--set`` settings as JSON text ('' for none).
        controls: seed, households and lever intensities.

    """

    def __init__(self, path: str, settings: str, controls: Controls) -> None:
        self.model = DashboardModel(
            scenario_path=path,
            households=controls.households,
            seed=controls.seed,
            settings=settings,
            **controls.levers,
        )
        self.controls = controls
        self.total = self.model.end - self.model.start + 1
        self.scenario = whole_run(self.model)
        self.baseline = baseline_history(path, settings, self.model.seed, self.model.h.n)
        self.steps = 0

    def step(self, quarters: int = 1) -> None:
        """Show up to ``quarters`` more quarters (never past the end)."""
        self.run_to(self.steps + quarters)

    def run_to(self, steps: int) -> None:
        """Show the first ``steps`` quarters (0 to the end of the run)."""
        self.steps = max(0, min(steps, self.total))

    def view(self) -> View:
        """The runs as they stand, for the page."""
        m, n = self.model, self.steps
        return View(
            label=m.loaded.scenario.label,
            start=str(m.start),
            quarter=str(m.start + max(n - 1, 0)),
            steps=n,
            total=self.total,
            scenario=self.scenario[: n + 1],
            baseline=self.baseline[: n + 1],
            scenario_run=self.scenario,
            baseline_run=self.baseline,
            policies=tuple((p.config.type, p.name, float(p.config.intensity)) for p in m.policies),
            seed=m.seed,
            seed_note=m.seed_note,
            households=m.h.n,
            people=m.p.n,
            weight=m.pop.weight,
        )


# --- numbers in people ------------------------------------------------------------------------


def millions(value: float) -> str:
    """A count in millions, one decimal: ``12.3 million``."""
    return f"{value / 1e6:,.1f} million"


def signed_people(difference: float) -> str:
    """A difference in people with its sign: ``+1.2 million``, ``-45,000``, ``0``.

    Millions from one million up; below, rounded to the thousand (to the unit below 1,000).
    """
    if abs(difference) >= 1e6:
        return f"{difference / 1e6:+,.1f} million".replace("-", "\u2212")
    if abs(difference) >= 1e3:
        return f"{round(difference, -3):+,.0f}".replace("-", "\u2212")
    if round(difference) == 0:
        return "0"
    return f"{difference:+,.0f}".replace("-", "\u2212")


@dataclasses.dataclass(frozen=True)
class Difference:
    """One headline row: a count in the scenario, in the baseline, and the difference."""

    name: str
    what: str
    unit: str
    scenario: float
    baseline: float

    @property
    def difference(self) -> float:
        """Scenario minus baseline, in the indicator's unit (people, children)."""
        return self.scenario - self.baseline

    @property
    def sentence(self) -> str:
        """E.g. ``+1.2 million people using the Internet vs baseline`` (or ``... as baseline``)."""
        what = self.what[0].lower() + self.what[1:]
        if signed_people(self.difference) == "0":
            return f"{self.what}: as many as in the baseline"
        return f"{signed_people(self.difference)} {what} vs baseline"

    @property
    def is_better(self) -> bool | None:
        """Whether the difference is an improvement (None when there is none)."""
        if round(self.difference) == 0:
            return None
        better = indicator_registry.describe(self.name).indicator.better
        return (self.difference > 0) == (better == "higher")


def differences(view: View) -> list[Difference]:
    """The headline counts of the quarter shown, scenario against baseline (same quarter)."""
    now, base = view.scenario[-1], view.baseline[-1]
    return [
        Difference(
            name,
            indicator_registry.label(name),
            indicator_registry.unit(name),
            now[name],
            base[name],
        )
        for name in HEADLINE
    ]


def quarter_text(view: View) -> str:
    """The quarter shown and the position in the run: ``2024Q3 (quarter 20 of 45)``."""
    if view.steps == 0:
        return f"{view.start} (start)"
    return f"{view.quarter} (quarter {view.steps} of {view.total})"
