"""Figures of a real (tiny) comparison and of tiny Morris and Sobol sweeps.

The experiment folders are made once per test session by the real command line (3 scenarios x
3 paired replications x 1,000 households over the full horizon; sweeps of 4 quarters) and
shared with tests/test_report.py through :func:`compare_folder` and :func:`sweep_folder`.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments.cli import main
from experiments.present import figures, style
from experiments.present.exports import Results, load_results, region_profile
from experiments.present.run_labels import worst_labels
from tests.paths import SCENARIOS

pytestmark = [pytest.mark.slow]  # every test draws from a real compare or sweep

COMPARED = ("baseline", "connectivity", "four_is")
REPLICATIONS = 3
HOUSEHOLDS = 1000
COMPARE_FIGURES = {
    "gap_trajectories",
    "gap_differences",
    "people_online",
    "internet_heatmap",
    "worst_off",
    "cost",
    "covid_employment",
}


@functools.cache
def _root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="inclusim-report-tests-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def _cli(args: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(args)
    assert code == 0, f"inclusim {' '.join(args)} exited with {code}"


@functools.cache
def compare_folder() -> Path:
    """A finished compare folder (run once per session)."""
    out = _root() / "compare"
    paths = [str(SCENARIOS / "lac" / f"{name}.yaml") for name in COMPARED]
    _cli(
        [
            "compare",
            *paths,
            "--replications",
            str(REPLICATIONS),
            "--households",
            str(HOUSEHOLDS),
            "--workers",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    return out


SWEEP_SPECS = {
    "morris": """
design: {kind: morris, trajectories: 2, levels: 4}
uncertainties:
  beta_peer:
  rate_adjust:
  rel_barrier_female:
""",
    "sobol": """
design: {kind: sobol, samples: 4}
levers:
  policies.connectivity.intensity: {low: 0.0, high: 1.0}
  policies.skills_training.intensity: {low: 0.0, high: 1.0}
""",
}


@functools.cache
def sweep_folder(kind: str) -> Path:
    """A finished and analysed sweep folder of a tiny design (4 quarters per run)."""
    spec = _root() / f"tiny_{kind}.yaml"
    spec.write_text(
        f"name: tiny_{kind}\n"
        f'label: "Tiny {kind} sweep"\n'
        "description: A test sweep.\n"
        f"scenario: {SCENARIOS / 'lac' / 'four_is.yaml'}\n"
        f"households: {HOUSEHOLDS}\nquarters: 4\nreplications: 1\nseed: 7\n"
        + SWEEP_SPECS[kind]
        + "outcomes:\n  - {indicator: share_internet_use}\n  - {indicator: gps_internet_use}\n",
        encoding="utf-8",
    )
    out = _root() / f"sweep_{kind}"
    _cli(["sweep", str(spec), "--workers", "2", "--out", str(out), "--quiet"])
    _cli(["analyse", str(out)])
    return out


@pytest.fixture(scope="module")
def results() -> Results:
    return load_results(compare_folder())


@pytest.fixture(scope="module")
def drawn(results: Results) -> list[figures.Drawn]:
    out = figures.draw_figures(results)
    yield out
    for d in out:
        style.close(d.figure)


def _plot_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def _title(ax) -> str:
    return ax.get_title("left") or ax.get_title()


def _xlabel(ax) -> str:
    """The axes' x label, or that of an axes sharing its x axis (a column of small multiples)."""
    siblings = ax.get_shared_x_axes().get_siblings(ax)
    return ax.get_xlabel() or next((a.get_xlabel() for a in siblings if a.get_xlabel()), "")


def _yticks(ax) -> list[str]:
    """Category names on the y axis (of this axes or one sharing its y axis)."""
    siblings = [ax, *ax.get_shared_y_axes().get_siblings(ax)]
    return [t.get_text() for a in siblings for t in a.get_yticklabels() if t.get_text()]


def _ylabel(ax) -> str:
    """The axes' y label, or that of an axes sharing its y axis (a row of small multiples)."""
    siblings = ax.get_shared_y_axes().get_siblings(ax)
    return ax.get_ylabel() or next((a.get_ylabel() for a in siblings if a.get_ylabel()), "")


# -- files -------------------------------------------------------------------------------------


def test_make_figures_writes_every_figure_as_png_and_svg():
    paths = figures.make_figures(compare_folder())
    folder = compare_folder() / "figures"
    assert {p.parent for p in paths} == {folder}
    assert {p.stem for p in paths} == COMPARE_FIGURES
    for name in COMPARE_FIGURES:
        png, svg = folder / f"{name}.png", folder / f"{name}.svg"
        assert png in paths and svg in paths
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 30_000, f"{png.name} is suspiciously small"
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text[:2000] and text.rstrip().endswith("</svg>")
        assert svg.stat().st_size > 30_000, f"{svg.name} is suspiciously small"


def test_figures_are_reproducible_byte_for_byte(results: Results):
    spec = next(s for s in figures.FIGURES if s.name == "cost")
    texts = []
    for _ in range(2):
        fig = spec.draw(results)
        buf = io.BytesIO()
        with style.styled():
            fig.savefig(buf, format="svg", metadata=style.file_metadata(".svg"))
        texts.append(buf.getvalue())
    assert texts[0] == texts[1]


# -- what is on each figure -------------------------------------------------------------------


def test_every_compare_figure_applies(drawn: list[figures.Drawn]):
    assert {d.name for d in drawn} == COMPARE_FIGURES


def test_every_figure_has_title_subtitle_and_source_line(drawn: list[figures.Drawn]):
    for d in drawn:
        titles = style.texts_with_gid(d.figure, "title")
        assert titles and titles[0] == d.title and len(d.title) > 10, d.name
        assert style.texts_with_gid(d.figure, "subtitle"), d.name
        (source,) = style.texts_with_gid(d.figure, "source")
        assert source.startswith(
            f"Source: inclusim simulation, {REPLICATIONS} paired replications"
        ), source
        assert f"{HOUSEHOLDS:,} households" in source
        assert "ECLAC" in source and "(see report)" in source
        assert d.caption.endswith("."), d.name


def test_every_axes_has_a_title_and_labelled_axes_with_units(drawn: list[figures.Drawn]):
    for d in drawn:
        for ax in _plot_axes(d.figure):
            where = f"{d.name}/{_title(ax)}"
            assert _title(ax), where
            assert _xlabel(ax), where
            assert _ylabel(ax) or _yticks(ax), where
        for ax in _plot_axes(d.figure):
            label = _xlabel(ax) + " " + _ylabel(ax)
            assert any(
                unit in label
                for unit in ("%", "ratio", "points", "year", "US$", "million", "households")
            ), f"{d.name}: no unit in '{label}'"


def test_no_figure_is_empty_or_draws_a_nan_only_series(drawn: list[figures.Drawn]):
    for d in drawn:
        for ax in _plot_axes(d.figure):
            artists = ax.lines + ax.patches + ax.images + ax.collections
            assert artists, f"{d.name}: empty axes '{_title(ax)}'"
            for line in ax.lines:
                y = np.asarray(line.get_ydata(), dtype=float)
                x = np.asarray(line.get_xdata(), dtype=float)
                assert np.isfinite(y).any() and np.isfinite(x).any(), (
                    f"{d.name}: NaN-only line '{line.get_label()}' in '{_title(ax)}'"
                )
            for image in ax.images:
                assert np.isfinite(np.asarray(image.get_array(), dtype=float)).any()


def test_every_scenario_is_in_the_trajectory_legend(drawn: list[figures.Drawn], results):
    fig = next(d.figure for d in drawn if d.name == "gap_trajectories")
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert labels == [results.short_label(n) for n in results.names]
    assert len(_plot_axes(fig)) == 4


def test_heatmap_rows_are_groups_and_columns_years(drawn: list[figures.Drawn], results):
    fig = next(d.figure for d in drawn if d.name == "internet_heatmap")
    axes = _plot_axes(fig)
    assert len(axes) == 3  # baseline, most ambitious, difference
    assert "all four levers together" in _title(axes[1])
    ticks = [t.get_text() for t in axes[0].get_yticklabels()]
    assert ticks[:3] == ["Everyone", "Men", "Women"]
    assert "Aged 5-12" in ticks and "Q1 (poorest fifth)" in ticks and "With disability" in ticks
    years = [t.get_text() for t in axes[0].get_xticklabels()]
    assert years[0] == "2019" and years[-1] == "2030" and len(years) == 12
    values = axes[0].images[0].get_array()
    assert np.nanmin(values) >= 0 and np.nanmax(values) <= 100


def test_gap_differences_match_the_table(results: Results):
    fig = figures.fig_gap_differences(results)
    ax = _plot_axes(fig)[1]  # urban / rural ratio
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    row = results.at("lac_four_is", "ratio_urban_rural_internet_use")
    assert any(np.isclose(line.get_xdata()[0], row["mean_diff"]) for line in dots)
    assert "gap narrows" in ax.get_xlabel()


def test_worst_off_label_is_annotated_when_stored(results: Results):
    assert set(results.worst_labels) == set(results.names)  # each run stores its label
    assert all(people > 0 for people in results.worst_people.values()), results.worst_people
    unlabelled = Results(**{**results.__dict__, "worst_labels": {}})
    fig = figures.fig_worst_off(unlabelled)
    assert style.texts_with_gid(fig, "note"), "a missing label must be said on the figure"
    labelled = Results(**{**results.__dict__, "worst_labels": {"lac_baseline": "female, rural"}})
    fig = figures.fig_worst_off(labelled)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("female, rural" in t for t in texts)
    assert not style.texts_with_gid(fig, "note")


def test_worst_labels_are_read_from_a_labels_table(tmp_path: Path, results: Results):
    pd.DataFrame(
        {"run_id": [0, 1, 2], "name": ["worst_internet_use"] * 3, "value": ["a", "a", "b"]}
    ).to_parquet(tmp_path / "labels.parquet")
    experiments = pd.DataFrame({"run_id": [0, 1, 2], "scenario": ["s", "s", "t"]})
    stub = Results(**{**results.__dict__, "experiments": experiments})
    assert worst_labels(tmp_path, stub) == {"s": "a", "t": "b"}
    assert worst_labels(tmp_path / "nothing", stub) == {}


# -- sweeps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), [("morris", "morris"), ("sobol", "sensitivity_indices")])
def test_sweep_figures(kind: str, name: str):
    folder = sweep_folder(kind)
    paths = figures.make_figures(folder)
    assert {p.name for p in paths} == {f"{name}.png", f"{name}.svg"}
    res = load_results(folder)
    (d,) = figures.draw_figures(res)
    assert style.texts_with_gid(d.figure, "source")[0].startswith("Source: inclusim simulation")
    axes = _plot_axes(d.figure)
    assert len(axes) == 2  # one panel per outcome
    for ax in axes:
        assert _title(ax) and _xlabel(ax)
        assert _ylabel(ax) or _yticks(ax)
        assert ax.lines or ax.patches or ax.collections
    if kind == "sobol":
        labels = [t.get_text() for legend in d.figure.legends for t in legend.get_texts()]
        assert labels == ["S1", "ST"]
    style.close(d.figure)


def test_a_sweep_before_analyse_has_no_sensitivity_figure(tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(sweep_folder("morris"), folder)
    for suffix in (".parquet", ".csv"):
        (folder / f"sensitivity{suffix}").unlink()
    assert figures.make_figures(folder) == []


def _shaded_spans(fig: Figure) -> set[tuple[float, float]]:
    """The x extents of the shaded school closures on a figure's axes."""
    return {
        (round(p.get_x(), 2), round(p.get_x() + p.get_width(), 2))
        for ax in fig.axes
        for p in ax.patches
        if p.get_alpha() == 0.06
    }


def test_figures_shade_the_school_closure_of_the_region_profile(results: Results):
    """Asia-Pacific's profile (a CSV figure) closes schools through 2021Q3; LAC keeps 2021Q2."""
    profile, path = region_profile("asia_pacific", None)
    assert path is not None and path.name == "asia_pacific.yaml"
    asia = Results(**{**results.__dict__, "region": profile})
    assert results.schools_closed == ("2020Q2", "2021Q2")
    assert asia.schools_closed == ("2020Q2", "2021Q3")
    lac_spans = _shaded_spans(figures.fig_gap_trajectories(results))
    asia_spans = _shaded_spans(figures.fig_gap_trajectories(asia))
    closed = figures.qx("2020Q2")
    assert lac_spans == {(closed, round(figures.qx("2021Q2") + 0.25, 2))}
    assert asia_spans == {(closed, round(figures.qx("2021Q3") + 0.25, 2))}
