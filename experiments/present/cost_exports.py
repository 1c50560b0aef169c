"""The cost tables as spreadsheets: plain column names that carry their units."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from experiments.analysis.costs import GAINS
from model.ledger import ITEMS

if TYPE_CHECKING:
    from experiments.present.exports import Results


def cost_export(res: Results) -> pd.DataFrame:
    """The cost table with plain column names carrying units.

    US$ per unit of a gain is empty where the gain is not clear of zero (the column "clear of
    zero" says so) or is a loss.
    """
    assert res.cost is not None
    q = res.quarter or ""
    c = res.cost
    frame = pd.DataFrame(
        {"scenario": c["scenario"], "scenario_label": c["scenario"].map(res.label)}
    )
    for key, words in (("spend", "spend"), ("spend_pv", "spend, present value")):
        if f"{key}_mean" in c:
            frame[f"{words} to {q} (US$, mean)"] = c[f"{key}_mean"]
            frame[f"{words} to {q} (US$, 95% CI low)"] = c[f"{key}_ci_low"]
            frame[f"{words} to {q} (US$, 95% CI high)"] = c[f"{key}_ci_high"]
    frame[f"extra spend vs {res.baseline} (US$)"] = c["extra_spend_mean"]
    for gain in GAINS:
        k = gain.key
        if f"extra_{k}_mean" not in c:
            continue
        what = f"extra {gain.per.removeprefix('extra ')} vs {res.baseline}"
        frame[f"{what} (mean)"] = c[f"extra_{k}_mean"]
        frame[f"{what} (95% CI low)"] = c[f"extra_{k}_ci_low"]
        frame[f"{what} (95% CI high)"] = c[f"extra_{k}_ci_high"]
        frame[f"{what} clear of zero (yes/no)"] = c[f"extra_{k}_clear"]
        frame[f"US$ per {gain.per}"] = c[f"cost_per_extra_{k}"]
    if "inframarginal_share" in c:
        frame[f"households subsidised in {q} (households)"] = c["subsidised_mean"]
        frame["subsidised households that would have been connected anyway (share 0-1)"] = c[
            "inframarginal_share"
        ]
        frame["that share, 95% CI low"] = c["inframarginal_ci_low"]
        frame["that share, 95% CI high"] = c["inframarginal_ci_high"]
    return frame


def ledger_export(res: Results) -> pd.DataFrame:
    """The ledger: US$ by scenario, policy, item and year, items in words."""
    assert res.ledger is not None
    frame = res.ledger.copy()
    frame.insert(1, "scenario_label", frame["scenario"].map(res.label))
    frame.insert(frame.columns.get_loc("item") + 1, "item_label", frame["item"].map(ITEMS))
    return frame.rename(
        columns={
            "usd_mean": "spent in the year (US$, mean)",
            "usd_ci_low": "spent in the year (US$, 95% CI low)",
            "usd_ci_high": "spent in the year (US$, 95% CI high)",
        }
    )
