"""``--set ADDRESS=VALUE`` on ``run``, ``compare`` and ``dashboard``: applied, recorded, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.commands import dashboard
from experiments.design.settings import parse_setting
from experiments.present.report import write_report
from model.errors import InputError
from model.loader import load_scenario
from model.settings import settings_from_json, settings_json
from tests.paths import SCENARIOS

AFFORDABILITY = str(SCENARIOS / "lac" / "affordability.yaml")
SUBSIDY = "policies.digital_basket.service_subsidy"
SMALL = ["--households", "300"]
COMPARE = ["compare", AFFORDABILITY, *SMALL, "--replications", "2", "--workers", "1", "--quiet"]
BAD_VALUE = "policies.affordability.service_subsidy=5.0"
MALFORMED = {
    "no_equals": ("beta_afford", "has no '='"),
    "empty_address": ("=1.5", "has no address"),
    "empty_value": ("beta_afford=", "has no value"),
}
COMMANDS = {
    "run": ["run", AFFORDABILITY, *SMALL],
    "compare": COMPARE,
    "dashboard": ["dashboard", AFFORDABILITY, "--port", "0"],
}


def yaml_message(tmp_path: Path) -> str:
    """The loader's message for a service subsidy of 5.0 in the file, after 'file:line:'."""
    text = Path(AFFORDABILITY).read_text(encoding="utf-8")
    bad = tmp_path / "bad_subsidy.yaml"
    bad.write_text(text.replace("service_subsidy: 0.5", "service_subsidy: 5.0"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    (problem,) = caught.value.problems
    return f"{problem.path}: {problem.message} Fix: {problem.fix}"


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The dashboard's port check, replaced so that reaching it (a server starting) is recorded."""
    started: list[str] = []

    def refuse(host: str, port: int) -> int:
        started.append(f"{host}:{port}")
        raise OSError("the test does not start servers")

    monkeypatch.setattr(dashboard, "_free_port", refuse)
    for name in (dashboard.SCENARIO_ENV, dashboard.SETTINGS_ENV):
        monkeypatch.setenv(name, "")  # recorded, so what serve() sets is undone afterwards
        monkeypatch.delenv(name)
    return started


# --- reading ADDRESS=VALUE -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("beta_afford=1.5", ("beta_afford", 1.5)),
        (f"{SUBSIDY}=1", (SUBSIDY, 1)),
        (
            "policies.digital_basket.device_instalments=true",
            ("policies.digital_basket.device_instalments", True),
        ),
        ("policies.digital_basket.start=2021Q1", ("policies.digital_basket.start", "2021Q1")),
        ("policies.x.start=2021-01-01", ("policies.x.start", "2021-01-01")),
        (
            "policies.x.eligibility={quintile: [1, 2]}",
            ("policies.x.eligibility", {"quintile": [1, 2]}),
        ),
        ("policies.x.name=a=b", ("policies.x.name", "a=b")),
    ],
)
def test_values_are_read_as_yaml_reads_them(text: str, expected: tuple) -> None:
    address, value = parse_setting(text)
    assert (address, value) == expected
    assert type(value) is type(expected[1])


def test_settings_travel_as_json() -> None:
    settings = {SUBSIDY: 1.0, "beta_afford": 1.5}
    assert settings_from_json(settings_json(settings), "x") == settings
    assert settings_json({}) == "" and settings_from_json("", "x") == {}
    with pytest.raises(InputError, match="not a JSON object"):
        settings_from_json("[1]", dashboard.SETTINGS_ENV)


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_set_is_an_argument_error(command: str, case: str, cli, capsys) -> None:
    text, says = MALFORMED[case]
    with pytest.raises(SystemExit) as exited:
        cli([*COMMANDS[command], "--set", text])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --set:" in err and says in err
    assert "Traceback" not in err
    assert not Path("outputs").exists()


# --- bad addresses and values: the loader's messages, nothing written -----------------------


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_bad_value_gets_the_message_the_file_would(command, cli, tmp_path, no_server) -> None:
    expected = yaml_message(tmp_path)
    result = cli([*COMMANDS[command], "--set", BAD_VALUE])
    assert result.code == 2
    assert result.err.strip() == f"error: {AFFORDABILITY}: {expected}"
    assert "5.0 is out of range" in result.err
    assert not Path("outputs").exists()
    assert no_server == []


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("setting", "says"),
    [
        (
            "beta_afrod=1.5",
            "set.beta_afrod: unknown parameter or policy field 'beta_afrod'; "
            "Fix: did you mean 'beta_afford'?",
        ),
        (
            "policies.digital_basket.service_subsidi=1",
            "policies[0].service_subsidi: unknown key "
            "'service_subsidi'; Fix: did you mean 'service_subsidy'?",
        ),
        ("policies.digital_basket=1", "'policies.digital_basket' does not name a policy field."),
    ],
)
def test_an_unknown_address_suggests_the_right_one(command, setting, says, cli, no_server) -> None:
    result = cli([*COMMANDS[command], "--set", setting])
    assert result.code == 2
    assert result.err.startswith(f"error: {AFFORDABILITY}: ")
    assert says in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not Path("outputs").exists()
    assert no_server == []


# --- run and compare: the settings change the results and are recorded ----------------------


def _spend(folder: Path) -> float:
    """What the run's subsidy lever spent on service subsidies (the item the settings change)."""
    summary = pd.read_csv(folder / "summary.csv").set_index("indicator")["value"]
    return float(summary["spend_service_subsidy:digital_basket"])


def test_run_applies_and_records_the_settings(cli) -> None:
    plain = cli(["run", AFFORDABILITY, *SMALL, "--out", "plain"])
    assert plain.code == 0, plain.err
    changed = cli(
        [
            "run",
            AFFORDABILITY,
            *SMALL,
            "--out",
            "set",
            "--set",
            f"{SUBSIDY}=1.0",
            "--set",
            "beta_afford=1.5",
        ]
    )
    assert changed.code == 0, changed.err
    assert _spend(Path("set")) > 1.5 * _spend(Path("plain"))
    manifests = {f: json.loads(Path(f, "manifest.json").read_text()) for f in ("plain", "set")}
    assert manifests["plain"]["settings"] == {}
    assert manifests["set"]["settings"] == {SUBSIDY: 1.0, "beta_afford": 1.5}
    assert manifests["set"]["scenario_text"] == Path(AFFORDABILITY).read_text(encoding="utf-8")


@pytest.mark.slow
def test_compare_applies_and_records_the_settings(cli) -> None:
    plain = cli([*COMPARE, "--no-report", "--out", "plain"])
    assert plain.code == 0, plain.err
    changed = cli([*COMPARE, "--no-report", "--out", "set", "--set", f"{SUBSIDY}=1.0"])
    assert changed.code == 0, changed.err
    ledger = {f: pd.read_csv(Path(f, "ledger.csv")) for f in ("plain", "set")}
    spend = {
        f: float(x.loc[x["item"] == "service_subsidy", "usd_mean"].sum()) for f, x in ledger.items()
    }
    assert spend["set"] > 1.5 * spend["plain"]
    manifest = json.loads(Path("set", "manifest.json").read_text())
    assert manifest["definition"]["settings"] == {SUBSIDY: 1.0}
    assert "settings" not in json.loads(Path("plain", "manifest.json").read_text())["definition"]
    page = write_report("set").read_text(encoding="utf-8")
    assert f"<code>{SUBSIDY}=1.0</code>" in page
    assert "(<code>--set</code>)" not in write_report("plain").read_text(encoding="utf-8")


# --- dashboard: checked before any server, handed to the page --------------------------------


def test_dashboard_hands_the_settings_to_the_page(no_server, monkeypatch) -> None:
    from experiments import app
    from model import dashboard as page

    assert (app.SETTINGS_ENV, app.DEFAULT_SCENARIO) == (
        dashboard.SETTINGS_ENV,
        dashboard.DEFAULT_SCENARIO,
    )
    settings = {SUBSIDY: 1.0, "policies.digital_basket.intensity": 0.3}
    assert dashboard.serve(AFFORDABILITY, 0, settings=settings) == 1  # stopped at the port
    assert no_server == ["127.0.0.1:0"]
    assert json.loads(app.settings_text()) == settings
    path, settings_text = app.scenario_path(), app.settings_text()
    controls = page.start_controls(path, settings_text)
    assert controls.levers["affordability"] == pytest.approx(0.3)
    model = page.Runs(path, settings_text, controls).model
    (policy,) = [p for p in model.loaded.policies if p.type == "affordability"]
    assert policy.service_subsidy == 1.0
    dashboard.prepare(AFFORDABILITY, None)
    assert app.settings_text() == ""


def test_compare_sets_a_policy_field_only_where_the_policy_is() -> None:
    from experiments.design.comparison import comparison

    baseline = str(SCENARIOS / "lac" / "baseline.yaml")
    settings = {"policies.affordability.device_subsidy": 0.8, "beta_afford": 1.5}
    exp, _ = comparison([baseline, AFFORDABILITY], replications=2, settings=settings)
    base, afford = (s["data"] for s in exp.definition["scenarios"])
    assert base["policies"] == [] and base["parameters"] == {"beta_afford": 1.5}
    assert afford["policies"][0]["device_subsidy"] == 0.8
    assert afford["parameters"] == {"beta_afford": 1.5}
    exp, _ = comparison([baseline], replications=2, settings=settings)  # no one has it: added
    assert exp.definition["scenarios"][0]["data"]["policies"][0]["type"] == "affordability"


def _present_value(folder: Path) -> float:
    summary = pd.read_csv(folder / "summary.csv").set_index("indicator")["value"]
    return float(summary["spend_pv:digital_basket"])


def test_set_changes_the_discount_rate_and_only_the_present_value(cli) -> None:
    plain = cli(["run", AFFORDABILITY, *SMALL, "--out", "plain"])
    assert plain.code == 0, plain.err
    steep = cli(["run", AFFORDABILITY, *SMALL, "--out", "steep", "--set", "discount_rate=0.1"])
    assert steep.code == 0, steep.err
    assert _spend(Path("steep")) == _spend(Path("plain"))  # the same money, paid the same way
    assert _present_value(Path("steep")) < 0.8 * _present_value(Path("plain"))
    assert json.loads(Path("steep", "manifest.json").read_text())["settings"] == {
        "discount_rate": 0.1
    }
    bad = cli(["run", AFFORDABILITY, *SMALL, "--out", "bad", "--set", "discount_rate=0.5"])
    assert bad.code == 2 and "discount_rate: 0.5 is out of range" in bad.err
    assert not Path("bad").exists()
