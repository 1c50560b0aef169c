"""The report's check of the comparison's baseline against its region's published paths.

A commission presenting a region's scenarios should see, beside them, which published paths
the region's status quo reproduces and which it misses (`inclusim calibrate --check --region
NAME` runs the same check with its own seeds). It is read from the baseline's stored runs, so
it speaks of exactly the runs the report shows, and only when that baseline is the region's
status quo: no policy, no parameter of its own, no parameter draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from experiments.analysis.calibration import CALIBRATION_HOUSEHOLDS, CALIBRATION_SEEDS
from experiments.present.exports import Results
from experiments.present.wording import esc
from model.errors import InputError
from model.indicator_registry import label
from model.paths import FIT_LAST_YEAR


@dataclass(frozen=True)
class PathCheck:
    """The check's outcome for one comparison.

    Attributes:
        rows: one row per published path (:func:`experiments.analysis.calibration.target_rows`),
            or None when the check could not be made.
        why_not: why it could not be made (empty when it was).

    """

    rows: pd.DataFrame | None
    why_not: str = ""


def baseline_paths(res: Results) -> PathCheck | None:
    """The comparison's baseline beside its region's published paths.

    Returns:
        None when the region has no published path (or the results are not a comparison of a
        known region); otherwise the rows, or why they could not be computed.

    """
    if res.kind != "compare" or not res.names or res.region_path is None:
        return None
    from experiments.analysis.calibration import region_path_targets, target_rows
    from model.loader import load_region

    try:
        region = load_region(res.region_path)
        targets = region_path_targets(region, res.region_path)
    except InputError:
        return None
    if not targets:
        return None
    base = res.scenario_data.get(res.baseline, {})
    draws = (res.manifest.get("definition") or {}).get("parameter_draws")
    if base.get("policies") or base.get("parameters") or draws:
        return PathCheck(
            None,
            "the comparison's baseline has policies, parameters or parameter draws of its own, "
            "so it is not the region's status quo",
        )
    from experiments.batch.store import Store

    store = Store(res.folder)
    done = store.done_ids()
    frames = [store.read_part(r) for r in range(res.replications) if r in done]
    if not frames:
        return PathCheck(None, "no run of the baseline has finished")
    last = str(max(t.last_quarter for t in targets))
    if any(last not in f.index for f in frames):
        return PathCheck(None, f"the baseline's runs end before {last}, the last quarter read")
    read = {t.indicator for t in targets} | {t.versus for t in targets if t.versus}
    missing = sorted(read - set.intersection(*(set(f.columns) for f in frames)))
    if missing:
        return PathCheck(None, f"the baseline's runs do not report {', '.join(missing)}")
    return PathCheck(target_rows(targets, {t.scenario: frames for t in targets}))


def paths_html(res: Results) -> str:
    """The report's subsection on the published paths (empty when there are none)."""
    check = baseline_paths(res)
    if check is None:
        return ""
    command = f"<code>inclusim calibrate --check --region {esc(_region_name(res))}</code>"
    head = '<h3 id="paths">The baseline beside its published paths</h3>'
    if check.rows is None:
        return f"{head}<p>Not checked here: {esc(check.why_not)}. Run {command}.</p>"
    rows = check.rows
    passed = int(rows["pass"].sum())
    misses = rows[~rows["pass"]]
    out = [
        head,
        f"<p><strong>{passed} of {len(rows)}</strong> published paths of the region pass in "
        f"this comparison's baseline ({res.replications} seeds x {_households(res)}). "
        f"In-sample paths (read up to {FIT_LAST_YEAR}) may have set the region's figures; "
        f"out-of-sample ones ({FIT_LAST_YEAR + 1} on) are only checked.",
    ]
    if len(misses):
        out.append(
            f" <strong>{len(misses)} {'misses' if len(misses) == 1 else 'miss'}</strong>: "
            "results for the groups and years they speak of inherit the miss; read them with "
            "care."
        )
    if res.replications * _household_count(res) < CALIBRATION_SEEDS * CALIBRATION_HOUSEHOLDS:
        out.append(
            f" The tolerances allow for the chance of {CALIBRATION_SEEDS} seeds x "
            f"{CALIBRATION_HOUSEHOLDS:,} households; with fewer, a result near the edge of its "
            f"tolerance may pass or miss by chance: {command} is the check."
        )
    out.append("</p>")
    out.append(_table(rows))
    return "".join(out)


def _table(rows: pd.DataFrame) -> str:
    body = "".join(
        f"<tr><td>{esc(r['role'])}</td><td>{esc(_words(r['indicator']))}</td>"
        f"<td>{esc(r['period'])}</td><td>{esc(r['target'])}</td><td>{_value(r['simulated'])}</td>"
        f"<td>{'pass' if r['pass'] else '<strong>misses</strong>'}</td></tr>"
        for r in rows.sort_values("role", kind="stable").to_dict("records")
    )
    return (
        '<table class="paths"><thead><tr><th>role</th><th>indicator</th><th>period</th>'
        "<th>published</th><th>baseline</th><th>result</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _words(read: str) -> str:
    """A path's indicator in words; ``a - b`` (a group against another) as ``A minus B``."""
    return " minus ".join(label(part) for part in read.split(" - "))


def _value(x: float) -> str:
    """A share or ratio to three decimals; a count of people whole, with separators."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3f}"


def _household_count(res: Results) -> int:
    """Households per run: the command's, else the baseline scenario's own."""
    own = res.scenario_data.get(res.baseline, {}).get("households")
    return int(res.households or own or CALIBRATION_HOUSEHOLDS)


def _households(res: Results) -> str:
    return f"{_household_count(res):,} households"


def _region_name(res: Results) -> str:
    region = res.region or {}
    return str(region.get("name") or (res.region_path.stem if res.region_path else ""))
