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
# # A first run: who is offline?
#
# One run of the Latin America and the Caribbean baseline (`scenarios/lac/baseline.yaml`:
# no new policy, the world as the calibration reproduces it), then the people who are not
# using the Internet, by sex, age, location, income quintile and disability, at the start and
# at the end of the run.
#
# `HOUSEHOLDS` is small so that the notebook runs in seconds; group shares from so few
# households move with the seed. Raise it (the scenario's own is 20,000) for figures worth
# quoting.

# %%
HOUSEHOLDS = 1_000
SEED = 1
SCENARIO = "lac/baseline"

# %%
import matplotlib.pyplot as plt
import pandas as pd

import inclusim
from model.indicator_registry import label

sim = inclusim.Sim(SCENARIO, households=HOUSEHOLDS, seed=SEED).run()
sim

# %% [markdown]
# `sim.timeseries` has one row per quarter and one column per indicator. Shares are fractions
# of each group; `n_people_*` counts are real people, since the simulated households stand for
# the region's.

# %%
ts = sim.timeseries
first, last = ts.index[0], ts.index[-1]
ts[["share_internet_use", "n_people_internet_use", "n_people"]].loc[[first, last]]

# %% [markdown]
# ## Who is offline
#
# For each group the run reports the share of its people using the Internet
# (`share_internet_use:<group>`) and their number (`n_people_internet_use:<group>`). The share
# offline is one minus the first; the number offline is the group's size (users divided by the
# share) minus its users. Row labels come from the indicator registry.

# %%
DIMENSIONS = ("sex", "age", "location", "quintile", "disability")
AGES = ("age=5-12", "age=13-17", "age=18-24", "age=25-64", "age=65+")


def offline_table(ts: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Share and number of people offline in each group at one quarter."""
    rows = []
    for column in ts.columns:
        base, _, group = column.partition(":")
        if base != "share_internet_use" or not group:
            continue
        dimension = group.split("=")[0]
        if dimension not in DIMENSIONS or (dimension == "age" and group not in AGES):
            continue
        share = ts.at[quarter, column]
        users = ts.at[quarter, f"n_people_internet_use:{group}"]
        people = users / share if share > 0 else float("nan")
        rows.append(
            {
                "dimension": dimension,
                "group": group,
                "label": label(column),
                "who": label(column).removeprefix(label("share_internet_use") + " - "),
                "share_offline": 1 - share,
                "people_offline": people - users,
            }
        )
    return pd.DataFrame(rows).set_index("group")


offline_start = offline_table(ts, first)
offline = offline_table(ts, last)
offline[["who", "share_offline", "people_offline"]].style.format(
    {"share_offline": "{:.1%}", "people_offline": "{:,.0f}"}
)

# %% [markdown]
# The same in words, computed from the table above (nothing here is typed in). This is one
# run of a few households: a difference of a point or two between groups can be chance. The
# next notebook runs several seeds and gives intervals.

# %%
total_offline = ts.at[last, "n_people"] - ts.at[last, "n_people_internet_use"]
print(
    f"In {last}, {1 - ts.at[last, 'share_internet_use']:.1%} of people were offline: "
    f"{total_offline / 1e6:,.0f} million people (in {first}: "
    f"{1 - ts.at[first, 'share_internet_use']:.1%})."
)
for dimension in DIMENSIONS:
    part = offline[offline["dimension"] == dimension]
    worst = part["share_offline"].idxmax()
    best = part["share_offline"].idxmin()
    print(
        f"By {dimension}: the most offline are {part.at[worst, 'who']} "
        f"({part.at[worst, 'share_offline']:.1%}, {offline_start.at[worst, 'share_offline']:.1%} "
        f"in {first}); the least, {part.at[best, 'who']} ({part.at[best, 'share_offline']:.1%})."
    )

# %% [markdown]
# ## A figure
#
# Share offline in each group, at the first and last quarter of the run.

# %%
fig, ax = plt.subplots(figsize=(8, 6))
positions = range(len(offline))
ax.barh([p + 0.2 for p in positions], offline_start["share_offline"], height=0.4, label=first)
ax.barh([p - 0.2 for p in positions], offline["share_offline"], height=0.4, label=last)
ax.set_yticks(list(positions), offline["who"])
ax.invert_yaxis()
ax.set_xlabel("share of the group not using the Internet")
ax.set_title(f"{sim.loaded.scenario.label}: {HOUSEHOLDS:,} households, seed {SEED}")
ax.legend(frameon=False)
fig.tight_layout()

# %% [markdown]
# `sim.plot()` draws any indicators over the quarters; `sim.to_df()` gives the whole run as a
# tidy table, with each indicator's label and unit. See docs/python.md for changing
# parameters and policies, and the next notebook for comparing scenarios.

# %%
trend = sim.plot(
    [
        "share_internet_use:quintile=1",
        "share_internet_use:quintile=5",
        "share_internet_use:disability=with",
    ]
)
