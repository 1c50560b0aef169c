"""The effect-size generator: its literature file, its verdicts, its paired design and its
document (docs/effect-sizes.md)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import yaml

from experiments.analysis import effect_literature as literature
from experiments.analysis import effect_sizes as es
from experiments.present import effect_doc
from model.errors import InputError
from model.policies.registry import POLICY_TYPES
from tests.paths import ROOT

TINY = {"households": 2000, "replications": 2}


@pytest.fixture(scope="module")
def rows() -> list[literature.LiteratureRow]:
    return literature.load_literature()


# --- the literature file ----------------------------------------------------------------------


def test_every_literature_row_cites_a_source_and_says_how_it_is_read(rows):
    assert rows
    for row in rows:
        assert row.source.strip() and row.note.strip(), row.id
        assert row.comparable or row.why_not_comparable.strip(), row.id


def test_literature_ids_are_unique_and_every_measure_names_a_row(rows):
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids))
    assert set(es.MEASURES) <= set(ids)


def test_every_lever_is_a_policy_type_and_has_a_measured_row(rows):
    assert set(literature.LEVERS) == set(POLICY_TYPES)
    measured = {r.lever for r in rows if r.id in es.MEASURES}
    assert measured == set(literature.LEVERS)


def test_each_measure_runs_on_an_arm_of_its_rows_lever(rows):
    for row in rows:
        if row.id in es.MEASURES:
            assert es.ARMS[es.MEASURES[row.id][0]].lever == row.lever, row.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"low": 6.0, "high": 4.0}, "low must not exceed high"),
        ({"low": None, "high": None}, "give low (and high) or why_not_comparable"),
        ({"unit": "dollars"}, "unknown unit 'dollars'"),
        ({"lever": "tax"}, "unknown lever 'tax'"),
        ({"source": ""}, "source"),
    ],
)
def test_a_broken_literature_row_is_refused_with_its_problem(tmp_path, change, message):
    row = {
        "id": "x",
        "lever": "affordability",
        "outcome": "households connected",
        "group": "poor households",
        "horizon_years": 1,
        "low": 4.0,
        "high": 6.0,
        "unit": "percentage points",
        "source": "A study (2020)",
        "note": "read as is",
    } | change
    path = tmp_path / "literature.yaml"
    path.write_text(yaml.safe_dump({"literature": [row]}), encoding="utf-8")
    with pytest.raises(InputError) as err:
        literature.load_literature(path)
    assert message in err.value.render()


# --- verdicts on hand-made numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci", "published", "expected"),
    [
        ((4.5, 5.5), (4.0, 6.0), "within"),
        ((3.0, 4.2), (4.0, 6.0), "within"),
        ((1.0, 3.0), (4.0, 6.0), "below"),
        ((7.0, 9.0), (4.0, 6.0), "above"),
        ((-1.0, 8.0), (4.0, 6.0), es.NO_EFFECT),
        ((-0.3, 0.2), (-1.0, 1.0), "within"),
        ((1.5, 2.0), (-1.0, 1.0), "above"),
        ((0.2, 0.9), (0.0, None), "within"),
        ((-0.2, 0.9), (0.0, None), es.NO_EFFECT),
        ((-0.5, -0.1), (0.0, None), "below"),
        ((-0.05, -0.03), (-1.9, -1.9), "above"),
        ((-2.5, -1.5), (-1.9, -1.9), "within"),
    ],
)
def test_verdict(ci, published, expected):
    assert es.verdict(*ci, *published) == expected


def test_a_single_replication_gives_no_verdict():
    assert es.verdict(math.nan, math.nan, 4.0, 6.0) == "no interval (one replication)"


def test_new_adopters_on_hand_made_households():
    eligible = np.array([True, True, True, False, True])
    before = np.array([False, False, True, False, False])
    with_policy = np.array([True, True, True, True, False])
    without = np.array([True, False, False, False, False])
    # households 0 and 1 are subsidised newly connected; 1 would not be connected without
    assert es.new_adopters(eligible, before, with_policy, without) == 0.5
    assert math.isnan(es.new_adopters(eligible, before, without & False, without))


def test_elasticity_of_a_ten_percent_price_cut():
    assert es.elasticity(0.5, 0.55, -0.1) == pytest.approx(-1.0)
    assert math.isnan(es.elasticity(0.0, 0.1, -0.1))


# --- the paired design ------------------------------------------------------------------------


@pytest.mark.slow
def test_every_arm_runs_on_the_baselines_seeds(rows, monkeypatch):
    calls: list[tuple[str, int]] = []
    simulate = es.simulate

    def recording(data, seed, households, quarters):
        calls.append((data["name"], seed))
        return simulate(data, seed, households, quarters)

    monkeypatch.setattr(es, "simulate", recording)
    chosen = [r for r in rows if r.id in ("affordability_lifeline", "social_protection_takeup")]
    _, seeds = es.run_pairs(chosen, households=500, replications=2, root_seed=7)
    assert seeds == [es.replication_seed(7, k) for k in range(2)]
    by_name: dict[str, list[int]] = {}
    for name, seed in calls:
        by_name.setdefault(name, []).append(seed)
    assert len(by_name) == 3 and len(set(seeds)) == 2
    assert all(s == seeds for s in by_name.values()), by_name


@pytest.mark.slow
def test_a_policy_at_zero_intensity_has_exactly_no_effect_in_every_replication(rows, monkeypatch):
    """Common random numbers: the arm and the baseline differ only by the policy."""
    arm = es.ARMS["low_income_subsidy"]
    off = es.Arm(arm.name, arm.lever, arm.label, arm.policy | {"intensity": 0.0})
    monkeypatch.setitem(es.ARMS, arm.name, off)
    chosen = [r for r in rows if r.id == "affordability_lifeline"]
    (result,), _ = es.run_pairs(chosen, households=500, replications=2, root_seed=3)
    assert np.array_equal(result.group, [0.0, 0.0])
    assert np.array_equal(result.others, [0.0, 0.0])


# --- end to end ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_document(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("effect") / "effect-sizes.md"
    effect_doc.generate(out, households=TINY["households"], replications=TINY["replications"])
    return out.read_text(encoding="utf-8")


TABLE_ROW = re.compile(r"^\| ([a-z_0-9]+) \|(.*)\|$")


def table_rows(text: str) -> dict[str, list[str]]:
    """Cells of every result row of the document's tables, by row id."""
    out = {}
    for line in text.splitlines():
        m = TABLE_ROW.match(line)
        if m and m.group(1) != "row":
            out[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return out


@pytest.mark.slow
def test_the_tiny_document_has_a_row_per_literature_figure_with_numbers_and_verdicts(
    tiny_document, rows
):
    found = table_rows(tiny_document)
    assert set(found) == {r.id for r in rows}
    number = re.compile(r"^-?\d+\.\d{2,3}( \[-?\d+\.\d{2,3}, -?\d+\.\d{2,3}\])?$")
    for row in rows:
        cells = found[row.id]
        verdict = cells[7]
        if row.id in es.MEASURES:
            assert number.match(cells[3]), (row.id, cells[3])
        if row.comparable:
            assert verdict in es.VERDICTS, (row.id, verdict)
        else:
            assert verdict.startswith("not comparable"), row.id
    for lever in literature.LEVERS:
        assert f"## {lever.replace('_', ' ').capitalize()}" in tiny_document


@pytest.mark.slow
def test_the_tiny_document_header_names_its_settings(tiny_document):
    header = tiny_document.split("\n## ")[0]
    assert "2,000 households x 2 replications, root seed 0" in header
    assert f"model fingerprint `{effect_doc.model_fingerprint()[:16]}`" in header


def test_inclusim_calibrate_effect_sizes_passes_its_settings(cli, monkeypatch, tmp_path):
    seen = {}

    def fake_generate(out, **kwargs):
        seen.update(kwargs, out=out)
        return []

    monkeypatch.setattr(effect_doc, "generate", fake_generate)
    out = tmp_path / "e.md"
    result = cli(
        ["calibrate", "--effect-sizes", "--households", "900", "--seeds", "4", "--out", str(out)]
    )
    assert result.code == 0, result.err
    assert seen["out"] == out and seen["households"] == 900 and seen["replications"] == 4
    assert seen["command"].startswith("inclusim calibrate --effect-sizes --households 900")
    assert f"wrote {out}" in result.out


@pytest.mark.slow
def test_the_committed_document_names_every_lever_and_every_figure(rows):
    text = (ROOT / "docs" / "effect-sizes.md").read_text(encoding="utf-8")
    for lever in literature.LEVERS:
        assert f"## {lever.replace('_', ' ').capitalize()}" in text, lever
    assert set(table_rows(text)) == {r.id for r in rows}
