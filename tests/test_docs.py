"""The documentation cannot drift from the code.

docs/ODD.md must list every parameter (name, value, unit), every household and person attribute,
every group of the vocabulary and every indicator of the registry; the generated sections of
docs/ODD.md, docs/MODEL_CARD.md and docs/calibration.md must equal a fresh rendering;
docs/modelled.yaml must name only code that exists. Regenerate with
``.venv/bin/python -m tools.docs_gen``.
"""

from __future__ import annotations

import re

import pytest

from model import groups
from model.households import HOUSEHOLD_ATTRIBUTES, PERSON_ATTRIBUTES
from model.indicator_registry import GAP_KINDS, INDICATORS
from model.params import PARAMETERS
from tools import docs_gen

REGENERATE = "run .venv/bin/python -m tools.docs_gen"


@pytest.fixture(scope="module")
def odd() -> str:
    return docs_gen.ODD.read_text(encoding="utf-8")


def _table_rows(text: str, name: str) -> list[list[str]]:
    """Cells of every Markdown table row whose first cell is `name`."""
    rows = []
    for line in text.splitlines():
        if line.startswith(f"| `{name}` |"):
            rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
    return rows


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_every_parameter_is_in_the_odd_with_value_and_unit(odd: str, name: str):
    p = PARAMETERS[name]
    rows = _table_rows(odd, name)
    assert rows, f"parameter {name} is missing from docs/ODD.md; {REGENERATE}"
    value, unit = docs_gen.fmt_number(p.value), p.unit
    assert any(value in row and unit in row for row in rows), (
        f"docs/ODD.md shows {name} without value {value} and unit '{unit}'; {REGENERATE}"
    )


def _section(text: str, name: str) -> str:
    """The body of a generated section."""
    begin, end = f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->"
    assert begin in text and end in text, f"docs/ODD.md has no '{name}' section"
    return text.split(begin, 1)[1].split(end, 1)[0]


def test_every_household_and_person_attribute_is_in_its_table(odd: str):
    households, persons = _section(odd, "attributes").split("**Persons**", 1)
    for part, registry in ((households, HOUSEHOLD_ATTRIBUTES), (persons, PERSON_ATTRIBUTES)):
        missing = [a.name for a in registry if not _table_rows(part, a.name)]
        assert not missing, f"attributes {missing} are missing from docs/ODD.md; {REGENERATE}"
        for a in registry:
            assert a.description in part, a.name


def test_every_group_of_the_vocabulary_is_in_the_odd(odd: str):
    section = _section(odd, "groups")
    for g in groups.all_groups():
        (row,) = _table_rows(section, g)
        assert groups.label(g) in row and groups.short_label(g) in row, g


def test_every_indicator_of_the_registry_is_in_the_odd(odd: str):
    section = _section(odd, "indicators")
    for ind in INDICATORS.values():
        (row,) = _table_rows(section, ind.name)
        assert ind.label in row and ind.unit in row, ind.name
    for prefix in GAP_KINDS:
        assert _table_rows(section, f"{prefix}_<measure>"), prefix


def test_every_parameter_submodel_has_a_table_in_the_odd(odd: str):
    sections = set(docs_gen.sections_in(odd))
    missing = [s for s in docs_gen.submodels() if f"parameters-{s}" not in sections]
    assert not missing, f"docs/ODD.md has no parameters-<submodel> section for {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("path", docs_gen.GENERATED_DOCS, ids=lambda p: p.name)
def test_generated_sections_are_fresh(path):
    assert path.exists(), f"{path} is missing"
    text = path.read_text(encoding="utf-8")
    assert docs_gen.sections_in(text), f"{path.name} has no generated section"
    assert docs_gen.render_file(path) == text, f"{path.name} is stale; {REGENERATE}"


def test_odd_and_model_card_hold_the_expected_sections():
    odd = set(docs_gen.sections_in(docs_gen.ODD.read_text(encoding="utf-8")))
    card = set(docs_gen.sections_in(docs_gen.MODEL_CARD.read_text(encoding="utf-8")))
    assert {"attributes", "groups", "streams", "constants", "shock", "indicators"} <= odd
    assert {f"policy-{k}" for k in docs_gen.POLICY_TYPES} <= odd
    assert {"modelled", "assumptions"} <= card


def test_markers_are_balanced():
    for path in docs_gen.GENERATED_DOCS:
        text = path.read_text(encoding="utf-8")
        begins = re.findall(r"^<!-- BEGIN GENERATED: ([^ ]+) -->$", text, re.MULTILINE)
        ends = re.findall(r"^<!-- END GENERATED: ([^ ]+) -->$", text, re.MULTILINE)
        assert begins == ends == docs_gen.sections_in(text), path.name


def test_unknown_section_is_an_error():
    text = "<!-- BEGIN GENERATED: nonsense -->\n<!-- END GENERATED: nonsense -->"
    with pytest.raises(KeyError, match="unknown generated section 'nonsense'"):
        docs_gen.render_text(text)


def test_stale_section_is_detected():
    text = docs_gen.ODD.read_text(encoding="utf-8")
    name = next(iter(PARAMETERS))
    edited = text.replace(f"| `{name}` |", f"| `{name}_old` |", 1)
    assert docs_gen.render_text(edited) == text != edited


# --- docs/modelled.yaml --------------------------------------------------------------------


def test_modelled_yaml_names_only_code_that_exists():
    problems = docs_gen.missing_code_paths()
    assert not problems, "docs/modelled.yaml: " + "; ".join(problems)


def test_modelled_yaml_has_every_status_and_unique_names():
    items = docs_gen.load_modelled().items
    assert {i.status for i in items} == {"modelled", "partly", "not"}
    names = [i.name for i in items]
    assert len(names) == len(set(names)), "duplicate names in docs/modelled.yaml"


def test_a_missing_code_path_is_reported():
    bad = docs_gen.Modelled(
        items=[
            docs_gen.ModelledItem(
                name="ghost rule",
                area="test",
                status="modelled",
                where=["model.rules.ghost", "model.rules.labour:no_such_function"],
                note="does not exist",
            ),
            docs_gen.ModelledItem(name="no path", area="test", status="partly", note="none"),
        ]
    )
    problems = docs_gen.missing_code_paths(bad)
    assert len(problems) == 3
    assert any("model.rules.ghost" in p for p in problems)
    assert any("no_such_function" in p for p in problems)
    assert any("no code path" in p for p in problems)


def test_every_policy_type_is_in_modelled_yaml():
    where = {w for i in docs_gen.load_modelled().items for w in i.where}
    for kind, cls in docs_gen.POLICY_TYPES.items():
        assert f"{cls.__module__}:{cls.__name__}" in where, f"policy {kind} not in modelled.yaml"
