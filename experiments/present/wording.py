"""Numbers and findings in words, for the report: people, money, bands, headline sentences."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from experiments.analysis.costs import FREE, LOSS, NO_DATA, UNCLEAR, reading
from experiments.analysis.stats import effect_is_clear
from experiments.present.exports import (
    Results,
    indicator_label,
)
from model import groups as vocabulary
from model import indicator_registry

HEADLINE_GROUPS = ("sex=female", "location=rural", "quintile=1", "disability=with")
"""Groups of the headline sentences (``n_people_internet_use`` of each)."""


def who(group: str) -> str:
    """The people of a group, for a sentence ('women and girls', 'people in the poorest ...')."""
    words = vocabulary.label(group)
    parsed = vocabulary.parse_group(group)
    household_level = parsed is not None and vocabulary.DIMENSIONS[parsed[0]].level == "household"
    if household_level and not words.startswith("people"):
        return f"people in {words}"
    return "people" if group == "all" else words


def column_label(indicator: str) -> str:
    """A column of the people table: the group's short words, or the indicator's label."""
    described = indicator_registry.describe(indicator)
    if described.indicator.name == "n_people_internet_use":
        return vocabulary.short_label(described.group or "all")
    return described.label


def people(x: float) -> str:
    """A count of people for a sentence: '4.1 million', '412,000', '950'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    a = abs(x)
    if a >= 1e6:
        return f"{a / 1e6:,.1f} million"
    if a >= 1e3:
        return f"{round(a, -3 if a >= 1e5 else -2):,.0f}"
    return f"{a:,.0f}"


def people_range(lo: float, hi: float, sign: bool = False) -> str:
    """An interval of counts in one unit: '3.2 to 5.0 million', '−47,000 to +964,000'."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "n/a"
    plus = "+" if sign else ""
    top = max(abs(lo), abs(hi))
    if top >= 1e6:
        text = f"{lo / 1e6:{plus},.1f} to {hi / 1e6:{plus},.1f} million"
    else:
        step = -3 if top >= 1e5 else -2
        text = f"{round(lo, step):{plus},.0f} to {round(hi, step):{plus},.0f}"
    return text.replace("-", "\u2212")


def band_text(d: float, lo: float, hi: float) -> str:
    """The 95% CI of a difference of counts, worded for a sentence that says 'more' or 'fewer'.

    A clear interval is given as magnitudes in the sentence's direction ('3.2 to 5.0 million'
    more, or fewer); an interval that includes zero is given signed, and said to be unclear.
    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "one replication: no interval"
    if effect_is_clear(lo, hi):
        return f"95% CI {people_range(lo, hi) if d > 0 else people_range(-hi, -lo)}"
    return (
        f"95% CI of the difference {people_range(lo, hi, sign=True)}, which includes zero: "
        "not clear at this size"
    )


def signed_millions(x: float) -> str:
    """'+4.1 M' for table cells."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if abs(x) < 500:
        return "0"
    if abs(x) < 5e4:
        return f"{x / 1e3:+,.0f} k".replace("-", "\u2212")
    return f"{x / 1e6:+,.1f} M".replace("-", "\u2212")


def money(x: float) -> str:
    """US$ amounts: 'US$ 39.6 billion', 'US$ 10,500'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1e9:
        return f"US$ {x / 1e9:,.1f} billion"
    if abs(x) >= 1e6:
        return f"US$ {x / 1e6:,.1f} million"
    if abs(x) >= 1e4:
        return f"US$ {round(x, -2):,.0f}"
    return f"US$ {x:,.0f}"


def number(x: float, decimals: int, sign: bool = False) -> str:
    """A number with fixed decimals and a real minus sign."""
    if x is None or not np.isfinite(x):
        return "n/a"
    text = f"{x:{'+' if sign else ''},.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{decimals}f}"
    return text.replace("-", "\u2212")


def esc(text: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def quoted(res: Results, name: str) -> str:
    """A scenario's label in quotes, for sentences."""
    return f"\u2018{esc(res.label(name))}\u2019"


def people_sentence(res: Results, scenario: str, indicator: str, who: str) -> str | None:
    """A sentence such as 'By 2030Q4, 4.1 million more <who> are online under X than Y (CI)'."""
    r = res.at(scenario, indicator)
    if r is None or not np.isfinite(r["mean_diff"]):
        return None
    d, lo, hi = float(r["mean_diff"]), float(r["ci_low_diff"]), float(r["ci_high_diff"])
    base = quoted(res, res.baseline)
    if abs(d) < 0.5 and not effect_is_clear(lo, hi):
        return f"By {res.quarter}, {quoted(res, scenario)} puts no more {who} online than {base}."
    more = "more" if d > 0 else "fewer"
    return (
        f"By {res.quarter}, <strong>{people(d)} {more} {who}</strong> are online under "
        f"{quoted(res, scenario)} than under {base} ({band_text(d, lo, hi)})."
    )


def children_sentence(res: Results, scenario: str) -> str | None:
    """Children who could not follow remote learning, scenario against the baseline."""
    r = res.at(scenario, "n_children_no_remote_learning")
    if r is None or not np.isfinite(r["mean_diff"]):
        return None
    d, lo, hi = float(r["mean_diff"]), float(r["ci_low_diff"]), float(r["ci_high_diff"])
    if abs(d) < 0.5 and not effect_is_clear(lo, hi):
        return (
            f"By {res.quarter}, {quoted(res, scenario)} does not change the number of children "
            "aged 5-12 who could not follow remote learning if schools closed."
        )
    fewer = "fewer" if d < 0 else "more"
    return (
        f"By {res.quarter}, <strong>{people(d)} {fewer} children aged 5-12</strong> would be "
        f"unable to follow remote learning if schools closed again under "
        f"{quoted(res, scenario)} than under {quoted(res, res.baseline)} "
        f"({band_text(d, lo, hi)})."
    )


def cost_sentence(res: Results, scenario: str) -> str | None:
    """Spending, its present value and US$ per extra person online (when clearly positive)."""
    if res.cost is None or scenario not in set(res.cost["scenario"]):
        return None
    c = res.cost.set_index("scenario").loc[scenario]
    text = (
        f"{quoted(res, scenario)} spends <strong>{money(c['spend_mean'])}</strong> to {res.quarter}"
    )
    pv = c.get("spend_pv_mean", np.nan)
    if np.isfinite(pv):
        text += f" ({money(pv)} in present value)"
    extra = c.get("extra_online_mean", np.nan)
    value = reading(c, "online")
    if value == UNCLEAR:
        return text + (
            " with <strong>no clear effect</strong> on people online (the interval "
            "includes zero), so no cost per extra person online is given."
        )
    if value == LOSS:
        return text + f" and has <strong>{people(extra)} fewer people online</strong>."
    if value == FREE:
        return text + f" and brings {people(extra)} more people online at no extra cost."
    if value == NO_DATA:
        return text + " and brings no more people online than the baseline."
    return text + (
        f" and brings {people(extra)} more people online than the baseline: about "
        f"<strong>{money(value)} per extra person online</strong>."
    )


def gap_sentence(res: Results, scenario: str, indicator: str) -> str | None:
    """A sentence such as 'The urban/rural ratio ... is 1.45 under X against 2.03 under Y'."""
    a, b = res.at(scenario, indicator), res.at(res.baseline, indicator)
    if a is None or b is None or not np.isfinite(a["mean"]):
        return None
    label = indicator_label(indicator)
    words = label[0].lower() + label[1:]
    return (
        f"The {words} is <strong>{number(a['mean'], 2)}</strong> under {quoted(res, scenario)} "
        f"against {number(b['mean'], 2)} under {quoted(res, res.baseline)} in {res.quarter} "
        f"(1 = parity; difference {number(a['mean_diff'], 2, True)}, 95% CI "
        f"{number(a['ci_low_diff'], 2, True)} to {number(a['ci_high_diff'], 2, True)})."
    )


def headline_sentences(res: Results, scenario: str | None = None) -> list[str]:
    """The key findings for one scenario (default: the most ambitious), as HTML sentences."""
    if len(res.names) < 2:
        return []
    s = scenario or res.most_ambitious()
    people = "n_people_internet_use"
    out = [people_sentence(res, s, people, who("all"))]
    out += [people_sentence(res, s, f"{people}:{g}", who(g)) for g in HEADLINE_GROUPS]
    out.append(children_sentence(res, s))
    out.append(gap_sentence(res, s, "ratio_urban_rural_internet_use"))
    out.append(cost_sentence(res, s))
    return [x for x in out if x]
