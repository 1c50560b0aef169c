"""The live dashboard: a Solara page for one scenario, its five levers and its baseline.

Start it with ``inclusim dashboard [SCENARIO.yaml] [--set ADDRESS=VALUE ...]`` (or ``solara run
experiments.app`` with ``INCLUSIM_SCENARIO`` and, for settings, ``INCLUSIM_SETTINGS`` set). The
page only chooses policy intensities, the number of households and the seed; the runs themselves
(:mod:`model.dashboard`) are exactly those of a batch run. It lives beside the other
presentation code, not in ``model/``, because it draws in the report's style
(:mod:`experiments.present.style`) and the model never imports ``experiments``.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter
from PIL import Image

from experiments.present.style import BASELINE_COLOUR, MUTED, OKABE_ITO, SEQUENTIAL, styled
from model import groups, indicator_registry
from model.calendar import Quarter
from model.dashboard import (
    DEFAULT_SCENARIO,
    HOUSEHOLDS_RANGE,
    LEVERS,
    Controls,
    Runs,
    View,
    differences,
    lever_note,
    load,
    millions,
    quarter_text,
    signed_people,
    start_controls,
)

SCENARIO_ENV = "INCLUSIM_SCENARIO"
"""Environment variable naming the scenario file the page opens (set by ``inclusim dashboard``)."""
SETTINGS_ENV = "INCLUSIM_SETTINGS"
"""Environment variable holding the ``--set`` settings as JSON (set by ``inclusim dashboard``)."""
PLAY_PACE = 5.0
"""Quarters a second while playing: 45 quarters in 9 s. When drawing a quarter takes longer
than 1/5 s the page shows the latest quarter and skips drawing the ones in between, so the
pace holds on a slow machine."""

INK = OKABE_ITO["black"]
BETTER, WORSE = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
"""Colours of a difference that is an improvement, and of one that is not."""


# --- charts -----------------------------------------------------------------------------------


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


def quintile_colour(fifth: int) -> str:
    """The colour of income quintile ``fifth`` (1 poorest, 5 richest) on the sequential map."""
    r, g, b, _ = colormaps[SEQUENTIAL](0.8 - 0.2 * (fifth - 1))
    return f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"


def _percent(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _points(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{100 * y:.0f} pp"))


def _parity(ax: Axes) -> None:
    ax.axhline(1.0, color=MUTED, linewidth=0.8, linestyle=":")


CHARTS: tuple[tuple[str, dict[str, str], Callable[[Axes], None], int], ...] = (
    (
        "Gaps in Internet use (ratio, 1 = parity)",
        {
            "gps_internet_use": OKABE_ITO["reddish_purple"],
            "ratio_urban_rural_internet_use": OKABE_ITO["bluish_green"],
            "ratio_q5_q1_internet_use": OKABE_ITO["orange"],
        },
        _parity,
        3,
    ),
    (
        "Gaps in Internet use (percentage points)",
        {
            "gap_disability_internet_use": OKABE_ITO["vermillion"],
            "gap_age_internet_use": OKABE_ITO["sky_blue"],
        },
        _points,
        2,
    ),
    (
        "Internet use by sex and location",
        {
            "share_internet_use": INK,
            "share_internet_use:sex=female": OKABE_ITO["reddish_purple"],
            "share_internet_use:sex=male": OKABE_ITO["orange"],
            "share_internet_use:location=urban": OKABE_ITO["blue"],
            "share_internet_use:location=rural": OKABE_ITO["bluish_green"],
        },
        _percent,
        3,
    ),
    (
        "Internet use by income quintile",
        {f"share_internet_use:quintile={q}": quintile_colour(q) for q in range(1, 6)},
        _percent,
        5,
    ),
    (
        "Meaningful use, and work (15+)",
        {
            "share_meaningful": OKABE_ITO["blue"],
            "share_meaningful:location=rural": OKABE_ITO["bluish_green"],
            "share_employed": INK,
            "share_employed:sex=female": OKABE_ITO["reddish_purple"],
        },
        _percent,
        2,
    ),
)
"""The charts: title, indicator -> colour (Okabe-Ito; quintiles on the sequential map; a group
keeps its colour across charts: women purple, rural green), y-axis style, legend columns.
Legend words come from the registry (:func:`series_label`)."""

CHART_SIZE = (4.2, 3.1)
"""Inches of one chart; drawn at 100 dpi and scaled to its column (two columns at 1024 px)."""


class Chart:
    """One chart of a run, drawn once and then redrawn quarter by quarter.

    Each indicator (name: colour) is drawn in the scenario, solid, and in its baseline, dashed,
    in the same colour. The axes fit the whole run of both (the page simulates it when the
    settings are applied), so they stand still while the run plays. Axes, ticks, title and
    legend are drawn once and kept as an image; a quarter only draws the lines over it, which
    takes a few milliseconds, where drawing a whole figure took about 0.2-1 s. The x axis
    spans the whole run from the start and is labelled with years, at each year's first
    quarter; point 0 is the first quarter.

    Args:
        title: the chart's title.
        colours: indicator name -> colour.
        style: sets the y axis (percent, points, ratio).
        ncol: columns of the legend under the chart.
        view: any view of the runs (its whole runs set the y range).

    """

    def __init__(
        self,
        title: str,
        colours: dict[str, str],
        style: Callable[[Axes], None],
        ncol: int,
        view: View,
    ) -> None:
        start, total = Quarter.parse(view.start), view.total
        first_quarters = [i for i in range(total) if (start + i).q == 1]
        year_ticks = first_quarters[:: 1 if len(first_quarters) <= 6 else 2] or [0]
        several = len({_measure(name) for name in colours}) > 1
        width, height = CHART_SIZE
        rows = -(-len(colours) // ncol)
        values = np.array(
            [
                row[name]
                for run in (view.scenario_run, view.baseline_run)
                for row in run[1:]
                for name in colours
            ],
            dtype=float,
        )
        values = values[np.isfinite(values)]
        low, high = (values.min(), values.max()) if values.size else (0.0, 1.0)
        pad = 0.06 * (high - low) or 0.05
        with styled():
            self.figure = fig = Figure(figsize=CHART_SIZE, dpi=100)
            FigureCanvasAgg(fig)
            self.axes = ax = fig.subplots()
            self.lines: dict[str, tuple[Line2D, Line2D]] = {}
            handles = []
            for name, colour in colours.items():
                (base,) = ax.plot([], [], color=colour, linestyle=(0, (3, 2)), linewidth=1.2)
                (scen,) = ax.plot([], [], color=colour, linewidth=1.9)
                base.set_alpha(0.8)
                self.lines[name] = (scen, base)
                handles.append(Line2D([], [], color=colour, label=series_label(name, several)))
            style(ax)
            ax.set_title(title, fontsize=10, loc="left")
            ax.set_xlim(-0.5, total - 0.5)
            ax.set_ylim(low - pad, high + pad)
            ax.set_xticks(year_ticks, [str((start + i).year) for i in year_ticks])
            ax.tick_params(labelsize=8)
            self.empty = ax.text(
                0.5, 0.5, "press Step, Play or Run", transform=ax.transAxes, ha="center"
            )
            fig.legend(
                handles=handles, loc="lower center", ncol=ncol, fontsize=7.5, handlelength=1.2
            )
            fig.subplots_adjust(
                left=0.55 / width,
                right=1 - 0.12 / width,
                top=1 - 0.3 / height,
                bottom=(0.32 + 0.16 * rows) / height,
            )
            for artist in (self.empty, *(line for pair in self.lines.values() for line in pair)):
                artist.set_animated(True)  # left out of the kept image
            fig.canvas.draw()
            self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def png(self, view: View) -> bytes:
        """The chart of a view as PNG: the kept image with the lines up to the quarter shown."""
        canvas = self.figure.canvas
        canvas.restore_region(self.background)
        x = np.arange(view.steps)
        for name, (scen, base) in self.lines.items():
            base.set_data(x, [row[name] for row in view.baseline[1:]])
            scen.set_data(x, [row[name] for row in view.scenario[1:]])
            self.axes.draw_artist(base)
            self.axes.draw_artist(scen)
        if view.steps == 0:
            self.axes.draw_artist(self.empty)
        out = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(out, format="png")
        return out.getvalue()


class ChartSet:
    """The charts of :data:`CHARTS` for one browser session, drawn anew for each run."""

    def __init__(self) -> None:
        self.charts: list[Chart] = []
        self.run: tuple[dict[str, float], ...] = ()
        self.lock = threading.Lock()

    def html(self, view: View) -> str:
        """Every chart as an image, in a grid that wraps to the page's width, under a key."""
        with self.lock:
            if view.scenario_run is not self.run:
                self.charts = [Chart(*chart, view) for chart in CHARTS]
                self.run = view.scenario_run
            pngs = [chart.png(view) for chart in self.charts]
        images = "".join(
            f'<img alt="{html.escape(title)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}">'
            for (title, *_), png in zip(CHARTS, pngs, strict=True)
        )
        key = (
            '<div class="inclusim-key">solid line: this scenario &nbsp; '
            f'<span style="color:{BASELINE_COLOUR}">dashed line: its baseline (no policy, same '
            "households and seed)</span></div>"
        )
        return f'{key}<div class="inclusim-charts">{images}</div>'


# --- the headline card ----------------------------------------------------------------------


def _dollars(value: float) -> str:
    if value >= 1e9:
        return f"US$ {value / 1e9:,.2f} billion"
    return f"US$ {value / 1e6:,.1f} million"


def headline_html(view: View) -> str:
    """The headline card: the quarter, then each count in the scenario, baseline, difference."""
    e = html.escape
    rows = differences(view)
    body = []
    for row in rows:
        colour = {True: BETTER, False: WORSE, None: INK}[row.is_better]
        body.append(
            f"<tr><td>{e(row.what)}</td><td class='num'>{e(millions(row.scenario))}</td>"
            f"<td class='num'>{e(millions(row.baseline))}</td>"
            f"<td class='num' style='color:{colour}'><b>{e(signed_people(row.difference))}</b>"
            "</td></tr>"
        )
    lead = rows[0]  # the first headline count, people using the Internet
    spent = view.scenario[-1]
    policies = "; ".join(
        f"<b>{e(name)}</b> ({e(LEVERS.get(kind, kind).lower())}, intensity {intensity:.2f}): "
        f"{e(_dollars(spent[f'spend:{name}']))}"
        for kind, name, intensity in view.policies
    )
    policy_table = (
        f"<p class='small'>Spent so far: {policies}.</p>"
        if view.policies
        else "<p class='small'>No policy: this run is the baseline.</p>"
    )
    note = f"<p class='small'><i>{e(view.seed_note)}</i></p>" if view.seed_note else ""
    real_h, real_p = millions(view.households * view.weight), millions(view.people * view.weight)
    return (
        '<div class="inclusim-headline">'
        f'<div class="lead">{e(lead.sentence)}</div>'
        "<table class='counts'><tr><th></th><th class='num'>this scenario</th>"
        "<th class='num'>baseline</th><th class='num'>difference</th></tr>"
        f"{''.join(body)}</table>{policy_table}"
        f"<p class='small'>{view.households:,} simulated households ({view.people:,} people) "
        f"standing for {real_h} real households and {real_p} people; seed {view.seed}. The "
        "baseline is the same scenario with no policy: same households, same seed.</p>"
        f"{note}</div>"
    )


CSS = """
.inclusim-top { display:flex; flex-wrap:wrap; align-items:baseline; gap:4px 16px;
  padding:6px 12px; background:#f4f4f4; border-bottom:1px solid #ddd; }
.inclusim-top .name { font-size:18px; font-weight:bold; }
.inclusim-top .quarter { font-size:22px; font-weight:bold; }
.inclusim-body { display:flex; align-items:flex-start; gap:12px; padding:8px; max-width:100%;
  box-sizing:border-box; }
.inclusim-controls { flex:0 0 250px; width:250px; min-width:0; align-self:flex-start !important; }
.inclusim-controls > * { flex:0 0 auto !important; }
.inclusim-controls .v-input { margin-top:0; }
.inclusim-controls .v-label { font-size:14px; color:#222 !important; }
.inclusim-main { flex:1 1 auto; min-width:0; }
.inclusim-headline { font-size:13px; }
.inclusim-headline .lead { font-size:20px; font-weight:bold; margin:2px 0 6px; }
.inclusim-headline table { border-collapse:collapse; width:100%; }
.inclusim-headline td, .inclusim-headline th { padding:1px 6px; vertical-align:top;
  text-align:left; }
.inclusim-headline .num { text-align:right; white-space:nowrap; }
.inclusim-headline .small { font-size:11.5px; color:#555; margin:4px 0 0; }
.inclusim-headline table.counts td.num { font-size:15px; }
.inclusim-charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(300px, 1fr));
  gap:6px; }
.inclusim-charts img { width:100%; height:auto; display:block; }
.inclusim-key { font-size:12px; margin:6px 0 2px; }
.inclusim-lever-note { font-size:11px; color:#555; margin:-6px 0 6px; line-height:1.25; }
.inclusim-status { font-size:12px; margin:4px 0; }
"""
"""The page's layout: controls in a 250 px column, the rest wraps to fit 1024 px."""


# --- the page -------------------------------------------------------------------------------


def scenario_path() -> str:
    """The scenario file the page opens: ``$INCLUSIM_SCENARIO`` or :data:`DEFAULT_SCENARIO`."""
    return str(Path(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO).resolve())


def settings_text() -> str:
    """The ``--set`` settings the page applies: ``$INCLUSIM_SETTINGS`` (JSON; '' for none)."""
    return os.environ.get(SETTINGS_ENV, "")


@solara.component
def Charts(view: View) -> None:  # noqa: N802  (Solara components are capitalised)
    """The charts of a view, drawn once per view (moving a slider does not redraw them)."""
    charts = solara.use_memo(ChartSet, dependencies=[])
    content = solara.use_memo(lambda: charts.html(view), dependencies=[view])
    solara.HTML(tag="div", unsafe_innerHTML=content)


@solara.component
def Page() -> None:  # noqa: N802  (Solara's name for an app's page)
    """The dashboard; each browser session gets its own runs."""
    path, settings = scenario_path(), settings_text()
    first = solara.use_memo(lambda: start_controls(path, settings), dependencies=[path, settings])
    initial = solara.use_memo(lambda: Runs(path, settings, first), dependencies=[first])
    # use_reactive follows its argument when it changes: hand it values that stay the same.
    runs = solara.use_reactive(initial)
    view = solara.use_reactive(solara.use_memo(initial.view, dependencies=[initial]))
    pending = solara.use_reactive(first)
    playing = solara.use_reactive(False)
    lock = solara.use_memo(threading.Lock, dependencies=[])
    loaded = load(path, settings)
    end_year = loaded.scenario.end.year

    def rebuild(controls: Controls, steps: int) -> None:
        playing.set(False)
        with lock:
            fresh = Runs(path, settings, controls)
            fresh.run_to(steps)
            runs.set(fresh)
            view.set(fresh.view())

    def advance(steps: int) -> None:
        with lock:
            runs.value.run_to(steps)
            view.set(runs.value.view())

    def play() -> None:
        """Step at :data:`PLAY_PACE`, showing the latest quarter each time a drawing is done."""
        if not playing.value:
            return
        r = runs.value
        t0, s0 = time.monotonic(), r.steps
        while True:
            with lock:
                if not playing.value or runs.value is not r or r.steps >= r.total:
                    break
                target = s0 + 1 + int((time.monotonic() - t0) * PLAY_PACE)
                r.run_to(target)
                view.set(r.view())
            time.sleep(max(0.0, t0 + (target - s0) / PLAY_PACE - time.monotonic()))
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    v = view.value
    p = pending.value
    changed = p != runs.value.controls
    solara.Title("inclusim dashboard")
    solara.Style(CSS)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f'<span class="name">{html.escape(v.label)}</span>'
            f'<span class="quarter">{html.escape(quarter_text(v))}</span>'
        ),
        classes=["inclusim-top"],
    )
    with solara.Row(classes=["inclusim-body"], gap="12px"):
        with solara.Column(classes=["inclusim-controls"], gap="0px"):
            with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
                solara.Button(
                    "Step",
                    color="primary",
                    on_click=lambda: advance(runs.value.steps + 1),
                    disabled=playing.value or v.at_end,
                )
                solara.Button(
                    "\u275a\u275a Pause" if playing.value else "\u25b6 Play",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=v.at_end,
                )
                solara.Button(
                    f"Run to {end_year}",
                    color="primary",
                    on_click=lambda: (playing.set(False), advance(v.total)),
                    disabled=v.at_end,
                )
                solara.Button(
                    "Restart",
                    outlined=True,
                    on_click=lambda: rebuild(runs.value.controls, 0),
                    disabled=v.steps == 0,
                )
            solara.HTML(tag="h4", unsafe_innerHTML="Settings", style="margin:10px 0 0")
            solara.InputText(
                "Seed",
                value=p.seed,
                on_value=lambda s: pending.set(_replace(pending.value, seed=s)),
                continuous_update=True,
            )
            low, high, step = HOUSEHOLDS_RANGE
            solara.SliderInt(
                f"Households: {p.households:,}",
                value=p.households,
                min=low,
                max=high,
                step=step,
                on_value=lambda n: pending.set(_replace(pending.value, households=int(n))),
                thumb_label=False,
            )
            for kind, label in LEVERS.items():
                solara.SliderFloat(
                    f"{label}: {p.levers[kind]:.2f}",
                    value=p.levers[kind],
                    min=0.0,
                    max=1.0,
                    step=0.05,
                    on_value=lambda x, kind=kind: pending.set(
                        _replace(pending.value, levers={**pending.value.levers, kind: float(x)})
                    ),
                    thumb_label=False,
                )
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=html.escape(lever_note(loaded, kind)),
                    classes=["inclusim-lever-note"],
                )
            solara.Button(
                "Apply",
                color="primary" if changed else None,
                on_click=lambda: rebuild(pending.value, runs.value.steps),
                disabled=not changed,
                block=True,
            )
            status = (
                "Changed: press Apply to rerun to the quarter shown."
                if changed
                else "The run uses these settings."
            )
            solara.HTML(tag="div", unsafe_innerHTML=status, classes=["inclusim-status"])
        with solara.Column(classes=["inclusim-main"], gap="0px"):
            solara.HTML(tag="div", unsafe_innerHTML=headline_html(v))
            Charts(v)


def _replace(controls: Controls, **changes: object) -> Controls:
    return dataclasses.replace(controls, **changes)  # type: ignore[arg-type]
