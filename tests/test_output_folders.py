"""Default output folders of ``compare``: named after every scenario, so they never collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.batch.provenance import safe_name
from experiments.cli import parser
from experiments.commands.batch import run_compare
from experiments.design.comparison import FOLDER_NAME_LIMIT, folder_name
from model.errors import InputError
from tests.runhelpers import fake_run, write_scenario

DEMO = [
    "lac_baseline",
    "lac_connectivity",
    "lac_affordability",
    "lac_skills",
    "lac_labour",
    "lac_social_protection",
    "lac_four_is",
]
"""The scenarios ``make demo`` compares."""


def _compare(*argv: str) -> int:
    args = parser().parse_args(["compare", *argv, "--replications", "2", "--workers", "1"])
    args.quiet = True
    args.no_report = True
    return run_compare(args, run_fn=fake_run)


def test_short_names_list_every_scenario() -> None:
    assert folder_name(["base"], "ab" * 32) == "compare_base"
    assert folder_name(["lac_baseline", "lac_four_is"], "ab" * 32) == (
        "compare_lac_baseline-lac_four_is"
    )


def test_long_lists_keep_leading_names_and_a_hash_of_the_identity() -> None:
    name = folder_name(DEMO, "0123456789" + "f" * 54)
    assert name == "compare_lac_baseline-lac_connectivity-5_more-01234567"
    assert name == safe_name(name) and len(name) <= FOLDER_NAME_LIMIT
    assert folder_name(DEMO, "9" * 64) != name  # another experiment, another folder
    assert folder_name(DEMO[:1] + DEMO[2:], "9" * 64) == (
        "compare_lac_baseline-lac_affordability-4_more-99999999"
    )


def test_a_long_baseline_name_alone_is_cut_and_hashed() -> None:
    name = folder_name(["b" * 64], "c" * 64)
    assert name == "compare_" + "b" * 40 + "-cccccccc"


@pytest.fixture
def three_scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, ...]:
    """A baseline and two other scenarios, written in the folder the test runs in."""
    monkeypatch.chdir(tmp_path)
    return tuple(write_scenario(tmp_path, n) for n in ("base", "sub_a", "sub_b"))


@pytest.mark.slow
def test_two_comparisons_with_one_baseline_write_to_two_folders(
    tmp_path: Path, three_scenarios: tuple[Path, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    base, a, b = three_scenarios
    assert _compare(str(base), str(a)) == 0
    assert _compare(str(base), str(b)) == 0
    assert (tmp_path / "outputs" / "compare_base-sub_a" / "summary.parquet").is_file()
    assert (tmp_path / "outputs" / "compare_base-sub_b" / "summary.parquet").is_file()
    capsys.readouterr()
    assert _compare(str(base), str(a)) == 0  # the same comparison finds its own folder
    assert "0 done now, 4 done before" in capsys.readouterr().out


@pytest.mark.slow
def test_an_explicit_out_still_refuses_another_experiment(
    three_scenarios: tuple[Path, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    base, a, b = three_scenarios
    assert _compare(str(base), str(a), "--out", "mine") == 0
    capsys.readouterr()
    with pytest.raises(InputError, match="holds the results of a different experiment"):
        _compare(str(base), str(b), "--out", "mine")
