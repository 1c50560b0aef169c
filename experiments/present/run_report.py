"""The report of one ``inclusim run`` folder: ``<folder>/report.html`` and ``figures/``.

One scenario, one seed: headline numbers in people (the person counts of the run, with the
words and units of :mod:`model.indicator_registry`), the headline gaps and the people online
over time, what the scenario does, and provenance from the run's ``manifest.json``. The page,
its style sheet and its sections are those of the comparison report
(:mod:`experiments.present.report`); the folder is read in full before anything is written.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import pyarrow as pa
from matplotlib.figure import Figure

from experiments.batch.single_run import is_run_folder
from experiments.batch.store import write_atomic
from experiments.present import figures as figs
from experiments.present import style
from experiments.present.exports import (
    Results,
    indicator_label,
    region_profile,
    shown_factor,
    shown_unit,
    yaml_mapping,
)
from experiments.present.report import page
from experiments.present.report_sections import (
    assumptions_html,
    figure_html,
    report_stamp,
    scenarios_html,
)
from experiments.present.wording import column_label, esc, number, people
from model.errors import InputError, Problem, single
from model.indicator_registry import HEADLINE, unit

RUN_FIX = "run the 'inclusim run' command that wrote it again."
"""What to do when a run folder's files are damaged."""

ONLINE = "n_people_internet_use"
"""The person count of the people-online rows and figure (one per group)."""

OTHER_COUNTS = (
    "n_people_meaningful",
    "n_people_basic_skills",
    "n_people_employed",
    "n_children_no_remote_learning",
)
"""Further person counts of the headline table, after the people online by group."""


@dataclass
class Run:
    """What an ``inclusim run`` folder holds, read for the report.

    Attributes:
        folder: the run folder.
        manifest: its ``manifest.json``.
        series: quarter x indicator values of the run (``timeseries.parquet``).
        res: the scenario as the comparison report's sections read it (one scenario).

    """

    folder: Path
    manifest: dict[str, Any]
    series: pd.DataFrame
    res: Results

    @property
    def quarters(self) -> list[str]:
        """The run's quarters, in order."""
        return list(self.series.index)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.manifest["scenario"])

    def source_line(self) -> str:
        """The source line under every figure: one run, its households and seed."""
        orgs = ", ".join(self.res.source_organisations()[:4]) or "see report"
        return (
            f"Source: inclusim simulation, one run of {self.manifest['households']:,} households "
            f"(seed {self.manifest['seed']}); region profile {self.manifest.get('region', '')!r}:"
            f" {orgs} (see report)"
        )


def is_run(folder: str | Path) -> bool:
    """The folder holds the manifest ``inclusim run`` writes (one scenario, one seed)."""
    return is_run_folder(Path(folder))


def load_run(folder: str | Path) -> Run:
    """Read a run folder in full.

    Raises:
        InputError: the time series is missing or damaged, or the manifest incomplete.

    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    series = _series(folder)
    try:
        data = yaml_mapping(manifest.get("scenario_text") or "")
        name = str(manifest["scenario"])
        int(manifest["seed"]), int(manifest["households"])
    except (KeyError, TypeError, ValueError) as exc:
        raise single(
            str(folder / "manifest.json"), f"is not one 'inclusim run' writes ({exc}).", RUN_FIX
        ) from None
    res = Results(folder=folder, manifest=manifest, kind="run", names=[name])
    res.scenario_data[name] = data
    res.scenario_paths[name] = str(manifest.get("scenario_file") or "")
    res.labels[name] = str(data.get("label") or name)
    res.descriptions[name] = " ".join(str(data.get("description") or "").split())
    file = manifest.get("scenario_file")
    base = Path(file).parent if file else None
    res.region, res.region_path = region_profile(data.get("region"), base)
    return Run(folder, manifest, series, res)


def _series(folder: Path) -> pd.DataFrame:
    """The run's time series, quarter x indicator."""
    path = folder / "timeseries.parquet"
    try:
        tidy = pd.read_parquet(path, columns=["quarter", "indicator", "value"])
        wide = tidy.pivot(index="quarter", columns="indicator", values="value")
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise InputError(
            str(path), [_problem(f"is missing or cannot be read ({reason}).")]
        ) from None
    if wide.empty:
        raise InputError(str(path), [_problem("holds no quarter.")])
    return wide.sort_index()


def _problem(message: str) -> Problem:
    return Problem("", message, RUN_FIX)


# -- numbers -----------------------------------------------------------------------------------


def count_indicators(run: Run) -> list[str]:
    """The person counts of the headline table that the run has, in table order."""
    online = [ONLINE if g == "all" else f"{ONLINE}:{g}" for g in figs.PEOPLE_GROUPS]
    return [i for i in (*online, *OTHER_COUNTS) if i in run.series.columns]


def _count_rows(run: Run) -> str:
    first, last = run.quarters[0], run.quarters[-1]
    rows = []
    for ind in count_indicators(run):
        a, b = float(run.series.at[first, ind]), float(run.series.at[last, ind])
        change = ("+" if b >= a else "\u2212") + people(b - a) if np.isfinite(b - a) else "n/a"
        rows.append(
            f"<tr><td>{esc(indicator_label(ind))}</td>"
            f'<td class="num">{esc(people(a))}</td><td class="num">{esc(people(b))}</td>'
            f'<td class="num">{esc(change)}</td></tr>'
        )
    return (
        f'<table class="people"><thead><tr><th>{esc(unit(ONLINE))}</th>'
        f'<th class="num">{esc(first)}</th><th class="num">{esc(last)}</th>'
        f'<th class="num">change</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _level_rows(run: Run) -> str:
    first, last = run.quarters[0], run.quarters[-1]
    rows = []
    for ind in (i for i in HEADLINE if i in run.series.columns):
        f = shown_factor(ind)
        a, b = float(run.series.at[first, ind]) * f, float(run.series.at[last, ind]) * f
        rows.append(
            f'<tr><td>{esc(indicator_label(ind))} <span class="unit">({esc(shown_unit(ind))})'
            f'</span></td><td class="num">{number(a, 2)}</td><td class="num">{number(b, 2)}</td>'
            f'<td class="num">{number(b - a, 2, sign=True)}</td></tr>'
        )
    return (
        f'<table><thead><tr><th>indicator</th><th class="num">{esc(first)}</th>'
        f'<th class="num">{esc(last)}</th><th class="num">change</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# -- figures -----------------------------------------------------------------------------------


def fig_run_gaps(run: Run) -> Figure:
    """The headline Internet-use gaps of the run over time, with parity."""
    gaps = [g for g in figs.HEADLINE_GAPS if g in run.series.columns]
    quarters = run.quarters
    xs = np.array([figs.qx(q) for q in quarters])
    nrows = max(1, int(np.ceil(len(gaps) / 2)))
    fig, axes = style.new_figure(
        f"Internet-use gaps, {quarters[0]} to {quarters[-1]}",
        f"one run of '{run.res.label(run.name)}'; dotted line: parity",
        nrows,
        2,
        size=(11, 3.6 * nrows + 1.0),
        sharex=True,
    )
    flat = np.atleast_1d(axes).ravel()
    with style.styled():
        for ax, gap in zip(flat, gaps, strict=False):
            title, shown, parity = figs.gap_text(gap)
            f = shown_factor(gap)
            ax.plot(xs, run.series[gap].to_numpy(dtype=float) * f, color=style.SERIES[0])
            ax.axhline(parity * f, color=style.MUTED, lw=0.8, ls=":", zorder=1)
            figs.shade_schools(ax, quarters, label=ax is flat[0], window=run.res.schools_closed)
            ax.set_title(title)
            ax.set_ylabel(textwrap.fill(shown, 34))
            figs.years_axis(ax, xs[0], xs[-1])
        for ax in flat[len(gaps) :]:
            ax.remove()
        style.add_source(fig, run.source_line())
    return fig


def fig_run_people(run: Run) -> Figure:
    """People online by group over time, in millions (the run's person counts)."""
    quarters = run.quarters
    xs = np.array([figs.qx(q) for q in quarters])
    present = [i for i in count_indicators(run) if i.startswith(ONLINE)]
    fig, ax = style.new_figure(
        f"People online by group, {quarters[0]} to {quarters[-1]}",
        f"one run of '{run.res.label(run.name)}'; million {unit(ONLINE)}",
        size=(11, 5.4),
        legend_rows=int(np.ceil(len(present) / 3)),
    )
    with style.styled():
        for k, ind in enumerate(present):
            ax.plot(
                xs,
                run.series[ind].to_numpy(dtype=float),
                color=style.SERIES[k % len(style.SERIES)],
                linestyle=style.LINESTYLES[k % len(style.LINESTYLES)],
                label=column_label(ind),
            )
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(figs.millions))
        ax.set_ylabel(f"million {unit(ONLINE)}")
        figs.shade_schools(ax, quarters, label=True, window=run.res.schools_closed)
        figs.years_axis(ax, xs[0], xs[-1])
        ax.set_xlabel("year (quarterly values)")
        style.add_legend(fig, *ax.get_legend_handles_labels(), 3, note=False)
        style.add_source(fig, run.source_line())
    return fig


def draw_run_figures(run: Run) -> list[figs.Drawn]:
    """The figures of a run report, in report order."""
    return [
        figs.Drawn(
            "run_gaps",
            "Internet-use gaps",
            "Internet-use gaps over time",
            "The four headline gaps of this run each quarter; the dotted line is parity. One "
            "seed: chance moves single runs (compare with replications for bands).",
            fig_run_gaps(run),
        ),
        figs.Drawn(
            "run_people_online",
            "People online by group",
            "People online by group over time",
            "Real people using the Internet each quarter: everyone and each group (groups by "
            "sex, age and disability are persons; location and income fifth their household's).",
            fig_run_people(run),
        ),
    ]


# -- the page ----------------------------------------------------------------------------------


def write_run_report(folder: str | Path) -> Path:
    """Write ``<folder>/report.html`` and ``<folder>/figures/`` for an ``inclusim run`` folder.

    Returns:
        The report's path.

    Raises:
        InputError: the folder's files are missing or damaged (nothing is written then).

    """
    run = load_run(folder)
    drawn, written = [], []
    for d in draw_run_figures(run):
        try:
            paths = figs.save(d, run.folder / "figures")
        finally:
            style.close(d.figure)
        written += paths
        drawn.append((d, next(p for p in paths if p.suffix == ".svg").read_bytes()))
    path = run.folder / "report.html"
    write_atomic(path, _run_page(run, drawn, written).encode("utf-8"))
    return path


def _run_page(run: Run, drawn: list[tuple[figs.Drawn, bytes]], written: list[Path]) -> str:
    m = run.manifest
    label = run.res.label(run.name)
    region = (run.res.region or {}).get("label") or m.get("region", "")
    subtitle = [
        f"One run &middot; seed {esc(m['seed'])} &middot; {int(m['households']):,} simulated "
        "households",
        f"{esc(run.quarters[0])} to {esc(run.quarters[-1])}; region profile: {esc(region)}",
    ]
    worst = (m.get("labels") or {}).get("worst_internet_use")
    fig_html = "".join(figure_html(d, svg, k) for k, (d, svg) in enumerate(drawn, start=1))
    body = (
        '<section><h2 id="numbers">1. Headline numbers</h2>'
        f"<p>Real people in {esc(run.quarters[0])} (pre-COVID) and {esc(run.quarters[-1])}: "
        "each simulated household stands for many real ones. One run with one seed: there is "
        "no interval; <code>inclusim compare</code> with replications gives bands and "
        "differences from a baseline.</p>"
        + _count_rows(run)
        + (f"<p>Worst-off group for Internet use at the end: {esc(worst)}.</p>" if worst else "")
        + '<h3 id="levels">Headline indicators</h3>'
        + _level_rows(run)
        + "</section>"
        f'<section><h2 id="figures">2. Figures</h2>{fig_html}</section>'
        '<section><h2 id="scenario">3. What the scenario does</h2>'
        + scenarios_html(run.res)
        + "</section>"
        '<section><h2 id="assumptions">4. Assumptions and sources</h2>'
        + assumptions_html(run.res)
        + "</section>"
        f'<section><h2 id="provenance">5. Provenance</h2>{_provenance(run, written)}</section>'
    )
    toc = [
        ("numbers", "Headline numbers", [("levels", "Headline indicators")]),
        ("figures", "Figures", [(f"fig-{d.name}", d.label) for d, _ in drawn]),
        ("scenario", "What the scenario does", []),
        ("assumptions", "Assumptions and sources", _assumption_toc(run)),
        ("provenance", "Provenance", []),
    ]
    return page(f"{label}: one run", subtitle, toc, body)


def _assumption_toc(run: Run) -> list[tuple[str, str]]:
    sources = [("sources", "Region profile sources")] if run.res.region else []
    return [("limitations", "Key limitations"), *sources]


PROVENANCE = (
    ("scenario", "scenario"),
    ("scenario file", "scenario_file"),
    ("scenario sha256", "scenario_sha256"),
    ("settings (--set)", "settings"),
    ("region profile", "region"),
    ("region profile sha256", "region_sha256"),
    ("seed", "seed"),
    ("households", "households"),
    ("model fingerprint", "model"),
    ("git commit", "git_commit"),
    ("finished", "finished"),
    ("seconds", "seconds"),
)
"""The manifest entries of the provenance table, with their words."""


def _provenance(run: Run, written: list[Path]) -> str:
    m = run.manifest
    rows = [(words, m.get(key, "")) for words, key in PROVENANCE]
    rows.append(("command", " ".join(str(a) for a in m.get("command") or [])))
    rows.append(("versions", ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items())))
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(_plain(v))}</td></tr>" for k, v in rows)
    files = "".join(f"<li><code>{esc(p.relative_to(run.folder))}</code></li>" for p in written)
    return (
        f'<table class="prov"><tbody>{table}</tbody></table>'
        + report_stamp(run.folder)
        + "<p>The run's own files: <code>timeseries.csv</code> and <code>.parquet</code> (every "
        "indicator, every quarter), <code>summary.csv</code> (the last quarter), "
        "<code>cells.csv</code> (the last quarter's intersections), <code>manifest.json</code>."
        f'</p><ul class="files">{files}</ul>'
    )


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "none"
    return str(value)
