"""The code's layout: no import cycle, handlers that never import the command line, no
large module that mixes jobs."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "experiments", "inclusim")
MAX_LINES = 600
"""A module longer than this must do one job; :data:`ONE_JOB` names each such module's job."""
ONE_JOB: dict[str, str] = {
    "model.inclusion_model": "the Mesa model: its state and the quarter's schedule",
    "model.kernels": "the compiled passes of the quarter's rules over persons and households",
    "model.population": "synthesise a region's households and persons, raked to its targets",
    "experiments.batch.store": "the resumable store of an experiment's runs and tables",
    "experiments.design.specs": "the sweep spec: its schema, loading and validation",
    "experiments.present.figures": "the figures of a finished comparison or sweep",
}
"""Modules over :data:`MAX_LINES` lines, each with the one job it does."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imported(path: Path, known: set[str]) -> set[str]:
    """Project modules ``path`` imports anywhere (functions included; not for type checkers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _type_checking(node)
        for n in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in known else node.module)
    return {m for m in found if m in known}


@functools.cache
def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imported(path, known) - {name} for name, path in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_planted_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_project():
    assert cycles(graph()) == []


def test_the_model_never_imports_experiments_or_the_api():
    g = graph()
    leaks = {
        m: sorted(d)
        for m, d in g.items()
        if m.startswith("model")
        for _ in [0]
        if any(not x.startswith("model") for x in d)
    }
    assert leaks == {}


def test_command_handlers_never_import_the_command_line():
    g = graph()
    assert {
        m for m, d in g.items() if m.startswith("experiments.commands") and "experiments.cli" in d
    } == set()


def test_every_sub_command_has_a_handler():
    from experiments.cli import COMMANDS, handler, parser

    sub = next(a for a in parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name in COMMANDS:
        assert callable(handler(name))


def test_large_modules_do_one_named_job():
    long = {
        module_name(p): n
        for p in modules().values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(long) <= set(ONE_JOB), {m: n for m, n in long.items() if m not in ONE_JOB}
