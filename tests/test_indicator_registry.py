"""One registry of indicators and one group vocabulary: every name is described, nobody else
keeps a table of labels, units or group words.

The model's emitted names are checked on a real run (LAC, all four levers, a few quarters);
the presentation modules (exports, figures, report, dashboard) are checked to take their words
from :mod:`model.indicator_registry` and :mod:`model.groups`: patching a registry entry must
change what they show.
"""

from __future__ import annotations

import functools
import importlib
import re

import pytest

from experiments.present import exports, figures, report_tables, wording
from model import groups, indicator_registry
from model.inclusion_model import InclusionModel
from model.loader import load_scenario
from model.result import RunResult
from tests.paths import ROOT, SCENARIOS

PRESENTATION = (
    "experiments.present.exports",
    "experiments.present.figures",
    "experiments.present.report",
    "experiments.batch.single_run",
    "experiments.commands.batch",
    "tools.docs_gen",
    "experiments.app",
)
"""Modules that show indicators and groups to people."""

OWN_TABLES = ("MEASURES", "GROUPS", "SHORT_GROUPS", "GAP_KINDS", "LABELS", "INDICATORS", "GAP_TEXT")
"""Names under which a module would keep its own vocabulary."""


@functools.cache
def _run() -> RunResult:
    model = InclusionModel(load_scenario(SCENARIOS / "lac" / "four_is.yaml"), 3, 2_000)
    model.run(3)
    return model.result()


def _module(name: str):
    """Import a presentation module; experiments.app needs the dashboard extra (solara), which
    `make test` installs, and fails the test when it is missing."""
    return importlib.import_module(name)


def test_every_emitted_indicator_is_described_by_the_registry():
    result = _run()
    names = list(result.timeseries.columns)
    unknown = [n for n in names if not indicator_registry.is_known(n)]
    assert not unknown, f"indicators the registry cannot describe: {unknown}"
    assert any(n.startswith("spend:") for n in names)  # the per-policy families are checked too
    assert set(indicator_registry.HEADLINE) <= set(names)
    measures = [c for c in result.cells.columns if c.startswith(("share_", "n_people_"))]
    assert measures and all(indicator_registry.is_known(c) for c in measures)


def test_an_unknown_name_is_not_described():
    for name in ("share_internet_use:female", "n_households_internet_use", "share_x", "gps_income"):
        assert not indicator_registry.is_known(name), name


def test_exports_labels_and_units_are_the_registrys():
    assert exports.indicator_label is indicator_registry.label
    assert exports.unit_of is indicator_registry.unit
    assert exports.is_share is indicator_registry.is_share
    for name in _run().timeseries.columns:
        described = indicator_registry.describe(name)
        assert exports.indicator_label(name) == described.label
        assert exports.unit_of(name) == described.unit
        assert "head" not in described.label.lower(), name


@pytest.mark.parametrize("module", PRESENTATION)
def test_no_module_keeps_its_own_vocabulary(module: str):
    mod = _module(module)
    for name in OWN_TABLES:
        if hasattr(mod, name):
            value = getattr(mod, name)
            assert value is getattr(indicator_registry, name, None) or value is getattr(
                groups, name, None
            ), f"{module}.{name} is a table of its own"


def test_presentation_follows_a_change_of_the_registry(monkeypatch: pytest.MonkeyPatch):
    """A new label or group word in the registries shows up in the report and the figures."""
    old = indicator_registry.INDICATORS["gps_internet_use"]
    monkeypatch.setitem(
        indicator_registry.INDICATORS,
        "gps_internet_use",
        indicator_registry.Indicator(**{**old.__dict__, "label": "Parity of sexes (test)"}),
    )
    monkeypatch.setitem(groups.LABELS, "sex=female", ("womenfolk (test)", "Womenfolk (test)"))
    row = next(r for r in report_tables.GAP_ROWS if r.indicator == "gps_internet_use")
    assert row.name == "Parity of sexes (test)"
    assert exports.indicator_label("gps_internet_use") == "Parity of sexes (test)"
    assert wording.who("sex=female") == "womenfolk (test)"
    assert wording.column_label("n_people_internet_use:sex=female") == "Womenfolk (test)"
    assert exports.indicator_label("share_internet_use:sex=female").endswith("womenfolk (test)")
    assert "sex=female" in figures.heatmap_groups()


def test_dashboard_legends_follow_the_vocabulary(monkeypatch: pytest.MonkeyPatch):
    app = _module("experiments.app")
    monkeypatch.setitem(groups.LABELS, "location=rural", ("countryside (test)", "Country (test)"))
    assert app.series_label("share_internet_use:location=rural", False) == "Country (test)"
    assert app.series_label("gps_internet_use", False) == "women / men"
    words = indicator_registry.MEASURE_BY_NAME["employed"].words
    assert app.series_label("share_employed:sex=female", True).lower() == f"{words}, women"


def test_group_words_speak_of_persons():
    for group in groups.all_groups():
        for words in (groups.label(group), groups.short_label(group)):
            assert "head" not in words.lower(), group
    assert wording.who("all") == "people"
    assert wording.who("location=rural") == "people in rural areas"
    assert wording.who("quintile=1").startswith("people in the poorest fifth")


HEAD_WORDS = re.compile(
    r"(?i)-headed|\bheaded\b|\bheads? of (the )?household|household heads?\b"
    r"|reference person|\bhead 15|\bhead (with|without|aged)"
)
"""Wording of the households-only model, where the head stood for everyone."""


def test_no_presentation_file_speaks_of_household_heads():
    files = [*sorted((ROOT / "experiments").rglob("*.py")), ROOT / "model" / "dashboard.py"]
    files += [ROOT / "tests" / f"test_{n}.py" for n in ("report", "figures", "dashboard")]
    found = [
        f"{p.relative_to(ROOT)}:{k}: {line.strip()}"
        for p in files
        for k, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if HEAD_WORDS.search(line) and p.name != "files.py"
    ]
    assert not found, "\n".join(found)
