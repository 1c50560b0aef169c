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
# # Which lever moves which gap? A small sensitivity sweep
#
# A Morris screening of three levers of the LAC "four I's" scenario — connectivity,
# affordability and skills training, each between off (0) and as in the scenario (1) — on
# four 2030 outcomes. Morris' `mu_star` is the mean absolute change in an outcome when one
# lever moves across its range, the others held; `sigma` is how much that change depends on
# where the other levers are (interactions or non-linearity).
#
# The spec is written here, to a temporary folder, in the same form as the shipped specs in
# `scenarios/sweeps/` (docs/experiments.md lists the keys). With the small sizes below chance
# moves the outcomes about as much as the levers: read the result as a demonstration, and
# raise `HOUSEHOLDS`, `REPLICATIONS` and `TRAJECTORIES` for a screening worth reading.

# %%
HOUSEHOLDS = 500
REPLICATIONS = 1
TRAJECTORIES = 4
WORKERS = 1  # worker processes; None uses one per core

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import inclusim
from inclusim.scenarios import scenario_file
from model.indicator_registry import label

folder = Path(tempfile.mkdtemp(prefix="inclusim-sweep-"))
LEVERS = {
    "policies.connectivity.intensity": "connectivity",
    "policies.affordability.intensity": "affordability",
    "policies.skills_training.intensity": "skills training",
}
OUTCOMES = [
    "share_internet_use",
    "ratio_q5_q1_internet_use",
    "gap_disability_internet_use",
    "share_basic_skills",
]
levers = "\n".join(f"  {address}: {{low: 0.0, high: 1.0}}" for address in LEVERS)
outcomes = "\n".join(f"  - {{indicator: {name}, quarter: 2030Q4}}" for name in OUTCOMES)
spec = f"""\
name: three_levers
label: "LAC: three levers of the four I's, screened"
scenario: {scenario_file("lac/four_is").resolve()}
households: {HOUSEHOLDS}
replications: {REPLICATIONS}
seed: 2021
design:
  kind: morris
  trajectories: {TRAJECTORIES}
levers:
{levers}
constants:
  policies.labour_regulation.intensity: 1.0
outcomes:
{outcomes}
"""
spec_path = folder / "three_levers.yaml"
spec_path.write_text(spec, encoding="utf-8")
print(spec)

# %%
results = inclusim.sweep(spec_path, workers=WORKERS, out=folder / "results")
print(f"{len(results.experiments)} runs")
results.experiments.merge(results.outcomes, on="run_id").head()

# %% [markdown]
# ## Sensitivity indices
#
# One row per outcome and lever; `mu_star_conf` is the half-width of a 95% bootstrap interval
# of `mu_star`. `mu` keeps the sign: negative when raising the lever lowers the outcome.

# %%
indices = results.sensitivity()
indices["lever"] = indices["input"].map(LEVERS)
indices[["outcome", "lever", "mu", "mu_star", "sigma", "mu_star_conf"]]

# %% [markdown]
# In words, from the table (with its intervals: a lever whose `mu_star` interval reaches zero
# is not told apart from no effect at these sizes):

# %%
for outcome, part in indices.groupby("outcome", sort=False):
    name = outcome.split("@")[0]
    ranked = part.sort_values("mu_star", ascending=False)
    top = ranked.iloc[0]
    told = top["mu_star"] - top["mu_star_conf"] > 0
    print(
        f"{label(name)}: {top['lever']} moves it most (mu* {top['mu_star']:.3g} "
        f"± {top['mu_star_conf']:.2g}; mu {top['mu']:+.3g})"
        + ("" if told else " - but its interval reaches zero")
        + "; then "
        + ", ".join(f"{r['lever']} ({r['mu_star']:.3g})" for _, r in ranked.iloc[1:].iterrows())
        + "."
    )
    unmoved = part.loc[part["mu_star"] == 0, "lever"].tolist()
    if unmoved:
        print(f"  {', '.join(unmoved)} changed this outcome in none of these runs.")

# %% [markdown]
# ## A figure
#
# `mu_star` with its interval for each lever, one panel per outcome.

# %%
fig, axes = plt.subplots(2, 2, figsize=(10, 6))
for ax, name in zip(axes.flat, OUTCOMES, strict=True):
    part = indices[indices["outcome"].str.startswith(name + "@")]
    ax.barh(part["lever"], part["mu_star"], xerr=part["mu_star_conf"], color="tab:blue")
    ax.set_title(label(name), fontsize=9, wrap=True)
    ax.set_xlabel("mu* (outcome's unit)")
fig.suptitle(f"Morris screening, {len(results.experiments)} runs of {HOUSEHOLDS:,} households")
fig.tight_layout()

# %% [markdown]
# The sweep's folder also holds `experiments.csv`, `outcomes.csv` and `sensitivity.csv`;
# `results.report()` adds the figures and the HTML report, and `inclusim analyse FOLDER`
# prints the same indices from the command line.
