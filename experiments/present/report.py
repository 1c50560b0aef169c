"""One self-contained HTML report of a finished comparison or sweep: ``<folder>/report.html``.

:func:`write_report` draws the figures (also written to ``figures/``), writes the exports
(``exports/``) and builds one HTML file with everything inside: headline sentences in numbers
of people, the table of gaps with bands, the figures as embedded SVG, what each scenario does,
assumptions and sources, and provenance. No external file, font or script: it opens offline,
and a print stylesheet keeps figures and table rows whole on paper.
"""

from __future__ import annotations

import base64
import html
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from experiments.batch.provenance import now
from experiments.batch.store import write_atomic
from experiments.present import figures as figs
from experiments.present import style
from experiments.present.exports import (
    CSV_ENCODING,
    Results,
    indicator_label,
    load_results,
    outcome_indicators,
    region_sources,
    shown_factor,
    shown_unit,
    unit_of,
    write_exports,
)
from model import groups as vocabulary
from model import indicator_registry
from model.loader import ROOT

REPO = ROOT
MODEL_CARD = REPO / "docs" / "MODEL_CARD.md"
"""The model card whose limitations the report quotes (when the source tree is present)."""

HEADLINE_GROUPS = ("sex=female", "location=rural", "quintile=1", "disability=with")
"""Groups of the headline sentences (``n_people_internet_use`` of each)."""

PEOPLE_TABLE = (
    "n_people_internet_use",
    "n_people_internet_use:sex=female",
    "n_people_internet_use:location=rural",
    "n_people_internet_use:quintile=1",
    "n_people_internet_use:disability=with",
    "n_children_no_remote_learning",
)
"""Columns of the 'people' table of the key findings."""


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


# -- numbers in words ---------------------------------------------------------------------------


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
    if _clear(lo, hi):
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


# -- headline sentences ---------------------------------------------------------------------


def _clear(lo: float, hi: float) -> bool:
    return bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))


def people_sentence(res: Results, scenario: str, indicator: str, who: str) -> str | None:
    """A sentence such as 'By 2030Q4, 4.1 million more <who> are online under X than Y (CI)'."""
    r = res.at(scenario, indicator)
    if r is None or not np.isfinite(r["mean_diff"]):
        return None
    d, lo, hi = float(r["mean_diff"]), float(r["ci_low_diff"]), float(r["ci_high_diff"])
    base = quoted(res, res.baseline)
    if abs(d) < 0.5 and not _clear(lo, hi):
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
    if abs(d) < 0.5 and not _clear(lo, hi):
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
    """Spending and cost per extra household connected."""
    if res.cost is None or scenario not in set(res.cost["scenario"]):
        return None
    c = res.cost.set_index("scenario").loc[scenario]
    spend = money(c["spend_mean"])
    text = f"{quoted(res, scenario)} spends <strong>{spend}</strong> to {res.quarter}"
    cpe = c.get("cost_per_extra_household", np.nan)
    extra = c.get("extra_households_mean", np.nan)
    if np.isfinite(cpe) and np.isfinite(extra):
        text += (
            f" and connects {people(extra)} more households than the baseline: about "
            f"<strong>{money(cpe)} per extra household connected</strong>."
        )
    else:
        text += " and connects no more households than the baseline."
    return text


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


# -- HTML pieces ------------------------------------------------------------------------------


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
    if not _clear(lo, hi):
        return ("no clear change", "unclear")
    if better_way == "parity":
        better = abs(base + diff - target) < abs(base - target)
        return ("narrower" if better else "wider", "better" if better else "worse")
    up = diff > 0
    better = up if better_way == "up" else not up
    return ("higher" if up else "lower", "better" if better else "worse")


MATRIX_MAX_SCENARIOS = 7
"""Up to this many scenarios the gap table has one column per scenario; beyond, one row each."""


def gap_table(res: Results) -> str:
    """The table of gaps at the quarter, with bands (one column per scenario when they fit)."""
    if len(res.names) <= MATRIX_MAX_SCENARIOS:
        return gap_matrix(res)
    return gap_rows(res)


def _diff_cell(res: Results, row: Row, name: str) -> tuple[str, str, str]:
    """(difference, its CI, verdict html) of a scenario against the baseline, displayed."""
    r = res.at(name, row.indicator)
    base_row = res.at(res.baseline, row.indicator)
    if r is None or base_row is None:
        return "", "", ""
    k = row.scale
    d, lo, hi = r["mean_diff"] * k, r["ci_low_diff"] * k, r["ci_high_diff"] * k
    text, cls = _judge(row.better, row.target * k, float(base_row["mean"]) * k, lo, hi, d)
    verdict = f'<span class="verdict {cls}">{esc(text)}</span>' if text else ""
    ci = f"{number(lo, row.decimals, True)} to {number(hi, row.decimals, True)}"
    return number(d, row.decimals, True), ci, verdict


def gap_matrix(res: Results) -> str:
    """Indicators as rows, scenarios as columns: level, difference from the baseline, its CI."""
    first = res.quarters[0]
    header = (
        f'<th class="ind">indicator <span class="unit">(unit)</span></th>'
        f'<th class="num">{esc(first)}<span class="ci">all scenarios</span></th>'
        f'<th class="num">{esc(res.short_label(res.baseline))}<span class="ci">baseline, '
        "95% CI</span></th>"
        + "".join(
            f'<th class="num">{esc(res.short_label(n))}<span class="ci">value; minus baseline '
            "(95% CI)</span></th>"
            for n in res.names[1:]
        )
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
        for name in res.names[1:]:
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
        f'<div class="scroll"><table class="gaps matrix"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
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
            cls = "num" if _clear(lo, hi) else "num unclear"
            cells.append(
                f'<td class="{cls}">{signed_millions(d)}<span class="ci">'
                f"{signed_millions(lo)} to {signed_millions(hi)}</span></td>"
            )
        body.append(f'<tr><td class="scen">{esc(res.label(name))}</td>{"".join(cells)}</tr>')
    return (
        f'<div class="scroll"><table class="people"><thead><tr><th>scenario</th>{header}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def figure_html(drawn: figs.Drawn, svg: bytes, number_: int) -> str:
    """One figure: the SVG embedded as a data URI, with its caption."""
    data = base64.b64encode(svg).decode("ascii")
    alt = f"{drawn.title}. {drawn.caption}"
    return (
        f'<figure id="fig-{esc(drawn.name)}">'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}" '
        f'data-figure="{esc(drawn.name)}">'
        f"<figcaption><strong>Figure {number_}. {esc(drawn.title)}.</strong> "
        f'{esc(drawn.caption)} <span class="files">Files: figures/{esc(drawn.name)}.png, '
        f"figures/{esc(drawn.name)}.svg</span></figcaption></figure>"
    )


def scenarios_html(res: Results) -> str:
    """What each scenario does: label, description and its policies."""
    parts = []
    for k, name in enumerate(res.names):
        data = res.scenario_data.get(name, {})
        tag = '<span class="tag">baseline</span>' if k == 0 else ""
        pol = data.get("policies") or []
        if pol:
            rows = "".join(
                f"<tr><td>{esc(p.get('type', ''))}</td><td><code>{esc(p.get('name', ''))}</code>"
                f"</td><td>{esc(p.get('start', ''))} to {esc(p.get('end', ''))}</td>"
                f'<td class="num">{esc(p.get("intensity", ""))}</td>'
                f"<td>{esc(_policy_details(p))}</td></tr>"
                for p in pol
            )
            policies = (
                '<table class="policies"><thead><tr><th>lever</th><th>policy</th><th>window'
                '</th><th class="num">intensity</th><th>settings</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>"
            )
        else:
            policies = '<p class="muted">No policy: the status quo.</p>'
        parts.append(
            f'<div class="scenario"><h3>{esc(res.label(name))} {tag}</h3>'
            f'<p class="meta"><code>{esc(name)}</code> &middot; '
            f"<code>{esc(res.scenario_paths.get(name, ''))}</code></p>"
            f"<p>{esc(res.descriptions.get(name, ''))}</p>{policies}</div>"
        )
    return "".join(parts)


def _policy_details(p: dict[str, Any]) -> str:
    skip = {"type", "name", "start", "end", "intensity"}
    items = []
    for k, v in p.items():
        if k in skip:
            continue
        if isinstance(v, dict):
            v = ", ".join(f"{a} {b}" for a, b in v.items())
        elif isinstance(v, list):
            v = ", ".join(map(str, v))
        elif isinstance(v, int | float) and not isinstance(v, bool) and abs(v) >= 1000:
            v = f"{v:,}"
        items.append(f"{k.replace('_', ' ')}: {v}")
    return "; ".join(items)


def _inline_md(text: str) -> str:
    out = esc(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return out


def model_card_sections(path: Path = MODEL_CARD) -> dict[str, str]:
    """Sections of the model card (title -> markdown text), or {} when it is not present."""
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def bullets(markdown: str) -> list[str]:
    """The top-level bullet items of a markdown section (continuation lines joined)."""
    items: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.startswith("  ") and items and line.strip():
            items[-1] += " " + line.strip()
        elif not line.strip() and items:
            continue
    return items


def not_modelled(markdown: str) -> dict[str, list[str]]:
    """Items of the model card's 'Not modelled' table, by area."""
    part = markdown.split("### Not modelled", 1)
    if len(part) < 2:
        return {}
    items: dict[str, list[str]] = {}
    for line in part[1].splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] not in ("area", "") and not set(cells[0]) <= {"-"}:
            items.setdefault(cells[0], []).append(cells[1])
    return items


FALLBACK_LIMITATIONS = [
    "**Households share one connection and one income**: persons have their own Internet use, "
    "device, skills and job, but the home connection, income and poverty are the household's.",
    "**Scenario outcomes, not forecasts**: no growth, no inflation, no new technology after "
    "2019; regional profiles are stylised aggregates, many figures in them are assumptions.",
    "**Costs** are unit costs times quantities, without financing or fiscal constraints.",
]
"""Limitations stated when the model card is not available (e.g. an installed package)."""


def assumptions_html(res: Results) -> str:
    """Key limitations (from the model card) and the region profile's sources."""
    card = model_card_sections()
    limits = bullets(card.get("Known limitations", "")) or FALLBACK_LIMITATIONS
    out = [
        '<h3 id="limitations">Key limitations</h3>',
        "<p>From the model card (<code>docs/MODEL_CARD.md</code>), which also lists intended "
        "uses, calibration status and stylised-fact checks.</p>",
        '<ul class="limits">'
        + "".join(f"<li>{_inline_md(x.replace(' (above)', ''))}</li>" for x in limits)
        + "</ul>",
    ]
    missing = not_modelled(card.get("What is and is not modelled", ""))
    if missing:
        out.append(
            "<p><strong>Not modelled</strong> (what the results cannot speak to):</p><ul "
            'class="limits">'
            + "".join(
                f"<li><strong>{esc(area)}</strong>: {esc('; '.join(items))}.</li>"
                for area, items in missing.items()
            )
            + "</ul>"
        )
    ethics = card.get("Ethical considerations", "").strip()
    if ethics:
        out.append(f'<p class="ethics">{_inline_md(" ".join(ethics.split()))}</p>')
    if res.kind == "compare" and not res.worst_labels:
        out.append(
            "<p><strong>Worst-off group.</strong> The runs store the worst-off group's Internet "
            "use and its lag, not which intersection it is; a run prints it at the end "
            "(<code>inclusim run</code>).</p>"
        )
    region = res.region or {}
    sources = region_sources(region)
    if sources:
        assumed = sum("assum" in s.lower() for _, _, s in sources)
        rows = "".join(
            f"<tr><td><code>{esc(p)}</code></td><td>{esc(v)}</td><td>{esc(s)}"
            f"{' <span class="tag assumption">assumption</span>' if 'assum' in s.lower() else ''}"
            "</td></tr>"
            for p, v, s in sources
        )
        out.append(
            f'<h3 id="sources">Region profile: {esc(region.get("label", region.get("name", "")))}'
            "</h3>"
            f"<p>Initial conditions of every run come from <code>{esc(_rel(res.region_path))}"
            f"</code>. Each figure carries its source; {assumed} of {len(sources)} are marked "
            "as assumptions (set by judgement where no published table gives the value).</p>"
            '<table class="sources"><thead><tr><th>figure</th><th>value</th><th>source</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(out)


def _rel(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def draws_html(res: Results) -> tuple[str, str]:
    """What the bands cover: chance only, or also parameter uncertainty (``--parameter-draws``).

    Returns:
        A paragraph on the draws (empty without them) and the sentence on what bands cover.

    """
    draws = (res.manifest.get("definition") or {}).get("parameter_draws")
    if not isinstance(draws, dict):
        return "", (
            "These bands cover chance only. They do not cover uncertainty in the model's "
            "assumptions, behavioural parameters or region profile"
        )
    k = draws.get("draws", "?")
    file = Path(str(draws.get("file", ""))).name
    names = ", ".join(map(str, draws.get("parameters") or []))
    intro = (
        f"<p>Bands include parameter uncertainty: {esc(k)} accepted sets of the parameter "
        f"ensemble (<code>{esc(file)}</code>, a rejection-ABC fit to the 2019-2021 calibration "
        f"targets: {esc(names)}). Replication <em>k</em> uses set <em>k</em> mod {esc(k)} in "
        "every scenario, so pairs still share their parameters as well as their seed; a "
        "parameter a scenario sets itself keeps its value.</p>"
    )
    return intro, (
        "These bands cover chance and the behavioural parameters the ensemble draws. They do "
        "not cover the model's other assumptions or the region profile"
    )


def bands_html(res: Results) -> str:
    """How to read the numbers and bands."""
    n = res.replications
    intro, cover = draws_html(res)
    return f"""
<p>Every scenario runs with the same {n} random seed{"s" if n != 1 else ""} (replications). A
seed fixes every chance event of a run, so replication <em>k</em> of a scenario and replication
<em>k</em> of the baseline face the same population and the same luck, and differ only through
their policies (<em>paired seeds</em>, or common random numbers).</p>
{intro}
<dl class="bands">
<dt>mean</dt><dd>the average over the replications.</dd>
<dt>95% CI of the mean</dt><dd>where the mean would lie in 95 of 100 repetitions of the whole
experiment (mean &plusmn; t &times; sd / &radic;n). It narrows as replications are added. It is
the interval given in the sentences and tables.</dd>
<dt>5-95% of runs (shaded bands in the figures)</dt><dd>where 90% of single runs fall: the
spread from chance alone, which does not shrink with more replications.</dd>
<dt>minus baseline</dt><dd>computed run by run (replication <em>k</em> minus replication
<em>k</em> of the baseline) and then averaged, so the shared chance cancels and the interval of
a difference is much narrower than the intervals of the two levels. When it does not include
zero the difference is clear at the 95% level; when it does, more replications or households
are needed to tell.</dd>
</dl>
<p>{cover}: a sweep with a Morris or Sobol design
(<code>inclusim sweep</code>, <code>inclusim analyse</code>) shows how much those move the
results. Counts are in real people: each simulated household stands for many real ones, so a
count is the simulated share times the region's population.</p>
"""


def provenance_html(res: Results, written: Iterable[Path]) -> str:
    """Versions, seeds, replications, households, commit and command lines."""
    m = res.manifest
    d = m.get("definition") or {}
    status = m.get("run_status") or {}
    done = sum(v == "done" for v in status.values())
    failed = sum(v == "failed" for v in status.values())
    seeds = res.seeds()
    rows = [
        ("experiment", f"{m.get('name', '')} ({res.kind})"),
        ("folder", str(res.folder)),
        (
            "status",
            f"{m.get('status', '')}: {done} of {m.get('runs', '?')} runs done"
            + (f", {failed} failed" if failed else ""),
        ),
        ("created", m.get("created", "")),
        ("root seed", f"{res.root_seed}"),
        ("replications", f"{res.replications}"),
        (
            "seeds of the replications",
            ", ".join(map(str, seeds[:12]))
            + (f", ... ({len(seeds)} in all)" if len(seeds) > 12 else ""),
        ),
        ("households per run", f"{res.households:,}" if res.households else "the scenario's"),
        ("git commit", m.get("git_commit", "unknown")),
        ("run hash", m.get("run_hash", "")),
    ]
    draws = d.get("parameter_draws")
    if isinstance(draws, dict):
        rows.insert(
            5,
            (
                "parameter draws",
                f"{draws.get('draws')} sets of {draws.get('file')} "
                f"(sha256 {str(draws.get('ensemble_sha256', ''))[:12]}); {draws.get('rule', '')}",
            ),
        )
    if res.kind == "compare":
        rows.insert(4, ("quarter of the tables", res.quarter or ""))
    if res.kind == "sweep":
        design = d.get("design") or {}
        rows.insert(4, ("design", ", ".join(f"{k}: {v}" for k, v in design.items() if v)))
    versions = m.get("versions") or {}
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    vers = ", ".join(f"{k} {v}" for k, v in versions.items())
    inv = "".join(
        f"<li><code>{esc(shlex.join(i.get('command') or []))}</code><br>"
        f'<span class="muted">{esc(i.get("started", ""))} to {esc(i.get("ended", ""))}; '
        f"{esc(i.get('status', ''))}; {esc(i.get('executor', ''))}"
        + (f"; {i['wall_seconds']:.1f} s" if isinstance(i.get("wall_seconds"), int | float) else "")
        + "</span></li>"
        for i in m.get("invocations") or []
    )
    files = "".join(f"<li><code>{esc(p.relative_to(res.folder))}</code></li>" for p in written)
    return (
        f'<table class="prov"><tbody>{table}<tr><th>versions</th><td>{esc(vers)}</td></tr>'
        "</tbody></table>"
        f'<h3>Command lines</h3><ol class="commands">{inv}</ol>'
        f"<p>Report written {esc(now())} by inclusim {esc(_version())}: "
        f"<code>inclusim report {esc(res.folder)}</code>.</p>"
        f'<h3 id="files">Files beside this report</h3><p>Spreadsheet exports are UTF-8 '
        f"({esc(CSV_ENCODING)}, with a byte-order mark so Excel reads accents), comma-separated, "
        "with a decimal point and one header row; the raw runs are in <code>parts/</code>.</p>"
        f'<ul class="files">{files}</ul>'
    )


def _version() -> str:
    try:
        return metadata.version("inclusim")
    except metadata.PackageNotFoundError:
        return "(source tree)"


CSS = """
:root { --ink:#1f2328; --muted:#5b636b; --line:#d8dde3; --soft:#f4f6f8; --accent:#0072B2;
  --better:#0072B2; --worse:#B84300; --band:#0b3954; }
* { box-sizing: border-box; }
html { font-size: 16px; scroll-behavior: smooth; }
body { margin:0; color:var(--ink); background:#fff; line-height:1.55;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Liberation Sans", sans-serif; }
header.top { background: var(--band); color:#fff; padding: 30px 0 24px; }
header.top .inner, .layout { max-width: 1340px; margin: 0 auto; padding: 0 32px; }
header.top h1 { margin:0 0 8px; font-size: 1.9rem; line-height:1.2; letter-spacing:-0.01em;
  max-width: 60ch; }
header.top p { margin: 3px 0; color:#d6e4ee; max-width: none; }
header.top .kicker { text-transform:uppercase; letter-spacing:.08em; font-size:.76rem;
  color:#9cc3dd; margin-bottom: 10px; }
.layout { display: grid; grid-template-columns: 210px minmax(0, 1fr); gap: 36px;
  padding-top: 28px; }
nav.toc { position: sticky; top: 18px; align-self: start; max-height: calc(100vh - 36px);
  overflow: auto; font-size: .88rem; border-right: 1px solid var(--line); padding-right: 16px; }
nav.toc h2 { border:0; margin:0 0 8px; padding:0; font-size:.78rem; text-transform:uppercase;
  letter-spacing:.08em; color:var(--muted); }
nav.toc ol { margin:0; padding-left: 18px; }
nav.toc li { margin: 3px 0; }
nav.toc ol ol { padding-left: 14px; font-size: .92em; }
nav.toc ol ol li { margin: 2px 0; }
main { min-width: 0; padding-bottom: 64px; }
h2 { font-size:1.4rem; margin: 44px 0 12px; padding-top: 10px;
  border-top: 3px solid var(--ink); scroll-margin-top: 12px; }
section:first-child h2 { margin-top: 0; }
h3 { font-size:1.08rem; margin: 26px 0 8px; scroll-margin-top: 12px; }
p { margin: 8px 0 12px; max-width: 80ch; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono",
  monospace; font-size: .86em; background: var(--soft); padding: 1px 4px; border-radius: 3px; }
pre { background: var(--soft); padding: 12px 16px; border-radius: 4px; overflow-x: auto;
  font-size: .85rem; }
pre code { background: none; padding: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.findings { border-left: 5px solid var(--accent); background: #eef6fb; padding: 10px 22px;
  border-radius: 0 6px 6px 0; margin: 12px 0 20px; }
.findings ul { margin: 6px 0; padding-left: 18px; }
.findings li { margin: 9px 0; max-width: 96ch; }
.note { color: var(--muted); font-size: .9rem; }
.muted { color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 18px; font-size: .88rem;
  font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; vertical-align: bottom; }
th.num, td.num, td.unclear { text-align: right; }
td.num, td.unclear { white-space: nowrap; }
td.unclear { color: var(--muted); }
.ci { display:block; font-size: .76rem; color: var(--muted); font-weight: normal;
  white-space: nowrap; }
thead .ci { white-space: normal; }
.v { display:block; font-weight: 600; font-size: .95rem; }
.d { display:block; }
.unit { font-weight: normal; color: var(--muted); font-size: .85em; }
table.matrix, table.people { font-size: .8rem; }
table.matrix th, table.matrix td, table.people th, table.people td { padding: 5px 6px; }
table.matrix .ci, table.people .ci { font-size: .7rem; }
table.matrix th.ind { font-weight: 600; min-width: 150px; max-width: 220px; }
table.matrix tbody th.ind { font-weight: 500; }
table.matrix tbody tr:nth-child(even) { background: #fafbfc; }
tr.group th { background: var(--soft); font-weight: 600; padding-top: 9px; }
td.scen { min-width: 200px; }
.verdict { display:inline-block; margin-top: 3px; font-size: .72rem; padding: 0 7px;
  border-radius: 9px; white-space: nowrap; border: 1px solid currentColor; }
.verdict.better { color: var(--better); }
.verdict.worse { color: var(--worse); }
.verdict.unclear { color: var(--muted); border-style: dashed; }
figure { margin: 20px 0 34px; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; border: 1px solid var(--line);
  border-radius: 4px; background: #fff; }
figcaption { font-size: .9rem; color: #333; margin-top: 8px; max-width: 100ch; }
figcaption .files { color: var(--muted); font-size: .8rem; }
.scenario { border: 1px solid var(--line); border-radius: 6px; padding: 2px 18px 8px;
  margin: 12px 0; break-inside: avoid; }
.scenario .meta { color: var(--muted); font-size: .85rem; margin-top: 0; }
.tag { display:inline-block; font-size: .68rem; text-transform: uppercase; letter-spacing: .05em;
  background: var(--band); color: #fff; padding: 1px 7px; border-radius: 3px;
  vertical-align: middle; font-weight: 600; }
.tag.assumption { background: #fdf0e1; color: #8a4a00; }
table.sources { font-size: .8rem; }
table.sources td:first-child { white-space: nowrap; }
table.prov th { width: 210px; font-weight: 600; }
dl.bands dt { font-weight: 600; margin-top: 8px; }
dl.bands dd { margin: 2px 0 8px 0; max-width: 80ch; }
ul.limits li { margin: 6px 0; max-width: 96ch; }
ol.commands li { margin: 6px 0; }
ol.commands code { word-break: break-all; }
ul.files { columns: 2; font-size: .86rem; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
  margin-top: 48px; padding-top: 12px; }
@media (max-width: 1000px) {
  .layout { grid-template-columns: minmax(0, 1fr); gap: 0; padding: 20px 16px 0; }
  nav.toc { position: static; max-height: none; border: 1px solid var(--line);
    border-radius: 6px; padding: 12px 18px; margin-bottom: 20px; background: var(--soft); }
}
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  html { font-size: 10pt; }
  header.top { background: none; color: var(--ink); padding: 0 0 8px; margin: 0 0 10px;
    border-bottom: 3px solid var(--ink); }
  header.top .inner, .layout { max-width: none; padding: 0; }
  header.top p, header.top .kicker { color: var(--muted); }
  .layout { display: block; }
  nav.toc { position: static; max-height: none; overflow: visible; border: 0; padding: 0;
    margin: 0 0 12px; columns: 2; font-size: 9pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .scenario, .findings li, dl.bands dd, ul.limits li {
    break-inside: avoid; page-break-inside: avoid; }
  figure img { border: 0; max-height: 245mm; object-fit: contain; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  table.matrix, table.people { font-size: 7.2pt; }
  table.matrix .ci, table.people .ci { font-size: 6.4pt; }
  table.matrix th.ind { min-width: 0; }
  td.scen { min-width: 0; }
  table.sources { font-size: 7.5pt; }
  a { color: var(--ink); }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _page(
    title: str, subtitle: list[str], toc: list[tuple[str, str, list[tuple[str, str]]]], body: str
) -> str:
    items = []
    for anchor, label, children in toc:
        sub = ""
        if children:
            sub = (
                "<ol>"
                + "".join(f'<li><a href="#{esc(a)}">{esc(lab)}</a></li>' for a, lab in children)
                + "</ol>"
            )
        items.append(f'<li><a href="#{esc(anchor)}">{esc(label)}</a>{sub}</li>')
    subtitle_html = "".join(f"<p>{s}</p>" for s in subtitle)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="inclusim {esc(_version())}">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="top"><div class="inner">
<p class="kicker">inclusim &middot; a socially just digital transition after COVID-19</p>
<h1>{esc(title)}</h1>
{subtitle_html}
</div></header>
<div class="layout">
<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(items)}</ol></nav>
<main>
{body}
<footer>Generated by inclusim from the results in this folder. Every number comes from
simulations under the stated assumptions; read them with their bands and the model card.
</footer>
</main>
</div>
</body>
</html>
"""


# -- the report ---------------------------------------------------------------------------------


def _draw_and_save(res: Results) -> tuple[list[tuple[figs.Drawn, bytes]], list[Path]]:
    folder = res.folder / "figures"
    out, paths = [], []
    for drawn in figs.draw_figures(res):
        try:
            written = figs.save(drawn, folder)
        finally:
            style.close(drawn.figure)
        paths += written
        svg = next(p for p in written if p.suffix == ".svg").read_bytes()
        out.append((drawn, svg))
    return out, paths


def write_report(output_dir: str | Path) -> Path:
    """Write ``<output_dir>/report.html`` (and the figures and exports it refers to).

    Args:
        output_dir: a finished ``compare`` or ``sweep`` folder.

    Returns:
        The report's path.

    Raises:
        InputError: the folder is not a finished experiment.

    """
    res = load_results(output_dir)
    drawn, fig_paths = _draw_and_save(res)
    export_paths = write_exports(output_dir)
    if res.kind == "sweep":
        page = _sweep_page(res, drawn, [*fig_paths, *export_paths])
    else:
        page = _compare_page(res, drawn, [*fig_paths, *export_paths])
    path = res.folder / "report.html"
    write_atomic(path, page.encode("utf-8"))
    return path


def _figures_section(drawn: list[tuple[figs.Drawn, bytes]]) -> tuple[str, list[tuple[str, str]]]:
    html_parts, toc = [], []
    for k, (d, svg) in enumerate(drawn, start=1):
        html_parts.append(figure_html(d, svg, k))
        toc.append((f"fig-{d.name}", d.label))
    return "".join(html_parts), toc


def _compare_page(res: Results, drawn: list[tuple[figs.Drawn, bytes]], written: list[Path]) -> str:
    n_s = len(res.names)
    target = res.most_ambitious()
    subtitle = [
        f"{n_s} scenario{'s' if n_s != 1 else ''} &middot; {res.replications} paired "
        f"replications &middot; {res.households:,} simulated households per run"
        if res.households
        else f"{n_s} scenarios &middot; {res.replications} paired replications",
        f"{esc(res.quarters[0])} to {esc(res.quarters[-1])}; tables at {esc(res.quarter)}; "
        f"region profile: {esc((res.region or {}).get('label', 'unknown'))}",
    ]
    sentences = headline_sentences(res)
    findings = ""
    if sentences:
        findings = (
            f"<p>For the scenario with the most levers, {quoted(res, target)}, compared with "
            f"{quoted(res, res.baseline)}; intervals are 95% confidence intervals of paired "
            'differences (see <a href="#bands">how to read the bands</a>):</p>'
            '<div class="findings"><ul>'
            + "".join(f"<li>{s}</li>" for s in sentences)
            + "</ul></div>"
            f'<h3 id="people">Extra people online under each scenario, {esc(res.quarter)}</h3>'
            '<p class="note">Difference from the baseline in people (M = million, k = '
            "thousand), with its 95% confidence interval; grey: the interval includes zero. The "
            "last column counts children who <em>could not</em> follow remote learning, so a "
            "minus sign is an improvement. People of every age are counted; groups by sex, age "
            "and disability are groups of persons, location and income fifth those of their "
            "household.</p>" + people_table(res)
        )
    else:
        findings = "<p>Only one scenario: nothing to compare. The tables give its levels.</p>"
    fig_html, fig_toc = _figures_section(drawn)
    body = (
        '<section><h2 id="key-findings">1. Key findings</h2>' + findings + "</section>"
        f'<section><h2 id="gaps">2. Gaps in {esc(res.quarter)}</h2>'
        f"<p>Each indicator in {esc(res.quarters[0])} (pre-COVID) and in {esc(res.quarter)}, "
        "with the 95% confidence interval of the mean, and each scenario minus the baseline "
        "from paired runs. The last column says whether a gap is narrower or wider (or a level "
        "higher or lower) than under the baseline, when the interval is clear of zero.</p>"
        + gap_table(res)
        + "</section>"
        f'<section><h2 id="figures">3. Figures</h2>{fig_html}</section>'
        '<section><h2 id="scenarios">4. What each scenario does</h2>'
        + scenarios_html(res)
        + "</section>"
        '<section><h2 id="bands">5. How to read the numbers and bands</h2>'
        + bands_html(res)
        + "</section>"
        '<section><h2 id="assumptions">6. Assumptions and sources</h2>'
        + assumptions_html(res)
        + "</section>"
        '<section><h2 id="provenance">7. Provenance</h2>'
        + provenance_html(res, written)
        + "</section>"
    )
    toc = [
        ("key-findings", "Key findings", [("people", "Extra people online")] if sentences else []),
        ("gaps", f"Gaps in {res.quarter}", []),
        ("figures", "Figures", fig_toc),
        ("scenarios", "What each scenario does", []),
        ("bands", "How to read the numbers and bands", []),
        (
            "assumptions",
            "Assumptions and sources",
            [("limitations", "Key limitations"), ("sources", "Region profile sources")],
        ),
        ("provenance", "Provenance", [("files", "Files beside this report")]),
    ]
    return _page(res.title, subtitle, toc, body)


def _sweep_page(res: Results, drawn: list[tuple[figs.Drawn, bytes]], written: list[Path]) -> str:
    d = res.manifest.get("definition") or {}
    design = d.get("design") or {}
    from experiments.present.exports import _spec_field

    description = " ".join(str(_spec_field(res.manifest, "description") or "").split())
    points = 0 if res.experiments is None else int(res.experiments["point"].nunique())
    subtitle = [
        f"Sweep &middot; design {esc(design.get('kind', ''))} &middot; {points:,} design points "
        f"&middot; {res.replications} replication{'s' if res.replications != 1 else ''} each"
        + (f" &middot; {res.households:,} simulated households per run" if res.households else ""),
        f"region profile: {esc((res.region or {}).get('label', 'unknown'))}",
    ]
    inputs = d.get("inputs") or []
    rows = "".join(
        f"<tr><td><code>{esc(i.get('address', ''))}</code></td><td>{esc(i.get('kind', ''))}"
        f"</td><td>{esc(_input_range(i))}</td></tr>"
        for i in inputs
    )
    summary = (
        f"<p>{esc(description)}</p>"
        f"<h3>Inputs varied</h3><table><thead><tr><th>input</th><th>kind</th><th>values</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>" + _outcomes_table(res)
    )
    if res.sensitivity is None:
        sens = (
            "<p><strong>No sensitivity indices yet.</strong> Run <code>inclusim analyse "
            f"{esc(res.folder)}</code>, then <code>inclusim report {esc(res.folder)}</code> "
            "again.</p>"
        )
    else:
        sens = _ranking_table(res)
    fig_html, fig_toc = _figures_section(drawn)
    spec_text = (res.manifest.get("spec") or {}).get("text", "")
    body = (
        f'<section><h2 id="summary">1. What was varied and measured</h2>{summary}</section>'
        f'<section><h2 id="sensitivity">2. Which inputs matter</h2>{sens}</section>'
        f'<section><h2 id="figures">3. Figures</h2>{fig_html or "<p>No figure applies.</p>"}'
        "</section>"
        '<section><h2 id="spec">4. The sweep spec</h2>'
        f"<pre><code>{esc(spec_text)}</code></pre></section>"
        '<section><h2 id="assumptions">5. Assumptions and sources</h2>'
        + assumptions_html(res)
        + "</section>"
        '<section><h2 id="provenance">6. Provenance</h2>'
        + provenance_html(res, written)
        + "</section>"
    )
    toc = [
        ("summary", "What was varied and measured", []),
        ("sensitivity", "Which inputs matter", []),
        ("figures", "Figures", fig_toc),
        ("spec", "The sweep spec", []),
        (
            "assumptions",
            "Assumptions and sources",
            [("limitations", "Key limitations"), ("sources", "Region profile sources")],
        ),
        ("provenance", "Provenance", [("files", "Files beside this report")]),
    ]
    return _page(res.title, subtitle, toc, body)


def _input_range(i: dict[str, Any]) -> str:
    if i.get("values") is not None:
        return ", ".join(map(str, i["values"]))
    low, high = i.get("low"), i.get("high")
    return f"{low} to {high}" if low is not None else ""


def _outcomes_table(res: Results) -> str:
    if res.outcomes is None:
        return ""
    indicator = outcome_indicators(res)
    rows = []
    for col in res.outcomes.columns[1:]:
        v = res.outcomes[col].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        if not len(v):
            continue
        ind = indicator.get(col, col.split("@")[0])
        rows.append(
            f'<tr><td>{esc(indicator_label(ind))}<span class="ci"><code>{esc(col)}</code>'
            f'</span></td><td>{esc(unit_of(ind))}</td><td class="num">{len(v)}</td>'
            f'<td class="num">{number(float(v.mean()), 3)}</td>'
            f'<td class="num">{number(float(np.quantile(v, 0.05)), 3)} to '
            f"{number(float(np.quantile(v, 0.95)), 3)}</td></tr>"
        )
    return (
        "<h3>Outcomes over all runs</h3><table><thead><tr><th>outcome</th><th>unit</th>"
        '<th class="num">runs</th><th class="num">mean</th><th class="num">5-95% of runs</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _ranking_table(res: Results) -> str:
    from experiments.design.designs import MAIN_MEASURE

    s = res.sensitivity
    assert s is not None
    kind = str(((res.manifest.get("definition") or {}).get("design") or {}).get("kind", ""))
    measure = MAIN_MEASURE.get(kind, s.columns[2])
    if measure not in s.columns:
        measure = s.columns[2]
    parts = [
        f"<p>For each outcome, the five inputs with the largest <code>{esc(measure)}</code> "
        "(full table: <code>sensitivity.csv</code>).</p>"
    ]
    indicator = outcome_indicators(res)
    for outcome, sub in s.groupby("outcome", sort=False):
        sub = sub.sort_values(measure, ascending=False, key=lambda x: x.abs()).head(5)
        cols = [c for c in sub.columns if c not in ("outcome", "input")]
        header = "".join(f'<th class="num">{esc(c)}</th>' for c in cols)
        body = "".join(
            f"<tr><td><code>{esc(r['input'])}</code></td>"
            + "".join(f'<td class="num">{number(float(r[c]), 3)}</td>' for c in cols)
            + "</tr>"
            for _, r in sub.iterrows()
        )
        ind = indicator.get(str(outcome), str(outcome).split("@")[0])
        parts.append(
            f'<h3>{esc(indicator_label(ind))} <span class="muted">({esc(outcome)})</span></h3>'
            f"<table><thead><tr><th>input</th>{header}</tr></thead><tbody>{body}</tbody></table>"
        )
    return "".join(parts)
