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
