"""The self-contained HTML report and the spreadsheet exports, then the report in chromium.

Uses the session's tiny comparison and sweeps from tests/test_figures.py.
"""

from __future__ import annotations

import argparse
import base64
import csv
import os
import re
import shlex
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.commands import report as report_command
from experiments.present import report, wording
from experiments.present.exports import CSV_ENCODING, load_results, write_exports
from model import indicator_registry
from model.errors import InputError
from model.policies.registry import POLICY_TYPES
from model.result import RunResult
from tests import browser
from tests.paths import ROOT
from tests.test_figures import COMPARE_FIGURES, compare_folder, sweep_folder


class _Collect(HTMLParser):
    """Every tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def report_path() -> Path:
    return report.write_report(compare_folder())


@pytest.fixture(scope="module")
def page(report_path: Path) -> str:
    return report_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    return p


def _text(parsed: _Collect) -> str:
    return re.sub(r"\s+", " ", "".join(parsed.text))


# -- the HTML file ---------------------------------------------------------------------------


@pytest.mark.slow
def test_report_is_one_self_contained_file(report_path: Path, page: str, parsed: _Collect):
    assert report_path == compare_folder() / "report.html"
    assert page.startswith("<!DOCTYPE html>")
    for tag, attrs in parsed.tags:
        for key in ("src", "href", "data", "srcset", "poster"):
            value = (attrs.get(key) or "").strip()
            assert not re.match(r"(?i)^(https?:)?//", value), f"<{tag} {key}={value[:60]}>"
            if tag in ("img", "script", "link", "iframe", "source", "embed"):
                assert not value or value.startswith(("data:", "#")), f"<{tag} {key}=...>"
        assert tag not in ("script", "link", "iframe"), f"unexpected <{tag}>"
    assert "@import" not in page and "url(" not in page
    assert "@media print" in page and "break-inside: avoid" in page


@pytest.mark.slow
def test_headline_sentences_are_in_millions_of_people(parsed: _Collect):
    text = _text(parsed)
    assert re.search(
        r"By 2030Q4, [\d.,]+ million more people are online under "
        r"‘LAC: all four levers together’ than under ‘LAC: status quo’ \(95% CI",
        text,
    ), text[:3000]
    for who in (
        "women and girls",
        "people in rural areas",
        "people in the poorest fifth of households (Q1)",
        "persons with disabilities",
        "children aged 5-12",
    ):
        assert re.search(rf"[\d.,]+( million)? (more|fewer) {re.escape(who)}", text), who
    assert "per extra household connected" in text
    assert "aged 15+ are online" not in text  # Internet use counts people of every age
    assert "What gets worse" in text and "The worst-off group" in text
    assert re.search(
        r"Under ‘LAC: status quo’: [^.]+, [\d.,]+( million)? people, [\d.]+% online", text
    )


@pytest.mark.slow
def test_headline_numbers_come_from_the_paired_differences():
    res = load_results(compare_folder())
    row = res.at("lac_four_is", "n_people_internet_use:sex=female")
    sentence = wording.people_sentence(
        res, "lac_four_is", "n_people_internet_use:sex=female", wording.who("sex=female")
    )
    assert wording.people(row["mean_diff"]) in sentence
    assert wording.band_text(row["mean_diff"], row["ci_low_diff"], row["ci_high_diff"]) in sentence


@pytest.mark.parametrize(
    ("d", "lo", "hi", "text"),
    [
        (4.1e6, 3.2e6, 5.0e6, "95% CI 3.2 to 5.0 million"),
        (-4.1e6, -5.0e6, -3.2e6, "95% CI 3.2 to 5.0 million"),
        (
            2.5e5,
            -4.7e4,
            9.64e5,
            "95% CI of the difference \u221247,000 to +964,000, which includes zero",
        ),
        (1.0, float("nan"), float("nan"), "one replication: no interval"),
    ],
)
def test_bands_are_worded_in_the_direction_of_the_sentence(d, lo, hi, text):
    assert wording.band_text(d, lo, hi).startswith(text)


def test_people_are_rounded_for_reading():
    assert wording.people(4_123_456) == "4.1 million"
    assert wording.people(-412_345) == "412,000"
    assert wording.people(950.4) == "950"
    assert wording.signed_millions(-3_900_000) == "\u22123.9 M"
    assert wording.money(39_613_169_865) == "US$ 39.6 billion"


@pytest.mark.slow
def test_gap_table_has_every_headline_gap_and_scenario(page: str, parsed: _Collect):
    assert 'class="gaps matrix"' in page
    text = _text(parsed)
    for indicator in (
        "gps_internet_use",
        "ratio_urban_rural_internet_use",
        "ratio_q5_q1_internet_use",
        "gap_disability_internet_use",
        "gap_age_internet_use",
        "lag_worst_internet_use",
    ):
        assert indicator_registry.label(indicator) in text, indicator
    assert "ratio, women / men, 1 = parity" in text  # units from the registry
    assert "percentage points, youth 15-24 minus 65+" in text
    for label in ("status quo", "rural coverage and quality upgrades", "all four levers together"):
        assert label in text
    assert "narrower" in text and "95% CI" in text


@pytest.mark.slow
def test_every_figure_is_embedded_as_svg(parsed: _Collect):
    images = [a for tag, a in parsed.tags if tag == "img"]
    # the figures of figures.py, and the left-behind figure its subsection draws
    assert {a["data-figure"] for a in images} == COMPARE_FIGURES | {"left_behind"}
    for a in images:
        src = a["src"]
        assert src.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(src.split(",", 1)[1])
        assert b"<svg" in svg[:2000] and len(svg) > 30_000
        assert a["alt"]
    assert (compare_folder() / "figures" / "cost.png").exists()


@pytest.mark.slow
def test_scenarios_assumptions_and_provenance(parsed: _Collect):
    text = _text(parsed)
    res = load_results(compare_folder())
    for name in res.names:
        assert res.label(name) in text
        assert res.descriptions[name][:60] in text
    assert "rural_coverage" in text and "500,000" in text  # policies and their settings
    assert "ECLAC SR No. 7" in text  # region profile sources
    assert "Households share one connection and one income" in text  # model card limitations
    assert "git commit" in text and res.manifest["git_commit"] in text
    assert "root seed" in text and f"{res.seeds()[0]}" in text
    command = shlex.join(res.manifest["invocations"][0]["command"])
    assert re.sub(r"\s+", " ", command) in text  # the command line that made the runs
    assert "mesa" in text and res.manifest["versions"]["mesa"] in text
    for anchor in ("key-findings", "gaps", "figures", "scenarios", "bands", "provenance"):
        assert ("a", {"href": f"#{anchor}"}) in parsed.tags
        assert any(a.get("id") == anchor for _, a in parsed.tags)


def stand_in_compare(folder: Path, others: tuple[str, ...]) -> Path:
    """A comparison of the LAC baseline with ``others`` (LAC scenario names) by the stand-in."""
    from experiments.commands.batch import run_compare
    from tests.runhelpers import fake_run

    scen = ROOT / "scenarios" / "lac"
    out = folder / "compare"
    args = argparse.Namespace(
        baseline=str(scen / "baseline.yaml"),
        others=[str(scen / f"{name}.yaml") for name in others],
        replications=3,
        households=100,
        quarter=None,
        seed=0,
        workers=1,
        scheduler=None,
        out=str(out),
        quiet=True,
    )
    assert run_compare(args, run_fn=fake_run) == 0
    return out


@pytest.fixture(scope="module")
def fake_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison run by the experiments' stand-in model: few indicators, no simulation."""
    return stand_in_compare(tmp_path_factory.mktemp("fake"), ("affordability",))


@pytest.mark.slow
def test_the_quarter_of_the_tables_is_found(tmp_path: Path):
    from experiments.commands.batch import run_compare
    from model.calendar import Quarter
    from tests.runhelpers import fake_run

    scen = ROOT / "scenarios" / "lac"
    args = argparse.Namespace(
        baseline=str(scen / "baseline.yaml"),
        others=[str(scen / "skills.yaml")],
        replications=2,
        households=100,
        quarter=Quarter.parse("2025Q4"),
        seed=0,
        workers=1,
        scheduler=None,
        out=str(tmp_path / "q"),
        quiet=True,
    )
    assert run_compare(args, run_fn=fake_run) == 0
    res = load_results(tmp_path / "q")
    assert res.quarter == "2025Q4"
    assert res.quarters[-1] == "2030Q4"


@pytest.mark.slow
def test_report_command_prints_the_path(fake_folder: Path, capsys: pytest.CaptureFixture[str]):
    capsys.readouterr()
    code = report_command.report(argparse.Namespace(folder=str(fake_folder)))
    assert code == 0
    assert capsys.readouterr().out.strip() == str(fake_folder / "report.html")


@pytest.mark.slow
def test_report_is_wired_into_the_command_line(
    fake_folder: Path, capsys: pytest.CaptureFixture[str]
):
    from experiments import cli

    assert cli.parser().parse_args(["report", str(fake_folder)]).folder == str(fake_folder)
    capsys.readouterr()
    (fake_folder / "report.html").unlink(missing_ok=True)
    assert cli.main(["report", str(fake_folder)]) == 0
    assert capsys.readouterr().out.strip() == str(fake_folder / "report.html")
    assert (fake_folder / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_folder_that_is_not_an_experiment_is_refused(tmp_path: Path):
    with pytest.raises(
        InputError, match=r"no manifest\.json.*Fix: give a folder that 'inclusim run'"
    ):
        report.write_report(tmp_path)


@pytest.mark.slow
def test_sweep_report(tmp_path: Path):
    path = report.write_report(sweep_folder("morris"))
    page = path.read_text(encoding="utf-8")
    assert 'data-figure="morris"' in page
    assert "Which inputs matter" in page and "mu_star" in page
    assert "trajectories: 2" in page  # the spec text and the design
    assert "Few samples" not in page  # a Morris design has no Sobol base samples
    sobol = report.write_report(sweep_folder("sobol")).read_text(encoding="utf-8")
    assert "Few samples" in sobol and "base samples (N)" in sobol
    folder = tmp_path / "unanalysed"
    shutil.copytree(sweep_folder("sobol"), folder)
    (folder / "sensitivity.parquet").unlink()
    (folder / "sensitivity.csv").unlink()
    page = report.write_report(folder).read_text(encoding="utf-8")
    assert "No sensitivity indices yet" in page and "inclusim analyse" in page


@pytest.mark.slow
def test_report_of_a_comparison_with_few_indicators(fake_folder: Path):
    """A model that reports only a few indicators still gets a report, with what applies."""
    page = report.write_report(fake_folder).read_text(encoding="utf-8")
    assert 'data-figure="gap_trajectories"' in page
    assert 'data-figure="worst_off"' not in page
    assert "Gender parity score" in page


# -- exports -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_exports_open_cleanly_with_one_header_row():
    paths = write_exports(compare_folder())
    names = {p.name for p in paths}
    assert names == {
        "summary_long.csv",
        "differences_long.csv",
        "summary_wide.csv",
        "differences_wide.csv",
        "cost.csv",
        "ledger.csv",
    }
    for p in paths:
        raw = p.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{p.name}: no UTF-8 byte-order mark"
        frame = pd.read_csv(p)
        with open(p, encoding=CSV_ENCODING, newline="") as f:
            header = next(csv.reader(f))
        assert header == list(frame.columns), p.name
        assert not any(c.startswith("Unnamed") for c in frame.columns), p.name
        assert len(frame) > 0


@pytest.mark.slow
def test_wide_summary_has_quarter_columns_and_units():
    wide = pd.read_csv(compare_folder() / "exports" / "summary_wide.csv")
    assert list(wide.columns[:6]) == [
        "scenario",
        "scenario_label",
        "indicator",
        "indicator_label",
        "unit",
        "statistic",
    ]
    quarters = list(wide.columns[6:])
    assert quarters[0] == "2019Q4" and quarters[-1] == "2030Q4" and len(quarters) == 45
    assert all(re.fullmatch(r"\d{4}Q[1-4]", q) for q in quarters)
    assert all(pd.api.types.is_float_dtype(wide[q]) for q in quarters)
    assert not wide.duplicated(["scenario", "indicator"]).any()
    row = wide[(wide["scenario"] == "lac_baseline") & (wide["indicator"] == "gps_internet_use")]
    assert row["unit"].iloc[0].startswith("ratio")
    people = wide[wide["indicator"] == "n_people_internet_use:sex=female"]
    assert (people["unit"] == "people").all()
    assert (people["indicator_label"] == "People using the Internet - women and girls").all()
    skills = wide[wide["indicator"] == "share_basic_skills"]
    assert (skills["unit"] == "share of people 15+ (0-1)").all()
    summary = load_results(compare_folder()).summary
    expect = summary[
        (summary["scenario"] == "lac_four_is")
        & (summary["indicator"] == "share_internet_use")
        & (summary["quarter"] == "2030Q4")
    ]["mean"].iloc[0]
    got = wide[(wide["scenario"] == "lac_four_is") & (wide["indicator"] == "share_internet_use")]
    assert got["2030Q4"].iloc[0] == pytest.approx(expect, rel=1e-9)


@pytest.mark.slow
def test_long_exports_are_tidy_and_hold_the_stored_values():
    res = load_results(compare_folder())
    long = pd.read_csv(compare_folder() / "exports" / "differences_long.csv")
    assert {"scenario", "compared_with", "quarter", "indicator", "unit", "mean", "ci_low"} <= set(
        long.columns
    )
    assert not long.duplicated(["scenario", "quarter", "indicator"]).any()
    assert set(long["compared_with"]) == {"lac_baseline"}
    assert len(long) == len(res.differences)
    keys = ["scenario", "quarter", "indicator"]
    stored = res.differences.set_index(keys)
    exported = long.set_index(keys).loc[stored.index]
    for statistic in ("mean", "ci_low", "ci_high"):
        np.testing.assert_allclose(
            exported[statistic], stored[statistic], rtol=1e-9, err_msg=statistic
        )
    cost = pd.read_csv(compare_folder() / "exports" / "cost.csv")
    column = "US$ per extra household connected"
    assert list(cost["scenario"]) == list(res.cost["scenario"])
    np.testing.assert_allclose(cost[column], res.cost["cost_per_extra_households"], rtol=1e-9)


@pytest.mark.slow
def test_sweep_exports_hold_every_run_its_inputs_and_outcomes():
    res = load_results(sweep_folder("sobol"))
    paths = write_exports(sweep_folder("sobol"))
    assert {p.name for p in paths} == {"runs.csv", "runs_long.csv", "sensitivity.csv"}
    runs = pd.read_csv(paths[0])
    assert {"run_id", "point", "seed", "policies.connectivity.intensity"} <= set(runs.columns)
    stored = res.experiments.merge(res.outcomes, on="run_id")
    assert list(runs["run_id"]) == list(stored["run_id"])
    outcomes = [c for c in res.outcomes.columns if c != "run_id"]
    for column in ["seed", "policies.connectivity.intensity", *outcomes]:
        np.testing.assert_allclose(runs[column], stored[column], rtol=1e-9, err_msg=column)
    long = pd.read_csv(paths[1])
    assert set(long["indicator"]) == {"share_internet_use", "gps_internet_use"}
    assert len(long) == len(stored) * len(outcomes)
    for outcome in outcomes:
        rows = long[long["outcome"] == outcome].set_index("run_id").loc[stored["run_id"]]
        np.testing.assert_allclose(rows["value"], stored[outcome], rtol=1e-9, err_msg=outcome)
    sensitivity = pd.read_csv(paths[2])
    assert list(sensitivity.columns) == list(res.sensitivity.columns)
    assert len(sensitivity) == len(res.sensitivity) > 0


# -- in a real browser ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_report_renders_in_headless_chromium(report_path: Path):
    browser.require()
    requests: list[str] = []
    with browser.chromium_page(1280, 900) as pg:
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(report_path.resolve().as_uri())
        pg.wait_for_load_state("load")
        figures = pg.evaluate(
            """() => Array.from(document.querySelectorAll('img[data-figure]')).map(i => {
                const b = i.getBoundingClientRect();
                return {name: i.dataset.figure, complete: i.complete, w: i.naturalWidth,
                        h: i.naturalHeight, bw: b.width, bh: b.height};
            })"""
        )
        assert {f["name"] for f in figures} == COMPARE_FIGURES | {"left_behind"}
        for f in figures:
            assert f["complete"] and f["w"] > 0 and f["h"] > 0, f
            assert f["bw"] > 300 and f["bh"] > 100, f
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, "the page scrolls sideways"
        browser.ARTIFACTS.mkdir(exist_ok=True)
        shot = browser.ARTIFACTS / "report.png"
        pg.screenshot(path=str(shot))
        pg.emulate_media(media="print")
        avoid = pg.evaluate("getComputedStyle(document.querySelector('figure')).breakInside")
        assert avoid == "avoid"
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not outside, f"the report fetched {outside}"
    assert shot.stat().st_size > 20_000
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "img" / "report.png")


class _OneDifference:
    """Stands in for comparison results: every scenario differs from the baseline alike."""

    baseline = "baseline"

    def __init__(self, low: float, high: float) -> None:
        self.row = pd.Series(
            {"mean": 0.6, "mean_diff": (low + high) / 2, "ci_low_diff": low, "ci_high_diff": high}
        )

    def at(self, name: str, indicator: str) -> pd.Series:
        return self.row


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [(0.0002, 0.0008, "no clear change"), (0.002, 0.004, "higher"), (-0.004, -0.002, "lower")],
)
def test_a_badge_follows_the_interval_at_the_precision_shown(low, high, verdict):
    # share_internet_use is shown in % with one decimal: 0.02 to 0.08 points reads "0.0 to 0.1",
    # which must not be called "higher".
    from experiments.present.report_tables import GAP_ROWS, _diff_cell

    row = next(r for r in GAP_ROWS if r.indicator == "share_internet_use")
    assert (row.scale, row.decimals) == (100.0, 1)
    _, ci, html = _diff_cell(_OneDifference(low, high), row, "scenario")
    assert f">{verdict}<" in html, (ci, html)


class _Costed:
    """Stands in for comparison results with a cost table of one scenario against a baseline."""

    baseline = "base"
    quarter = "2030Q4"

    def __init__(self, low: float, high: float) -> None:
        from experiments.analysis.stats import effect_is_clear

        clear = effect_is_clear(low, high)
        self.cost = pd.DataFrame(
            {
                "scenario": ["base", "policy"],
                "spend_mean": [0.0, 5e9],
                "extra_online_mean": [np.nan, (low + high) / 2],
                "extra_online_clear": [False, clear],
                "cost_per_extra_online": [
                    np.nan,
                    5e9 / ((low + high) / 2) if clear else np.nan,
                ],
            }
        )

    def label(self, name: str) -> str:
        return name


def test_no_cost_per_extra_person_online_is_given_for_an_effect_whose_interval_includes_zero():
    unclear = wording.cost_sentence(_Costed(-2e5, 6e5), "policy")
    assert "no clear effect" in unclear and "per extra person online</strong>" not in unclear
    clear = wording.cost_sentence(_Costed(1e5, 3e5), "policy")
    assert "US$ 25,000 per extra person online" in clear, clear


class _Widening(_OneDifference):
    """Every indicator of the stand-in results moves by the same difference."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        self.row["mean"] = 0.05
        self.indicators = ["gap_disability_internet_use", "share_employed"]

    def label(self, name: str) -> str:
        return name


def test_findings_state_a_gap_that_widens_and_a_level_that_falls_as_plainly_as_gains():
    from experiments.present.report_tables import harm_sentences

    worse = harm_sentences(_Widening(0.003, 0.007), "four levers")
    assert worse == [
        "disability gap of the share using the Internet widens by 0.5 percentage points "
        "(95% CI 0.3 to 0.7)"
    ], worse
    falls = harm_sentences(_Widening(-0.007, -0.003), "four levers")
    assert falls == [
        "share of people 15+ in work falls by 0.5 percentage points (95% CI 0.3 to 0.7)"
    ], falls
    assert harm_sentences(_Widening(-0.0002, 0.0004), "four levers") == []


class _Planted:
    """Stand-in comparison results with one planted change per scenario and indicator.

    ``changes`` maps (scenario, indicator) to a paired difference's (low, high); everything
    else is unchanged (an interval around zero). Baseline levels are 0.05 (5%, or a 5-point
    gap) and 0.9 for ratios.
    """

    baseline = "base"
    quarter = "2030Q4"

    def __init__(self, names: list[str], changes: dict[tuple[str, str], tuple[float, float]]):
        self.names = ["base", *names]
        self.changes = changes
        self.indicators = {
            "gap_disability_internet_use",
            "gps_internet_use",
            "share_employed",
            "share_internet_use",
        }

    def at(self, name: str, indicator: str) -> pd.Series:
        low, high = self.changes.get((name, indicator), (-0.01, 0.01))
        level = 0.9 if indicator.startswith("gps") else 0.05
        return pd.Series(
            {"mean": level, "mean_diff": (low + high) / 2, "ci_low_diff": low, "ci_high_diff": high}
        )

    def label(self, name: str) -> str:
        return f"LAC: {name}"


def test_findings_name_what_gets_worse_under_every_scenario_not_only_the_headline():
    from experiments.present.report_tables import harms_html

    res = _Planted(
        ["connectivity", "skills", "four levers"],
        {
            ("connectivity", "gap_disability_internet_use"): (0.002, 0.008),
            ("connectivity", "gps_internet_use"): (-0.03, -0.01),
            ("four levers", "share_employed"): (-0.009, -0.003),
            ("skills", "share_internet_use"): (0.01, 0.03),  # better: not a harm
        },
    )
    html = harms_html(res, "four levers")
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items[0].startswith("<strong>Under ‘LAC: four levers’</strong>, by 2030Q4: "), items
    assert (
        "share of people 15+ in work falls by 0.6 percentage points (95% CI 0.3 to 0.9)" in items[0]
    )
    assert items[1].startswith("<strong>Under ‘LAC: connectivity’</strong>"), items
    assert (
        "disability gap of the share using the Internet widens by 0.5 percentage points" in items[1]
    )
    assert "gender parity score of the share using the Internet widens by 0.020 " in items[1]
    assert items[2] == (
        "Nothing in the gap table is clearly worse than under the baseline under ‘LAC: skills’."
    )


def test_a_gap_that_crosses_parity_is_said_to_widen_with_both_values():
    from experiments.present.report_tables import harm_sentences

    res = _Planted(["s"], {("s", "gap_disability_internet_use"): (-0.16, -0.14)})
    (clause,) = harm_sentences(res, "s")
    assert "widens, crossing parity: \u221210.0 against 5.0 under the baseline" in clause, clause


@pytest.mark.parametrize(("households", "warned"), [(2_000, True), (20_000, False), (None, False)])
def test_runs_too_small_for_group_gaps_carry_a_note(households, warned):
    note = report.small_sample_note(households)
    assert ("Small runs" in note) is warned
    if warned:
        assert "2,000 simulated households" in note and "5,000" in note


@pytest.mark.parametrize("policy_type", sorted(POLICY_TYPES))
def test_every_policy_setting_the_report_shows_has_its_unit(policy_type: str):
    from experiments.present.report_sections import policy_settings, setting_unit

    config = POLICY_TYPES[policy_type].Config
    lacking = [
        key
        for key in config.model_fields
        if key not in ("type", "name") and not setting_unit(policy_type, key)
    ]
    assert not lacking, (
        f"{policy_type}: {lacking} have no unit; give each field "
        'json_schema_extra={"unit": ...} in its schema in model/policies'
    )
    every = config(type=policy_type).model_dump(mode="json")
    settings = [k for k in every if k not in ("type", "name", "start", "end", "intensity")]
    shown = policy_settings(every)
    assert len(shown) == len(settings)
    for item, key in zip(shown, settings, strict=True):
        assert item.startswith(key.replace("_", " ") + ": ")
        assert item.endswith(f"({setting_unit(policy_type, key)})"), item


def test_a_policy_sized_as_a_share_of_the_region_is_shown_in_words():
    from experiments.present.report_sections import policy_settings

    shown = policy_settings(
        {
            "type": "connectivity",
            "households_covered_per_year": {"share": 0.1, "of": "uncovered_households"},
        }
    )
    assert shown == [
        "households covered per year: 10% of households without mobile coverage (households a year)"
    ]


def _indices(conf: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": ["share_internet_use"] * 2,
            "input": ["a", "b"],
            "S1": [0.6, 0.2],
            "S1_conf": [conf, conf / 2],
            "ST": [0.7, 0.3],
            "ST_conf": [conf, conf / 2],
        }
    )


@pytest.mark.parametrize(
    ("samples", "conf", "warned"),
    [
        (64, 0.02, True),
        (256, 0.02, True),
        (512, 0.02, False),
        (4096, 0.02, False),
        (1024, 0.3, True),
    ],
)
def test_a_sobol_sweep_with_few_base_samples_carries_a_note(samples, conf, warned):
    note = report.sobol_sample_note({"kind": "sobol", "samples": samples}, _indices(conf))
    assert ("Few samples" in note) is warned, note
    if samples < report.SOBOL_MIN_BASE_SAMPLES:
        assert f"{samples:,} base samples (N)" in note and "512" in note
    if conf > report.SOBOL_MAX_CONF:
        assert "\u00b10.30" in note


def test_the_sobol_note_is_for_sobol_designs_only():
    assert report.sobol_sample_note({"kind": "morris", "trajectories": 2}, None) == ""
    assert "Few samples" in report.sobol_sample_note({"kind": "sobol", "samples": 8}, None)


@pytest.fixture(scope="module")
def seven_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a comparison of seven scenarios (the widest gap table) by the stand-in."""
    others = ("connectivity", "affordability", "skills", "labour", "social_protection", "four_is")
    return report.write_report(stand_in_compare(tmp_path_factory.mktemp("seven"), others))


HEADLINE_IN_VIEW = """() => {
    const th = document.querySelector('table.matrix th[data-scenario] .tag');
    const cell = th.closest('th');
    const b = cell.getBoundingClientRect();
    const box = cell.closest('.scroll').getBoundingClientRect();
    return {name: cell.dataset.scenario, left: b.left, right: b.right, boxLeft: box.left,
            boxRight: box.right, page: document.documentElement.scrollWidth,
            wide: Array.from(document.querySelectorAll('.scroll')).filter(
                s => s.scrollWidth > s.clientWidth + 1).map(s => s.firstElementChild.className)};
}"""
"""Where the headline scenario's column of the gap table is, and which tables scroll sideways."""


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("which", ["seven scenarios", "three scenarios"])
def test_the_headline_column_is_in_view_without_scrolling_sideways(
    which: str, width: int, request: pytest.FixtureRequest
):
    browser.require()
    path = request.getfixturevalue("seven_report" if which == "seven scenarios" else "report_path")
    with browser.chromium_page(width, 900) as pg:
        pg.goto(path.resolve().as_uri())
        pg.wait_for_load_state("load")
        pg.locator("#gaps").scroll_into_view_if_needed()
        seen = pg.evaluate(HEADLINE_IN_VIEW)
        if width == 1024 and which == "seven scenarios":
            browser.ARTIFACTS.mkdir(exist_ok=True)
            pg.locator("section:has(> h2#gaps)").screenshot(
                path=str(browser.ARTIFACTS / "report_gaps_1024.png")
            )
    assert seen["name"] == "lac_four_is", seen
    assert seen["page"] <= width, f"the page scrolls sideways at {width} px: {seen}"
    assert seen["left"] >= 0 and seen["right"] <= width, seen
    assert seen["boxLeft"] <= seen["left"] and seen["right"] <= seen["boxRight"] + 0.5, seen
    assert seen["wide"] == [], f"tables that scroll sideways at {width} px: {seen['wide']}"


@pytest.mark.slow
def test_every_scenario_of_a_wide_comparison_has_its_column_once(seven_report: Path):
    from experiments.present.report_tables import MATRIX_PANEL

    page = seven_report.read_text(encoding="utf-8")
    columns = re.findall(r'<th class="num" data-scenario="([a-z_]+)"', page)
    assert columns[0] == "lac_four_is"  # the headline leads
    others = ("connectivity", "affordability", "skills", "labour", "social_protection", "four_is")
    assert sorted(columns) == sorted(f"lac_{name}" for name in others)
    assert page.count('class="gaps matrix"') == -(-len(columns) // MATRIX_PANEL)


def _run_with_worst(label: str, people: float) -> RunResult:
    """A stand-in run result whose worst-off group is ``label`` with ``people`` in it."""
    cells = pd.DataFrame(
        {
            "sex": ["female", "male"],
            "age": ["65+", "25-64"],
            "location": ["rural", "urban"],
            "quintile": ["1", "5"],
            "disability": ["with", "without"],
            "people": [people, 9e6],
        }
    )
    frame = pd.DataFrame({"share_internet_use": [0.5, 0.6]}, index=["2019Q4", "2020Q1"])
    return RunResult("s", 1, 100, frame, {"worst_internet_use": label}, cells)


def test_a_run_part_keeps_the_worst_off_group_and_its_people(tmp_path: Path):
    from experiments.batch.runner import Task, part_bytes, run_labels
    from experiments.present.run_labels import run_labels as stored_labels
    from model import groups

    words = ", ".join(
        groups.short_label(g)
        for g in ("sex=female", "age=65+", "location=rural", "quintile=1", "disability=with")
    )
    result = _run_with_worst(words, 41_000.0)
    assert run_labels(result) == {
        "worst_internet_use": words,
        "worst_internet_use_people": 41_000.0,
    }
    parts = tmp_path / "parts"
    parts.mkdir()
    for run_id in (0, 1):
        task = Task(run_id, 7, run_id, {}, experiment="abc")
        (parts / f"run-{run_id:07d}.parquet").write_bytes(part_bytes(result, task))
    got = stored_labels(tmp_path)
    assert set(got["run_id"]) == {0, 1}
    assert got[got["name"] == "worst_internet_use_people"]["value"].tolist() == [41_000.0] * 2
    assert run_labels(result.timeseries) == {}  # a stand-in model's table has no labels


class _WorstOff:
    """Stand-in comparison results with a worst-off group per scenario."""

    def __init__(self) -> None:
        self.names = ["base", "four"]
        self.quarters = ["2019Q4", "2030Q4"]
        self.worst_labels = {
            "base": "Women, 65+, Rural, Q1, With disability",
            "four": "Men, 65+, Rural",
        }
        self.worst_people = {"base": 412_345.0}

    def at(self, name: str, indicator: str) -> pd.Series:
        return pd.Series({"mean": 0.123 if indicator.startswith("worst") else 0.456})

    def label(self, name: str) -> str:
        return f"LAC: {name}"


def test_the_worst_off_group_is_named_with_its_people():
    from experiments.present.report_tables import worst_off_html

    html = worst_off_html(_WorstOff())
    assert (
        "Under ‘LAC: base’" in html
        and "<strong>Women, 65+, Rural, Q1, With disability</strong>, 412,000 people, 12.3% "
        "online, 45.6 percentage points below the average"
        in html
    ), html
    assert "<strong>Men, 65+, Rural</strong>, 12.3% online" in html  # no count: none said
    empty = _WorstOff()
    empty.worst_labels = {}
    assert worst_off_html(empty) == ""


@pytest.mark.slow
def test_no_badge_in_the_gap_table_contradicts_its_rounded_interval(page: str):
    cells = re.findall(
        r'<span class="ci">([^<]+) to ([^<]+)</span><span class="verdict (\w+)">([^<]+)</span>',
        page,
    )
    assert cells, "no verdict in the gap table"

    def value(text: str) -> float:
        return float(text.replace("\u2212", "-").replace(",", ""))

    for low, high, cls, words in cells:
        includes_zero = value(low) <= 0 <= value(high)
        assert includes_zero == (cls == "unclear"), (low, high, cls, words)
