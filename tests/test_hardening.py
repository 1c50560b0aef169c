"""Hardening: every broken input is refused by every command that reads it, and invariants
that hold in any valid scenario.

The corpus is ``tests/data/bad/`` (scenarios, regions and sweep specs, each with the message
it must give in ``expected.yaml``; ``tests/test_loader.py`` checks ``inclusim validate`` on
each). Here each file also goes through the commands that would use it -- ``run`` and
``compare`` for a scenario, ``sweep`` for a spec, ``population`` for a region -- from an empty
working folder: exit status 2, one message per problem naming the file (and the line and key
path where the file has them) with a fix, no traceback, and nothing written. Inputs too large
to commit (oversize files, node floods, deep nesting) are generated into ``tmp_path``.
"""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.inclusion_model import InclusionModel
from model.indicator_registry import INDICATORS, MEASURES
from model.loader import scenario_from_dict
from model.yamlio import MAX_BYTES, MAX_NODES
from tests.installed import script
from tests.paths import BAD
from tests.test_properties import scenario as valid_scenarios

EXPECTED: dict[str, object] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
FIXTURES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "expected.yaml")
SCENARIOS = [n for n in FIXTURES if n.startswith("scenario_")]
REGIONS = [n for n in FIXTURES if n.startswith("region_")]
SWEEPS = [n for n in FIXTURES if n.startswith("sweep_")]


def _expected(name: str) -> list[str]:
    entry = EXPECTED[name]
    expect = entry["expect"] if isinstance(entry, dict) else entry
    return [expect] if isinstance(expect, str) else list(expect)


def _cases(names: list[str]) -> list[object]:
    """One test case per fixture; a known bug (``xfail:`` in expected.yaml) is a strict xfail."""
    out = []
    for name in names:
        entry = EXPECTED.get(name)
        marks = (
            [pytest.mark.xfail(strict=True, reason=entry["xfail"])]
            if isinstance(entry, dict)
            else []
        )
        if "alias_bomb" in name:  # about a second each to stop; tests/test_yamlio.py has one
            marks.append(pytest.mark.slow)
        out.append(pytest.param(name, marks=marks, id=name))
    return out


REPEATED: tuple[str, ...] = ()
"""Fixtures whose one problem is reported more than once (none since the spec checker
deduplicates problems found at both ends of a lever's values)."""


def assert_one_clear_message(
    code: int, out: str, err: str, names: list[str] | None = None, once: bool = True
) -> None:
    """Exit 2; stderr holds only ``error: FILE[:LINE]: [KEY:] problem Fix: ...`` lines, one per
    problem (no key path twice unless ``once`` is false), naming a file of the corpus; nothing
    on stdout."""
    assert code == 2, err
    assert "Traceback" not in err and "Traceback" not in out
    assert out == ""
    raw = [c for c in err if not c.isprintable() and c != "\n"]
    assert not raw, f"unescaped characters reach the terminal: {raw!r}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message at all"
    for line in lines:
        assert line.startswith(f"error: {BAD}/"), line
        assert " Fix: " in line, f"no fix offered: {line}"
    where = [tuple(line.split(": ")[:3]) for line in lines]
    assert not once or len(set(where)) == len(where), f"a problem is reported twice:\n{err}"
    for text in names or []:
        assert text in err, f"{text!r} not in:\n{err}"


def test_corpus_covers_scenarios_regions_and_sweeps() -> None:
    assert set(FIXTURES) == set(EXPECTED)
    assert len(FIXTURES) >= 40
    assert len(SCENARIOS) >= 20 and len(REGIONS) >= 15 and len(SWEEPS) >= 20
    assert len(SCENARIOS) + len(REGIONS) + len(SWEEPS) == len(FIXTURES)


@pytest.mark.parametrize("command", ["run", "compare"])
@pytest.mark.parametrize("name", _cases(SCENARIOS))
def test_run_and_compare_refuse_broken_scenario(
    name: str, command: str, cli, tmp_path: Path
) -> None:
    extra = ["--replications", "1", "--workers", "1", "--quiet"] if command == "compare" else []
    result = cli([command, str(BAD / name), "--households", "500", *extra])
    assert_one_clear_message(result.code, result.out, result.err, _expected(name))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", _cases(SWEEPS))
def test_sweep_refuses_broken_spec(name: str, cli, tmp_path: Path) -> None:
    result = cli(["sweep", str(BAD / name), "--workers", "1", "--quiet"])
    assert_one_clear_message(
        result.code, result.out, result.err, _expected(name), once=name not in REPEATED
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", _cases(REGIONS))
def test_population_refuses_broken_region(name: str, cli, tmp_path: Path) -> None:
    result = cli(["population", str(BAD / name), "--households", "2000"])
    assert_one_clear_message(result.code, result.out, result.err, _expected(name))
    assert list(tmp_path.iterdir()) == []


def _validate_cases() -> list[object]:
    out = []
    for case in _cases(FIXTURES):
        if case.values[0] in REPEATED:
            reason = (
                "experiments/design/specs.py: a problem found at both ends of a lever's values is "
                "reported once per value ('value 0.0 ...', 'value 1.0 ...') although it does not "
                "depend on the value"
            )
            case = pytest.param(*case.values, marks=pytest.mark.xfail(strict=True, reason=reason))
        out.append(case)
    return out


@pytest.mark.parametrize("name", _validate_cases())
def test_validate_gives_one_clear_message(name: str, cli) -> None:
    """The form of ``validate``'s message (tests/test_loader.py checks the same text)."""
    result = cli(["validate", str(BAD / name)])
    assert result.err.endswith("1 of 1 files are invalid.\n")
    err = result.err.removesuffix("1 of 1 files are invalid.\n")
    assert_one_clear_message(result.code, result.out, err, _expected(name))


@pytest.mark.slow
@pytest.mark.subprocess
def test_the_installed_command_refuses_the_whole_corpus(tmp_path: Path) -> None:
    """``inclusim validate`` (the console script, a fresh interpreter) on every file at once."""
    proc = subprocess.run(
        [script("inclusim"), "validate", *(str(BAD / n) for n in FIXTURES)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"of {len(FIXTURES)} files are invalid." in proc.stderr
    known = {n for n in FIXTURES if isinstance(EXPECTED[n], dict)}
    assert proc.stdout.count("ok: ") <= len(known)
    for name in set(FIXTURES) - known:
        for text in _expected(name):
            assert text in proc.stderr, (name, text)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("command", "name"),
    [("run", "scenario_python_object.yaml"), ("sweep", "sweep_alias_bomb.yaml")],
)
def test_the_installed_command_exits_2(command: str, name: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [script("inclusim"), command, str(BAD / name)], cwd=tmp_path, capture_output=True, text=True
    )
    assert_one_clear_message(proc.returncode, proc.stdout, proc.stderr, _expected(name))
    assert list(tmp_path.iterdir()) == []


# -- generated inputs (too large to commit, or not files at all) ----------------------------

SCENARIO_HEAD = "name: big\nlabel: Big\nregion: lac\nhouseholds: 500\n"
SPEC_HEAD = (
    "name: big\nscenario: {name: tiny, label: T, region: lac, end: 2020Q4, households: 500}\n"
    "design: {kind: full_factorial}\noutcomes: [{indicator: share_internet_use}]\n"
)


def _generated(kind: str) -> dict[str, tuple[str, str]]:
    """Name -> (file text, expected message part) for a scenario or a spec header."""
    head = SCENARIO_HEAD if kind == "scenario" else SPEC_HEAD
    flood = ", ".join(["0"] * (MAX_NODES + 10))
    return {
        "oversize": (
            head + "description: >-\n" + ("  " + "x" * 98 + "\n") * (MAX_BYTES // 100 + 10),
            f"input files are limited to {MAX_BYTES:,}.",
        ),
        "node_flood": (
            head + f"label_list: [{flood}]\n",
            f"expands to more than {MAX_NODES:,} values (aliases?).",
        ),
        "deep_nesting": (head + "label: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    }


COMMANDS = [
    ("validate", "scenario"),
    ("run", "scenario"),
    ("validate", "sweep"),
    ("sweep", "sweep"),
]
MONSTERS = [
    *((c, k, "oversize") for c, k in COMMANDS),
    *((c, k, "deep_nesting") for c, k in COMMANDS),
    ("run", "scenario", "node_flood"),  # about 5 s each: the whole file is parsed first
    ("sweep", "sweep", "node_flood"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "kind", "case"), MONSTERS)
def test_generated_monsters_are_refused_quickly(
    command: str, kind: str, case: str, cli, tmp_path: Path
) -> None:
    text, expected = _generated(kind)[case]
    data = tmp_path.parent / f"{tmp_path.name}_{case}.yaml"  # outside the working folder
    data.write_text(text, encoding="utf-8")
    assert case != "oversize" or data.stat().st_size > MAX_BYTES
    assert case != "node_flood" or data.stat().st_size < MAX_BYTES
    result = cli([command, str(data)])
    assert result.code == 2
    assert "Traceback" not in result.err
    assert f"error: {data}" in result.err and expected in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["validate", "run", "sweep"])
def test_missing_file_and_folder(command: str, cli, tmp_path: Path) -> None:
    folder = tmp_path.parent / f"{tmp_path.name}_folder.yaml"
    folder.mkdir()
    for path, message in ((folder, "is a folder, not a YAML file."), ("nope.yaml", "not found")):
        result = cli([command, str(path)])
        assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []


def _limit_memory() -> None:
    limit = 1_500_000_000
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.slow
@pytest.mark.subprocess
def test_endless_device_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run(
        [script("inclusim"), "validate", "/dev/zero"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-500:]
    assert "error: /dev/zero: is not a regular file" in proc.stderr


@pytest.mark.slow
@pytest.mark.subprocess
def test_named_pipe_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path.parent / f"{tmp_path.name}_pipe.yaml"
    os.mkfifo(fifo)
    try:
        proc = subprocess.run(
            [script("inclusim"), "validate", str(fifo)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,  # a fresh interpreter on a loaded machine can take 5 s just to start
        )
    except subprocess.TimeoutExpired:
        pytest.fail("inclusim validate hangs on a named pipe")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"error: {fifo}: is not a regular file" in proc.stderr


# -- invariants over random valid scenarios (beyond tests/test_properties.py) ---------------


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_scenarios(), st.integers(0, 2**32))
def test_more_invariants_hold_in_any_valid_scenario(data: dict, seed: int) -> None:
    """Finite everywhere; the weight stays the region's households over the simulated ones;
    counts within totals for persons and households; money never negative; spending
    cumulative."""
    loaded = scenario_from_dict(data)
    model = InclusionModel(loaded, seed, 1_200)
    h, p, w = model.h, model.p, model.pop.weight
    total = loaded.region.population.households
    model.run(8)
    ts = model.result().timeseries
    assert np.isfinite(ts.to_numpy()).all(), ts.columns[~np.isfinite(ts.to_numpy()).all(axis=0)]
    assert np.isclose(h.n * w, total) and w > 0
    assert np.isfinite(h.income).all() and (h.income >= 0).all()
    homes = ts["n_households_connected"]
    assert ((homes >= 0) & (homes <= total * (1 + 1e-9))).all()
    assert np.allclose(ts["n_people"], p.n * w) and np.allclose(ts["n_households"], total)
    for m in MEASURES:
        universe = np.count_nonzero(p.is_working_age) if m.adults_only else p.n
        n_people = ts[f"n_people_{m.name}"]
        assert np.allclose(n_people, ts[f"share_{m.name}"] * universe * w, rtol=1e-9)
        for g in INDICATORS[f"share_{m.name}"].groups():
            assert (ts[f"n_people_{m.name}:{g}"] <= n_people * (1 + 1e-9)).all(), g
    counts = ts[[c for c in ts if c.startswith(("n_", "cum_", "spend:"))]]
    assert (counts >= 0).all().all()
    for col in [c for c in ts if c.startswith(("spend:", "cum_"))]:
        assert (np.diff(ts[col].to_numpy()) >= -1e-9 * max(1.0, ts[col].abs().max())).all(), col
    bounded = ["gini_income", "worst_share_internet_use", "share_poor", "share_transfer"]
    assert ((ts[bounded] >= 0) & (ts[bounded] <= 1)).all().all()
    assert (ts["palma_income"] >= 0).all()
