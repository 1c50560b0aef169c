"""One self-contained HTML report of a finished comparison or sweep: ``<folder>/report.html``.

:func:`write_report` draws the figures (also written to ``figures/``), writes the exports
(``exports/``) and builds one HTML file with everything inside: headline sentences in numbers
of people, the table of gaps with bands, the figures as embedded SVG, what each scenario does,
assumptions and sources, and provenance. No external file, font or script: it opens offline,
and a print stylesheet keeps figures and table rows whole on paper.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from experiments.batch.store import write_atomic
from experiments.present import figures as figs
from experiments.present import style
from experiments.present.exports import (
    Results,
    indicator_label,
    load_results,
    outcome_indicators,
    unit_of,
    write_exports,
)
from experiments.present.report_costs import costs_section
from experiments.present.report_discovery import discovery_html
from experiments.present.report_left_behind import left_behind_html
from experiments.present.report_paths import paths_html
from experiments.present.report_sections import (
    _version,
    assumptions_html,
    bands_html,
    figure_html,
    provenance_html,
    scenarios_html,
)
from experiments.present.report_tables import (
    gap_table,
    harms_html,
    people_table,
    worst_off_html,
)
from experiments.present.wording import (
    esc,
    headline_sentences,
    number,
    quoted,
)

# -- numbers in words ---------------------------------------------------------------------------


# -- headline sentences ---------------------------------------------------------------------


# -- HTML pieces ------------------------------------------------------------------------------


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
.findings.worse { border-left-color: var(--worse); background: #fdf3ec; }
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
table.matrix caption { caption-side: top; text-align: left; font-weight: 600;
  color: var(--muted); padding: 4px 0; }
table.matrix th .tag { font-size: .6rem; }
td.scen { min-width: 200px; }
table.people td.scen { min-width: 140px; }
table.people .ci { white-space: normal; }
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
table.policies td.settings { width: 55%; }
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


def page(
    title: str, subtitle: list[str], toc: list[tuple[str, str, list[tuple[str, str]]]], body: str
) -> str:
    """The whole HTML page: header, table of contents (sections and their children), body."""
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


GROUP_GAP_HOUSEHOLDS = 5_000
"""Fewest simulated households per run for gaps between groups to be read with confidence."""


def small_sample_note(households: int | None) -> str:
    """A warning when runs are too small for the gaps between groups the report shows."""
    if not households or households >= GROUP_GAP_HOUSEHOLDS:
        return ""
    return (
        f'<p class="note"><strong>Small runs:</strong> {households:,} simulated households per '
        f"run. Gaps between groups (women, rural people, the poorest fifth, persons with "
        f"disabilities, intersections) need at least {GROUP_GAP_HOUSEHOLDS:,}: read them here "
        "as indicative, and rerun with <code>--households</code> "
        f"{GROUP_GAP_HOUSEHOLDS:,} or more before presenting them.</p>"
    )


SOBOL_MIN_BASE_SAMPLES = 512
"""Fewest Sobol base samples N for indices to be ranked with confidence: half the N = 1,024 of
SALib's own example (Ishigami function, README and docs 'Basics', SALib 1.6), whose 95%
intervals of S1 are still about +/-0.05 there; SALib's sampler also asks for N a power of 2
(``SALib.sample.sobol.sample``). Below it, the indices' intervals are wide enough to reorder
inputs."""
SOBOL_MAX_CONF = 0.1
"""Widest 95% half-width of an index (``S1_conf``, ``ST_conf``, on the 0-1 scale of the
indices) before the report says the ranking is uncertain, whatever N."""


def sobol_sample_note(design: dict[str, Any], table: Any) -> str:
    """A warning when a Sobol sweep has too few base samples for the indices it shows.

    Args:
        design: the sweep's design (``kind``, ``samples`` = base samples N).
        table: its sensitivity indices (``S1_conf`` and ``ST_conf`` columns), or None.

    """
    if design.get("kind") != "sobol":
        return ""
    n = int(design.get("samples") or 0)
    widest = 0.0
    if table is not None:
        confs = [c for c in ("S1_conf", "ST_conf") if c in table.columns]
        if confs:
            widest = float(np.nanmax(table[confs].to_numpy(dtype=float)))
    if n >= SOBOL_MIN_BASE_SAMPLES and not widest > SOBOL_MAX_CONF:
        return ""
    reasons = []
    if n < SOBOL_MIN_BASE_SAMPLES:
        reasons.append(
            f"{n:,} base samples (N); Sobol indices need at least {SOBOL_MIN_BASE_SAMPLES:,} "
            "to be ranked with confidence (half of the 1,024 of SALib's own example)"
        )
    if widest > SOBOL_MAX_CONF:
        reasons.append(
            f"the widest 95% interval of an index is \u00b1{widest:.2f}, more than "
            f"\u00b1{SOBOL_MAX_CONF:.1f} on the 0-1 scale of the indices"
        )
    return (
        '<p class="note"><strong>Few samples:</strong> '
        + "; ".join(reasons)
        + ". Read the ranking below as indicative: inputs whose intervals overlap may swap "
        "places. Rerun with a larger <code>samples</code> (a power of 2, e.g. 1024) before "
        "presenting it.</p>"
    )


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
    paths = paths_html(res)
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
            + harms_html(res, target)
            + worst_off_html(res)
            + left_behind_html(res)
            + f'<h3 id="people">Extra people online under each scenario, {esc(res.quarter)}</h3>'
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
        '<section><h2 id="key-findings">1. Key findings</h2>'
        + small_sample_note(res.households)
        + findings
        + "</section>"
        f'<section><h2 id="gaps">2. Gaps in {esc(res.quarter)}</h2>'
        f"<p>Each indicator in {esc(res.quarters[0])} (pre-COVID) and in {esc(res.quarter)}, "
        "with the 95% confidence interval of the mean, and each scenario minus the baseline "
        "from paired runs. A label under each difference says whether a gap is narrower or "
        "wider (or a level higher or lower) than under the baseline, when the interval is clear "
        "of zero.</p>" + gap_table(res) + "</section>"
        '<section><h2 id="costs">3. Costs and what they buy</h2>'
        + costs_section(res)
        + "</section>"
        f'<section><h2 id="figures">4. Figures</h2>{fig_html}</section>'
        '<section><h2 id="scenarios">5. What each scenario does</h2>'
        + scenarios_html(res)
        + "</section>"
        '<section><h2 id="bands">6. How to read the numbers and bands</h2>'
        + bands_html(res)
        + "</section>"
        '<section><h2 id="assumptions">7. Assumptions and sources</h2>'
        + assumptions_html(res, paths=paths)
        + "</section>"
        '<section><h2 id="provenance">8. Provenance</h2>'
        + provenance_html(res, written)
        + "</section>"
    )
    toc = [
        (
            "key-findings",
            "Key findings",
            [
                ("worse", "What gets worse"),
                *([("worst-off", "The worst-off group")] if res.worst_labels else []),
                ("left-behind", "Who is left behind"),
                ("people", "Extra people online"),
            ]
            if sentences
            else [],
        ),
        ("gaps", f"Gaps in {res.quarter}", []),
        ("costs", "Costs and what they buy", []),
        ("figures", "Figures", fig_toc),
        ("scenarios", "What each scenario does", []),
        ("bands", "How to read the numbers and bands", []),
        (
            "assumptions",
            "Assumptions and sources",
            [
                ("limitations", "Key limitations"),
                *([("paths", "Published paths")] if paths else []),
                ("sources", "Region profile sources"),
            ],
        ),
        ("provenance", "Provenance", [("files", "Files beside this report")]),
    ]
    return page(res.title, subtitle, toc, body)


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
        sens = sobol_sample_note(design, res.sensitivity) + _ranking_table(res)
    fig_html, fig_toc = _figures_section(drawn)
    spec_text = (res.manifest.get("spec") or {}).get("text", "")
    body = (
        f'<section><h2 id="summary">1. What was varied and measured</h2>{summary}</section>'
        f'<section><h2 id="sensitivity">2. Which inputs matter</h2>{sens}</section>'
        f'<section><h2 id="figures">3. Figures</h2>{fig_html or "<p>No figure applies.</p>"}'
        "</section>"
        '<section><h2 id="discovery">4. Where outcomes fail</h2>'
        + discovery_html(res.folder)
        + "</section>"
        '<section><h2 id="spec">5. The sweep spec</h2>'
        f"<pre><code>{esc(spec_text)}</code></pre></section>"
        '<section><h2 id="assumptions">6. Assumptions and sources</h2>'
        + assumptions_html(res)
        + "</section>"
        '<section><h2 id="provenance">7. Provenance</h2>'
        + provenance_html(res, written)
        + "</section>"
    )
    toc = [
        ("summary", "What was varied and measured", []),
        ("sensitivity", "Which inputs matter", []),
        ("figures", "Figures", fig_toc),
        ("discovery", "Where outcomes fail", []),
        ("spec", "The sweep spec", []),
        (
            "assumptions",
            "Assumptions and sources",
            [("limitations", "Key limitations"), ("sources", "Region profile sources")],
        ),
        ("provenance", "Provenance", [("files", "Files beside this report")]),
    ]
    return page(res.title, subtitle, toc, body)


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
