"""Ready figures of a finished comparison or sweep, as PNG and SVG in ``<folder>/figures/``.

Every plotting function takes the folder's :class:`~experiments.present.exports.Results` and
returns a matplotlib :class:`~matplotlib.figure.Figure` with a title, labelled axes (with units)
and the source line; :func:`make_figures` draws all that apply and writes them. One style for all
(:mod:`experiments.present.style`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.analysis.costs import LOSS, UNCLEAR, reading
from experiments.present import style
from experiments.present.exports import (
    Results,
    indicator_label,
    load_results,
    outcome_indicators,
    shown_factor,
    shown_unit,
)
from model import groups as vocabulary
from model.indicator_registry import GAP_KINDS, INDICATORS, split
from model.indicators import WORST_MIN_SHARE
from model.rules import schooling

HEADLINE_GAPS = (
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_disability_internet_use",
)
"""The gaps drawn in the trajectory and difference figures."""

HEATMAP_DIMENSIONS = ("sex", "location", "quintile", "age", "disability")
"""Blocks of rows of the Internet-use heatmap, top to bottom (after everyone)."""

PEOPLE_GROUPS = ("all", "sex=female", "location=rural", "quintile=1", "disability=with", "age=65+")
"""Groups of the 'extra people online' figure (``n_people_internet_use`` of each)."""

EMPLOYMENT_PANELS = ("sex", "age", "disability")
"""Dimensions of the panels of the COVID-19 employment figure."""

COVID_END = "2023Q4"
"""Last quarter of the COVID-19 employment figure."""

SCHOOLS_CLOSED = tuple(str(q) for q in schooling.SCHOOLS_CLOSED)
"""Default school-closure window of :mod:`model.rules.schooling`; figures shade their
region's own (:attr:`Results.schools_closed`)."""


@dataclass
class Drawn:
    """A figure drawn for an experiment, with what the report says about it.

    Attributes:
        name: file stem (``figures/<name>.png`` and ``.svg``).
        label: a short name (for a table of contents).
        title: the figure's title.
        caption: one or two sentences on how to read it.
        figure: the matplotlib figure.

    """

    name: str
    label: str
    title: str
    caption: str
    figure: Figure


# -- helpers -------------------------------------------------------------------------------


def qx(quarter: str) -> float:
    """A quarter such as ``2020Q2`` as a decimal year (start of the quarter: 2020.25)."""
    return int(quarter[:4]) + (int(quarter[-1]) - 1) / 4


def _scale(indicator: str) -> float:
    """Factor from stored values to drawn ones: shares and their differences become %/points."""
    return shown_factor(indicator)


def gap_text(gap: str) -> tuple[str, str, float]:
    """Panel title, unit as drawn and the value of parity of a gap indicator (registry words).

    Raises:
        KeyError: ``gap`` is not one of the registry's gap indicators.

    """
    base, _ = split(gap)
    prefix = max((p for p in GAP_KINDS if base.startswith(p + "_")), key=len, default=None)
    if prefix is None or base not in INDICATORS:
        raise KeyError(gap)
    words, scale = GAP_KINDS[prefix][:2]
    return words[0].upper() + words[1:], shown_unit(gap), 1.0 if scale == "ratio" else 0.0


def years_axis(ax: Axes, first: float, last: float) -> None:
    """An x axis of decimal years from ``first`` to ``last``, ticks every one or two years."""
    ax.set_xlim(first, last + 0.02)
    span = last - first
    step = 1 if span <= 6 else 2
    ax.xaxis.set_major_locator(mticker.MultipleLocator(step))
    ax.xaxis.set_minor_locator(mticker.MultipleLocator(0.25 if span <= 6 else 1))
    ax.xaxis.set_major_formatter(mticker.FormatStrFormatter("%d"))


def shade_schools(
    ax: Axes, quarters: list[str], *, label: bool, window: tuple[str, str] = SCHOOLS_CLOSED
) -> None:
    """Shade the school closure (first and last quarter ``window``) when it is in ``quarters``."""
    a, b = window
    if a in quarters:
        ax.axvspan(qx(a), qx(b) + 0.25, color="#000000", alpha=0.06, lw=0, zorder=0)
        if label:
            ax.text(
                qx(a) + 0.03,
                0.02,
                "schools closed",
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                color=style.MUTED,
                va="bottom",
            )


def _band_text(res: Results) -> str:
    n = res.replications
    return f"lines: mean over {n} paired replication{'s' if n != 1 else ''}; shaded: 5-95% of runs"


def _finite(values: np.ndarray) -> bool:
    return bool(np.isfinite(np.asarray(values, dtype=float)).any())


def _wrap(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def millions(x: float, _pos: int | None = None) -> str:
    """A count as millions with one decimal, for an axis (a matplotlib tick formatter)."""
    return f"{x / 1e6:,.1f}"


def _baseline_last(names: list[str]) -> list[str]:
    """Drawing order: the baseline on top, so its dashes show over an identical scenario."""
    return [*names[1:], names[0]]


def _in_order(ax: Axes, res: Results) -> tuple[list, list[str]]:
    """The axes' legend entries with the scenarios in the order given (baseline first)."""
    handles, labels = ax.get_legend_handles_labels()
    by_label = dict(zip(labels, handles, strict=True))
    order = [res.short_label(n) for n in res.names]
    keep = [lab for lab in order if lab in by_label] + [lab for lab in labels if lab not in order]
    return [by_label[lab] for lab in keep], keep


BAND_ALPHA = 0.09
"""Opacity of a scenario's band (several overlap)."""


# -- compare figures -----------------------------------------------------------------------


def fig_gap_trajectories(res: Results) -> Figure:
    """The headline gaps from 2019 to the end, one line and band per scenario (small multiples)."""
    gaps = [g for g in HEADLINE_GAPS if g in res.indicators]
    quarters = res.quarters
    xs = np.array([qx(q) for q in quarters])
    styles = style.scenario_styles(res.names)
    ncols = 2
    nrows = max(1, int(np.ceil(len(gaps) / ncols)))
    legend_cols = min(3, len(res.names))
    fig, axes = style.new_figure(
        "Internet-use gaps, " + f"{quarters[0]} to {quarters[-1]}",
        _band_text(res) + "; dotted line: parity",
        nrows,
        ncols,
        size=(11, 3.9 * nrows + 1.4),
        legend_rows=int(np.ceil(len(res.names) / legend_cols)),
        sharex=True,
    )
    flat = np.atleast_1d(axes).ravel()
    with style.styled():
        for ax, gap in zip(flat, gaps, strict=False):
            title, unit, parity = gap_text(gap)
            f = _scale(gap)
            for name in _baseline_last(res.names):
                s = res.series("summary", name, gap).reindex(quarters)
                st = styles[name]
                z = 3 if name == res.baseline else 2
                ax.fill_between(
                    xs, s["p5"] * f, s["p95"] * f, color=st["color"], alpha=BAND_ALPHA, lw=0
                )
                ax.plot(xs, s["mean"] * f, label=res.short_label(name), zorder=z, **st)
            ax.axhline(parity * f, color=style.MUTED, lw=0.8, ls=":", zorder=1)
            shade_schools(ax, quarters, label=ax is flat[0], window=res.schools_closed)
            ax.set_title(title)
            ax.set_ylabel(textwrap.fill(unit, 34))
            years_axis(ax, xs[0], xs[-1])
        for ax in flat[len(gaps) :]:
            ax.remove()
        for ax in flat[: len(gaps)][-ncols:]:
            ax.set_xlabel("year (quarterly values)")
        style.add_legend(fig, *_in_order(flat[0], res), legend_cols, note=False)
        style.add_source(fig, res.source_line())
    return fig


def _direction(res: Results, gap: str) -> str:
    """Which way the difference narrows the gap, from the baseline's value at the quarter."""
    row = res.at(res.baseline, gap)
    parity = gap_text(gap)[2]
    if row is None or not np.isfinite(row["mean"]):
        return ""
    return "right" if row["mean"] < parity else "left"


def fig_gap_differences(res: Results) -> Figure:
    """Each scenario minus the baseline for the headline gaps at the table's quarter."""
    gaps = [g for g in HEADLINE_GAPS if g in res.indicators]
    others = res.names[1:]
    styles = style.scenario_styles(res.names)
    ncols = 2
    nrows = max(1, int(np.ceil(len(gaps) / ncols)))
    height = max(1.0, 0.42 * len(others) + 1.3)
    fig, axes = style.new_figure(
        f"Difference from '{res.short_label(res.baseline)}' in {res.quarter}: Internet-use gaps",
        "dot: mean of the paired differences (scenario minus baseline, run by run); "
        "bar: its 95% confidence interval",
        nrows,
        ncols,
        size=(11, height * nrows + 1.6),
        sharey=True,
    )
    flat = np.atleast_1d(axes).ravel()
    ys = np.arange(len(others))[::-1]
    with style.styled():
        for ax, gap in zip(flat, gaps, strict=False):
            title, unit, _ = gap_text(gap)
            f = _scale(gap)
            for y, name in zip(ys, others, strict=True):
                r = res.at(name, gap)
                if r is None:
                    continue
                c = styles[name]["color"]
                ax.plot(
                    [r["ci_low_diff"] * f, r["ci_high_diff"] * f],
                    [y, y],
                    color=c,
                    lw=4,
                    solid_capstyle="butt",
                    alpha=0.8,
                )
                ax.plot(r["mean_diff"] * f, y, "o", color=c, ms=6, mec="white", mew=0.8)
            ax.axvline(0, color=style.INK, lw=0.8)
            ax.set_title(title)
            d = _direction(res, gap)
            arrow = {"right": "gap narrows  \u2192", "left": "\u2190  gap narrows"}.get(d, "")
            ax.set_xlabel(f"difference in {unit}" + (f"\n{arrow}" if arrow else ""))
            ax.set_yticks(ys, [_wrap(res.short_label(n)) for n in others])
            ax.grid(axis="y", visible=False)
            ax.set_ylim(-0.6, len(others) - 0.4)
            ax.xaxis.set_major_locator(mticker.MaxNLocator(6, symmetric=True))
        for ax in flat[len(gaps) :]:
            ax.remove()
        style.add_source(fig, res.source_line())
    return fig


def fig_people_online(res: Results) -> Figure:
    """Extra people online compared with the baseline, by group, at the table's quarter."""
    people = "n_people_internet_use"
    groups = [
        (grouped(people, g), vocabulary.short_label(g))
        for g in PEOPLE_GROUPS
        if grouped(people, g) in res.indicators
    ]
    others = res.names[1:]
    styles = style.scenario_styles(res.names)
    n = len(others)
    fig, ax = style.new_figure(
        f"Extra people online in {res.quarter} compared with '{res.short_label(res.baseline)}'",
        "people of all ages using the Internet; dot: mean of paired differences; "
        "bar: 95% confidence interval",
        size=(11, 0.13 * (n + 1) * len(groups) + 2.2),
        note=True,
    )
    with style.styled():
        step = n + 1
        offsets = (np.arange(n) - (n - 1) / 2) * 0.8
        for g, (indicator, _) in enumerate(groups):
            centre = (len(groups) - 1 - g) * step
            for k, name in enumerate(others):
                r = res.at(name, indicator)
                if r is None:
                    continue
                y = centre - offsets[k]
                c = styles[name]["color"]
                ax.plot(
                    [r["ci_low_diff"], r["ci_high_diff"]],
                    [y, y],
                    color=c,
                    lw=3.5,
                    solid_capstyle="butt",
                    alpha=0.8,
                )
                ax.plot(
                    r["mean_diff"],
                    y,
                    "o",
                    color=c,
                    ms=5.5,
                    mec="white",
                    mew=0.7,
                    label=_wrap(res.short_label(name)) if g == 0 else None,
                )
        for g in range(1, len(groups)):
            ax.axhline(g * step - step / 2, color=style.GRID, lw=0.8)
        ax.set_ylim(-step / 2, (len(groups) - 0.5) * step)
        ax.axvline(0, color=style.INK, lw=0.8)
        ax.set_yticks(
            [(len(groups) - 1 - g) * step for g in range(len(groups))],
            [label for _, label in groups],
        )
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(millions))
        ax.set_xlabel("difference from the baseline, million people")
        ax.set_title(f"{indicator_label(people)}, scenario minus baseline, by group")
        fig.legend(loc="outside right upper", title="scenario", alignment="left")
        style.add_source(
            fig,
            res.source_line(),
            "Groups by sex, age and disability are groups of persons; location and income fifth "
            "are those of the person's household (see the model card).",
        )
    return fig


def fig_internet_heatmap(res: Results, scenarios: list[str] | None = None) -> Figure:
    """Internet use by group and year, for the baseline and the most ambitious scenario."""
    if scenarios is None:
        scenarios = [res.baseline]
        if len(res.names) > 1:
            scenarios.append(res.most_ambitious())
    years = [q for q in res.quarters if q.endswith("Q4")]
    groups = [g for g in heatmap_groups() if _group_indicator(g) in res.indicators]
    panels = [(s, "summary") for s in scenarios]
    if len(scenarios) == 2:
        panels.append((scenarios[1], "differences"))
    fig, axes = style.new_figure(
        "Internet use by group and year",
        f"{shown_unit('share_internet_use')} using the Internet, all ages (value at Q4 of each "
        "year)" + ("; right: difference, percentage points" if len(panels) == 3 else ""),
        1,
        len(panels),
        size=(4.3 * len(panels) + 2.2, 0.34 * len(groups) + 2.6),
        sharey=True,
    )
    flat = np.atleast_1d(axes).ravel()
    levels = [ax for ax, (_, frame) in zip(flat, panels, strict=True) if frame == "summary"]
    breaks = [k - 0.5 for k in range(1, len(groups)) if _block(groups[k]) != _block(groups[k - 1])]
    with style.styled():
        for ax, (name, frame) in zip(flat, panels, strict=True):
            data = getattr(res, frame)
            sub = data[(data["scenario"] == name)]
            wide = sub.pivot(index="indicator", columns="quarter", values="mean")
            grid = (
                np.array(
                    [
                        wide.reindex(index=[_group_indicator(g)], columns=years).to_numpy()[0]
                        for g in groups
                    ]
                )
                * 100
            )
            if frame == "summary":
                im = ax.imshow(grid, cmap=style.SEQUENTIAL, vmin=0, vmax=100, aspect="auto")
                title = res.short_label(name)
                fmt = "{:.0f}"
            else:
                lim = max(1.0, float(np.nanmax(np.abs(grid))) if _finite(grid) else 1.0)
                im = ax.imshow(grid, cmap=style.DIVERGING, vmin=-lim, vmax=lim, aspect="auto")
                title = f"difference: {res.short_label(name)} minus {res.short_label(res.baseline)}"
                fmt = "{:+.0f}"
            cmap, norm = im.get_cmap(), im.norm
            for i in range(grid.shape[0]):
                for j in range(grid.shape[1]):
                    v = grid[i, j]
                    if not np.isfinite(v):
                        continue
                    r, g, b, _ = cmap(norm(v))
                    ink = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else style.INK
                    text = fmt.format(v)
                    if text in ("+0", "-0"):
                        text = "0"
                    ax.text(j, i, text, ha="center", va="center", fontsize=7, color=ink)
            for y in breaks:
                ax.axhline(y, color="white", lw=2.5)
            ax.set_title(_wrap(title, 44), fontsize=9.5)
            ax.set_xticks(range(len(years)), [y[:4] for y in years], rotation=90)
            ax.set_xlabel("year (value at Q4)")
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.tick_params(length=0)
            if frame == "differences" or ax is levels[-1]:
                cb = fig.colorbar(
                    im,
                    ax=levels if frame == "summary" else ax,
                    shrink=0.85,
                    pad=0.015,
                    aspect=30,
                )
                cb.set_label(
                    shown_unit("share_internet_use") if frame == "summary" else "percentage points"
                )
                cb.outline.set_visible(False)
        flat[0].set_yticks(range(len(groups)), [vocabulary.short_label(g) for g in groups])
        style.add_source(fig, res.source_line())
    return fig


def _block(group: str) -> str:
    """The dimension a heatmap row belongs to (rows of one dimension sit together)."""
    return group.split("=", 1)[0]


def grouped(base: str, group: str) -> str:
    """The indicator name of ``base`` for a group (``all``: the base name itself)."""
    return base if group == "all" else f"{base}:{group}"


def _group_indicator(group: str) -> str:
    return grouped("share_internet_use", group)


def heatmap_groups() -> list[str]:
    """Rows of the Internet-use heatmap: everyone, then the disjoint groups of each dimension."""
    split_by = INDICATORS["share_internet_use"].groups()
    rows = ["all"]
    for dim in HEATMAP_DIMENSIONS:
        rows += [
            g
            for g in split_by
            if g.startswith(f"{dim}=") and g.split("=", 1)[1] not in vocabulary.AGE_AGGREGATES
        ]
    return rows


def fig_worst_off(res: Results) -> Figure:
    """The worst-off intersection's Internet use and how far it lags the average, per scenario."""
    quarters = res.quarters
    xs = np.array([qx(q) for q in quarters])
    styles = style.scenario_styles(res.names)
    fig, axes = style.new_figure(
        "Leave no one behind: the worst-off group",
        "worst-off group: the combination of sex, age band, location, income fifth and "
        "disability with the lowest Internet use, at each quarter; " + _band_text(res),
        1,
        2,
        size=(12, 5.9),
        legend_rows=int(np.ceil((len(res.names) + 1) / 4)),
        note=not res.worst_labels,
    )
    with style.styled():
        left, right = axes
        for name in _baseline_last(res.names):
            st = styles[name]
            z = 3 if name == res.baseline else 2
            w = res.series("summary", name, "worst_share_internet_use").reindex(quarters)
            lag = res.series("summary", name, "lag_worst_internet_use").reindex(quarters)
            left.fill_between(
                xs, w["p5"] * 100, w["p95"] * 100, color=st["color"], alpha=BAND_ALPHA, lw=0
            )
            left.plot(xs, w["mean"] * 100, label=res.short_label(name), zorder=z, **st)
            right.fill_between(
                xs, lag["p5"] * 100, lag["p95"] * 100, color=st["color"], alpha=BAND_ALPHA, lw=0
            )
            right.plot(xs, lag["mean"] * 100, zorder=z, **st)
        # The average the lag is measured from (persons aged 5+): worst-off share plus lag.
        worst = res.series("summary", res.baseline, "worst_share_internet_use").reindex(quarters)
        lag = res.series("summary", res.baseline, "lag_worst_internet_use").reindex(quarters)
        left.plot(
            xs,
            (worst["mean"] + lag["mean"]) * 100,
            color=style.MUTED,
            lw=1.0,
            ls=":",
            label=f"average of people aged 5+, {res.short_label(res.baseline)}",
        )
        left.set_title(indicator_label("worst_share_internet_use"))
        left.set_ylabel(f"{shown_unit('worst_share_internet_use')} in the group")
        right.set_title("Lag behind the average")
        right.set_ylabel(shown_unit("lag_worst_internet_use"))
        for ax in axes:
            ax.set_xlabel("year (quarterly values)")
            years_axis(ax, xs[0], xs[-1])
            shade_schools(ax, quarters, label=ax is left, window=res.schools_closed)
        left.set_ylim(bottom=0)
        right.set_ylim(bottom=0)
        if res.worst_labels:
            lines = [
                f"{res.short_label(n)}: {res.worst_labels[n]}"
                for n in res.names
                if n in res.worst_labels
            ]
            right.text(
                0.02,
                0.02,
                f"Worst-off group in {quarters[-1]}:\n" + "\n".join(lines),
                transform=right.transAxes,
                fontsize=7,
                va="bottom",
                color=style.INK,
            )
        style.add_legend(fig, *_in_order(left, res), 4, note=not res.worst_labels)
        note = (
            ""
            if res.worst_labels
            else "Which intersection is worst off is not stored in this folder; the worst-off "
            "group can differ between quarters, scenarios and runs."
        )
        style.add_source(fig, res.source_line(), note)
    return fig


COST_GAIN = {
    "online": ("Extra people online", "million people", "person online"),
    "households": ("Extra households connected", "million households", "household connected"),
}
"""The gain the cost figure shows (the first the table has), with its words."""


def fig_cost(res: Results) -> Figure:
    """Spending, extra people online and US$ per extra person online, per scenario."""
    assert res.cost is not None
    cost = res.cost.set_index("scenario")
    others = [n for n in res.names[1:] if n in cost.index]
    styles = style.scenario_styles(res.names)
    key = next((k for k in COST_GAIN if f"extra_{k}_mean" in cost.columns), None)
    ncols = 3 if key else 1
    fig, axes = style.new_figure(
        f"What each scenario costs and buys, to {res.quarter}",
        f"compared with '{res.short_label(res.baseline)}'; bars: mean over paired replications; "
        "whiskers: 95% confidence interval",
        1,
        ncols,
        size=(12.5, 0.5 * len(others) + 2.6),
        note=True,
        sharey=True,
    )
    flat = np.atleast_1d(axes).ravel()
    ys = np.arange(len(others))[::-1]
    colours = [styles[n]["color"] for n in others]
    with style.styled():
        ax = flat[0]
        spend = cost.loc[others, "spend_mean"].to_numpy() / 1e9
        err = _err(cost.loc[others], "spend", 1e9)
        ax.barh(ys, spend, color=colours, xerr=err, error_kw={"lw": 0.9, "capsize": 2})
        ax.set_title("Spending")
        ax.set_xlabel(f"cumulative spending to {res.quarter}, US$ billion")
        ax.set_yticks(ys, [_wrap(res.short_label(n)) for n in others])
        _bar_labels(ax, ys, spend, err, "{:,.1f}")
        if key:
            _cost_gain_panels(flat[1], flat[2], cost.loc[others], key, ys, colours)
        for a in flat:
            a.grid(axis="y", visible=False)
        per = COST_GAIN[key][2] if key else ""
        style.add_source(
            fig,
            res.source_line(),
            f"US$ per extra {per} = extra spending / extra gain (ratio of means over "
            "replications), given only where the gain's interval is clear of zero and "
            "positive; unit costs as stated in each scenario file; other gains in the report's "
            "costs section.",
        )
    return fig


def _cost_gain_panels(
    ax_gain: Axes, ax_cost: Axes, cost: pd.DataFrame, key: str, ys: np.ndarray, colours: list
) -> None:
    """The extra gain per scenario and the US$ per unit of it (log scale, words if none)."""
    title, unit, per = COST_GAIN[key]
    extra = cost[f"extra_{key}_mean"].to_numpy() / 1e6
    err = _err(cost, f"extra_{key}", 1e6)
    ax_gain.barh(ys, extra, color=colours, xerr=err, error_kw={"lw": 0.9, "capsize": 2})
    clear = cost[f"extra_{key}_clear"].to_numpy(dtype=bool)
    _bar_labels(ax_gain, ys, np.where(clear, extra, np.nan), err, "{:+,.2f}")
    for y, m, hi, is_clear in zip(ys, extra, err[1], clear, strict=True):
        if not is_clear and np.isfinite(m):
            ax_gain.text(
                max(m + hi, 0), y, "  no clear effect", va="center", fontsize=7.5, color=style.MUTED
            )
    ax_gain.axvline(0, color=style.INK, lw=0.8)
    ax_gain.set_title(title)
    ax_gain.set_xlabel(f"{unit}, compared with the baseline")
    readings = [reading(row, key) for _, row in cost.iterrows()]
    cpe = np.array([r if isinstance(r, float) else np.nan for r in readings])
    ok = np.isfinite(cpe) & (cpe > 0)
    ax_cost.barh(ys[ok], cpe[ok], color=np.array(colours)[ok])
    ax_cost.set_xscale("log")
    if ok.any():
        lo, hi = float(cpe[ok].min()), float(cpe[ok].max())
        ax_cost.set_xlim(10 ** np.floor(np.log10(lo) - 0.3), 10 ** np.ceil(np.log10(hi) + 0.6))
    else:
        ax_cost.set_xlim(10, 1e5)
    ax_cost.xaxis.set_major_formatter(mticker.FuncFormatter(lambda x, _p: f"{x:,.0f}"))
    why = {UNCLEAR: "no clear effect: no figure", LOSS: "a loss: no figure"}
    for y, v, good, r in zip(ys, cpe, ok, readings, strict=True):
        text = f"  {v:,.0f}" if good else f"  {why.get(r, r)}"
        ax_cost.text(
            v if good else ax_cost.get_xlim()[0],
            y,
            text,
            va="center",
            fontsize=7.5,
            color=style.INK if good else style.MUTED,
        )
    ax_cost.set_title(f"Cost per extra {per}")
    ax_cost.set_xlabel(f"US$ per extra {per} (log scale)")


def _bar_labels(ax: Axes, ys: np.ndarray, values: np.ndarray, err: np.ndarray, fmt: str) -> None:
    """Write each bar's value just beyond its bar and whisker."""
    for y, v, hi in zip(ys, values, err[1], strict=True):
        if np.isfinite(v):
            ax.text(
                max(v + hi, 0), y, "  " + fmt.format(v), va="center", fontsize=7.5, color=style.INK
            )
    left, right = ax.get_xlim()
    ax.set_xlim(left, right + 0.12 * (right - left))


def _err(frame: pd.DataFrame, prefix: str, scale: float) -> np.ndarray:
    mean = frame[f"{prefix}_mean"].to_numpy(dtype=float)
    lo = frame[f"{prefix}_ci_low"].to_numpy(dtype=float)
    hi = frame[f"{prefix}_ci_high"].to_numpy(dtype=float)
    err = np.vstack([mean - lo, hi - mean]) / scale
    return np.where(np.isfinite(err), np.maximum(err, 0), 0)


def fig_covid_employment(res: Results) -> Figure:
    """Employment by group through the COVID-19 shock (baseline), 2019Q4 to 2023Q4."""
    quarters = [q for q in res.quarters if q <= COVID_END]
    xs = np.array([qx(q) for q in quarters])
    name = res.baseline
    fig, axes = style.new_figure(
        f"The COVID-19 shock: employment by group, {quarters[0]} to {quarters[-1]}",
        f"scenario '{res.short_label(name)}'; {_band_text(res)}; each group's employment rate "
        f"relative to its own {quarters[0]} level, as ILO reports losses; in the legend: the "
        "deepest fall",
        1,
        len(EMPLOYMENT_PANELS),
        size=(13, 5.8),
        note=True,
        sharey=True,
    )
    colours = [style.SERIES[0], style.SERIES[1], style.SERIES[2]]
    dashes = ["-", "--", "-."]
    with style.styled():
        split_by = INDICATORS["share_employed"].groups()
        for ax, dim in zip(np.atleast_1d(axes), EMPLOYMENT_PANELS, strict=True):
            groups = [g for g in split_by if g.startswith(f"{dim}=")]
            for k, g in enumerate(groups):
                ind = f"share_employed:{g}"
                if ind not in res.indicators:
                    continue
                s = res.series("summary", name, ind).reindex(quarters)
                start = float(s["mean"].iloc[0])
                m = _relative(s["mean"].to_numpy(), start)
                drop = float(np.nanmin(m)) if _finite(m) else float("nan")
                ax.fill_between(
                    xs,
                    _relative(s["p5"].to_numpy(), start),
                    _relative(s["p95"].to_numpy(), start),
                    color=colours[k],
                    alpha=0.15,
                    lw=0,
                )
                ax.plot(
                    xs,
                    m,
                    color=colours[k],
                    ls=dashes[k],
                    label=f"{vocabulary.short_label(g)} ({drop:+.1f}% at the deepest)",
                )
            ax.set_title(f"By {dim}")
            ax.set_xlabel("year (quarterly values)")
            years_axis(ax, xs[0], xs[-1])
            shade_schools(
                ax, quarters, label=ax is np.atleast_1d(axes)[0], window=res.schools_closed
            )
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.2), ncols=1, borderaxespad=0)
        np.atleast_1d(axes)[0].set_ylabel(f"employment rate, % change from {quarters[0]}")
        style.add_source(
            fig,
            res.source_line(),
            "Employment of each person aged 15+; the hours lost follow the region's ILO path.",
        )
    return fig


def _relative(values: np.ndarray, start: float) -> np.ndarray:
    """Percent change of ``values`` from ``start`` (NaN where ``start`` is not positive)."""
    if not start > 0:
        return np.full(values.shape, np.nan)
    return (values / start - 1) * 100


# -- sweep figures -------------------------------------------------------------------------


def _short_input(name: str) -> str:
    for prefix in ("parameters.", "policies."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.replace(".intensity", " (intensity)")


def _outcome_grid(
    res: Results, title: str, subtitle: str, width: float, row_h: float, legend_rows: int = 0
) -> tuple[Figure, np.ndarray, list[str]]:
    assert res.sensitivity is not None
    outcomes = list(dict.fromkeys(res.sensitivity["outcome"]))
    ncols = min(3, len(outcomes))
    nrows = int(np.ceil(len(outcomes) / ncols))
    fig, axes = style.new_figure(
        title,
        subtitle,
        nrows,
        ncols,
        size=(width, row_h * nrows + 1.4),
        legend_rows=legend_rows,
    )
    flat = np.atleast_1d(axes).ravel()
    for ax in flat[len(outcomes) :]:
        ax.remove()
    return fig, flat[: len(outcomes)], outcomes


def fig_morris(res: Results) -> Figure:
    """Morris screening: mu* against sigma for each outcome; the five largest mu* labelled."""
    fig, axes, outcomes = _outcome_grid(
        res,
        "Which behavioural assumptions matter? Morris screening",
        "each dot is an input; right: strong effect (mu*), up: effect that depends on the other "
        "inputs or is non-linear (sigma); dashed: sigma = mu*",
        13,
        4.0,
    )
    s = res.sensitivity
    assert s is not None
    with style.styled():
        for ax, outcome in zip(axes, outcomes, strict=True):
            sub = s[s["outcome"] == outcome].sort_values("mu_star", ascending=False)
            x = sub["mu_star"].to_numpy(dtype=float)
            y = sub["sigma"].to_numpy(dtype=float)
            ax.scatter(x, y, s=18, color=style.SERIES[0], alpha=0.8, edgecolor="white", lw=0.5)
            top = (
                max(
                    float(np.nanmax(x)) if _finite(x) else 0,
                    float(np.nanmax(y)) if _finite(y) else 0,
                )
                or 1.0
            )
            ax.plot([0, top * 1.1], [0, top * 1.1], ls="--", lw=0.8, color=style.MUTED)
            ax.set_xlim(0, top * 1.35)
            ax.set_ylim(0, top * 1.1)
            placed: list[tuple[float, float]] = []
            for _, r in sub.head(5).iterrows():
                if not r["mu_star"] > 0:
                    continue
                fx, fy = r["mu_star"] / (top * 1.35), r["sigma"] / (top * 1.1)
                shift = 2
                while any(
                    abs(fx - px) < 0.3 and abs(fy + shift / 200 - py) < 0.045 for px, py in placed
                ):
                    shift -= 9
                placed.append((fx, fy + shift / 200))
                ax.annotate(
                    _short_input(r["input"]),
                    (r["mu_star"], r["sigma"]),
                    xytext=(3, shift),
                    textcoords="offset points",
                    fontsize=7,
                    color=style.INK,
                )
            ax.set_title(_outcome_title(res, outcome), fontsize=9.5)
            ax.set_xlabel("mu* (mean |elementary effect|, outcome units)")
            ax.set_ylabel("sigma (sd of elementary effects)")
        style.add_source(fig, res.source_line())
    return fig


def fig_indices(res: Results) -> Figure:
    """Sobol S1 and ST (or the design's main measure) per input, for each outcome."""
    s = res.sensitivity
    assert s is not None
    kind = str((res.manifest.get("definition") or {}).get("design", {}).get("kind", ""))
    sobol = {"S1", "ST"} <= set(s.columns)
    title = (
        "Which inputs drive each outcome? Sobol indices"
        if sobol
        else "Which inputs drive each outcome? Sensitivity indices"
    )
    measures = ["S1", "ST"] if sobol else [c for c in ("S1", "main_effect") if c in s.columns][:1]
    subtitle = (
        "S1: share of the outcome's variance due to the input alone; ST: including its "
        "interactions; whiskers: 95% bootstrap interval"
        if sobol
        else f"design '{kind}': "
        + (
            "range of the mean outcome across the input's values (outcome units)"
            if measures == ["main_effect"]
            else "first-order index (share of variance)"
        )
    )
    n_inputs = s["input"].nunique()
    fig, axes, outcomes = _outcome_grid(
        res, title, subtitle, 13, 0.3 * n_inputs + 1.4, legend_rows=1 if sobol else 0
    )
    colours = [style.SERIES[0], style.SERIES[1]]
    with style.styled():
        for ax, outcome in zip(axes, outcomes, strict=True):
            sub = s[s["outcome"] == outcome].sort_values(measures[-1], ascending=True)
            ys = np.arange(len(sub))
            h = 0.8 / len(measures)
            for k, m in enumerate(measures):
                conf = sub[f"{m}_conf"].to_numpy(dtype=float) if f"{m}_conf" in sub else None
                ax.barh(
                    ys - (k - (len(measures) - 1) / 2) * h,
                    sub[m].to_numpy(dtype=float),
                    height=h,
                    color=colours[k],
                    label=m,
                    xerr=conf,
                    error_kw={"lw": 0.8, "capsize": 1.5, "ecolor": style.MUTED},
                )
            ax.set_yticks(ys, [_short_input(i) for i in sub["input"]], fontsize=7.5)
            ax.axvline(0, color=style.INK, lw=0.6)
            ax.grid(axis="y", visible=False)
            ax.set_title(_outcome_title(res, outcome), fontsize=9.5)
            ax.set_xlabel(
                "index (share of output variance)"
                if measures != ["main_effect"]
                else "main effect (outcome units)"
            )
        if len(measures) > 1:
            handles, labels = axes[0].get_legend_handles_labels()
            style.add_legend(fig, handles, labels, len(labels), note=False)
        style.add_source(fig, res.source_line())
    return fig


def _outcome_title(res: Results, outcome: str) -> str:
    ind = outcome_indicators(res).get(outcome, outcome.split("@")[0])
    when = outcome.split("@")[1] if "@" in outcome else ""
    text = f"{indicator_label(ind)}{f', {when}' if when else ''}"
    return _wrap(text, 34)


# -- all figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """A figure the package can draw: file name, short label, function, when, caption."""

    name: str
    label: str
    draw: Callable[[Results], Figure]
    applies: Callable[[Results], bool]
    caption: Callable[[Results], str]


def _has(*indicators: str) -> Callable[[Results], bool]:
    return lambda r: r.kind == "compare" and any(i in r.indicators for i in indicators)


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "gap_trajectories",
        "Gaps over time",
        fig_gap_trajectories,
        _has(*HEADLINE_GAPS),
        lambda r: (
            "How the four headline Internet-use gaps move from the pre-COVID baseline to "
            "the end of the runs. A ratio closer to 1, or a disability gap closer to 0, is a "
            "smaller gap. Lines are means over paired replications; shaded bands hold 90% of runs."
        ),
    ),
    FigureSpec(
        "gap_differences",
        "Gaps: scenario minus baseline",
        fig_gap_differences,
        lambda r: _has(*HEADLINE_GAPS)(r) and len(r.names) > 1,
        lambda r: (
            f"Each scenario minus the baseline in {r.quarter}, from runs paired by seed. "
            "A thick bar that does not cross zero means the difference is clear at the 95% level; "
            "the arrow under each panel shows which direction narrows the gap."
        ),
    ),
    FigureSpec(
        "people_online",
        "Extra people online",
        fig_people_online,
        lambda r: _has("n_people_internet_use")(r) and len(r.names) > 1,
        lambda r: (
            f"How many more people (of all ages) use the Internet in {r.quarter} under each "
            "scenario than under the baseline, overall and in the groups the Commission singles "
            "out."
        ),
    ),
    FigureSpec(
        "internet_heatmap",
        "Internet use by group and year",
        fig_internet_heatmap,
        _has("share_internet_use:sex=female"),
        lambda r: (
            "Internet use (% of people) by group at the end of each year, under the "
            "baseline"
            + (
                f" and under '{r.short_label(r.most_ambitious())}' (the scenario with the most "
                "levers), with the difference in percentage points on the right."
                if len(r.names) > 1
                else "."
            )
        ),
    ),
    FigureSpec(
        "worst_off",
        "The worst-off group",
        fig_worst_off,
        lambda r: _has("lag_worst_internet_use")(r) and "worst_share_internet_use" in r.indicators,
        lambda r: (
            "The group left furthest behind: the smallest Internet-use rate among "
            "intersections of sex, age band, location, income fifth and disability that hold at "
            f"least {WORST_MIN_SHARE:.1%} of people aged 5 and over, and its distance to the "
            "average."
            + (
                ""
                if r.worst_labels
                else " Which intersection it is, is not stored with the runs (see Assumptions)."
            )
        ),
    ),
    FigureSpec(
        "cost",
        "Cost and cost-effectiveness",
        fig_cost,
        lambda r: r.kind == "compare" and r.cost is not None and len(r.names) > 1,
        lambda r: (
            f"Cumulative spending of each scenario's policies to {r.quarter}, the "
            "people online beyond the baseline, and the cost of each extra person online "
            "(log scale: each step is ten times the one before). The other gains (meaningful "
            "connectivity, jobs, poverty) are in the costs section."
        ),
    ),
    FigureSpec(
        "covid_employment",
        "COVID-19 shock: employment",
        fig_covid_employment,
        _has("share_employed:sex=female"),
        lambda r: (
            "The COVID-19 shock in the labour market: each group's employment rate (people "
            "15+) from the pre-COVID quarter to 2023, in the baseline, as a percent change from "
            "its own pre-COVID level, the way ILO reports losses (women 5.0% against men 3.9% "
            "worldwide in 2020). The legend gives each group's deepest fall."
        ),
    ),
    FigureSpec(
        "morris",
        "Morris screening",
        fig_morris,
        lambda r: (
            r.kind == "sweep"
            and r.sensitivity is not None
            and {"mu_star", "sigma"} <= set(r.sensitivity.columns)
        ),
        lambda r: (
            "Morris screening: inputs far to the right move the outcome most over their "
            "plausible range; inputs high above the dashed line act non-linearly or through "
            "interactions. Inputs near the origin can be fixed at their default."
        ),
    ),
    FigureSpec(
        "sensitivity_indices",
        "Sensitivity indices",
        fig_indices,
        lambda r: (
            r.kind == "sweep"
            and r.sensitivity is not None
            and bool({"S1", "main_effect"} & set(r.sensitivity.columns))
        ),
        lambda r: (
            "Sensitivity indices per outcome, inputs ranked by their largest index. For "
            "Sobol designs, ST well above S1 means the input acts mostly through interactions with "
            "other inputs."
        ),
    ),
)
"""Every figure, in report order."""


def draw_figures(res: Results) -> list[Drawn]:
    """Draw every figure that applies to the experiment (nothing is written)."""
    out = []
    for spec in FIGURES:
        if spec.applies(res):
            fig = spec.draw(res)
            titles = style.texts_with_gid(fig, "title")
            title = titles[0] if titles else spec.label
            out.append(Drawn(spec.name, spec.label, title, spec.caption(res), fig))
    return out


def save(drawn: Drawn, folder: Path) -> list[Path]:
    """Write a figure as PNG (150 dpi) and SVG; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with style.styled():
        for suffix, kw in ((".png", {"dpi": 150}), (".svg", {})):
            path = folder / f"{drawn.name}{suffix}"
            tmp = path.with_name(f".{path.stem}.tmp{suffix}")
            drawn.figure.savefig(tmp, metadata=style.file_metadata(suffix), **kw)
            tmp.replace(path)
            paths.append(path)
    return paths


def make_figures(output_dir: str | Path) -> list[Path]:
    """Draw every figure that applies to a compare or sweep folder; write PNG and SVG files.

    Args:
        output_dir: the experiment folder (as ``compare`` or ``sweep`` wrote it).

    Returns:
        The written files, ``<output_dir>/figures/<name>.png`` and ``.svg``, in report order.

    """
    res = load_results(output_dir)
    folder = Path(output_dir) / "figures"
    paths: list[Path] = []
    for drawn in draw_figures(res):
        try:
            paths += save(drawn, folder)
        finally:
            style.close(drawn.figure)
    return paths
