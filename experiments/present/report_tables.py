"""The report's tables: the gaps per scenario with paired differences and verdicts, and people."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.analysis.stats import effect_is_clear
from experiments.present.exports import (
    Results,
    indicator_label,
    shown_factor,
    shown_unit,
)
from experiments.present.wording import (
    column_label,
    esc,
    number,
    signed_millions,
)
from experiments.present.wording import people as people_words
from model import indicator_registry

PEOPLE_TABLE = (
    "n_people_internet_use",
    "n_people_internet_use:sex=female",
    "n_people_internet_use:location=rural",
    "n_people_internet_use:quintile=1",
    "n_people_internet_use:disability=with",
    "n_children_no_remote_learning",
)
"""Columns of the 'people' table of the key findings."""


@dataclass(frozen=True)
class Row:
    """A row of the gap table: indicator, how it is shown, and which way is better.

    Everything but the decimals comes from :mod:`model.indicator_registry`.

    Attributes:
        indicator: indicator name.
        decimals: decimals displayed.

    """

    indicator: str
    decimals: int

    @property
    def name(self) -> str:
        """Plain-language name (registry label)."""
        return indicator_label(self.indicator)

    @property
    def unit(self) -> str:
        """Unit as displayed (shares in %, their differences in percentage points)."""
        return shown_unit(self.indicator)

    @property
    def scale(self) -> float:
        """Factor from stored to displayed values."""
        return shown_factor(self.indicator)

    @property
    def better(self) -> str:
        """``up``, ``down`` or ``parity`` (towards :attr:`target`)."""
        ind = indicator_registry.describe(self.indicator).indicator
        if ind.better == "parity" or _is_gap(ind.name):
            return "parity"
        return "up" if ind.better == "higher" else "down"

    @property
    def target(self) -> float:
        """The parity value of a gap, in stored units (1 for a ratio, 0 for a difference)."""
        scale = indicator_registry.describe(self.indicator).indicator.scale
        return 1.0 if scale == "ratio" else 0.0


def _is_gap(base: str) -> bool:
    """A gap between two groups (gps, ratios, differences), whose parity is its goal."""
    return any(base.startswith(f"{prefix}_") for prefix in indicator_registry.GAP_KINDS)


GAP_ROWS = (
    Row("share_internet_use", 1),
    Row("gps_internet_use", 3),
    Row("ratio_urban_rural_internet_use", 2),
    Row("ratio_q5_q1_internet_use", 2),
    Row("gap_disability_internet_use", 1),
    Row("gap_age_internet_use", 1),
    Row("lag_worst_internet_use", 1),
    Row("share_meaningful", 1),
    Row("share_households_connected", 1),
    Row("share_children_no_remote_learning", 1),
    Row("share_employed", 1),
    Row("gini_income", 3),
    Row("share_poor", 1),
)
"""Rows of the gap table, in order (rows the model does not report are left out)."""


def _judge(
    better_way: str, target: float, base: float, lo: float, hi: float, diff: float
) -> tuple[str, str]:
    """Verdict on a difference (all in displayed units): (text, css class).

    Args:
        better_way: ``up``, ``down`` or ``parity`` (towards ``target``).
        target: the parity value of a gap.
        base: the baseline's value.
        lo: low end of the difference's interval.
        hi: high end of the difference's interval.
        diff: the difference.

    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ("", "")
    if not effect_is_clear(lo, hi):
        return ("no clear change", "unclear")
    if better_way == "parity":
        better = abs(base + diff - target) < abs(base - target)
        return ("narrower" if better else "wider", "better" if better else "worse")
    up = diff > 0
    better = up if better_way == "up" else not up
    return ("higher" if up else "lower", "better" if better else "worse")


PROPER_FIRST_WORDS = ("Gini",)
"""First words of indicator labels that keep their capital inside a sentence."""


def _in_sentence(label: str) -> str:
    """A registry label as words inside a sentence ('Share of ...' -> 'share of ...')."""
    if label.split(" ", 1)[0] in PROPER_FIRST_WORDS:
        return label
    return label[0].lower() + label[1:]


def harm_clause(res: Results, row: Row, scenario: str) -> str | None:
    """How a row is clearly worse under ``scenario``, in words; None when it is not.

    A gap that widens says by how much it widens and a level says whether it rises or falls,
    with the magnitude and its 95% CI as displayed in the gap table (the same verdict, read at
    the precision shown), e.g. 'the disability gap ... widens by 0.5 percentage points (95% CI
    0.2 to 0.8)'.
    """
    if row.indicator not in res.indicators:
        return None
    shown = _shown_difference(res, row, scenario)
    if shown is None or shown.cls != "worse":
        return None
    words = esc(_in_sentence(row.name))
    unit = " percentage points" if row.scale == 100.0 else ""
    d, lo, hi = shown.diff, shown.low, shown.high
    size, low, high = (d, lo, hi) if d > 0 else (-d, -hi, -lo)
    ci = f"95% CI {number(low, row.decimals)} to {number(high, row.decimals)}"
    if row.better != "parity":
        moves = "rises" if d > 0 else "falls"
        return f"{words} {moves} by {number(size, row.decimals)}{unit} ({ci})"
    base = res.at(res.baseline, row.indicator)
    target = row.target * row.scale
    before = round(float(base["mean"]) * row.scale, row.decimals)
    if (before - target) * (before + d - target) > 0:
        return f"{words} widens by {number(size, row.decimals)}{unit} ({ci})"
    return (
        f"{words} widens, crossing parity: {number(before + d, row.decimals)} against "
        f"{number(before, row.decimals)} under the baseline (difference "
        f"{number(d, row.decimals, True)}, 95% CI {number(lo, row.decimals, True)} to "
        f"{number(hi, row.decimals, True)})"
    )


def harm_sentences(res: Results, scenario: str) -> list[str]:
    """Every row of the gap table that is clearly worse under ``scenario``, as clauses.

    A gap that widens and a level that moves the wrong way are stated as plainly as the
    gains, with the same verdict as the table (read at the precision shown), so a finding
    and the table never disagree.
    """
    return [c for row in GAP_ROWS if (c := harm_clause(res, row, scenario)) is not None]


def harms_html(res: Results, first: str) -> str:
    """What gets clearly worse, scenario by scenario (``first`` leads), for the key findings.

    One item per scenario with anything worse ('Under X, by 2030Q4, the ... widens by ...;
    the ... falls by ...'), then one line naming the scenarios under which nothing is.
    """
    order = [first, *[n for n in res.names[1:] if n != first]]
    items, clean = [], []
    for name in order:
        clauses = harm_sentences(res, name)
        label = f"\u2018{esc(res.label(name))}\u2019"
        if not clauses:
            clean.append(label)
            continue
        items.append(
            f"<li><strong>Under {label}</strong>, by {esc(res.quarter)}: "
            + "; ".join(clauses)
            + ".</li>"
        )
    if clean:
        joined = ", ".join(clean)
        items.append(
            f"<li>Nothing in the gap table is clearly worse than under the baseline under "
            f"{joined}.</li>"
        )
    return (
        '<h3 id="worse">What gets worse</h3>'
        "<p>Every gap that widens and every level that moves the wrong way, under each "
        "scenario against the baseline, where the 95% interval of the paired difference is "
        "clear of zero as shown in the gap table:</p>"
        f'<div class="findings worse"><ul>{"".join(items)}</ul></div>'
    )


MATRIX_MAX_SCENARIOS = 7
"""Up to this many scenarios the gap table has one column per scenario; beyond, one row each."""


def gap_table(res: Results) -> str:
    """The table of gaps at the quarter, with bands (one column per scenario when they fit)."""
    if len(res.names) <= MATRIX_MAX_SCENARIOS:
        return gap_matrix(res)
    return gap_rows(res)


@dataclass(frozen=True)
class ShownDifference:
    """A scenario minus the baseline as displayed (rounded), with its verdict.

    Attributes:
        diff: the difference.
        low: low end of its 95% CI.
        high: high end of its 95% CI.
        text: the verdict's words (``higher``, ``wider``, ``no clear change`` ...).
        cls: the verdict's kind (``better``, ``worse``, ``unclear`` or empty).

    """

    diff: float
    low: float
    high: float
    text: str
    cls: str

    def texts(self, decimals: int) -> tuple[str, str]:
        """The difference and its CI as printed."""
        ci = f"{number(self.low, decimals, True)} to {number(self.high, decimals, True)}"
        return number(self.diff, decimals, True), ci


def _shown_difference(res: Results, row: Row, name: str) -> ShownDifference | None:
    """A scenario against the baseline on a row, read at the precision shown.

    The verdict reads the difference and its interval as rounded for display, so a badge
    never contradicts the figure beside it: an interval shown as 0.0 to 0.3 is no clear
    change. None where either has no value.
    """
    r = res.at(name, row.indicator)
    base_row = res.at(res.baseline, row.indicator)
    if r is None or base_row is None:
        return None
    k = row.scale
    d, lo, hi = (
        round(float(v) * k, row.decimals) for v in r[["mean_diff", "ci_low_diff", "ci_high_diff"]]
    )
    text, cls = _judge(row.better, row.target * k, float(base_row["mean"]) * k, lo, hi, d)
    return ShownDifference(d, lo, hi, text, cls)


def _diff_cell(res: Results, row: Row, name: str) -> tuple[str, str, str]:
    """(difference, its CI, verdict html) of a scenario against the baseline, displayed."""
    shown = _shown_difference(res, row, name)
    if shown is None:
        return "", "", ""
    value, ci = shown.texts(row.decimals)
    verdict = f'<span class="verdict {shown.cls}">{esc(shown.text)}</span>' if shown.text else ""
    return value, ci, verdict


MATRIX_PANEL = 3
"""Scenario columns per panel of the gap table: with the indicator, 2019Q4 and baseline columns,
three fit the report's text column at 1024 px (714 px) without scrolling sideways."""


def matrix_panels(res: Results) -> list[list[str]]:
    """The scenarios (all but the baseline) of each panel of the gap table, headline first."""
    headline = res.most_ambitious()
    others = [n for n in res.names[1:] if n != headline]
    order = [headline, *others] if headline in res.names[1:] else others
    return [order[k : k + MATRIX_PANEL] for k in range(0, len(order), MATRIX_PANEL)]


def gap_matrix(res: Results) -> str:
    """Indicators as rows, scenarios as columns: level, difference from the baseline, its CI.

    The scenarios come in panels of :data:`MATRIX_PANEL` columns, each a table with the
    indicators, 2019Q4 and the baseline again, so no column hides behind a sideways scroll on
    a laptop screen; the headline scenario (the most levers) leads the first panel.
    """
    panels = matrix_panels(res) or [[]]
    out = [
        f'<p class="note">The scenario with the most levers, {esc(res.label(res.most_ambitious()))}'
        f", comes first; the others follow in panels of {MATRIX_PANEL}.</p>"
        if len(panels) > 1
        else ""
    ]
    for k, names in enumerate(panels):
        caption = ""
        if len(panels) > 1:
            caption = (
                f"<caption>Scenarios {k * MATRIX_PANEL + 1}-{k * MATRIX_PANEL + len(names)} "
                f"of {len(res.names) - 1}</caption>"
            )
        out.append(_gap_panel(res, names, caption))
    return "".join(out)


def _gap_panel(res: Results, names: list[str], caption: str) -> str:
    """One panel of the gap table: the indicators, 2019Q4, the baseline and ``names``."""
    first = res.quarters[0]
    headline = res.most_ambitious()

    def scenario_th(n: str) -> str:
        tag = ' <span class="tag">headline</span>' if n == headline else ""
        return (
            f'<th class="num" data-scenario="{esc(n)}">{esc(res.short_label(n))}{tag}'
            '<span class="ci">value; minus baseline (95% CI)</span></th>'
        )

    header = (
        f'<th class="ind">indicator <span class="unit">(unit)</span></th>'
        f'<th class="num">{esc(first)}<span class="ci">all scenarios</span></th>'
        f'<th class="num">{esc(res.short_label(res.baseline))}<span class="ci">baseline, '
        "95% CI</span></th>" + "".join(scenario_th(n) for n in names)
    )
    body = []
    for row in GAP_ROWS:
        if row.indicator not in res.indicators:
            continue
        b = res.at(res.baseline, row.indicator)
        if b is None:
            continue
        k = row.scale
        start = res.series("summary", res.baseline, row.indicator)["mean"].get(first, np.nan)
        cells = [
            f'<th class="ind">{esc(row.name)} <span class="unit">({esc(row.unit)})</span></th>',
            f'<td class="num">{number(start * k, row.decimals)}</td>',
            f'<td class="num"><span class="v">{number(b["mean"] * k, row.decimals)}</span>'
            f'<span class="ci">{number(b["ci_low"] * k, row.decimals)} to '
            f"{number(b['ci_high'] * k, row.decimals)}</span></td>",
        ]
        for name in names:
            r = res.at(name, row.indicator)
            if r is None:
                cells.append("<td></td>")
                continue
            d, ci, verdict = _diff_cell(res, row, name)
            cells.append(
                f'<td class="num"><span class="v">{number(r["mean"] * k, row.decimals)}</span>'
                f'<span class="d">{d}</span><span class="ci">{ci}</span>{verdict}</td>'
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="gaps matrix">{caption}<thead><tr>{header}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def gap_rows(res: Results) -> str:
    """The table of gaps with one row per scenario and indicator (for many scenarios)."""
    first = res.quarters[0]
    rows_html = []
    for row in GAP_ROWS:
        if row.indicator not in res.indicators:
            continue
        rows_html.append(
            f'<tr class="group"><th colspan="5">{esc(row.name)} '
            f'<span class="unit">({esc(row.unit)})</span></th></tr>'
        )
        for name in res.names:
            r = res.at(name, row.indicator)
            if r is None:
                continue
            start = res.series("summary", name, row.indicator)["mean"].get(first, np.nan)
            k = row.scale
            value = (
                f"{number(r['mean'] * k, row.decimals)}"
                f'<span class="ci">{number(r["ci_low"] * k, row.decimals)} to '
                f"{number(r['ci_high'] * k, row.decimals)}</span>"
            )
            if name == res.baseline:
                diff_cell, verdict = '<td class="num muted">baseline</td>', "<td></td>"
            else:
                d, ci, v = _diff_cell(res, row, name)
                diff_cell = f'<td class="num">{d}<span class="ci">{ci}</span></td>'
                verdict = f"<td>{v}</td>"
            rows_html.append(
                f'<tr><td class="scen">{esc(res.label(name))}</td>'
                f'<td class="num">{number(start * k, row.decimals)}</td>'
                f'<td class="num">{value}</td>{diff_cell}{verdict}</tr>'
            )
    return (
        '<table class="gaps"><thead><tr><th>scenario</th>'
        f'<th class="num">{esc(first)}</th>'
        f'<th class="num">{esc(res.quarter)}<span class="ci">95% CI of the mean</span></th>'
        f'<th class="num">minus baseline<span class="ci">95% CI, paired</span></th>'
        "<th>gap or level</th></tr></thead><tbody>" + "".join(rows_html) + "</tbody></table>"
    )


def people_table(res: Results) -> str:
    """Extra people (millions) by scenario and group, with 95% CIs, at the quarter."""
    cols = [(i, column_label(i)) for i in PEOPLE_TABLE if i in res.indicators]
    header = "".join(f'<th class="num">{esc(label)}</th>' for _, label in cols)
    body = []
    for name in res.names[1:]:
        cells = []
        for ind, _ in cols:
            r = res.at(name, ind)
            if r is None:
                cells.append("<td></td>")
                continue
            d, lo, hi = r["mean_diff"], r["ci_low_diff"], r["ci_high_diff"]
            cls = "num" if effect_is_clear(lo, hi) else "num unclear"
            cells.append(
                f'<td class="{cls}">{signed_millions(d)}<span class="ci">'
                f"{signed_millions(lo)} to {signed_millions(hi)}</span></td>"
            )
        body.append(f'<tr><td class="scen">{esc(res.label(name))}</td>{"".join(cells)}</tr>')
    return (
        f'<div class="scroll"><table class="people"><thead><tr><th>scenario</th>{header}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def worst_off_html(res: Results) -> str:
    """The worst-off group of each scenario for Internet use, with its people, for the findings.

    The intersection of sex, age band, location, income fifth and disability with the lowest
    Internet use at the last quarter (the label most runs give), its real people, its rate and
    its lag behind the average. Empty when the runs stored no labels.
    """
    if not res.worst_labels:
        return ""
    items = []
    for name in res.names:
        label = res.worst_labels.get(name)
        if not label:
            continue
        people = res.worst_people.get(name)
        share, lag = (
            res.at(name, "worst_share_internet_use"),
            res.at(name, "lag_worst_internet_use"),
        )
        parts = [f"<strong>{esc(label)}</strong>"]
        if people is not None:
            parts.append(f"{esc(people_words(people))} people")
        if share is not None and lag is not None:
            parts.append(
                f"{number(float(share['mean']) * 100, 1)}% online, "
                f"{number(float(lag['mean']) * 100, 1)} percentage points below the average"
            )
        items.append(f"<li>Under \u2018{esc(res.label(name))}\u2019: {', '.join(parts)}.</li>")
    last = res.quarters[-1]
    return (
        '<h3 id="worst-off">The worst-off group</h3>'
        "<p>The intersection of sex, age band, location, income fifth and disability with the "
        f"lowest Internet use in {esc(last)} (the one most replications find), with its people "
        "(every age in the group):</p>"
        f'<ul class="limits">{"".join(items)}</ul>'
    )
