"""Sections of the report: the scenarios as run, assumptions and limitations, bands, provenance."""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from experiments.batch.provenance import now
from experiments.present import figures as figs
from experiments.present.exports import (
    CSV_ENCODING,
    Results,
    region_sources,
)
from experiments.present.wording import (
    esc,
)
from model.loader import ROOT
from model.policies.base import PolicyConfig
from model.policies.registry import POLICY_TYPES
from model.policy_sizes import BASES

REPO = ROOT


MODEL_CARD = REPO / "docs" / "MODEL_CARD.md"
"""The model card whose limitations the report quotes (when the source tree is present)."""


def figure_html(drawn: figs.Drawn, svg: bytes, number_: int) -> str:
    """One numbered figure of the report: the SVG embedded as a data URI, with its caption."""
    return svg_figure(drawn.name, drawn.title, drawn.caption, svg, number_)


def svg_figure(name: str, title: str, caption: str, svg: bytes, number_: int | None = None) -> str:
    """A figure saved as ``figures/<name>.svg`` (and ``.png``), embedded, with its caption."""
    data = base64.b64encode(svg).decode("ascii")
    heading = f"Figure {number_}. {title}" if number_ is not None else title
    return (
        f'<figure id="fig-{esc(name)}">'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(f"{title}. {caption}")}" '
        f'data-figure="{esc(name)}">'
        f"<figcaption><strong>{esc(heading)}.</strong> "
        f'{esc(caption)} <span class="files">Files: figures/{esc(name)}.png, '
        f"figures/{esc(name)}.svg</span></figcaption></figure>"
    )


def scenarios_html(res: Results) -> str:
    """What each scenario does: label, description and its policies."""
    parts = []
    for k, name in enumerate(res.names):
        data = res.scenario_data.get(name, {})
        tag = '<span class="tag">baseline</span>' if k == 0 and res.kind == "compare" else ""
        pol = data.get("policies") or []
        if pol:
            rows = "".join(
                f"<tr><td>{esc(p.get('type', ''))}</td><td><code>{esc(p.get('name', ''))}</code>"
                f"</td><td>{esc(p.get('start', ''))} to {esc(p.get('end', ''))}</td>"
                f'<td class="num">{esc(p.get("intensity", ""))}</td>'
                f'<td class="settings">{_settings_lines(p)}</td></tr>'
                for p in pol
            )
            policies = (
                '<table class="policies"><thead><tr><th>lever</th><th>policy</th><th>window'
                f' <span class="unit">(first and last {esc(setting_unit("", "start"))})</span></th>'
                f'<th class="num">intensity <span class="unit">'
                f"({esc(setting_unit('', 'intensity'))})</span></th>"
                '<th>settings <span class="unit">(unit)</span></th></tr></thead>'
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
    return _settings_html(res) + "".join(parts)


def _settings_html(res: Results) -> str:
    """The ``--set`` settings the comparison applied (they are in the scenarios shown)."""
    settings = res.manifest.get("definition", {}).get("settings") or {}
    if not settings:
        return ""
    items = ", ".join(f"<code>{esc(k)}={esc(v)}</code>" for k, v in settings.items())
    return (
        f'<p class="meta">Set for this comparison, beyond the files (<code>--set</code>): '
        f"{items}. The scenarios below are shown as run, with these settings.</p>"
    )


def setting_unit(policy_type: str, key: str) -> str:
    """The unit of a policy setting, from its config field (``json_schema_extra["unit"]``).

    The policy schemas in :mod:`model.policies` are the one place units are written; empty
    for a type or field the schemas do not know.
    """
    policy = POLICY_TYPES.get(policy_type)
    field = (policy.Config if policy else PolicyConfig).model_fields.get(key)
    extra = field.json_schema_extra if field is not None else None
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def _setting_value(key: str, v: Any) -> str:
    """A setting's value as shown: lists and mappings in words, a share of the region named."""
    if isinstance(v, dict) and "share" in v and v.get("of") in BASES:
        per = f" a {v['per']}" if v.get("per") else ""
        return f"{float(v['share']):.0%} of {BASES[v['of']].words}{per}"
    if isinstance(v, dict):
        return ", ".join(f"{a} {_setting_value(a, b)}" for a, b in v.items())
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float) and not isinstance(v, bool) and abs(v) >= 1000:
        return f"{v:,}"
    return str(v)


def policy_settings(p: dict[str, Any]) -> list[str]:
    """A policy's settings beyond type, name, window and intensity, each with its unit."""
    skip = {"type", "name", "start", "end", "intensity"}
    items = []
    for k, v in p.items():
        if k in skip:
            continue
        unit = setting_unit(str(p.get("type", "")), k)
        shown = f"{k.replace('_', ' ')}: {_setting_value(k, v)}"
        items.append(f"{shown} ({unit})" if unit else shown)
    return items


def _settings_lines(p: dict[str, Any]) -> str:
    """:func:`policy_settings` as HTML, one setting a line."""
    return "<br>".join(esc(x) for x in policy_settings(p))


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


def assumptions_html(res: Results, paths: str = "") -> str:
    """Key limitations (from the model card), ``paths`` and the region profile's sources.

    Args:
        res: the results.
        paths: the subsection on the baseline beside its published paths
            (:func:`experiments.present.report_paths.paths_html`), if any.

    """
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
    out.append(paths)
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
        + report_stamp(res.folder)
        + f'<h3 id="files">Files beside this report</h3><p>Spreadsheet exports are UTF-8 '
        f"({esc(CSV_ENCODING)}, with a byte-order mark so Excel reads accents), comma-separated, "
        "with a decimal point and one header row; the raw runs are in <code>parts/</code>.</p>"
        f'<ul class="files">{files}</ul>'
    )


def report_stamp(folder: Path) -> str:
    """When and by which version the report was written, and the command that writes it."""
    return (
        f"<p>Report written {esc(now())} by inclusim {esc(_version())}: "
        f"<code>inclusim report {esc(folder)}</code>.</p>"
    )


def _version() -> str:
    try:
        return metadata.version("inclusim")
    except metadata.PackageNotFoundError:
        return "(source tree)"
