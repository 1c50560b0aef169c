"""A new country from a similar profile: ``region new``, its figures table filled with
national figures, then ``population``, ``calibrate --check --region`` and ``compare``; policy
sizes given as shares of the region."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import inclusim
from model.errors import InputError
from model.loader import load_region, load_scenario, resolve_region, scenario_from_dict
from model.region_figures import is_assumption, region_figures
from model.region_table import profile_figures
from model.run import simulate
from tests.paths import BAD, ROOT

MADE_UP = ROOT / "tests" / "data" / "regions" / "kenya_made_up.csv"
"""Made-up national figures for every row ``region new kenya --from ldc`` marks as needing
national data (not Kenya's: a test fixture)."""


def fill(table: Path, figures: Path) -> int:
    """Put the rows of ``figures`` into ``table`` by key (and year, for a path); return how
    many were put."""
    given: dict[str, list[dict[str, str]]] = {}
    for r in csv.DictReader(figures.open()):
        given.setdefault(r["key"], []).append(r)
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    put = 0
    for row in rows:
        news = [n for n in given.get(row["key"], []) if not row["year"] or n["year"] == row["year"]]
        if news:
            row.update(value=news[0]["value"], year=news[0]["year"], source=news[0]["source"])
            put += 1
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return put


@pytest.fixture
def kenya(cli, tmp_path: Path) -> Path:
    """``region new kenya --from ldc`` in ``tmp_path``; the folder written."""
    result = cli(["region", "new", "kenya", "--from", "ldc", "--dir", "mine"])
    assert result.code == 0, result.err
    return tmp_path / "mine"


def test_region_new_marks_every_figure_and_prints_a_checklist(kenya: Path, cli) -> None:
    table = kenya / "regions" / "kenya.csv"
    assert (kenya / "kenya" / "baseline.yaml").is_file()
    rows = list(csv.DictReader(table.open()))
    ldc = region_figures(load_region("ldc"))
    assert len(rows) >= len(ldc)
    national = [r for r in rows if r["source"].startswith("needs national data; ")]
    assert national and len(national) < len(rows)
    assert all("default from ldc (assumption): " in r["source"] for r in rows)
    assert {r["key"] for r in national} >= {"population.persons", "coverage.rural"}
    assert all(r["description"] for r in rows)
    region = load_region(kenya / "regions" / "kenya.yaml")
    assert all(is_assumption(f.source) for f in region_figures(region))
    assert region.population.persons.value == load_region("ldc").population.persons.value
    again = cli(["region", "new", "kenya", "--from", "ldc", "--dir", "mine"])
    assert again.code == 2 and "already exists; nothing was written." in again.err
    assert table.read_text() == table.read_text()


def test_region_new_checklist_names_what_to_fill(cli) -> None:
    result = cli(["region", "new", "kenya", "--from", "ldc", "--dir", "mine"])
    assert "Checklist: " in result.out
    assert " figures need national data" in result.out
    assert "population.persons" in result.out
    assert "inclusim calibrate --check --region mine/regions/kenya.yaml" in result.out


def test_region_check_counts_the_assumptions_of_a_shipped_profile(cli) -> None:
    result = cli(["region", "check", "ldc"])
    ldc = region_figures(load_region("ldc"))
    assumed = sum(is_assumption(f.source) for f in ldc)
    assert result.code == 0
    assert "0 still need national data" in result.out
    assert f"{assumed} of {len(ldc)} are assumptions." in result.out
    assert "3 published paths its baseline must follow" in result.out


def test_a_profile_without_electricity_rows_counts_the_worlds_figures_as_assumptions(
    kenya: Path, cli
) -> None:
    table = kenya / "regions" / "kenya.csv"
    fill(table, MADE_UP)
    rows = table.read_text(encoding="utf-8").splitlines()
    kept = [r for r in rows if not r.startswith("electricity.")]
    table.write_text("\n".join(kept) + "\n", encoding="utf-8")
    region = load_region(kenya / "regions" / "kenya.yaml")
    defaults = [f for f in region_figures(region) if f.key.startswith("electricity.")]
    assert [(f.key, f.value) for f in defaults] == [
        ("electricity.urban", 0.97),
        ("electricity.rural", 0.84),
    ]
    assert all(is_assumption(f.source) for f in defaults)
    result = cli(["region", "check", str(kenya / "regions" / "kenya.yaml")])
    assert "79 figures, 77 in " in result.out and " and 2 left out;" in result.out
    assert "43 of 79 are assumptions." in result.out
    assert "not in the file, so the model's defaults apply (assumptions):" in result.out


def test_the_default_school_closure_period_is_not_counted_as_a_figure() -> None:
    keys = [f.key for f in region_figures(load_region("ldc"))]
    assert "schooling.quarters_closed" not in keys and "electricity.rural" in keys


def test_a_figure_of_several_rows_is_counted_row_by_row() -> None:
    """Asia-Pacific's 2020Q2 hours lost cite ILO; its other quarters are the world's
    assumptions. The loaded profile keeps one joined source for the labour shock, which
    reads as an assumption for every quarter; the rows as written do not."""
    path = resolve_region("asia_pacific")
    loaded = region_figures(region := load_region(path))
    written, left_out = profile_figures(path, region)
    quarter = next(f for f in written if f.key == "labour_shock.hours_lost.2020Q2")
    joined = next(f for f in loaded if f.key == quarter.key)
    assert not is_assumption(quarter.source) and is_assumption(joined.source)
    assert not left_out
    assert len(written) == len(loaded)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Kenya!", "--from", "ldc"], "is not a valid region name."),
        (["kenya", "--from", "lcd"], "unknown region 'lcd'; Fix: did you mean 'ldc'?"),
    ],
)
def test_region_new_refuses_bad_input(args: list[str], message: str, cli, tmp_path) -> None:
    result = cli(["region", "new", *args, "--dir", "mine"])
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "mine").exists()


@pytest.mark.slow
def test_filled_table_then_population_calibrate_and_compare(kenya: Path, cli) -> None:
    """The issue's 'done means': a clean start, national figures filled, the commands work."""
    profile = kenya / "regions" / "kenya.yaml"
    before = cli(["region", "check", str(profile)])
    assert before.code == 0 and " still need national data" in before.out
    assert fill(kenya / "regions" / "kenya.csv", MADE_UP) == 38

    after = cli(["region", "check", str(profile)])
    assert "0 still need national data" in after.out
    assert "3 published paths" in after.out

    pop = cli(["population", str(profile), "--households", "600", "--seed", "1"])
    assert pop.code == 0, pop.err
    assert "52,000,000" in pop.out

    cal = cli(
        [
            *("calibrate", "--check", "--region", str(profile)),
            *("--seeds", "1", "--households", "600", "--plot", "fit/kenya.png"),
        ]
    )
    assert cal.code in (0, 1), cal.err
    assert "41 of 79 figures of the profile are assumptions" in cal.out
    assert "share_internet_use" in cal.out and "targets pass." in cal.out
    assert Path("fit/kenya.png").read_bytes().startswith(b"\x89PNG")

    policy = kenya / "kenya" / "skills.yaml"
    policy.write_text(
        "name: kenya_skills\nlabel: Skills for 2% of adults a year\nregion: ../regions/kenya.yaml"
        "\nend: 2022Q4\npolicies:\n  - type: skills_training\n"
        "    places_per_quarter: {share: 0.02, of: adults, per: year}\n",
        encoding="utf-8",
    )
    baseline = kenya / "kenya" / "baseline.yaml"
    baseline.write_text(baseline.read_text().replace("end: 2030Q4", "end: 2022Q4"))
    cmp = cli(["compare", str(baseline), str(policy), "--replications", "2", "--households", "300"])
    assert cmp.code == 0, cmp.err
    page = (Path("outputs") / "compare_kenya_baseline-kenya_skills" / "report.html").read_text(
        encoding="utf-8"
    )
    assert "Not checked here: the baseline&#x27;s runs end before 2024Q4" in page


def _scenario(**sizes: object) -> dict:
    return {
        "name": "sized",
        "label": "sized",
        "region": "ldc",
        "end": "2023Q4",
        "policies": [
            {
                "type": "connectivity",
                "households_covered_per_year": sizes["covered"],
                "households_upgraded_per_year": 0,
            },
            {"type": "skills_training", "places_per_quarter": sizes["places"]},
        ],
    }


def test_a_share_sized_policy_is_the_equivalent_absolute_policy() -> None:
    ldc = load_region("ldc")
    households = ldc.population.persons.value / ldc.population.household_size.value
    rural = ldc.composition.share_rural.value
    uncovered = households * (
        rural * (1 - ldc.coverage.rural.value) + (1 - rural) * (1 - ldc.coverage.urban.value)
    )
    a = ldc.composition.age_structure
    adults = ldc.population.persons.value * (a.a13_17 * 0.6 + a.a18_24 + a.a25_64 + a.a65)
    shared = scenario_from_dict(
        _scenario(
            covered={"share": 0.1, "of": "uncovered_households"},
            places={"share": 0.02, "of": "adults", "per": "year"},
        )
    )
    absolute = scenario_from_dict(_scenario(covered=0.1 * uncovered, places=0.02 * adults / 4))
    assert shared.policies[0].households_covered_per_year == pytest.approx(0.1 * uncovered)
    runs = [simulate(s, 3, 400, 12).timeseries for s in (shared, absolute)]
    assert runs[0]["spend:connectivity"].iloc[-1] > 0
    assert runs[0]["spend:skills_training"].iloc[-1] > 0
    assert runs[0].equals(runs[1])


def test_an_implausible_absolute_size_draws_a_warning_naming_its_share(cli, tmp_path) -> None:
    ldc = load_region("ldc")
    households = ldc.population.persons.value / ldc.population.household_size.value
    rural = ldc.composition.share_rural.value
    uncovered = households * (
        rural * (1 - ldc.coverage.rural.value) + (1 - rural) * (1 - ldc.coverage.urban.value)
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        "name: big\nlabel: big\nregion: ldc\npolicies:\n  - type: connectivity\n"
        "    households_covered_per_year: 20_000_000\n",
        encoding="utf-8",
    )
    result = cli(["validate", str(path)])
    assert result.code == 0
    assert ":6: policies[0].households_covered_per_year: 20,000,000 households a year" in (
        result.err
    )
    assert f"is {20e6 / uncovered:.0%} a year of the {uncovered:,.0f} households without " in (
        result.err
    )
    assert "more than 25% a year is implausible" in result.err
    assert "{share: 0.25, of: uncovered_households}" in result.err
    path.write_text(
        path.read_text().replace("20_000_000", "{share: 0.9, of: uncovered_households}")
    )
    assert cli(["validate", str(path)]).err == ""


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (
            "{share: 0.1, of: households}",
            ":6: policies[0].places_per_quarter.of: places_per_quarter counts persons but "
            "households counts households. Fix: use one of people, adults",
        ),
        ("{share: 1.5, of: adults}", "share 1.5 is not a share. Fix: write a number from 0 to 1"),
        ("{share: 0.1, of: grownups}", "'of: grownups' is not a count of the region."),
        ("{shares: 0.1, of: adults}", "unknown key 'shares' in a share of the region."),
        ("{share: 0.1, of: adults, per: month}", "'per: month' is not a period."),
    ],
)
def test_a_bad_share_gets_one_clear_message(size: str, message: str, cli, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nlabel: bad\nregion: ldc\npolicies:\n  - type: skills_training\n"
        f"    places_per_quarter: {size}\n",
        encoding="utf-8",
    )
    result = cli(["validate", str(path)])
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_broken_table_gets_the_same_message_from_python(tmp_path: Path) -> None:
    scenario = tmp_path / "uses_broken.yaml"
    region = BAD / "region_table_percentage.yaml"
    scenario.write_text(f"name: x\nlabel: x\nregion: {region}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        inclusim.Sim(str(scenario), households=200)
    assert "tables/percentage.csv:10: income.poverty_rate: '32%' is a percentage." in str(
        caught.value
    )
    with pytest.raises(InputError):
        load_scenario(scenario)
