"""docs/python.md cannot go stale: its Python examples run, in order, in one namespace.

Each ```python block of the page is executed from an empty temporary working folder, as a
reader would paste them one after the other. A ```text block right after a ```python block is
the output the page promises: what the block prints must match it (``...`` matches anything,
as in doctest), so messages quoted in the prose are the ones the code gives.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import matplotlib
import pytest

from tests.paths import ROOT

PAGE = ROOT / "docs" / "python.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, str, str | None]]:
    """(language, code, expected output or None) of each fenced block, in page order."""
    found = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    out = []
    for k, (lang, code, _start, end) in enumerate(found):
        if lang != "python":
            continue
        expected = None
        if k + 1 < len(found):
            nlang, ncode, nstart, _ = found[k + 1]
            if nlang == "text" and not text[end:nstart].strip():
                expected = ncode
        out.append((lang, code, expected))
    return out


def test_the_page_has_examples_and_a_quoted_message():
    examples = blocks(PAGE.read_text(encoding="utf-8"))
    assert len(examples) >= 10
    assert any(expected for _, _, expected in examples)


@pytest.mark.slow
def test_every_python_example_of_the_page_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict[str, object] = {"__name__": "docs_python"}
    checker = doctest.OutputChecker()
    try:
        for k, (_, code, expected) in enumerate(blocks(PAGE.read_text(encoding="utf-8"))):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(code, f"docs/python.md example {k + 1}", "exec"), namespace)
            if expected is not None:
                got = printed.getvalue()
                assert checker.check_output(expected, got, doctest.ELLIPSIS), (
                    f"example {k + 1} printed\n{got}\nbut docs/python.md shows\n{expected}"
                )
    finally:
        plt.close("all")
    assert (tmp_path / "internet_use.png").stat().st_size > 0
    assert (tmp_path / "outputs" / "lac_report" / "report.html").is_file()
    assert (tmp_path / "outputs" / "two_levers" / "sensitivity.csv").is_file()


def _snippets(path: Path, heading: str) -> list[str]:
    """The ```python blocks of one section (from ``heading`` to the next ``## ``)."""
    text = path.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return [code for lang, code, _ in blocks(section)]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        (ROOT / "README.md", "## From Python"),
        (ROOT / "docs" / "experiments.md", "## Using it from Python"),
    ],
)
def test_short_snippets_elsewhere_call_only_what_inclusim_has(path, heading):
    """Snippets too slow to run at their sizes: every inclusim name and keyword exists."""
    import ast
    import inspect

    import inclusim

    snippets = _snippets(path, heading)
    assert snippets, f"{path.name} has no python example under {heading!r}"
    for code in snippets:
        for node in ast.walk(ast.parse(code)):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "inclusim"
            ):
                continue
            name = node.func.attr
            assert name in inclusim.__all__, f"{path.name}: inclusim.{name} does not exist"
            accepted = inspect.signature(getattr(inclusim, name)).parameters
            for kw in node.keywords:
                assert kw.arg in accepted, f"{path.name}: inclusim.{name}() has no {kw.arg}="
