"""One look for every figure: matplotlib settings, the Okabe-Ito palette and figure scaffolding.

Figures are plain :class:`matplotlib.figure.Figure` objects, never registered with pyplot, so
drawing them changes no global state (no backend switch, no open windows); PNG files are
rendered by the Agg backend and SVG files by matplotlib's SVG backend.

Colours follow Okabe & Ito (2008), "Color Universal Design", a palette that stays distinct for
the common forms of colour-vision deficiency; scenarios also differ by line style, so a
grey-scale print still tells them apart. Heatmaps use viridis (sequential) and PuOr
(diverging), both readable by colour-blind readers.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The eight Okabe-Ito colours (hex)."""

BASELINE_COLOUR = "#444444"
"""The baseline is always dark grey, drawn dashed."""

SERIES = [
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
]
"""Colours of the scenarios after the baseline, in order (yellow last: weak on white)."""

LINESTYLES = ["-", "-", "-.", "-", (0, (6, 1.5)), "-", "-."]
"""Line styles paired with :data:`SERIES`."""

SEQUENTIAL = "viridis"
DIVERGING = "PuOr"

INK = "#222222"
MUTED = "#666666"
GRID = "#DDDDDD"

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#888888",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "lines.linewidth": 1.8,
    "svg.fonttype": "path",
    "svg.hashsalt": "inclusim",
}
"""Matplotlib settings applied while a figure is drawn (:func:`styled`)."""

SUBTITLE_CHARS_PER_INCH = 14.5
"""Characters of a 9.5-point subtitle per inch of figure width (DejaVu Sans, with margin)."""
SUBTITLE_LINE = 0.2
"""Inches per subtitle line."""

SOURCE_HEIGHT = 0.42
"""Inches kept free under the axes for the source line (and a note)."""
TITLE_HEIGHT = 0.55
"""Inches kept free above the axes for the title and subtitle."""


@contextmanager
def styled() -> Iterator[None]:
    """Apply :data:`RC` for the duration of a block (the global settings are left alone)."""
    with mpl.rc_context(RC):
        yield


def scenario_styles(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Colour and line style of each scenario; the first (the baseline) is dashed dark grey."""
    out: dict[str, dict[str, Any]] = {}
    for k, name in enumerate(names):
        if k == 0:
            out[name] = {"color": BASELINE_COLOUR, "linestyle": "--"}
        else:
            j = (k - 1) % len(SERIES)
            out[name] = {"color": SERIES[j], "linestyle": LINESTYLES[j]}
    return out


def new_figure(
    title: str,
    subtitle: str = "",
    nrows: int = 1,
    ncols: int = 1,
    size: tuple[float, float] = (10.0, 5.6),
    legend_rows: int = 0,
    note: bool = False,
    **subplot_kw: Any,
) -> tuple[Figure, Any]:
    """A figure with a title block on top and room for the source line at the bottom.

    Args:
        title: the figure title (what it shows).
        subtitle: one line under the title (units, band, quarter).
        nrows: rows of axes.
        ncols: columns of axes.
        size: width and height in inches.
        legend_rows: rows of a legend under the axes (see :func:`add_legend`) to make room for.
        note: make room for a note line above the source line.
        **subplot_kw: passed to :meth:`Figure.subplots` (e.g. ``sharex``).

    Returns:
        The figure and its axes (as :meth:`Figure.subplots` returns them).

    """
    with styled():
        fig = Figure(figsize=size, layout="constrained")
        width, height = size
        lines = textwrap.wrap(subtitle, max(40, int(width * SUBTITLE_CHARS_PER_INCH)))
        head = TITLE_HEIGHT - 0.2 + SUBTITLE_LINE * len(lines)
        top = 1 - head / height
        bottom = (footer_height(note) + legend_height(legend_rows)) / height
        fig.get_layout_engine().set(rect=(0, bottom, 0.985, top - bottom))
        axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
        fig.text(
            0.01,
            1 - 0.08 / height,
            title,
            ha="left",
            va="top",
            fontsize=13,
            fontweight="bold",
            color=INK,
            gid="title",
        )
        if subtitle:
            fig.text(
                0.01,
                1 - 0.34 / height,
                "\n".join(lines),
                ha="left",
                va="top",
                fontsize=9.5,
                color=MUTED,
                gid="subtitle",
                linespacing=1.3,
            )
    return fig, axes


def footer_height(note: bool) -> float:
    """Inches under the axes for the source line and, if any, a note."""
    return SOURCE_HEIGHT + (0.17 if note else 0.0)


def legend_height(rows: int) -> float:
    """Inches for a legend of ``rows`` rows under the axes."""
    return 0.22 * rows + 0.12 if rows else 0.0


def add_legend(fig: Figure, handles: list[Any], labels: list[str], ncols: int, note: bool) -> None:
    """A figure legend centred under the axes, in the room :func:`new_figure` kept for it."""
    height = fig.get_size_inches()[1]
    fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, (footer_height(note) - 0.06) / height),
        ncols=ncols,
        handlelength=2.6,
        columnspacing=1.6,
    )


def add_source(fig: Figure, source: str, note: str = "") -> None:
    """Write the source line (and an optional note above it) at the bottom of the figure."""
    height = fig.get_size_inches()[1]
    fig.text(
        0.01, 0.08 / height, source, ha="left", va="bottom", fontsize=7.5, color=MUTED, gid="source"
    )
    if note:
        fig.text(
            0.01, 0.25 / height, note, ha="left", va="bottom", fontsize=7.5, color=MUTED, gid="note"
        )


def file_metadata(suffix: str) -> dict[str, str | None]:
    """Fixed metadata for a figure file of type ``suffix`` (no creation date).

    The same figure then gives the same file.
    """
    if suffix == ".svg":
        return {"Date": None, "Creator": "inclusim"}
    if suffix == ".pdf":
        return {"CreationDate": None, "Creator": "inclusim"}
    return {"Software": "inclusim"}


def texts_with_gid(fig: Figure, gid: str) -> list[str]:
    """Texts of the figure-level text artists carrying ``gid`` (title, subtitle, source, note)."""
    return [t.get_text() for t in fig.texts if t.get_gid() == gid]


def close(fig: Figure) -> None:
    """Release a figure's memory (figures are not registered with pyplot, so clearing is enough)."""
    fig.clear()
