"""``inclusim optimise``: the search finds a planted mix, the budget, regret, specs and resume."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.optimise.search import (
    Archive,
    Settings,
    fitness,
    non_dominated,
    score,
    search,
)
from experiments.optimise.spec import Decision, Objective

DECISIONS = (
    Decision("policies.connectivity.intensity", 0.0, 1.0, 0.01),
    Decision("policies.affordability.intensity", 0.0, 1.0, 0.01),
    Decision("policies.connectivity.start", choices=("2021Q1", "2022Q1", "2023Q1")),
)
GAP = Objective("gap", "lag_worst_internet_use", "", "lower")
ONLINE = Objective("online", "n_people_internet_use", "", "higher")
WORLD_OFFSETS = np.array([0.0, 0.3, -0.2, 0.5])
"""Each world shifts every candidate's gap alike (common random numbers)."""


def planted(candidates, objectives=(GAP,)) -> np.ndarray:
    """Stand-in model: the gap is smallest at connectivity 0.7 from 2022Q1, affordability 0.3.

    People online grow with both intensities; cost is US$ 1 billion per unit of intensity, so
    the best mix for the gap costs 1.0 billion. Columns: the objectives asked, then the cost.
    """
    out = np.empty((len(candidates), len(WORLD_OFFSETS), len(objectives) + 1))
    for i, c in enumerate(candidates):
        a = c.values["policies.connectivity.intensity"]
        b = c.values["policies.affordability.intensity"]
        late = 0.0 if c.values["policies.connectivity.start"] == "2022Q1" else 0.2
        named = {
            "gap": (a - 0.7) ** 2 + (b - 0.3) ** 2 + late + WORLD_OFFSETS,
            "online": 1e6 * (a + b) + 0 * WORLD_OFFSETS,
        }
        for j, o in enumerate(objectives):
            out[i, :, j] = named[o.name]
        out[i, :, -1] = 1e9 * (a + b)
    return out


def two(candidates) -> np.ndarray:
    """:func:`planted` with both objectives."""
    return planted(candidates, (GAP, ONLINE))


def _settings(**kw) -> Settings:
    base = dict(
        decisions=DECISIONS,
        objectives=(GAP,),
        budget_pv=1.2e9,
        n_worlds=len(WORLD_OFFSETS),
        population=16,
        generations=25,
        seed=7,
        cost_objective=False,
    )
    return Settings(**{**base, **kw})


def test_search_finds_the_planted_best_mix_within_tolerance() -> None:
    settings = _settings()
    archive = search(settings, planted)
    table, _ = score(settings, archive)
    best = table[table.feasible].sort_values("gap:mean_regret").iloc[0]
    assert best["policies.connectivity.intensity"] == pytest.approx(0.7, abs=0.08)
    assert best["policies.affordability.intensity"] == pytest.approx(0.3, abs=0.08)
    assert best["policies.connectivity.start"] == "2022Q1"
    assert best["cost_pv"] <= settings.budget_pv
    assert bool(best["on_front"]) and bool(best["on_robust_front"])


def test_search_respects_a_binding_budget() -> None:
    """With a budget below the planted mix's cost, the best feasible mix spends to the limit."""
    settings = _settings(budget_pv=0.6e9)
    table, _ = score(settings, search(settings, planted))
    best = table[table.feasible].sort_values("gap:mean_regret").iloc[0]
    spend = best["policies.connectivity.intensity"] + best["policies.affordability.intensity"]
    assert spend == pytest.approx(0.6, abs=0.06)
    assert best["policies.connectivity.intensity"] > best["policies.affordability.intensity"]


def test_over_budget_candidate_is_infeasible_not_dropped() -> None:
    settings = _settings(budget_pv=1.0e9)
    archive = Archive()
    cheap = archive.add({d.address: d.decode(0.2) for d in DECISIONS}, 0)
    dear = archive.add({d.address: d.decode(0.9) for d in DECISIONS}, 0)
    for c in (cheap, dear):
        archive.metrics[c.index] = planted([c])[0]
    _, violation = fitness(settings, archive.metrics[dear.index])
    assert violation == pytest.approx(0.8)  # 1.8 billion against 1.0: 80% over
    assert fitness(settings, archive.metrics[cheap.index])[1] < 0
    table, _ = score(settings, archive)
    row = table.set_index("candidate").loc[dear.index]
    assert not row["feasible"] and not row["on_front"] and not row["on_robust_front"]
    assert row["violation"] == pytest.approx(0.8)
    assert table.set_index("candidate").loc[cheap.index, "feasible"]


def test_regret_is_against_the_best_feasible_candidate_in_the_same_world() -> None:
    settings = _settings(objectives=(GAP, ONLINE), n_worlds=2, budget_pv=10.0)
    archive = Archive()
    a = archive.add({"x": 1}, 0)
    b = archive.add({"x": 2}, 0)
    c = archive.add({"x": 3}, 0)  # over budget: best everywhere, but not a reference
    archive.metrics[a.index] = np.array([[1.0, 100.0, 5.0], [3.0, 50.0, 5.0]])
    archive.metrics[b.index] = np.array([[2.0, 80.0, 5.0], [2.0, 90.0, 5.0]])
    archive.metrics[c.index] = np.array([[0.0, 999.0, 50.0], [0.0, 999.0, 50.0]])
    settings = Settings(**{**settings.__dict__, "decisions": (Decision("x", choices=(1, 2, 3)),)})
    table, long = score(settings, archive)
    t = table.set_index("candidate")
    # gap (lower): world 0 best 1 (a), world 1 best 2 (b); online (higher): 100, then 90.
    assert t.loc[a.index, "gap:mean_regret"] == pytest.approx((0 + 1) / 2)
    assert t.loc[b.index, "gap:mean_regret"] == pytest.approx((1 + 0) / 2)
    assert t.loc[a.index, "online:mean_regret"] == pytest.approx((0 + 40) / 2)
    assert t.loc[a.index, "online:p90_regret"] == pytest.approx(36.0)  # 0 + 0.9 x 40
    assert t.loc[c.index, "gap:mean_regret"] < 0  # infeasible: regret below the feasible best
    assert not t.loc[c.index, "feasible"]
    assert set(long.columns) == {"candidate", "world", "objective", "value", "loss", "regret"}


def test_non_dominated() -> None:
    f = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0], [1.0, 2.0]])
    assert non_dominated(f).tolist() == [True, True, False, True]


def test_same_settings_and_seed_give_the_same_search() -> None:
    settings = _settings(objectives=(GAP, ONLINE), cost_objective=True, generations=5)
    first, _ = score(settings, search(settings, two))
    again, _ = score(settings, search(settings, two))
    assert first.equals(again)
    assert first["on_front"].sum() >= 2  # a trade-off between the gap, people online and cost
    other, _ = score(settings, search(_settings(**{**settings.__dict__, "seed": 8}), two))
    assert not first.equals(other)


def test_a_known_candidate_is_not_evaluated_again() -> None:
    settings = _settings(generations=6)
    calls: list[int] = []

    def counting(cands):
        calls.extend(c.index for c in cands)
        return planted(cands)

    archive = search(settings, counting)
    assert len(calls) == len(set(calls)) == len(archive.metrics)


# -- specs: bad input gets one message (file, line, key path, fix) and exit status 2 -----------

SPEC = """\
name: tiny_mix
scenario: {scenario}
households: 1000
quarters: {quarters}
seed: 3
budget_pv: 60e9
worlds: {{seeds: 1, parameter_sets: {sets}}}
search: {{population: 4, generations: 2}}
levers:
  policies.rural_coverage.intensity: {{low: 0.0, high: 1.0, step: 0.25}}
  policies.digital_basket.eligibility:
    - {{quintile: [1], offline_in_2019: true}}
    - {{quintile: [1, 2], offline_in_2019: true}}
objectives:
  - {{indicator: lag_worst_internet_use}}
  - {{indicator: n_people_internet_use}}
"""


def _spec_text(quarters: int = 6, sets: int = 0) -> str:
    from tests.paths import SCENARIOS

    return SPEC.format(scenario=SCENARIOS / "lac" / "four_is.yaml", quarters=quarters, sets=sets)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "policies.rural_coverage.intensity: {low: 0.0, high: 1.0, step: 0.25}",
            "policies.rural_coverage.intensity: {low: 0.0, high: 1.5, step: 0.25}",
            ":10: levers.policies.rural_coverage.intensity: value 1.5 is not valid",
        ),
        (
            "indicator: lag_worst_internet_use}",
            "indicator: lag_worst_internet_usage}",
            ":15: objectives[0].indicator: 'lag_worst_internet_usage' is not an indicator of the "
            "model; Fix: did you mean 'lag_worst_internet_use'?",
        ),
        ("budget_pv: 60e9", "budget_pv: -1", ":6: budget_pv:"),
        (
            "{low: 0.0, high: 1.0, step: 0.25}",
            "{low: 0.0, high: 1.0, stp: 0.25}",
            ":10: levers.policies.rural_coverage.intensity.stp: unknown key 'stp'; Fix: did you "
            "mean 'step'?",
        ),
        ("search: {population: 4, ", "search: {populaton: 4, ", ":8: search.populaton: unknown"),
        (
            "{seeds: 1, parameter_sets: 0}",
            "{seeds: 1, parameter_sets: 999}",
            ":7: worlds.parameter_sets: 999 parameter sets asked",
        ),
    ],
)
def test_bad_spec_gets_one_clear_message(tmp_path, cli, old, new, expected) -> None:
    text = _spec_text()
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = cli(["optimise", str(path)])
    assert result.code == 2
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"error: {path}:")
    assert expected in lines[0], lines[0]
    assert "Fix:" in lines[0] or "fix" in lines[0].lower()
    assert not (tmp_path / "outputs").exists()


def test_shipped_spec_validates(cli) -> None:
    from tests.paths import SCENARIOS

    path = SCENARIOS / "optimise" / "lac_best_mix.yaml"
    result = cli(["validate", str(path)])
    assert result.code == 0, result.err
    assert result.out == f"ok: {path}: optimise spec lac_best_mix\n"


# -- resume: evaluations stored by candidate and world are reused -------------------------------


@pytest.mark.slow
def test_evaluations_are_reused_on_resume(tmp_path, cli) -> None:
    from experiments.batch.experiment import BatchOptions
    from experiments.optimise.run import optimise
    from experiments.optimise.spec import load_optimise_spec

    path = tmp_path / "tiny.yaml"
    path.write_text(_spec_text(quarters=6, sets=1), encoding="utf-8")
    spec = load_optimise_spec(path)
    options = BatchOptions(workers=1, out=tmp_path / "out", quiet=True)
    first = optimise(spec, options)
    runs = len(first.archive.metrics) * len(spec.worlds)
    assert first.report.done == runs and first.report.skipped == 0
    parts = sorted((tmp_path / "out" / "parts").iterdir())
    assert len(parts) == runs

    again = optimise(spec, options)
    assert again.report.done == 0 and again.report.skipped == runs
    assert again.table.drop(columns="key").equals(first.table.drop(columns="key"))

    parts[-1].unlink()  # an interrupted search lost its last run: only that one runs again
    third = optimise(spec, options)
    assert third.report.done == 1 and third.report.skipped == runs - 1
    assert third.table.equals(first.table)
    assert (tmp_path / "out" / "pareto.csv").exists()

    result = cli(["report", str(tmp_path / "out")])  # inclusim report reads optimise folders
    assert result.code == 0, result.err
    assert result.out.strip() == str(tmp_path / "out" / "report.html")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "The best mix for a budget" in page
    assert (tmp_path / "out" / "figures" / "optimise_front.png").exists()
    assert (tmp_path / "out" / "exports" / "pareto_set.csv").exists()


def test_a_mix_is_described_in_words_whatever_the_key_order() -> None:
    from experiments.optimise.words import describe_mix

    scenario = {
        "policies": [
            {"type": "connectivity", "name": "rural", "intensity": 0.6, "start": "2022Q1"},
            {
                "type": "affordability",
                "intensity": 0.3,
                "start": "2021Q1",
                "eligibility": {"offline_in_2019": True, "quintile": [2, 1]},
            },
            {"type": "labour_regulation", "intensity": 0.0},
        ]
    }
    addresses = [
        "policies.rural.intensity",
        "policies.rural.start",
        "policies.affordability.eligibility",
        "policies.labour_regulation.intensity",
    ]
    assert describe_mix(scenario, addresses) == (
        "rural (connectivity) at 0.60 from 2022Q1; affordability at 0.30 from 2021Q1 for "
        "quintiles 1-2, offline in 2019; no labour_regulation"
    )
