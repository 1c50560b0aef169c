"""The ``validate`` and ``population`` sub-commands, and how bad arguments are refused."""

from __future__ import annotations

import subprocess
import sys

import pytest

from experiments.cli import main
from model.loader import load_region
from tests.installed import script
from tests.paths import BAD, REGIONS, ROOT, SCENARIOS

SHIPPED = sorted(SCENARIOS.rglob("*.yaml"))


def _shipped(path):
    return pytest.param(path, id=path.relative_to(ROOT).as_posix())


def test_scenarios_folder_is_not_empty() -> None:
    assert len(SHIPPED) >= 3
    assert {"lac.yaml", "ldc.yaml", "world.yaml"} <= {p.name for p in SHIPPED}


@pytest.mark.parametrize("path", [_shipped(p) for p in SHIPPED])
def test_validate_accepts_every_shipped_yaml(path, cli) -> None:
    result = cli(["validate", str(path)])
    assert result.err == ""
    assert result.code == 0
    assert result.out.startswith(f"ok: {path}: ")


LEVELS = {"households": "households", "people": "people", "children": "children 5-12"}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 11])
def test_population_prints_totals_and_every_target(seed: int, cli) -> None:
    result = cli(["population", "lac", "--households", "20000", "--seed", str(seed)])
    assert result.code == 0
    assert result.err == ""
    region = load_region("lac")
    lines = result.out.splitlines()
    head = lines[0].split()
    assert lines[0].startswith("Latin America and the Caribbean: 20,000 simulated households with ")
    members = int(head[head.index("with") + 1].replace(",", ""))
    assert members == pytest.approx(20_000 * region.population.household_size.value, rel=0.02)
    assert f"members (seed {seed}, built in " in lines[0]
    assert lines[1] == f"covers: {region.population.countries}"
    assert lines[2].split() == ["total", "published", "simulated", "diff"]
    totals = {row.split()[0]: row.split()[1:] for row in lines[4:6]}
    assert set(totals) == {"persons", "households"}
    assert totals["persons"][0] == f"{region.population.persons.value:,.0f}"
    assert totals["households"][0] == f"{region.population.households:,.0f}"
    for name, (_, _, diff) in totals.items():
        assert abs(float(diff.rstrip("%"))) < 1.0, name
    table = lines.index(next(line for line in lines if line.startswith("level ")))
    assert lines[table].split() == [
        "level",
        "target",
        "group",
        "published",
        "simulated",
        "diff",
        "(pp)",
    ]
    rows = lines[table + 2 : -1]
    assert len(rows) == len(region.targets)
    for row, t in zip(rows, region.targets, strict=True):
        group = t.group if t.versus is None else f"{t.group} / {t.versus}"
        assert row.startswith(LEVELS[t.unit])
        assert f" {t.measure} " in row
        assert group in row
        assert f"{t.value:.3f}" in row
    assert lines[-1].startswith("largest difference: ")
    assert lines[-1].endswith(" percentage points")
    worst = max(abs(float(row.split()[-1])) for row in rows)
    assert float(lines[-1].split()[2]) == pytest.approx(worst, abs=0.01)
    assert worst < 1.0


def test_population_accepts_a_region_file(cli) -> None:
    result = cli(["population", str(REGIONS / "world.yaml"), "--households", "5000"])
    assert result.code == 0
    assert "World: 5,000 simulated households with " in result.out
    assert "\npersons " in result.out and "\nhouseholds " in result.out
    assert "largest difference" in result.out


def test_population_unknown_region(cli) -> None:
    result = cli(["population", "atlantis", "--households", "1000"])
    assert result.code == 2
    assert "error: atlantis: unknown region 'atlantis';" in result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_population_broken_region_file(cli) -> None:
    result = cli(["population", str(BAD / "region_age_shares_sum.yaml"), "--households", "1000"])
    assert result.code == 2
    message = (
        ":47: composition.age_structure: shares 0-4 + 5-12 + 13-17 + 18-24 + 25-64 + 65+ sum to "
        "1.0800, not 1."
    )
    assert message in result.err
    assert result.out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["population", "lac", "--households", "0"], "argument --households: 0 must be at least 1"),
        (
            ["population", "lac", "--households", "-5"],
            "argument --households: -5 must be at least 1",
        ),
        (["population", "lac", "--households", "many"], "'many' is not a whole number"),
        (["population", "lac", "--seed", "-1"], "seed -1 must be between 0 and 2**63 - 1"),
        (["population", "lac", "--seed", "1.5"], "'1.5' is not a whole number"),
        (["population"], "the following arguments are required: REGION_OR_FILE"),
        (["validate"], "the following arguments are required: FILE"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_exit_2_without_traceback(
    args, message, capsys, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("usage: inclusim")
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_households_accepts_underscores(cli) -> None:
    result = cli(["population", "ldc", "--households", "2_000", "--seed", "1"])
    assert result.code == 0
    assert "2,000 simulated households" in result.out


@pytest.mark.slow
@pytest.mark.subprocess
def test_console_script_exit_status() -> None:
    """The real process: status 2 and one message, no traceback, for a broken file.

    Fails (does not skip) when the ``inclusim`` console script is not installed.
    """
    proc = subprocess.run(
        [script("inclusim"), "validate", str(BAD / "scenario_tab.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "indent with spaces, not tabs" in proc.stderr


@pytest.mark.slow
@pytest.mark.subprocess
def test_python_m_experiments_cli_exit_status() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "validate", str(BAD / "scenario_tab.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    assert "indent with spaces, not tabs" in proc.stderr
