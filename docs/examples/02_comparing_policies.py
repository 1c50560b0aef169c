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
# # Comparing policies with paired seeds
#
# The LAC baseline against two policy scenarios: subsidised plans and devices for the two
# poorest quintiles (`lac/affordability`), and all four levers together (`lac/four_is`).
# Every scenario runs with the same seeds — replication *k* is the same population and the
# same chance events in each — so a difference between scenarios comes from their policies.
# Each difference is read with its 95% interval, harms as plainly as gains.
#
# The sizes below are small so that the notebook runs in about a minute; with 2 replications
# of 1,000 households most intervals are wide. Raise them (the command line's `make demo`
# uses 10 replications of 20,000 households) before drawing conclusions.

# %%
HOUSEHOLDS = 1_000
REPLICATIONS = 2
WORKERS = 1  # worker processes; None uses one per core
SCENARIOS = ["lac/baseline", "lac/affordability", "lac/four_is"]
QUARTER = "2030Q4"

# %%
import matplotlib.pyplot as plt

import inclusim
from inclusim.scenarios import load
from model.indicator_registry import label

results = inclusim.compare(
    SCENARIOS, replications=REPLICATIONS, households=HOUSEHOLDS, quarter=QUARTER, workers=WORKERS
)
baseline, *others = results.names
titles = {load(s).scenario.name: load(s).scenario.label for s in SCENARIOS}
results

# %% [markdown]
# ## Differences from the baseline, with 95% intervals
#
# `results.table` holds, at `QUARTER`, each scenario's mean over replications and its
# difference from the baseline, computed replication by replication (`mean_diff`) with the
# 95% interval of that mean (`ci_low_diff`, `ci_high_diff`).
#
# Which way is better depends on the indicator: more people online is better; a ratio of the
# richest to the poorest fifth, or of urban to rural, is better closer to 1 (a narrower gap);
# so is a gender parity score; a disability gap is better smaller; so are inequality and
# poverty.

# %%
HEADLINE = {
    "share_internet_use": "higher",
    "share_meaningful": "higher",
    "ratio_q5_q1_internet_use": "towards 1",
    "ratio_urban_rural_internet_use": "towards 1",
    "gps_internet_use": "towards 1",
    "gap_disability_internet_use": "lower",
    "share_employed": "higher",
    "gini_income": "lower",
    "share_poor": "lower",
}

table = results.table.set_index(["scenario", "indicator"])
columns = ["mean", "mean_diff", "ci_low_diff", "ci_high_diff"]
headline = table.loc[[(s, i) for s in others for i in HEADLINE if (s, i) in table.index], columns]
headline


# %%
def verdict(indicator: str, scenario: str) -> str:
    """Whether a scenario's difference is a gain, a harm or not told apart from zero."""
    row = table.loc[(scenario, indicator)]
    low, high = row["ci_low_diff"], row["ci_high_diff"]
    if low <= 0 <= high:
        return "no difference this run can tell (the interval includes zero)"
    base = table.loc[(baseline, indicator), "mean"]
    wanted = HEADLINE.get(indicator, "higher")
    if wanted == "towards 1":
        better = abs(row["mean"] - 1) < abs(base - 1)
    else:
        better = (row["mean_diff"] > 0) == (wanted == "higher")
    return "a gain" if better else "a harm"


readings = {}
for scenario in others:
    print(f"{titles[scenario]} minus {titles[baseline]}, at {QUARTER}:")
    for indicator in HEADLINE:
        if (scenario, indicator) not in table.index:
            continue
        row = table.loc[(scenario, indicator)]
        readings[(scenario, indicator)] = verdict(indicator, scenario)
        print(
            f"  {label(indicator)}: {row['mean_diff']:+.3g} "
            f"(95% interval {row['ci_low_diff']:+.3g} to {row['ci_high_diff']:+.3g}) - "
            f"{readings[(scenario, indicator)]}"
        )

# %% [markdown]
# ## Any group made worse off?
#
# The headline indicators can hide a group that loses. Every group's share online, with
# meaningful connectivity, with basic skills and in work is in the table; this lists each one
# a scenario lowers with an interval that excludes zero.

# %%
MEASURES = ("share_internet_use:", "share_meaningful:", "share_basic_skills:", "share_employed:")
harms = table[
    table.index.get_level_values("indicator").str.startswith(MEASURES) & (table["ci_high_diff"] < 0)
]
harms = harms.loc[[i for i in harms.index if i[0] in others], columns]
if harms.empty:
    print(
        f"No group's share online, meaningfully connected, with basic skills or in work is "
        f"lower than in the baseline with an interval excluding zero, at {QUARTER}, in "
        f"{REPLICATIONS} replications of {HOUSEHOLDS:,} households."
    )
else:
    for (scenario, indicator), row in harms.iterrows():
        print(
            f"{titles[scenario]}: {label(indicator)} is lower by {-row['mean_diff']:.3g} "
            f"(95% interval {row['ci_low_diff']:+.3g} to {row['ci_high_diff']:+.3g})."
        )

# %% [markdown]
# ## Costs
#
# `results.cost` holds each scenario's cumulative spending at `QUARTER` (US$), the extra
# households with a home connection over the baseline (real households, with their interval)
# and the US$ per extra household connected — the extra spending divided by the mean extra
# households. When the interval of extra households includes zero, that ratio is not
# meaningful: the runs cannot tell whether the scenario connects anyone extra.

# %%
cost = results.cost.set_index("scenario")
for scenario in others:
    row = cost.loc[scenario]
    extra = (
        f"{row['extra_households_mean'] / 1e6:+,.1f} million households connected "
        f"(95% interval {row['extra_households_ci_low'] / 1e6:+,.1f} to "
        f"{row['extra_households_ci_high'] / 1e6:+,.1f} million)"
    )
    if row["extra_households_ci_low"] <= 0 <= row["extra_households_ci_high"]:
        per = "the interval includes zero, so no cost per household is given"
    else:
        per = f"US$ {row['cost_per_extra_households']:,.0f} per extra household"
    print(f"{titles[scenario]}: spends US$ {row['spend_mean'] / 1e9:,.1f} billion; {extra}; {per}.")
cost

# %% [markdown]
# ## Over time
#
# The paired difference in the poorest fifth's share online, quarter by quarter, with its
# 95% interval.

# %%
diff = results.differences
indicator = "share_internet_use:quintile=1"
fig, ax = plt.subplots(figsize=(8, 4.5))
for scenario in others:
    path = diff[(diff["scenario"] == scenario) & (diff["indicator"] == indicator)]
    x = range(len(path))
    ax.plot(x, path["mean"], label=titles[scenario])
    ax.fill_between(x, path["ci_low"], path["ci_high"], alpha=0.2)
ticks = [k for k, q in enumerate(path["quarter"]) if str(q).endswith("Q4")]
ax.set_xticks(ticks, [str(path["quarter"].iloc[k])[:4] for k in ticks])
ax.axhline(0, color="black", linewidth=0.8)
ax.set_ylabel(f"difference from {titles[baseline]}")
ax.set_title(label(indicator))
ax.legend(frameon=False)
fig.tight_layout()

# %% [markdown]
# `results.report(folder)` writes all of this — figures, spreadsheets, the gap table and the
# cost table — as one HTML page; `results.folder` holds the stored runs, which
# `inclusim.load_results` reads back.
