"""The live dashboard: its model and controls without a browser, then the page in chromium."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

# model.app needs the dashboard extra (solara), which `make test` installs: without it this
# module fails to import, so the dashboard's tests fail rather than vanish.
from model import app
from model.errors import InputError
from model.inclusion_model import InclusionModel
from model.loader import load_scenario
from tests import browser
from tests.paths import ROOT, SCENARIOS

FOUR_IS = str(SCENARIOS / "lac" / "four_is.yaml")
BASELINE = str(SCENARIOS / "lac" / "baseline.yaml")
LEVERS = list(app.LEVERS)
CHARTED = [
    "gps_internet_use",
    "ratio_urban_rural_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_disability_internet_use",
    "share_internet_use:sex=female",
    "share_internet_use:location=rural",
    "share_internet_use:quintile=1",
    "share_internet_use:quintile=5",
    "share_meaningful",
    "share_employed",
]


def series(model: InclusionModel) -> dict[str, np.ndarray]:
    frame = model.datacollector.get_model_vars_dataframe()
    return {c: frame[c].to_numpy() for c in frame.columns}


# --- (a) the model behind the page, no browser ----------------------------------------------


@pytest.mark.slow
def test_dashboard_model_runs_seeded_steps_with_non_default_intensities():
    kw = {"connectivity": 0.4, "affordability": 0.0, "skills_training": 0.7}
    m = app.DashboardModel(scenario_path=BASELINE, households=2_000, seed="3", **kw)
    assert m.seed == 3 and m.h.n == 2_000
    assert {p.config.type: p.config.intensity for p in m.policies} == {
        "connectivity": 0.4,
        "skills_training": 0.7,
    }
    m.run(4)
    assert str(m.quarter) == "2020Q3"
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4
    assert set(CHARTED) <= set(frame.columns)
    again = app.DashboardModel(scenario_path=BASELINE, households=2_000, seed=3, **kw)
    again.run(4)
    assert again.indicators == m.indicators


@pytest.mark.slow
def test_untouched_controls_give_the_same_run_as_inclusim_run():
    page = app.DashboardModel(scenario_path=FOUR_IS, households=2_000, seed=5)
    plain = InclusionModel(load_scenario(FOUR_IS), 5, 2_000)
    page.run(8)
    plain.run(8)
    assert page.indicators == plain.indicators


def test_every_charted_measure_is_collected():
    m = app.DashboardModel(households=1_000)
    m.step()
    collected = set(m.datacollector.get_model_vars_dataframe().columns)
    charted = {name for _, series, _, _ in app.CHARTS for name in series}
    assert set(CHARTED) <= charted <= collected
    assert len(app.components(m.start, m.end)) == 1 + len(app.CHARTS)


def test_headline_panel_shows_people_and_quarter():
    m = app.DashboardModel(households=1_000)
    start = app.headline_html(m)
    assert "2019Q4 (start" in start and "million" in start
    m.run(3)
    text = app.headline_html(m)
    assert "2020Q2 (quarter 3 of 45)" in text
    for number, what in app.headline_rows(m):
        assert re.fullmatch(r"[\d,]+\.\d million", number)
        assert number in text and what in text
    assert "rural_coverage" in text and "intensity" in text


def test_sliders_start_at_the_scenario_and_reproduce_it():
    loaded = load_scenario(FOUR_IS)
    params = app.model_params(FOUR_IS)
    assert [params[k].value for k in LEVERS] == [1.0, 1.0, 1.0, 1.0]
    same = app.with_intensities(loaded, {k: params[k].value for k in LEVERS})
    assert same.policies == loaded.policies
    base = app.model_params(BASELINE)
    assert [base[k].value for k in LEVERS] == [0.0, 0.0, 0.0, 0.0]
    assert app.with_intensities(load_scenario(BASELINE), dict.fromkeys(LEVERS, 0.0)).policies == ()


def test_controls_match_the_model_signature():
    accepted = set(inspect.signature(app.DashboardModel.__init__).parameters) - {"self", "rng"}
    assert set(app.model_params(FOUR_IS)) == accepted


@pytest.mark.slow
def test_all_levers_at_zero_reproduce_the_baseline():
    zero = app.DashboardModel(
        scenario_path=FOUR_IS, households=2_000, seed=1, **dict.fromkeys(LEVERS, 0.0)
    )
    base = InclusionModel(load_scenario(BASELINE), 1, 2_000)
    zero.run(12)
    base.run(12)
    z, b = series(zero), series(base)
    for name in b:
        np.testing.assert_array_equal(z[name], b[name], err_msg=name)


@pytest.mark.slow
@pytest.mark.parametrize("lever", LEVERS)
def test_each_slider_changes_the_run(lever):
    off = dict.fromkeys(LEVERS, 0.0)
    base = app.DashboardModel(scenario_path=BASELINE, households=2_000, seed=1, **off)
    on = app.DashboardModel(
        scenario_path=BASELINE, households=2_000, seed=1, **(off | {lever: 1.0})
    )
    assert [p.config.type for p in on.policies] == [lever]
    base.run(12)
    on.run(12)
    b, o = series(base), series(on)
    assert any(not np.array_equal(b[k], o[k]) for k in b)


def test_missing_lever_gets_the_regions_default_policy():
    ldc = load_scenario(SCENARIOS / "ldc" / "baseline.yaml")
    out = app.with_intensities(ldc, {"connectivity": 0.5})
    (policy,) = out.policies
    assert policy.intensity == 0.5
    assert policy.households_covered_per_year == 2_000_000  # ldc/four_is.yaml, not LAC's


def test_bad_intensities_and_seeds():
    loaded = load_scenario(BASELINE)
    with pytest.raises(ValueError, match="between 0 and 1"):
        app.with_intensities(loaded, {"connectivity": 1.5})
    with pytest.raises(ValueError, match="unknown lever"):
        app.with_intensities(loaded, {"subsidy": 0.5})
    assert app.parse_seed(" 42 ") == (42, "")
    seed, note = app.parse_seed("abc")
    assert seed == 0 and "not a whole number" in note
    m = app.DashboardModel(households=1_000, seed="abc")
    assert m.seed == 0 and "not a whole number" in app.headline_html(m)


def test_scenario_comes_from_the_environment(monkeypatch):
    from experiments.commands import dashboard

    assert dashboard.SCENARIO_ENV == app.SCENARIO_ENV
    monkeypatch.setenv(app.SCENARIO_ENV, BASELINE)
    assert app.scenario_path() == str(SCENARIOS / "lac" / "baseline.yaml")
    monkeypatch.delenv(app.SCENARIO_ENV)
    assert app.scenario_path() == str(app.DEFAULT_SCENARIO)


def test_serve_rejects_a_bad_scenario_and_a_taken_port(tmp_path, capsys, monkeypatch):
    from experiments.commands import dashboard

    monkeypatch.delenv(app.SCENARIO_ENV, raising=False)

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlabel: x\nregion: atlantis\n", encoding="utf-8")
    with pytest.raises(InputError):
        dashboard.serve(str(bad), 0)
    assert dashboard.main([str(bad), "--port", "0"]) == 2
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert dashboard.serve(None, port) == 1
    assert "choose another port" in capsys.readouterr().err


# --- (b) the page in a real headless browser -------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """``python -m experiments.commands.dashboard SCENARIO --port P``; stopped with Ctrl-C."""
    browser.require()
    port = browser.free_port()
    log = (tmp_path / "server.log").open("w")
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    env.pop(app.SCENARIO_ENV, None)
    cmd = [sys.executable, "-m", "experiments.commands.dashboard", FOUR_IS, "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        browser.wait_for_http(url, timeout=40, alive=lambda: proc.poll() is None)
        yield url, proc, tmp_path / "server.log"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def _charts_png(page) -> list[bytes]:
    # The chart images' sources, read in one call: an element screenshot can race a chart
    # being redrawn ("Element is not attached to the DOM") on a loaded machine.
    sources = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    return [src.encode() for src in sources]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.subprocess
def test_dashboard_in_a_browser(server):
    url, proc, log = server
    with browser.chromium_page(1400, 1400) as page:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        panel = page.locator(".inclusim-headline")
        panel.wait_for(timeout=30_000)
        assert "LAC: all four levers together" in page.inner_text("header")
        assert page.title() == "inclusim dashboard"
        first = panel.inner_text()
        assert "2019Q4 (start" in first
        page.locator("img").nth(4).wait_for(timeout=10_000)
        charts_before = _charts_png(page)

        step = page.get_by_role("button", name="Step")
        for n in range(1, 5):
            step.click()
            page.get_by_text(f"quarter {n} of 45").wait_for(timeout=10_000)
        after = panel.inner_text()
        assert "2020Q3 (quarter 4 of 45)" in after
        assert _people_online(after) != _people_online(first)
        page.wait_for_timeout(500)
        assert _charts_png(page) != charts_before

        update_docs = os.environ.get("UPDATE_SCREENSHOTS") == "1"
        page.get_by_role("button", name="▶").click()
        until = "quarter 45 of 45" if update_docs else re.compile(r"quarter ([89]|\d\d) of 45")
        page.get_by_text(until).wait_for(timeout=120_000 if update_docs else 30_000)
        if not update_docs:
            page.get_by_role("button", name="❚❚").click()
        page.wait_for_timeout(1_000)
        browser.ARTIFACTS.mkdir(exist_ok=True)
        shot = browser.ARTIFACTS / "dashboard.png"
        page.screenshot(path=str(shot))
        if update_docs:
            docs = ROOT / "docs" / "img" / "dashboard.png"
            docs.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, docs)

        page.get_by_label("Seed").fill("7")
        page.get_by_role("slider", name="Connectivity").press("Home")
        page.get_by_role("slider", name="Households").press("PageDown")
        page.get_by_role("button", name="Reset").click()
        # Reset builds a new population: slow on a busy machine.
        page.get_by_text("seed 7.").wait_for(timeout=60_000)
        reset = panel.inner_text()
        assert "2019Q4 (start" in reset
        assert re.search(r"rural_coverage\s+0\.00", reset), reset
        assert re.search(r"digital_basket\s+1\.00", reset), reset
        assert "5,000 simulated households" not in reset
        assert errors == []
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    assert "dashboard stopped." in log.read_text()


def _people_online(text: str) -> str:
    match = re.search(r"([\d,.]+ million)\s+people using the Internet", text)
    assert match, text
    return match.group(1)
