"""``calibrate --check --plot FILE``: the baselines' paths beside their targets, as a figure.

The figure is drawn from hand-made time series (no simulation): one panel per indicator and
reading, the model's mean and seed range year by year, each target coloured by whether it
passes and filled only if it is in-sample. Bad ``--plot`` values stop before anything runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from experiments.analysis.calibration import PathTarget, target_rows
from experiments.present import calibration_figure as cf
from model.errors import InputError

SCENARIO = "somewhere/baseline.yaml"
QUARTERS = [f"{y}Q{q}" for y in range(2019, 2025) for q in range(1, 5)][3:]
"""2019Q4 to 2024Q4, as a baseline's time series is indexed."""


def _series(level: float) -> pd.DataFrame:
    """A run whose use rises by 0.02 a year from ``level`` (women at 0.9 of everyone)."""
    years = np.array([int(q[:4]) for q in QUARTERS]) - 2019
    use = level + 0.02 * years
    return pd.DataFrame(
        {"share_internet_use": use, "share_internet_use:sex=female": 0.9 * use},
        index=pd.Index(QUARTERS, name="quarter"),
    )


def _target(indicator: str, year: int, target: float, **extra: object) -> PathTarget:
    return PathTarget(
        scenario=SCENARIO,
        indicator=indicator,
        year=year,
        target=target,
        tolerance=0.01,
        source="made up",
        **extra,
    )


@pytest.fixture
def drawn() -> tuple:
    """Three targets on two indicators over two seeds; the last one misses."""
    runs = {SCENARIO: [_series(0.50), _series(0.52)]}
    targets = [
        _target("share_internet_use", 2021, 0.55),  # model 0.55: in-sample, passes
        _target("share_internet_use", 2024, 0.61),  # model 0.61: out-of-sample, passes
        _target("share_internet_use:sex=female", 2024, 0.50),  # model 0.549: misses
    ]
    table = target_rows(targets, runs)
    fig = cf.draw(targets, runs, table, title="A test", subtitle="2 seeds")
    return fig, table


def test_one_panel_per_indicator_with_the_model_path_year_by_year(drawn: tuple) -> None:
    fig, table = drawn
    assert list(table["pass"]) == [True, True, False]
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in shown] == [
        "Share of people using the Internet",
        "Share of people using the Internet - women and\ngirls",
    ]
    x, y = shown[0].lines[0].get_data()
    assert list(x) == [2019.5 + k for k in range(6)]
    # the mean of the two seeds, in %: 0.51 in 2019 (its one quarter), 0.61 in 2024
    assert y[0] == pytest.approx(51.0) and y[-1] == pytest.approx(61.0)


def test_targets_are_coloured_by_pass_and_filled_only_in_sample(drawn: tuple) -> None:
    fig, _ = drawn
    everyone, women = (ax for ax in fig.axes if ax.get_visible())
    points = [line for line in everyone.lines[1:] if line.get_marker() == "o"]
    assert [to_hex(p.get_color()) for p in points] == [cf.PASS_COLOUR.lower()] * 2
    assert to_hex(points[0].get_markerfacecolor()) == cf.PASS_COLOUR.lower()  # 2021: in-sample
    assert to_hex(points[1].get_markerfacecolor()) == "#ffffff"  # 2024: out-of-sample
    (missed,) = [line for line in women.lines[1:] if line.get_marker() == "o"]
    assert to_hex(missed.get_color()) == cf.FAIL_COLOUR.lower()
    assert missed.get_ydata()[0] == pytest.approx(50.0)


def test_a_ratio_to_a_quarter_is_drawn_quarter_by_quarter() -> None:
    runs = {SCENARIO: [_series(0.5)]}
    t = PathTarget(
        scenario=SCENARIO,
        indicator="share_internet_use",
        quarter="2021Q2",
        relative_to="2019Q4",
        max=1.0,
        source="made up",
    )
    x, values = cf.model_path([t], runs[SCENARIO])
    assert x[0] == pytest.approx(2019.875) and x[-1] == pytest.approx(2021.375)
    assert values[0, 0] == pytest.approx(1.0)
    assert values[0, -1] == pytest.approx(0.54 / 0.5)
    assert cf.reading(t) == "/ 2019Q4"


def test_the_figure_is_written_whole(drawn: tuple, tmp_path: Path) -> None:
    fig, _ = drawn
    out = tmp_path / "new" / "fit.svg"
    cf.write(fig, out)
    assert out.read_text().lstrip().startswith("<?xml")
    assert [p.name for p in out.parent.iterdir()] == ["fit.svg"]


def test_a_plot_file_must_be_a_figure() -> None:
    with pytest.raises(InputError) as caught:
        cf.check_plot_path("fit.txt")
    assert "is not a figure file the plot can write" in caught.value.render()
    assert "fit.png" in caught.value.render()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "--plot", "fit.csv"], "end the file name with .png, .svg, .pdf"),
        (["--plot", "fit.png"], "use --plot with --check alone"),
        (["--check", "--decompose", "--plot", "fit.png"], "use --plot with --check alone"),
    ],
)
def test_bad_plot_options_stop_before_anything_runs(cli, args: list[str], message: str) -> None:
    result = cli(["calibrate", "--region", "africa", *args])
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    assert list(Path().iterdir()) == []
