"""The live dashboard: Mesa's SolaraViz page for one scenario and its four policy levers.

Start it with ``inclusim dashboard [SCENARIO.yaml] [--set ADDRESS=VALUE ...]`` (or
``solara run model.app`` with ``INCLUSIM_SCENARIO`` and, for settings, ``INCLUSIM_SETTINGS``
set). The page only chooses policy intensities, the number of households
and the seed; the model then runs exactly as in a batch run.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import solara
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter
from mesa.visualization import Slider, SolaraViz, make_plot_component

from model import groups, indicator_registry
from model.calendar import Quarter
from model.inclusion_model import InclusionModel
from model.loader import ROOT, LoadedScenario, load_scenario
from model.streams import SeedLike

SCENARIO_ENV = "INCLUSIM_SCENARIO"
"""Environment variable naming the scenario file the page opens (set by ``inclusim dashboard``)."""
SETTINGS_ENV = "INCLUSIM_SETTINGS"
"""Environment variable holding the ``--set`` settings as JSON (set by ``inclusim dashboard``)."""
DEFAULT_SCENARIO = ROOT / "scenarios" / "lac" / "four_is.yaml"
"""Scenario opened when ``INCLUSIM_SCENARIO`` is not set."""
DEFAULT_HOUSEHOLDS = 5_000
"""Simulated households the page starts with (a quarter takes a few milliseconds)."""

LEVERS: dict[str, str] = {
    "connectivity": "Connectivity",
    "affordability": "Affordability",
    "skills_training": "Skills training",
    "labour_regulation": "Labour regulation",
}
"""The four policy types a slider controls, with the slider's label."""


# --- the model behind the page ---------------------------------------------------------------


@functools.cache
def _load(path: str, settings: str = "") -> LoadedScenario:
    """The scenario file with its settings (JSON text, '' for none) applied and checked."""
    if not settings:
        return load_scenario(path)
    # The command line's checked path, so a setting gets the message a file's value gets.
    from model.settings import load_with_settings, settings_from_json

    return load_with_settings(path, settings_from_json(settings, SETTINGS_ENV))


def default_policy(kind: str, region: str) -> Any:
    """The ``kind`` policy of the region's four-levers scenario.

    That is ``scenarios/<region>/four_is.yaml``; regions without one borrow Latin America and
    the Caribbean's.
    """
    path = ROOT / "scenarios" / region / "four_is.yaml"
    if not path.exists():
        path = DEFAULT_SCENARIO
    return next(p for p in _load(str(path)).policies if p.type == kind)


def with_intensities(
    loaded: LoadedScenario, intensities: Mapping[str, float | None]
) -> LoadedScenario:
    """The scenario with the main policy of each lever set to the given intensity.

    The main policy of a lever is the scenario's first policy of that type; other policies of
    the same type keep their intensity. A lever the scenario lacks gets the region's default
    policy (:func:`default_policy`) when its intensity is above zero; at zero nothing is added,
    which is the same run (a policy at zero intensity never acts). ``None`` leaves a lever as
    the scenario has it.

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
            base = default_policy(kind, loaded.region.name)
            policies.append(base.model_copy(update={"intensity": float(value)}))
    return dataclasses.replace(loaded, policies=tuple(policies))


def lever_intensity(loaded: LoadedScenario, kind: str) -> float:
    """Intensity of the scenario's main policy of type ``kind`` (0 when it has none)."""
    return next((float(p.intensity) for p in loaded.policies if p.type == kind), 0.0)


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
        settings: str = "",
        rng: SeedLike | None = None,
    ) -> None:
        self.seed_note = ""
        if isinstance(seed, str):
            seed, self.seed_note = parse_seed(seed)
        loaded = with_intensities(
            _load(str(scenario_path), settings),
            {
                "connectivity": connectivity,
                "affordability": affordability,
                "skills_training": skills_training,
                "labour_regulation": labour_regulation,
            },
        )
        super().__init__(loaded, seed, int(households), rng=rng)


# --- what the page shows ------------------------------------------------------------------


def _millions(value: float) -> str:
    return f"{value / 1e6:,.1f} million"


def _dollars(value: float) -> str:
    if value >= 1e9:
        return f"US$ {value / 1e9:,.2f} billion"
    return f"US$ {value / 1e6:,.1f} million"


def _words(name: str) -> str:
    """An indicator's registry label for the middle of a sentence."""
    label = indicator_registry.label(name)
    return label[0].lower() + label[1:]


def headline_rows(model: InclusionModel) -> list[tuple[str, str]]:
    """The headline numbers of the current quarter in people: (number, what it counts)."""
    ind = model.indicators
    online = indicator_registry.MEASURE_BY_NAME["internet_use"].words
    return [
        (
            _millions(ind["n_people_internet_use"]),
            f"{_words('n_people_internet_use')} ({ind['share_internet_use']:.1%} of "
            f"{groups.label('all')})",
        ),
        (
            _millions(ind["n_people_internet_use:sex=female"]),
            f"{groups.label('sex=female')} {online}",
        ),
        (_millions(ind["n_people_meaningful"]), _words("n_people_meaningful")),
        (
            _millions(ind["n_children_no_remote_learning"]),
            _words("n_children_no_remote_learning"),
        ),
        (_millions(ind["n_people_employed"]), _words("n_people_employed")),
    ]


def quarter_text(model: InclusionModel) -> str:
    """The quarter shown, e.g. ``2021Q1 (quarter 6 of 45)``."""
    quarters = model.end - model.start + 1
    if model.steps == 0:
        return f"{model.quarter} (start: press Step or \u25b6)"
    return f"{model.quarter} (quarter {model.steps} of {quarters})"


def headline_html(model: InclusionModel) -> str:
    """The headline panel's content as HTML (every value from the model, escaped)."""
    e = html.escape
    rows = "".join(
        f'<tr><td style="{_NUMBER}">{e(n)}</td><td>{e(what)}</td></tr>'
        for n, what in headline_rows(model)
    )
    policies = "".join(
        f"<tr><td>{e(p.config.type.replace('_', ' '))}</td><td>{e(p.name)}</td>"
        f'<td style="text-align:right">{p.config.intensity:.2f}</td>'
        f'<td style="text-align:right">{e(_dollars(model.indicators[f"spend:{p.name}"]))}</td>'
        "</tr>"
        for p in model.policies
    )
    policy_table = (
        f'<table style="{_SMALL}"><tr><th align="left">lever</th><th align="left">policy</th>'
        f'<th align="right">intensity</th><th align="right">spent so far</th></tr>'
        f"{policies}</table>"
        if model.policies
        else f'<p style="{_SMALL}">No policy: status quo.</p>'
    )
    weight = model.pop.weight
    note = f"<br><i>{e(model.seed_note)}</i>" if getattr(model, "seed_note", "") else ""
    return (
        '<div class="inclusim-headline">'
        f'<div style="font-size:18px;margin-bottom:6px">Quarter <b>{e(quarter_text(model))}</b>'
        f'</div><table style="border-spacing:8px 2px;font-size:14px">{rows}</table>'
        f"{policy_table}"
        f'<p style="{_SMALL};color:#555;margin-top:6px">{model.h.n:,} simulated households '
        f"({model.p.n:,} people) standing for {_millions(model.h.n * weight)} real households "
        f"and {_millions(model.p.n * weight)} people; seed {model.seed}. Move the controls, "
        f"then press Reset to apply them.{note}</p></div>"
    )


_NUMBER = "font-size:18px;font-weight:bold;text-align:right;white-space:nowrap"
_SMALL = "font-size:12px;border-spacing:8px 0"


def headline_panel(model: InclusionModel) -> solara.Element:
    """A card with the headline numbers (Mesa re-renders it after every step)."""
    with solara.Card(margin=0) as card:
        solara.HTML(tag="div", unsafe_innerHTML=headline_html(model))
    return card


def _percent(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _points(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{100 * y:.0f} pp"))


def _parity(ax: Axes) -> None:
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":", label="_parity")


def series_label(name: str, several_measures: bool) -> str:
    """A chart legend entry, in the words of the registry and the group vocabulary.

    A gap is named by the groups it compares (``women / men``); a share by its group
    (``Women``), and by its measure too when the chart shows several measures.
    """
    base, group = indicator_registry.split(name)
    for prefix, (_, _, compared, _, _) in indicator_registry.GAP_KINDS.items():
        if base.startswith(f"{prefix}_"):
            return compared.removesuffix(" (1 = parity)")
    if not several_measures:
        return groups.short_label(group or "all")
    words = indicator_registry.MEASURE_BY_NAME[base.removeprefix("share_")].words
    words = words[0].upper() + words[1:]
    return words if group is None else f"{words}, {groups.short_label(group).lower()}"


def _measure(name: str) -> str:
    """The measure of a share or gap indicator (``share_employed:sex=female`` -> employed)."""
    base, _ = indicator_registry.split(name)
    return next(m for m in indicator_registry.MEASURE_BY_NAME if base.endswith(m))


def chart(
    title: str,
    series: dict[str, str],
    style: Callable[[Axes], None],
    ncol: int,
    start: Quarter,
    end: Quarter,
) -> tuple[Callable, int]:
    """A Mesa line-plot component of indicators with a title, legend labels and quarter ticks.

    The x axis spans the whole run from the start, so it does not shift while the run plays;
    it is labelled with years, at each year's first quarter. Legend entries come from
    :func:`series_label`.

    Args:
        title: chart title.
        series: indicator name -> colour.
        style: sets the y axis (percent, points, ratio).
        ncol: columns of the legend under the chart.
        start: first quarter (row 0 of the DataCollector's table).
        end: last quarter of the run.

    """
    first_quarters = [i for i in range(end - start + 1) if (start + i).q == 1]
    every = 1 if len(first_quarters) <= 6 else 2
    year_ticks = first_quarters[::every] or [0]
    several = len({_measure(name) for name in series}) > 1
    labels = [series_label(name, several) for name in series]

    def post_process(ax: Axes) -> None:
        ax.set_title(title, fontsize=12, loc="left")
        for line, label in zip(ax.get_lines(), labels, strict=False):
            line.set_label(label)
            line.set_marker(".")
        style(ax)
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=ncol, fontsize=9, frameon=False
        )
        ax.grid(axis="y", alpha=0.3)
        for i in first_quarters:
            ax.axvline(i, color="0.9", linewidth=0.6, zorder=0)
        ax.set_xlim(-0.5, end - start + 0.5)
        # Years on a secondary axis: Mesa sets the main x axis's ticks after post-processing.
        years = ax.secondary_xaxis("bottom")
        years.set_xticks(year_ticks, [str((start + i).year) for i in year_ticks])
        ax.tick_params(axis="x", bottom=False, labelbottom=False)
        ax.xaxis.label.set_visible(False)
        ax.figure.set_size_inches(6.4, 4.0)

    return make_plot_component(dict(series), post_process)


CHARTS: tuple[tuple[str, dict[str, str], str, int], ...] = (
    (
        "Gaps in Internet use (ratio, 1 = parity)",
        {
            "gps_internet_use": "tab:purple",
            "ratio_urban_rural_internet_use": "tab:green",
            "ratio_q5_q1_internet_use": "tab:red",
        },
        "ratio",
        3,
    ),
    (
        "Gaps in Internet use (percentage points)",
        {
            "gap_disability_internet_use": "tab:brown",
            "gap_age_internet_use": "tab:gray",
        },
        "points",
        2,
    ),
    (
        "Internet use by sex and location (share of people)",
        {
            "share_internet_use": "black",
            "share_internet_use:sex=female": "tab:purple",
            "share_internet_use:sex=male": "tab:orange",
            "share_internet_use:location=urban": "tab:blue",
            "share_internet_use:location=rural": "tab:green",
        },
        "percent",
        3,
    ),
    (
        "Internet use by income quintile (share of people)",
        {
            "share_internet_use:quintile=1": "#b2182b",
            "share_internet_use:quintile=2": "#ef8a62",
            "share_internet_use:quintile=3": "#999999",
            "share_internet_use:quintile=4": "#67a9cf",
            "share_internet_use:quintile=5": "#2166ac",
        },
        "percent",
        5,
    ),
    (
        "Meaningful use (share of people) and work (of people 15+)",
        {
            "share_meaningful": "tab:blue",
            "share_meaningful:location=rural": "tab:green",
            "share_employed": "black",
            "share_employed:sex=female": "tab:purple",
        },
        "percent",
        2,
    ),
)
"""The charts: title, indicator -> colour, y-axis style, legend columns (labels: registry)."""

_STYLES: dict[str, Callable[[Axes], None]] = {
    "ratio": _parity,
    "points": _points,
    "percent": _percent,
}


def components(start: Quarter, end: Quarter) -> list:
    """The headline panel and the charts of :data:`CHARTS`."""
    return [
        headline_panel,
        *(
            chart(title, series, _STYLES[style], ncol, start, end)
            for title, series, style, ncol in CHARTS
        ),
    ]


def model_params(scenario_path: str, settings: str = "") -> dict[str, Any]:
    """The page's controls; the sliders start at the scenario's own intensities.

    Args:
        scenario_path: the scenario file.
        settings: ``--set`` settings as JSON text ('' for none).

    """
    loaded = _load(scenario_path, settings)
    params: dict[str, Any] = {
        "scenario_path": scenario_path,
        "settings": settings,
        "seed": {"type": "InputText", "value": "0", "label": "Seed"},
        "households": Slider("Households", DEFAULT_HOUSEHOLDS, 1_000, 50_000, 1_000, dtype=int),
    }
    for kind, label in LEVERS.items():
        params[kind] = Slider(label, lever_intensity(loaded, kind), 0.0, 1.0, 0.05, dtype=float)
    return params


def scenario_path() -> str:
    """The scenario file the page opens: ``$INCLUSIM_SCENARIO`` or :data:`DEFAULT_SCENARIO`."""
    return str(Path(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO).resolve())


def settings_text() -> str:
    """The ``--set`` settings the page applies: ``$INCLUSIM_SETTINGS`` (JSON; '' for none)."""
    return os.environ.get(SETTINGS_ENV, "")


def initial_model(params: Mapping[str, Any]) -> DashboardModel:
    """The model the page opens with: every control at its starting value."""
    return DashboardModel(
        **{k: v.get("value") if isinstance(v, Slider | dict) else v for k, v in params.items()}
    )


@solara.component
def Page() -> None:  # noqa: N802  (Solara's name for an app's page)
    """The dashboard; each browser session gets its own model."""
    path, settings = scenario_path(), settings_text()
    params = solara.use_memo(lambda: model_params(path, settings), dependencies=[path, settings])
    model = solara.use_memo(lambda: initial_model(params), dependencies=[params])
    solara.Title("inclusim dashboard")
    SolaraViz(
        model,
        components=components(model.start, model.end),
        model_params=params,
        name=f"inclusim: {model.loaded.scenario.label}",
    )
