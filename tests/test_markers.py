"""The markers that keep `make test-fast` fast are where they belong.

`make test-fast` runs ``-m "not slow and not subprocess and not browser and not dask"``. A test
that starts another process, drives the browser or uses a Dask cluster without its marker
would slip into that loop (and make it slow or flaky), so this reads the test sources: a test
needs ``subprocess`` when it, a function it calls or a fixture it takes calls
``subprocess.run``/``Popen``/... or ``os.system``; ``browser`` when it reaches
``tests/browser.py``'s page or Playwright; ``dask`` when it takes the ``dask_cluster`` fixture
or builds a cluster itself. Calls are followed through the module's own functions and fixtures,
``tests/conftest.py``'s fixtures and names imported from other modules of ``tests/``.
``slow`` is set by measurement (``pytest --durations=0``) and is not checked here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
KINDS = ("subprocess", "browser", "dask")

SPAWNS = {
    "subprocess": {"run", "Popen", "call", "check_call", "check_output", "getoutput"},
    "os": {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"},
    "asyncio": {"create_subprocess_exec", "create_subprocess_shell"},
}
"""Module attribute calls that start a process."""
BROWSER_CALLS = {("browser", "chromium_page"), ("browser", "require")}
"""What ``tests/browser.py`` offers a test that drives the browser."""
BROWSER_NAMES = {"sync_playwright", "async_playwright"}
DASK_NAMES = {"LocalCluster", "SSHCluster"}
DASK_FIXTURE = "dask_cluster"


@dataclass
class Function:
    """A top-level function of a test module: what it needs directly and whom it calls."""

    needs: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    params: list[str] = field(default_factory=list)
    marks: set[str] = field(default_factory=set)
    fixture: bool = False


@dataclass
class Module:
    """The functions of one module of ``tests/`` and where its imported names come from."""

    functions: dict[str, Function]
    imported: dict[str, tuple[str, str]]
    pytestmark: set[str]


def _mark_names(node: ast.expr) -> set[str]:
    """``pytest.mark.NAME`` (or ``pytest.mark.NAME(...)``) anywhere in an expression."""
    found = set()
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Attribute)
            and sub.value.attr == "mark"
            and isinstance(sub.value.value, ast.Name)
            and sub.value.value.id == "pytest"
        ):
            found.add(sub.attr)
    return found


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _direct_needs(body: ast.AST) -> tuple[set[str], set[str]]:
    """What a function's body needs by itself, and the plain names it calls or passes on."""
    needs, calls = set(), set()
    for node in ast.walk(body):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, attr = node.value.id, node.attr
            if attr in SPAWNS.get(owner, ()):
                needs.add("subprocess")
            if (owner, attr) in BROWSER_CALLS:
                needs.add("browser")
        elif isinstance(node, ast.Name):
            calls.add(node.id)  # a call, or a function handed to a thread or a callback
            if node.id in BROWSER_NAMES:
                needs.add("browser")
            if node.id in DASK_NAMES:
                needs.add("dask")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "playwright":
                needs.add("browser")
            if node.module in {"distributed", "dask.distributed"} and any(
                a.name in DASK_NAMES for a in node.names
            ):
                needs.add("dask")
    return needs, calls


def read_module(path: Path) -> Module:
    """Parse one module of ``tests/``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions: dict[str, Function] = {}
    imported: dict[str, tuple[str, str]] = {}
    pytestmark: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests."):
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module.split(".", 1)[1], alias.name)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            pytestmark |= _mark_names(node.value)
        elif isinstance(node, ast.FunctionDef):
            needs, calls = _direct_needs(node)
            params = [a.arg for a in node.args.args + node.args.kwonlyargs]
            if DASK_FIXTURE in params:
                needs.add("dask")
            marks = set().union(*(_mark_names(d) for d in node.decorator_list))
            fixture = any(_is_fixture(d) for d in node.decorator_list)
            functions[node.name] = Function(needs, calls - {node.name}, params, marks, fixture)
    return Module(functions, imported, pytestmark)


def _modules() -> dict[str, Module]:
    return {p.stem: read_module(p) for p in sorted(TESTS.glob("*.py"))}


def needs_of(modules: dict[str, Module]) -> dict[tuple[str, str], set[str]]:
    """What each function of each module needs, following calls, fixtures and imports."""
    conftest = modules.get("conftest", Module({}, {}, set()))

    def resolve(module: str, name: str, as_fixture: bool) -> tuple[str, str] | None:
        here = modules[module]
        if name in here.functions:
            return module, name
        if name in here.imported:
            source, original = here.imported[name]
            if source in modules and original in modules[source].functions:
                return source, original
        if as_fixture and name in conftest.functions and conftest.functions[name].fixture:
            return "conftest", name
        return None

    needs = {(m, f): set(fn.needs) for m, mod in modules.items() for f, fn in mod.functions.items()}
    changed = True
    while changed:
        changed = False
        for (m, f), have in needs.items():
            fn = modules[m].functions[f]
            edges = [resolve(m, c, as_fixture=False) for c in fn.calls]
            edges += [resolve(m, p, as_fixture=True) for p in fn.params]
            for edge in edges:
                if edge is not None and not needs[edge] <= have:
                    have |= needs[edge]
                    changed = True
    return needs


def _test_modules() -> list[str]:
    return sorted(p.stem for p in TESTS.glob("test_*.py"))


def test_every_test_module_holds_tests() -> None:
    """Helpers shared by tests live in modules not named ``test_*`` (e.g. simhelpers.py)."""
    modules = _modules()
    empty = [
        name
        for name in _test_modules()
        if not any(f.startswith("test_") for f in modules[name].functions)
    ]
    assert not empty, f"helper modules named like test modules (rename them): {empty}"


def test_tests_that_start_processes_use_the_browser_or_dask_carry_the_marker() -> None:
    modules = _modules()
    needs = needs_of(modules)
    missing = []
    for name in _test_modules():
        module = modules[name]
        for f, fn in module.functions.items():
            if not f.startswith("test_") or fn.fixture:
                continue
            lacking = needs[name, f] - fn.marks - module.pytestmark
            if lacking:
                marks = ", ".join(f"@pytest.mark.{k}" for k in sorted(lacking))
                missing.append(f"tests/{name}.py::{f} needs {marks}")
    assert not missing, "\n".join(missing)


SAMPLE = """
import subprocess
import pytest
from tests import browser

pytestmark = [pytest.mark.browser]


def helper():
    subprocess.run(["true"])


@pytest.fixture
def server():
    helper()


def test_calls_a_helper():
    helper()


@pytest.mark.subprocess
def test_marked(server):
    browser.chromium_page()


def test_takes_the_fixture(server):
    pass


def test_takes_a_cluster(dask_cluster):
    pass


def test_plain():
    assert subprocess.PIPE
"""


def test_the_scanner_finds_what_it_looks_for(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    modules = {"test_sample": read_module(tmp_path / "test_sample.py")}
    needs = needs_of(modules)
    assert needs["test_sample", "test_calls_a_helper"] == {"subprocess"}
    assert needs["test_sample", "test_takes_the_fixture"] == {"subprocess"}
    assert needs["test_sample", "test_marked"] == {"subprocess", "browser"}
    assert needs["test_sample", "test_takes_a_cluster"] == {"dask"}
    assert needs["test_sample", "test_plain"] == set()
    assert modules["test_sample"].pytestmark == {"browser"}
    assert modules["test_sample"].functions["test_marked"].marks == {"subprocess"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_declared(kind: str) -> None:
    text = (TESTS.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{kind}: ' in text
