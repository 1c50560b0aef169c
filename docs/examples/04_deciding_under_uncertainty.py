# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Deciding under uncertainty: who is left behind, when policies fail, the best mix
#
# Three questions of [../decisions.md](../decisions.md), each answered from Python at a small
# size:
#
# 1. **Who, exactly, is left behind?** The LAC baseline against the four I's on paired seeds;
#    the intersections of sex, age band, location, income fifth and disability ranked by how
#    far they lag behind the average in Internet use, with their people and 95% intervals,
#    and what the four levers do to the cells furthest behind
#    (`experiments.analysis.left_behind`, as `inclusim left-behind`).
# 2. **Under which conditions does a policy fail?** A small Latin hypercube sweep of two levers
#    and two uncertain parameters, then PRIM's boxes of the inputs where the rural gap stays
#    open, with their coverage and density (`experiments.analysis.discovery`, as
#    `inclusim discover`).
# 3. **Which mix of levers is best for a budget, even if our assumptions are wrong?** A tiny
#    NSGA-II search under a budget in present value, each mix scored by its regret over seeds
#    and parameter sets (`experiments.optimise`, as `inclusim optimise`).
#
# The sizes below let the notebook run in about a minute on two cores. At these
# sizes the intervals are wide, the boxes rest on few runs and the search sees few mixes:
# read the output as a demonstration, and raise the sizes (decisions.md's examples use 5
# replications of 5,000 households, 80 sweep points of 2,000 households, and a population
# of 8 over 6 generations in 4 worlds) before reading anything into it.

# %%
HOUSEHOLDS = 2_000  # per run of the comparison (part 1)
REPLICATIONS = 5  # paired seeds per scenario; intervals need at least 3
SWEEP_HOUSEHOLDS = 1_000  # per run of the sweep (part 2)
SAMPLES = 60  # Latin hypercube points, one seed each; PRIM needs at least 20 runs
SEARCH_HOUSEHOLDS = 1_000  # per run of the search (part 3)
POPULATION = 8  # NSGA-II's population (at least 4)
GENERATIONS = 4
SEEDS = 2  # worlds of the search: seeds x parameter sets of the ensemble
PARAMETER_SETS = 2
WORKERS = 1  # worker processes; None uses one per core
TOP = 5  # cells shown

# %%
import tempfile
from dataclasses import replace
from pathlib import Path

import matplotlib.pyplot as plt

import inclusim
from experiments.analysis import discovery
from experiments.analysis import left_behind as lb
from experiments.batch.experiment import BatchOptions
from experiments.optimise import report as optimise_report
from experiments.optimise.run import optimise
from experiments.optimise.spec import load_optimise_spec
from inclusim.scenarios import scenario_file
from model.indicator_registry import label

folder = Path(tempfile.mkdtemp(prefix="inclusim-decisions-"))


def people(n: float) -> str:
    """A count of real people in words: '2.1 million', '836,000'."""
    return f"{n / 1e6:,.1f} million" if abs(n) >= 1e6 else f"{round(n, -3):,.0f}"


def points(x: float) -> str:
    """A difference of shares in percentage points."""
    return f"{100 * x:+.1f} points"


# %% [markdown]
# ## 1. Who is left behind
#
# Every run keeps its last quarter's *cells*: sex x age band x location x income fifth x
# disability, with their real people and each measure. A cell's **lag** in one run is the
# run's average share minus the cell's share, in percentage points (positive: behind); the
# average is over persons 5 and over, since children under 5 are not Internet users by
# definition. A cell is ranked only if it holds at least 30 simulated persons in every run:
# with more households, more cells pass. Cells are ranked by their mean lag over
# replications, with the 95% t interval of that mean.

# %%
results = inclusim.compare(
    ["lac/baseline", "lac/four_is"],
    replications=REPLICATIONS,
    households=HOUSEHOLDS,
    workers=WORKERS,
    out=folder / "compare",
)
runs = lb.load_cells(results.folder)
baseline, four_is = runs.scenarios
MEASURE = "internet_use"
ranked = lb.rank(runs, MEASURE)
print(
    f"{lb.measure_words(MEASURE)}, {runs.quarter}, {runs.labels[baseline]}: "
    f"{len(ranked)} cells hold at least {lb.MIN_PERSONS} simulated persons in each of the "
    f"{len(runs.cells.groupby(['scenario', 'replication']))} runs "
    f"({REPLICATIONS} replications of {HOUSEHOLDS:,} households per scenario)."
)
ranked[["rank", "cell", "people", "people_lacking", "share", "lag", "lag_ci_low", "lag_ci_high"]]

# %% [markdown]
# The cells furthest behind, in words. An interval that reaches zero means the runs cannot
# tell the cell apart from the average.

# %%
for r in ranked.head(TOP).itertuples(index=False):
    sure = "" if r.lag_ci_low > 0 else " - the interval reaches zero"
    print(
        f"{r.rank}. {r.cell}: {people(r.people)} people, {people(r.people_lacking)} of them "
        f"not using the Internet; {100 * r.share:.1f}% use it, {100 * r.lag:.1f} points behind the "
        f"average of {100 * r.average:.1f}% (95% interval {points(r.lag_ci_low)} to "
        f"{points(r.lag_ci_high)}){sure}."
    )

# %% [markdown]
# ### What the four levers do to the cells furthest behind
#
# For the baseline's top cells, the four I's lag is set against the baseline's replication
# by replication (same seed, same population), so the interval of the change is narrower
# than that of either lag. Negative: the cell catches up. *People reached* is the fall in the
# cell's people not using the Internet. A cell can gain users and still fall further behind,
# when the average rises faster.

# %%
moved = lb.changes(runs, MEASURE, top=TOP)
for r in moved.itertuples(index=False):
    if not r.clear:
        what = "no change of its lag these runs can tell (the interval includes zero)"
    elif r.lag_diff < 0:
        what = f"it catches up by {-100 * r.lag_diff:.1f} points"
    else:
        what = f"it falls further behind by {100 * r.lag_diff:.1f} points"
    print(
        f"{r.cell} (rank {r.baseline_rank} in the baseline, {r.rank} under "
        f"{runs.labels[four_is]}): lag change {points(r.lag_diff)} (95% interval "
        f"{points(r.lag_diff_ci_low)} to {points(r.lag_diff_ci_high)}): {what}; "
        f"{people(r.people_reached)} more people online."
    )
moved[["cell", "baseline_rank", "rank", "lag_diff", "lag_diff_ci_low", "lag_diff_ci_high"]]

# %%
under = lb.rank(runs, MEASURE, four_is).set_index("cell")
head = ranked.head(TOP).iloc[::-1]
fig, ax = plt.subplots(figsize=(9, 4.5))
for offset, (name, table) in enumerate([(baseline, head.set_index("cell")), (four_is, under)]):
    rows = table.reindex(head["cell"])
    y = [k + 0.15 * (1 - 2 * offset) for k in range(len(rows))]
    err = [100 * (rows["lag"] - rows["lag_ci_low"]), 100 * (rows["lag_ci_high"] - rows["lag"])]
    ax.errorbar(100 * rows["lag"], y, xerr=err, fmt="o", capsize=3, label=runs.labels[name])
ax.set_yticks(range(len(head)), head["cell"], fontsize=8)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("lag behind the average, percentage points (95% interval)")
ax.set_title(f"{lb.measure_words(MEASURE)}: the baseline's {TOP} cells furthest behind")
ax.legend(frameon=False, fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## 2. When does a policy fail? Scenario discovery with PRIM
#
# The sweep varies two levers of the four I's (rural coverage and affordability, from off, 0,
# to as in the scenario, 1) and two parameters nobody knows well over their plausible ranges
# (the yearly decline of connectivity prices, and the pull of online neighbours), as
# `scenarios/sweeps/discovery_lac.yaml` does at a larger size. A run *fails* when the rural
# gap (urban over rural Internet use in 2030Q4; 1 is parity) stays above `THRESHOLD`.
#
# PRIM starts from the box of all runs and peels 5% of them off one side of one input at a
# time, the peel that most raises the share of failing runs inside. **Coverage** is the share
# of all failing runs that fall in the box; **density** the share of runs in the box that
# fail. The box kept has the highest coverage among those of density at least 0.8.

# %%
INPUTS = {
    "policies.connectivity.intensity": "rural coverage (0 off, 1 as in the four I's)",
    "policies.affordability.intensity": "affordability (0 off, 1 as in the four I's)",
    "parameters.price_decline_per_year": "the yearly decline of connectivity prices",
    "parameters.beta_peer": "the pull of online neighbours",
}
OUTCOME = "rural_gap"
THRESHOLD = 1.1
sweep_spec = f"""\
name: when_the_rural_gap_stays
scenario: {scenario_file("lac/four_is").resolve()}
households: {SWEEP_HOUSEHOLDS}
replications: 1
seed: 14
design:
  kind: latin_hypercube
  samples: {SAMPLES}
levers:
  policies.connectivity.intensity: {{low: 0.0, high: 1.0}}
  policies.affordability.intensity: {{low: 0.0, high: 1.0}}
uncertainties:
  price_decline_per_year:
  beta_peer:
outcomes:
  - {{indicator: ratio_urban_rural_internet_use, quarter: 2030Q4, name: {OUTCOME}}}
"""
sweep_path = folder / "sweep.yaml"
sweep_path.write_text(sweep_spec, encoding="utf-8")
sweep = inclusim.sweep(sweep_path, workers=WORKERS, out=folder / "sweep")
found = discovery.discover_folder(sweep.folder, OUTCOME, THRESHOLD, above=True)
print(
    f"The rural gap {found.failure_words} in {found.failing} of {found.runs} runs "
    f"({found.failing / found.runs:.0%}); PRIM found {len(found.boxes)} box"
    f"{'' if len(found.boxes) == 1 else 'es'} where failure concentrates."
)
discovery.boxes_table(found)

# %% [markdown]
# Each box in plain words (its limits are those of the runs inside it):

# %%
box_words = []
for box in found.boxes:
    limits = [replace(r, name=INPUTS.get(r.name, r.name)) for r in box.restrictions]
    when = " and ".join(r.words() for r in limits) or "whatever the inputs"
    box_words.append(
        f"Box {box.number}: when {when}, the rural gap {found.failure_words} in "
        f"{box.density:.0%} of the runs (density); the box holds {box.coverage:.0%} of all "
        f"{found.failing} runs where it does (coverage), and {box.runs} of the {found.runs} "
        f"runs fall in it."
    )
    print(box_words[-1])
restricted = {r.name for b in found.boxes for r in b.restrictions}
free = [INPUTS.get(name, name) for name in found.inputs if name not in restricted]
if found.boxes and free:
    they = "it does" if len(free) == 1 else "they do"
    print(
        f"No box restricts {' or '.join(free)}: over the swept range{'s' * (len(free) > 1)}, "
        f"{they} not decide whether the rural gap stays open."
    )

# %% [markdown]
# The sweep's folder now also holds the boxes as a table, the whole peeling trajectory and a
# figure of coverage against density along it (`found.files`).
#
# ## 3. The best mix for a budget
#
# The spec, written here in the form of `scenarios/optimise/lac_best_mix.yaml`, starts from
# the four I's and decides five things: the intensity of each of the four levers and whom the
# digital basket subsidises. The budget is a present value of all spending to 2030Q4. The
# objectives are the worst-off group's lag in Internet use (lower is better) and the people
# using the Internet (higher), both at 2030Q4, and the cost.
#
# Every mix runs in the same *worlds*: seeds x parameter sets sampled from the calibrated
# ensemble. A mix's **regret** in a world is how far it falls short of the best mix within
# budget that the search evaluated in the same world; the tables give its mean and its 90th
# percentile over the worlds. The **Pareto set** holds the mixes within budget that no other
# beats on every mean regret and on cost; the **robust** ones are also unbeaten on the 90th
# percentile regrets.

# %%
BUDGET_PV = 60e9  # US$, present value
optimise_spec = f"""\
name: best_mix
scenario: {scenario_file("lac/four_is").resolve()}
households: {SEARCH_HOUSEHOLDS}
seed: 20210208
budget_pv: {BUDGET_PV:.0f}
worlds: {{seeds: {SEEDS}, parameter_sets: {PARAMETER_SETS}}}
search: {{population: {POPULATION}, generations: {GENERATIONS}}}
levers:
  policies.rural_coverage.intensity: {{low: 0.0, high: 1.0, step: 0.1}}
  policies.digital_basket.intensity: {{low: 0.0, high: 1.0, step: 0.1}}
  policies.digital_basket.eligibility:
    - {{quintile: [1], offline_in_2019: true}}
    - {{quintile: [1, 2, 3], offline_in_2019: true}}
  policies.inclusive_skills.intensity: {{low: 0.0, high: 1.0, step: 0.1}}
  policies.decent_digital_work.intensity: {{low: 0.0, high: 1.0, step: 0.1}}
objectives:
  - {{indicator: lag_worst_internet_use, quarter: 2030Q4, name: worst_lag}}
  - {{indicator: n_people_internet_use, quarter: 2030Q4, name: people_online}}
"""
optimise_path = folder / "best_mix.yaml"
optimise_path.write_text(optimise_spec, encoding="utf-8")
print(optimise_spec)
spec = load_optimise_spec(optimise_path)
search = optimise(spec, BatchOptions(workers=WORKERS, out=folder / "best_mix", quiet=True))
page = optimise_report.write_optimise_report(search.store.folder)
manifest, table = optimise_report.load(search.store.folder)
front = optimise_report.front_table(manifest["definition"], table)
front[["description", "cost_pv", "worst_lag", "worst_lag:p90_regret", "people_online"]]

# %% [markdown]
# The Pareto set in words, cheapest first:

# %%
print(
    f"The search evaluated {len(table)} mixes in {len(spec.worlds)} worlds of "
    f"{SEARCH_HOUSEHOLDS:,} households each ({len(search.archive.metrics) * len(spec.worlds)} "
    f"runs); {int(table['feasible'].sum())} stayed within the budget of "
    f"US$ {BUDGET_PV / 1e9:,.0f} billion in present value, and {len(front)} are in the "
    f"Pareto set, {int(front['on_robust_front'].sum())} of them robust."
)
for r in front.to_dict("records"):
    print(
        f"- US$ {r['cost_pv'] / 1e9:,.1f} billion PV: {r['description']}. "
        f"{label('lag_worst_internet_use')}: {100 * r['worst_lag']:.1f} points (regret mean "
        f"{100 * r['worst_lag:mean_regret']:.1f}, 90th percentile "
        f"{100 * r['worst_lag:p90_regret']:.1f}); {people(r['people_online'])} people using "
        f"the Internet (regret mean {people(r['people_online:mean_regret'])}, 90th percentile "
        f"{people(r['people_online:p90_regret'])})" + ("; robust." if r["on_robust_front"] else ".")
    )

# %%
front_fig = optimise_report.draw_front(manifest["definition"], table).figure

# %% [markdown]
# `page` is the search's report (`report.html`, with this figure and
# `exports/pareto_set.csv`); `inclusim report` writes the same from the command line. Regrets
# are measured against the best mix this search found, not a true optimum, so compare them
# only within one search.
