"""The report's costs section: what each scenario buys per US$, its ledger, and its budgets.

Cost-effectiveness is incremental and paired (:mod:`experiments.analysis.costs`); a cell says
"no clear effect" where the effect's interval includes zero and "a loss" where it is clearly
the wrong way, never a number for either.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.costs import GAINS, LOSS, reading
from experiments.present.exports import Results
from experiments.present.wording import esc, money, people, quoted
from model.ledger import ITEMS

INFRAMARGINAL_EVIDENCE = (
    "Rosston and Wallsten (Telecommunications Policy 44(9), 2020) found that about a third of "
    "the subscribers to a discounted broadband offer for low-income families would have "
    "subscribed anyway"
)
"""The published reference for the share of subsidised households connected anyway."""


def costs_section(res: Results) -> str:
    """HTML of the costs section: cost-effectiveness, subsidies, the ledger, budgets."""
    if res.cost is None or len(res.names) < 2:
        return "<p>No spending to report: the comparison has no policy scenario.</p>"
    parts = [
        "<p>Spending is paired and incremental: each scenario's spending beyond the "
        f"baseline's, over what it buys beyond {quoted(res, res.baseline)}, both to "
        f"{esc(res.quarter)}. Where the 95% interval of what it buys includes zero there is "
        "<strong>no clear effect</strong> and no cost is given; where it is clearly a loss, "
        "the table says so.</p>",
        effectiveness_table(res),
        *(f"<p>{s}</p>" for s in inframarginal_sentences(res)),
        *(f"<p>{s}</p>" for s in budget_sentences(res)),
        ledger_html(res),
    ]
    return "".join(parts)


def billions(x: float) -> str:
    """US$ billions for a table cell: '70.6', '0.35'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x / 1e9:,.1f}" if abs(x) >= 1e9 else f"{x / 1e9:,.2f}"


def gain_cell(row: pd.Series, key: str) -> str:
    """US$ per unit of a gain, or why there is none (a loss says how large)."""
    value = reading(row, key)
    if value == LOSS:
        return f"a loss ({people(row[f'extra_{key}_mean'])} fewer)"
    return value if isinstance(value, str) else f"{value:,.0f}"


def effectiveness_table(res: Results) -> str:
    """One row per policy scenario: spending, present value and US$ per unit of each gain."""
    assert res.cost is not None
    cost = res.cost.set_index("scenario")
    gains = [g for g in GAINS if f"extra_{g.key}_mean" in cost.columns]
    header = "".join(f"<th>US$ per {esc(g.per)}</th>" for g in gains)
    rows = []
    for n in res.names[1:]:
        if n not in cost.index:
            continue
        r = cost.loc[n]
        cells = "".join(_cell(gain_cell(r, g.key)) for g in gains)
        rows.append(
            f"<tr><th scope='row'>{esc(res.short_label(n))}</th>"
            f"<td class='num'>{esc(billions(r['spend_mean']))}</td>"
            f"<td class='num'>{esc(billions(r.get('spend_pv_mean', np.nan)))}</td>{cells}</tr>"
        )
    rate = _discount_rates(res)
    return (
        '<div class="scroll"><table class="costs"><thead><tr><th>scenario</th>'
        f"<th>spent to {esc(res.quarter)} (US$ billion)</th>"
        f"<th>present value{esc(rate)} (US$ billion)</th>{header}"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _cell(text: str) -> str:
    """A table cell: a number kept on one line, right-aligned; words left to wrap."""
    numeric = text.replace(",", "").replace(".", "").isdigit()
    return f"<td class='num'>{esc(text)}</td>" if numeric else f"<td>{esc(text)}</td>"


def _discount_rates(res: Results) -> str:
    """' (3% a year)' from the scenarios' discount rates (default 3%)."""
    rates = {float(res.scenario_data.get(n, {}).get("discount_rate", 0.03)) for n in res.names}
    return " (" + ", ".join(f"{r:.0%}" for r in sorted(rates)) + " a year)"


def inframarginal_sentences(res: Results) -> list[str]:
    """For each scenario with subsidies: how many subsidised households would have connected."""
    assert res.cost is not None
    if "inframarginal_share" not in res.cost:
        return []
    out = []
    for _, r in res.cost.iterrows():
        share = r.get("inframarginal_share", np.nan)
        if r["scenario"] == res.baseline or not np.isfinite(share):
            continue
        out.append(
            f"{quoted(res, r['scenario'])} paid {people(r['subsidised_years_mean'])} "
            f"household-years of subsidy to {esc(res.quarter)}; <strong>{share:.0%}</strong> "
            f"of them (95% CI {r['inframarginal_ci_low']:.0%} to "
            f"{r['inframarginal_ci_high']:.0%}) went to households that would have been "
            "connected anyway, because the baseline has them connected too."
        )
    if out:
        out[-1] += (
            f" For comparison, {INFRAMARGINAL_EVIDENCE}. Where a scenario has other levers "
            "besides the subsidy, the share counts the households all of them connected, so "
            "it is a lower bound for the subsidy alone."
        )
    return out


def budget_sentences(res: Results) -> list[str]:
    """For each policy with a budget: what the budget held back, and any year above it."""
    out = []
    for n in res.names[1:]:
        for policy in res.scenario_data.get(n, {}).get("policies") or []:
            budget = policy.get("budget_per_year")
            if budget is None:
                continue
            name = str(policy.get("name") or policy.get("type"))
            out.append(_budget_sentence(res, n, name, float(budget), str(policy.get("type"))))
    return out


ENTITLEMENTS = ("social_protection", "labour_regulation")
"""Policy types whose payments (transfers, insurance) are entitlements: budgets hold on average."""


def _budget_sentence(res: Results, scenario: str, policy: str, budget: float, kind: str) -> str:
    row = res.at(scenario, f"shortfall:{policy}")
    shortfall = float(row["mean"]) if row is not None else float("nan")
    text = (
        f"In {quoted(res, scenario)}, <em>{esc(policy)}</em> has a budget of {money(budget)} a year"
    )
    if np.isfinite(shortfall) and shortfall > 0:
        text += (
            f"; it rationed by its targeting order, and its full programme would have cost "
            f"<strong>{money(shortfall)} more</strong> to {esc(res.quarter)}"
        )
    else:
        text += ", which its programme never reached"
    over = _years_over(res, scenario, policy, budget)
    if over:
        listed = ", ".join(f"{y} ({money(v)})" for y, v in over)
        text += f". It spent more than its budget (by over {OVERRUN_TOLERANCE:.0%}) in {listed}"
        if kind in ENTITLEMENTS:
            text += (
                ": its payments are entitlements paid as need arises, and the budget rations "
                "cover on their expected cost"
            )
    return text + "."


OVERRUN_TOLERANCE = 0.01
"""A year's spending above the budget by more than this share is named as an overrun."""


def _years_over(res: Results, scenario: str, policy: str, budget: float) -> list[tuple[int, float]]:
    """Years the policy spent more than ``budget`` by over 1% (mean over replications)."""
    if res.ledger is None or res.ledger.empty:
        return []
    mine = res.ledger[(res.ledger["scenario"] == scenario) & (res.ledger["policy"] == policy)]
    yearly = mine.groupby("year")["usd_mean"].sum()
    limit = budget * (1 + OVERRUN_TOLERANCE)
    return [(int(y), float(v)) for y, v in yearly.items() if v > limit]


def ledger_rows(res: Results) -> list[dict[str, Any]]:
    """Each scenario's spending by policy and item to the end of the runs, with its share."""
    if res.ledger is None or res.ledger.empty:
        return []
    totals = res.ledger.groupby(["scenario", "policy", "item"], sort=False)["usd_mean"].sum()
    rows = []
    for n in res.names[1:]:
        if n not in totals.index.get_level_values(0):
            continue
        mine = totals.loc[n]
        whole = float(mine.sum())
        for (policy, item), usd in mine.items():
            share = usd / whole if whole > 0 else np.nan
            rows.append({"scenario": n, "policy": policy, "item": item, "usd": usd, "share": share})
    return rows


def ledger_html(res: Results) -> str:
    """The ledger: spending by scenario, policy and item over the whole run."""
    rows = ledger_rows(res)
    if not rows:
        return ""
    last = res.quarters[-1] if res.quarters else ""
    body = "".join(
        f"<tr><td>{esc(res.short_label(r['scenario']))}</td><td>{esc(r['policy'])}</td>"
        f"<td>{esc(ITEMS[r['item']])}</td><td>{esc(money(r['usd']))}</td>"
        f"<td>{'' if not np.isfinite(r['share']) else f'{r["share"]:.0%}'}</td></tr>"
        for r in rows
        if r["usd"] != 0
    )
    return (
        f"<h3>The ledger, to {esc(last)}</h3>"
        "<p>Every item each policy pays for, in current US$ (mean over replications). "
        "Spending by year is in <code>exports/ledger.csv</code>.</p>"
        '<div class="scroll"><table class="ledger"><thead><tr><th>scenario</th><th>policy</th>'
        "<th>item</th><th>spent</th><th>share of the scenario</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )
