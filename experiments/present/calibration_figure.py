"""The figure of ``calibrate --check --plot FILE``: each baseline's path beside its targets.

One panel per indicator a target reads (and per way it reads it: a level, a ratio to a
quarter, a change since one). The line is the mean over the seeds of what the check
compares, year by year (or quarter by quarter for targets set on a quarter), the band the
lowest to the highest seed; each target is a point with its tolerance (a range is a bar),
green where it passes and vermillion where it misses, filled when it is in-sample (a fit
may use it) and hollow when it is out-of-sample (only checked). A reader sees at once what
the table says and, between the targets, the path the model takes.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from experiments.analysis.calibration import PathTarget, value_of
from experiments.present import style
from experiments.present.exports import indicator_label, shown_factor, shown_unit
from experiments.present.figures import millions
from model import groups
from model.calendar import Quarter
from model.errors import InputError, Problem
from model.indicator_registry import INDICATORS, is_share, split
from model.paths import IN_SAMPLE

FORMATS = (".png", ".svg", ".pdf")
"""File types ``--plot`` writes (by the file's suffix)."""

PASS_COLOUR = style.OKABE_ITO["bluish_green"]
FAIL_COLOUR = style.OKABE_ITO["vermillion"]
MODEL_COLOUR = style.OKABE_ITO["blue"]
PANEL_SIZE = (3.6, 2.7)
"""Inches per panel (width, height)."""
COLUMNS = 3
"""Panels per row at most."""

PanelKey = tuple[str, str, str]
"""(scenario, label, how the target reads it)."""


def check_plot_path(path: str) -> Path:
    """The ``--plot`` file, checked before anything runs.

    Raises:
        InputError: the suffix is not one the figure can be written as.

    """
    out = Path(path)
    if out.suffix.lower() not in FORMATS:
        fix = f"end the file name with {', '.join(FORMATS)} (e.g. {out.stem or 'fit'}.png)."
        raise InputError(path, [Problem("", "is not a figure file the plot can write.", fix)])
    return out


def write(fig: Figure, path: Path) -> None:
    """Write the figure through a temporary file beside it (no half-written file is left).

    Raises:
        InputError: the folder cannot be made or written.

    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
        with style.styled():
            fig.savefig(tmp, dpi=150, metadata=style.file_metadata(path.suffix.lower()))
        tmp.replace(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        fix = "pass --plot with a file in a folder you can write to."
        raise InputError(str(path), [Problem("", f"cannot be written ({reason}).", fix)]) from None


def reading(t: PathTarget) -> str:
    """How a target reads its indicator: ``""`` (a level), ``/ 2019Q4`` or ``- 2019Q4``."""
    if t.relative_to is not None:
        return f"/ {t.relative_to}"
    if t.change_since is not None:
        return f"- {t.change_since}"
    return ""


def panels(targets: Sequence[PathTarget]) -> dict[PanelKey, list[PathTarget]]:
    """The targets by panel, in the order they are listed."""
    out: dict[PanelKey, list[PathTarget]] = {}
    for t in targets:
        out.setdefault((t.scenario, t.label, reading(t)), []).append(t)
    return out


def x_of(t: PathTarget) -> float:
    """Where a target stands on the time axis: mid-year for a year, mid-quarter for a quarter."""
    if t.year is not None:
        return t.year + 0.5
    return t.quarter.decimal_year


def model_path(
    group: Sequence[PathTarget], runs: Sequence[pd.DataFrame]
) -> tuple[np.ndarray, np.ndarray]:
    """What the panel's targets compare, at every year (or quarter) up to the last one read.

    Returns:
        The times (as :func:`x_of` places them) and the values, one row per run.

    """
    first = Quarter.parse(str(runs[0].index[0]))
    last = max(t.last_quarter for t in group)
    by_year = all(t.year is not None for t in group)
    if by_year:
        steps = [group[0].model_copy(update={"year": y}) for y in range(first.year, last.year + 1)]
    else:
        quarters = [first + k for k in range(last - first + 1)]
        steps = [group[0].model_copy(update={"year": None, "quarter": q}) for q in quarters]
    values = np.array([[value_of(ts, s) for s in steps] for ts in runs])
    return np.array([x_of(s) for s in steps]), values


def draw(
    targets: Sequence[PathTarget],
    runs: Mapping[str, Sequence[pd.DataFrame]],
    table: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
) -> Figure:
    """The figure: one panel per indicator and reading, targets over the model's path.

    Args:
        targets: the checked targets, in the order of ``table``'s rows.
        runs: each baseline's time series, one per seed (as the check ran them).
        table: the check's rows (:func:`experiments.analysis.calibration.target_rows`).
        title: the figure's title.
        subtitle: the line under it.

    """
    groups = panels(targets)
    passes = dict(zip(map(id, targets), table["pass"], strict=True))
    ncols = min(COLUMNS, len(groups))
    nrows = math.ceil(len(groups) / ncols)
    fig, axes = style.new_figure(
        title,
        subtitle,
        nrows=nrows,
        ncols=ncols,
        size=(PANEL_SIZE[0] * ncols + 0.4, PANEL_SIZE[1] * nrows + 1.6),
        legend_rows=1,
    )
    axes = np.atleast_1d(axes)
    scenarios = {t.scenario for t in targets}
    with style.styled():
        for ax, (key, group) in zip(axes.flat, groups.items(), strict=False):
            _panel(ax, key, group, runs[key[0]], passes, name_scenario=len(scenarios) > 1)
        for ax in list(axes.flat)[len(groups) :]:
            ax.set_visible(False)
        handles, labels = _legend(len(next(iter(runs.values()))))
        style.add_legend(fig, handles, labels, ncols=len(labels), note=False)
        style.add_source(
            fig, "Targets: each row's source in the region's table or the targets file."
        )
    return fig


def _panel(
    ax: Axes,
    key: PanelKey,
    group: Sequence[PathTarget],
    runs: Sequence[pd.DataFrame],
    passes: Mapping[int, bool],
    *,
    name_scenario: bool,
) -> None:
    """One indicator: the model's mean and seed range, then each target."""
    scenario, _, how = key
    indicator = group[0].indicator
    factor = 1.0 if how or group[0].versus else shown_factor(indicator)
    x, values = model_path(group, runs)
    ax.fill_between(
        x,
        values.min(0) * factor,
        values.max(0) * factor,
        color=MODEL_COLOUR,
        alpha=0.18,
        linewidth=0,
    )
    ax.plot(
        x,
        values.mean(0) * factor,
        color=MODEL_COLOUR,
        marker=".",
        markersize=4 if x.size > 1 else 9,
    )
    for t in group:
        _target(ax, t, factor, passes[id(t)])
    head = _heading(indicator, group[0].versus, how)
    if name_scenario:
        head = f"{scenario.split('/')[0]}: {head}"
    ax.set_title("\n".join(textwrap.wrap(head, 46)), fontsize=8.5)
    ax.set_ylabel(_unit(indicator, how, group[0].versus), fontsize=8)
    ax.set_xlim(*_span(x, [x_of(t) for t in group]))
    ax.xaxis.set_major_locator(MultipleLocator(1))
    ax.xaxis.set_major_formatter(FuncFormatter(_year))
    if not is_share(indicator) and INDICATORS[split(indicator)[0]].unit == "people":
        ax.yaxis.set_major_formatter(FuncFormatter(millions))


def _heading(indicator: str, versus: str | None, how: str) -> str:
    """The panel's title: the indicator (minus another group's) and how the target reads it."""
    head = indicator_label(indicator)
    if versus:
        base, group = split(versus)
        other = (
            groups.label(group)
            if group and split(indicator)[0] == base
            else indicator_label(versus)
        )
        head += f", minus {other}"
    if how.startswith("/"):
        head += f" (relative to {how[2:]})"
    elif how.startswith("-"):
        head += f" (change since {how[2:]})"
    return head


def _year(x: float, _pos: int | None = None) -> str:
    """A whole year on the time axis (no offset, no decimals)."""
    return f"{x:.0f}"


def _span(model_x: np.ndarray, target_x: Sequence[float]) -> tuple[float, float]:
    """The time axis: every point with a margin, and at least two years wide."""
    lo = min(model_x.min(), *target_x) - 0.3
    hi = max(model_x.max(), *target_x) + 0.3
    pad = max(0.0, 2.0 - (hi - lo)) / 2
    return lo - pad, hi + pad


def _target(ax: Axes, t: PathTarget, factor: float, passed: bool) -> None:
    """A target: a point with its tolerance, or a bar over its range (an arrow if one-sided)."""
    colour = PASS_COLOUR if passed else FAIL_COLOUR
    face = colour if t.role == IN_SAMPLE else "white"
    x = x_of(t)
    if t.target is not None:
        ax.errorbar(
            x,
            t.target * factor,
            yerr=t.tolerance * factor,
            fmt="o",
            color=colour,
            markerfacecolor=face,
            markersize=6,
            capsize=3,
            zorder=3,
        )
        return
    lo, hi = t.min, t.max
    if lo is not None and hi is not None:
        ax.plot(
            [x, x],
            [lo * factor, hi * factor],
            color=colour,
            linewidth=4,
            alpha=0.6,
            solid_capstyle="butt",
            zorder=3,
        )
        return
    bound, marker = (lo, "^") if lo is not None else (hi, "v")
    ax.plot(
        [x],
        [bound * factor],
        marker=marker,
        color=colour,
        markerfacecolor=face,
        markersize=7,
        zorder=3,
    )


def _unit(indicator: str, how: str, versus: str | None) -> str:
    """The y axis label: the indicator's unit, or what a ratio or difference makes of it."""
    if how.startswith("/"):
        return ("difference of ratios to " if versus else "ratio to ") + how[2:]
    if how.startswith("-") or versus:
        return "difference (0-1)"
    if INDICATORS[split(indicator)[0]].unit == "people":
        return "millions of people"
    return shown_unit(indicator)


def _legend(seeds: int) -> tuple[list, list[str]]:
    """The legend's handles and labels."""
    handles = [
        Line2D([], [], color=MODEL_COLOUR, marker=".", markersize=4),
        Patch(color=MODEL_COLOUR, alpha=0.18),
        Line2D([], [], color=PASS_COLOUR, marker="o", linestyle=""),
        Line2D([], [], color=FAIL_COLOUR, marker="o", linestyle=""),
        Line2D([], [], color=style.INK, marker="o", markerfacecolor="white", linestyle=""),
    ]
    labels = [
        f"model, mean of {seeds} seeds",
        "lowest to highest seed",
        "target met",
        "target missed",
        "hollow: out-of-sample",
    ]
    return handles, labels
