"""Reading a finished experiment folder for presentation, and spreadsheet-ready exports.

:func:`load_results` reads what ``compare`` or ``sweep`` (and ``analyse``) wrote;
:func:`write_exports` writes tidy and wide CSV files to ``<folder>/exports/``. Indicator
names, labels and units come from :mod:`model.indicator_registry` (re-exported here under the
names the figures and the report use), group words from :mod:`model.groups`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.stats import STATS
from experiments.batch.store import RERUN, experiment_manifest, read_frame
from experiments.present.cost_exports import cost_export, ledger_export
from experiments.present.run_labels import worst_labels, worst_people
from model import indicator_registry
from model.errors import InputError, single
from model.rules import schooling
from model.yamlio import parse_yaml

FOLDER_FIX = (
    "give a folder that 'inclusim run', 'inclusim compare' or 'inclusim sweep' wrote, e.g. "
    "outputs/lac_baseline or outputs/compare_lac_baseline-lac_four_is."
)
"""What to do when ``report`` is given a folder that is no experiment's."""

COLUMNS = ("scenario", "quarter", "indicator", *STATS)
TABLE_COLUMNS = {
    "summary": COLUMNS,
    "differences": COLUMNS,
    "table": ("scenario", "indicator", *STATS),
    "cost": ("scenario",),
    "ledger": ("scenario", "policy", "item", "year"),
}
"""Tables of a comparison and the columns ``report`` needs in each."""

CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark. Excel opens a double-clicked CSV in the machine's legacy code
page unless the file starts with a BOM, which would garble any non-ASCII character (scenario
labels, names of places); with the BOM it reads UTF-8. LibreOffice and pandas recognise the BOM
and drop it, so nothing else is lost. Separator ',' and decimal point '.': in a locale with a
decimal comma, open the file with Data > From Text/CSV (Excel) or the import dialog
(LibreOffice) and choose comma-separated."""

FLOAT_FORMAT = "%.10g"
"""Numbers in the CSV files: up to 10 significant digits, no thousands separators."""

indicator_label = indicator_registry.label
"""A plain-language name of an indicator, from :mod:`model.indicator_registry`."""

unit_of = indicator_registry.unit
"""The unit of an indicator's values, from :mod:`model.indicator_registry`."""

is_share = indicator_registry.is_share
"""The indicator is a fraction (0-1) or a difference of fractions (registry)."""


def shown_factor(indicator: str) -> float:
    """Factor from stored to shown values: shares become % and their differences points."""
    return 100.0 if is_share(indicator) else 1.0


def shown_unit(indicator: str) -> str:
    """The registry's unit as figures and tables show it (shares in %, differences in points).

    ``share of people (0-1)`` becomes ``% of people``; ``difference of shares, urban minus
    rural`` becomes ``percentage points, urban minus rural``; a closing remark in parentheses
    follows a comma (``ratio, Q5 / Q1, 1 = parity``), so the unit reads well in parentheses.
    """
    unit = unit_of(indicator).removesuffix(" (0-1)")
    if unit.endswith(")") and " (" in unit:
        unit = ", ".join(unit[:-1].rsplit(" (", 1))
    if not is_share(indicator):
        return unit
    if unit.startswith("share of "):
        return "% of " + unit.removeprefix("share of ")
    return unit.replace("difference of shares", "percentage points", 1)


# -- reading a folder ------------------------------------------------------------------------


@dataclass
class Results:
    """What a finished experiment folder holds, ready for figures, report and exports.

    Attributes:
        folder: the experiment folder.
        manifest: its manifest.json.
        kind: ``compare`` or ``sweep``.
        names: scenario names, baseline first (compare); empty for a sweep.
        labels: scenario name -> label (falls back to the name).
        descriptions: scenario name -> description.
        scenario_data: scenario name -> the scenario mapping as run.
        scenario_paths: scenario name -> file given on the command line.
        summary, differences, table, cost, ledger: the compare tables (None for a sweep; a
            folder written before the ledger existed has no ledger).
        quarter: the quarter of ``table`` and ``cost`` (compare).
        replications: seeds per scenario or design point.
        households: simulated households per run (None: the scenario's default).
        root_seed: root seed of the run seeds.
        region: region profile mapping (parsed YAML), or None when not found.
        region_path: its file.
        experiments, outcomes, sensitivity: the sweep tables (None for a compare, or before
            ``inclusim analyse`` for ``sensitivity``).
        worst_labels: scenario name -> label of the worst-off group at the end of the runs,
            when the folder stores it (in each run's part, or ``labels.parquet``: run_id,
            name, value).
        worst_people: scenario name -> real people in that group (mean over the runs that
            name it), when the runs recorded it.

    """

    folder: Path
    manifest: dict[str, Any]
    kind: str
    names: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    scenario_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    scenario_paths: dict[str, str] = field(default_factory=dict)
    summary: pd.DataFrame | None = None
    differences: pd.DataFrame | None = None
    table: pd.DataFrame | None = None
    cost: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    quarter: str | None = None
    replications: int = 0
    households: int | None = None
    root_seed: int = 0
    region: dict[str, Any] | None = None
    region_path: Path | None = None
    experiments: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    worst_labels: dict[str, str] = field(default_factory=dict)
    worst_people: dict[str, float] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        """Name of the baseline scenario (the first given to ``compare``)."""
        return self.names[0]

    @property
    def title(self) -> str:
        """A title for the experiment: the spec's label, or the region and 'scenarios'."""
        if self.kind == "sweep":
            return str(_spec_field(self.manifest, "label") or self.manifest.get("name", "sweep"))
        region = (self.region or {}).get("label") or "Scenario comparison"
        return f"{region}: policy scenarios compared with \u2018{self.label(self.baseline)}\u2019"

    def label(self, name: str) -> str:
        """A scenario's label."""
        return self.labels.get(name) or name

    def short_label(self, name: str) -> str:
        """A scenario's label without a prefix every label shares (e.g. 'LAC: ')."""
        label = self.label(name)
        prefixes = {self.label(n).split(": ", 1)[0] for n in self.names if ": " in self.label(n)}
        if len(prefixes) == 1 and all(": " in self.label(n) for n in self.names):
            return label.split(": ", 1)[1]
        return label

    @property
    def schools_closed(self) -> tuple[str, str]:
        """First and last quarter schools were closed in the region (profile, else default)."""
        figure = ((self.region or {}).get("schooling") or {}).get("quarters_closed")
        value = figure.get("value") if isinstance(figure, dict) else figure
        try:
            window = schooling.closure(int(value))
        except (TypeError, ValueError):
            window = schooling.SCHOOLS_CLOSED
        return str(window[0]), str(window[1])

    @property
    def quarters(self) -> list[str]:
        """Quarters of the summary, in order."""
        if self.summary is None:
            return []
        return list(dict.fromkeys(self.summary["quarter"]))

    @property
    def indicators(self) -> set[str]:
        """Indicators present in the summary."""
        return set() if self.summary is None else set(self.summary["indicator"].unique())

    def series(self, frame: str, scenario: str, indicator: str) -> pd.DataFrame:
        """One indicator of one scenario over time (index: quarter; columns: the statistics).

        Args:
            frame: ``summary`` or ``differences``.
            scenario: scenario name.
            indicator: indicator name.

        """
        data = getattr(self, frame)
        sub = data[(data["scenario"] == scenario) & (data["indicator"] == indicator)]
        return sub.set_index("quarter")[list(STATS)]

    def at(self, scenario: str, indicator: str) -> pd.Series | None:
        """The table row (levels and ``*_diff`` columns) at :attr:`quarter`, or None."""
        if self.table is None:
            return None
        sub = self.table[
            (self.table["scenario"] == scenario) & (self.table["indicator"] == indicator)
        ]
        return None if sub.empty else sub.iloc[0]

    def most_ambitious(self) -> str:
        """The scenario with the most policies (ties: the most spending); the baseline if alone."""
        if len(self.names) < 2:
            return self.baseline
        spend = {}
        if self.cost is not None:
            spend = dict(zip(self.cost["scenario"], self.cost["spend_mean"], strict=True))

        def key(name: str) -> tuple[int, float]:
            n = len(self.scenario_data.get(name, {}).get("policies") or [])
            s = float(spend.get(name, 0.0))
            return n, s if np.isfinite(s) else 0.0

        return max(self.names[1:], key=key)

    def seeds(self) -> list[int]:
        """The seed of each replication (replication k uses the k-th)."""
        if self.experiments is None or "seed" not in self.experiments:
            return []
        frame = self.experiments.drop_duplicates("replication").sort_values("replication")
        return [int(s) for s in frame["seed"]]

    def source_line(self) -> str:
        """The source line printed under every figure."""
        reps = f"{self.replications} replication{'s' if self.replications != 1 else ''}"
        runs = f"{self.replications} paired {reps.split(' ', 1)[1]}"
        if self.kind == "sweep":
            points = 0 if self.experiments is None else self.experiments["point"].nunique()
            runs = f"{points:,} design points x {reps} (paired seeds)"
        hh = f" x {self.households:,} households" if self.households else ""
        orgs = ", ".join(self.source_organisations()[:4]) or "see report"
        region = (self.region or {}).get("name", "")
        region_text = f"region profile{f' {region!r}' if region else ''}: {orgs} (see report)"
        return (
            f"Source: inclusim simulation, {runs}{hh} (root seed {self.root_seed}); {region_text}"
        )

    def source_organisations(self) -> list[str]:
        """Publishers cited by the region profile, most cited first."""
        counts: dict[str, int] = {}
        for _, _, source in region_sources(self.region or {}):
            for org, pattern in ORGANISATIONS.items():
                if re.search(pattern, source):
                    counts[org] = counts.get(org, 0) + 1
        return sorted(counts, key=lambda o: -counts[o])


ORGANISATIONS = {
    "ECLAC": r"\bECLAC\b|\bCEPAL\b",
    "ITU": r"\bITU\b",
    "ILO": r"\bILO\b",
    "UN DESA": r"UN DESA",
    "WHO/World Bank": r"\bWHO\b",
    "World Bank": r"World Bank WDI|World Bank(?! World Report)",
    "GSMA": r"\bGSMA\b",
    "A4AI": r"\bA4AI\b",
    "UNESCO": r"\bUNESCO\b",
    "UNICEF": r"\bUNICEF\b",
}
"""Publishers recognised in the sources of a region profile (for the figures' source line)."""


def _spec_field(manifest: dict[str, Any], key: str) -> Any:
    spec = manifest.get("spec")
    text = spec.get("text") if isinstance(spec, dict) else None
    return yaml_mapping(text).get(key)


def yaml_mapping(text: Any) -> dict[str, Any]:
    """A YAML mapping kept in a manifest, read with the project's bounded safe reader.

    Anything that is not valid YAML text of a mapping gives an empty mapping: the manifest
    may have been edited, and only descriptions are read from it.
    """
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        return parse_yaml(text, "manifest.json")[0]
    except InputError:
        return {}


def region_sources(region: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every sourced figure of a region profile: (key path, value as text, source)."""
    out: list[tuple[str, str, str]] = []

    def value_text(d: dict[str, Any]) -> str:
        rest = {k: v for k, v in d.items() if k != "source"}
        if set(rest) == {"value"}:
            return _plain(rest["value"])
        return ", ".join(f"{k}: {_plain(v)}" for k, v in rest.items())

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if "source" in node:
                out.append((path, value_text(node), " ".join(str(node["source"]).split())))
                return
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            for k, v in enumerate(node):
                walk(v, f"{path}[{k}]")

    walk(region, "")
    return out


def _plain(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, list):
        return "[" + ", ".join(_plain(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_plain(x)}" for k, x in v.items()) + "}"
    return str(v)


def load_results(folder: str | Path) -> Results:
    """Read a finished ``compare`` or ``sweep`` folder.

    Raises:
        InputError: the folder has no manifest.json, or a compare folder has no summary yet.

    """
    folder = Path(folder)
    manifest = experiment_manifest(folder, FOLDER_FIX)
    try:
        return _load_results(folder, manifest)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise single(
            str(folder / "manifest.json"),
            f"is not a manifest inclusim writes ({type(exc).__name__}: {exc}).",
            f"{RERUN}.",
        ) from None


def _load_results(folder: Path, manifest: dict[str, Any]) -> Results:
    """:func:`load_results` once the manifest is known to be an experiment's."""
    kind = str(manifest["kind"])
    d = manifest.get("definition") or {}
    res = Results(folder=folder, manifest=manifest, kind=kind)
    res.replications = int(d.get("replications") or 0)
    res.households = d.get("households")
    res.root_seed = int(manifest.get("root_seed", d.get("seed", 0)) or 0)
    res.experiments = _read(folder, "experiments", ("run_id",))
    if kind == "sweep":
        base = d.get("base") or {}
        res.outcomes = _read(folder, "outcomes", ("run_id",))
        res.sensitivity = _read(folder, "sensitivity", ("outcome", "input"))
        res.region, res.region_path = _region(base.get("region"), manifest)
        return res
    scenarios = d.get("scenarios") or []
    texts = manifest.get("scenario_texts") or {}
    for s in scenarios:
        name = str(s["name"])
        data = dict(s.get("data") or {})
        text = texts.get(s.get("path", ""))
        if text and not data:
            data = yaml_mapping(text)
        res.names.append(name)
        res.scenario_data[name] = data
        res.scenario_paths[name] = str(s.get("path", ""))
        res.labels[name] = str(data.get("label") or name)
        res.descriptions[name] = " ".join(str(data.get("description") or "").split())
    for name, columns in TABLE_COLUMNS.items():
        setattr(res, name, _read(folder, name, columns))
    if res.summary is None:
        raise single(
            str(folder),
            "has no summary table yet.",
            "finish the comparison first (run the same 'inclusim compare' command again).",
        )
    if not res.names:
        res.names = list(dict.fromkeys(res.summary["scenario"]))
    res.quarter = _table_quarter(res, manifest)
    first = res.scenario_data.get(res.baseline, {})
    res.region, res.region_path = _region(first.get("region"), manifest)
    res.worst_labels = worst_labels(folder, res)
    res.worst_people = worst_people(folder, res)
    return res


def _read(folder: Path, name: str, columns: tuple[str, ...] = ()) -> pd.DataFrame | None:
    return read_frame(folder, name, columns)


def _table_quarter(res: Results, manifest: dict[str, Any]) -> str | None:
    """The quarter the table is at: recorded in the manifest, else found by matching values."""
    quarters = res.quarters
    recorded = manifest.get("quarter") or (manifest.get("definition") or {}).get("quarter")
    if recorded and str(recorded) in quarters:
        return str(recorded)
    if res.table is None or res.summary is None or not quarters:
        return quarters[-1] if quarters else None
    base = res.summary[res.summary["scenario"] == res.baseline]
    tab = res.table[res.table["scenario"] == res.baseline].set_index("indicator")["mean"]
    wide = base.pivot(index="quarter", columns="indicator", values="mean")
    common = [c for c in tab.index if c in wide.columns]
    if not common:
        return quarters[-1]
    a = wide[common].to_numpy(dtype=float)
    b = tab[common].to_numpy(dtype=float)
    same = np.isclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True).all(axis=1)
    hits = [q for q, ok in zip(wide.index, same, strict=True) if ok]
    return max(hits, key=quarters.index) if hits else quarters[-1]


def _region(ref: Any, manifest: dict[str, Any]) -> tuple[dict[str, Any] | None, Path | None]:
    spec = manifest.get("spec") or {}
    return region_profile(ref, Path(spec["path"]).parent if spec.get("path") else None)


def region_profile(ref: Any, base: Path | None) -> tuple[dict[str, Any] | None, Path | None]:
    """The region profile a scenario names, parsed, and its file; (None, None) if not found.

    Args:
        ref: the scenario's ``region`` (a shipped name or a path).
        base: the folder a relative path is read from (None: the working folder).

    """
    if not ref:
        return None, None
    try:
        from model.loader import region_data, resolve_region

        path = resolve_region(str(ref), base)
        data = region_data(path)  # bounded and safe: the path comes from a manifest
    except Exception:  # a missing or unreadable profile only costs the sources section
        return None, None
    return (data if isinstance(data, dict) else None), path


# -- exports -----------------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, encoding=CSV_ENCODING, float_format=FLOAT_FORMAT)
    tmp.replace(path)
    return path


def _described(frame: pd.DataFrame, res: Results) -> pd.DataFrame:
    """Add scenario label, indicator name and unit next to the keys."""
    out = frame.copy()
    pos = out.columns.get_loc("scenario") + 1
    out.insert(pos, "scenario_label", out["scenario"].map(res.label))
    names = {i: indicator_label(i) for i in out["indicator"].unique()}
    units = {i: unit_of(i) for i in out["indicator"].unique()}
    pos = out.columns.get_loc("indicator") + 1
    out.insert(pos, "indicator_label", out["indicator"].map(names))
    out.insert(pos + 1, "unit", out["indicator"].map(units))
    return out


def _wide(frame: pd.DataFrame, res: Results, statistic: str = "mean") -> pd.DataFrame:
    """One row per scenario and indicator, one column per quarter (values of ``statistic``)."""
    quarters = res.quarters
    wide = frame.pivot_table(
        index=["scenario", "indicator"],
        columns="quarter",
        values=statistic,
        dropna=False,
        sort=False,
    )
    wide = wide.reindex(columns=[q for q in quarters if q in wide.columns])
    wide.columns = [str(c) for c in wide.columns]
    wide.columns.name = None
    wide = wide.reset_index()
    order = {n: k for k, n in enumerate(res.names)}
    wide = wide.sort_values(
        ["scenario", "indicator"], key=lambda s: s.map(order) if s.name == "scenario" else s
    )
    wide = _described(wide, res)
    wide.insert(wide.columns.get_loc("unit") + 1, "statistic", statistic)
    return wide


def write_exports(output_dir: str | Path) -> list[Path]:
    """Write spreadsheet-ready CSV files to ``<output_dir>/exports/``; return their paths.

    For a comparison: ``summary_long.csv`` and ``differences_long.csv`` (tidy: one row per
    scenario, quarter and indicator, one column per statistic), ``summary_wide.csv`` and
    ``differences_wide.csv`` (one row per scenario and indicator, the mean in one column per
    quarter, e.g. ``2030Q4``), ``cost.csv`` (units in the column names) and ``ledger.csv``
    (spending by policy, item and year). For a sweep:
    ``runs.csv`` (inputs and outcomes of every run), ``runs_long.csv`` and, after
    ``inclusim analyse``, ``sensitivity.csv``. Every file: one header row, UTF-8 with a BOM
    (:data:`CSV_ENCODING`).
    """
    res = load_results(output_dir)
    out = Path(output_dir) / "exports"
    if res.kind == "sweep":
        return _sweep_exports(res, out)
    paths = []
    assert res.summary is not None and res.differences is not None
    diff = res.differences.copy()
    diff.insert(diff.columns.get_loc("scenario") + 1, "compared_with", res.baseline)
    paths.append(_write_csv(_described(res.summary, res), out / "summary_long.csv"))
    paths.append(_write_csv(_described(diff, res), out / "differences_long.csv"))
    paths.append(_write_csv(_wide(res.summary, res), out / "summary_wide.csv"))
    dwide = _wide(res.differences, res)
    dwide.insert(dwide.columns.get_loc("scenario_label") + 1, "compared_with", res.baseline)
    paths.append(_write_csv(dwide, out / "differences_wide.csv"))
    if res.cost is not None:
        paths.append(_write_csv(cost_export(res), out / "cost.csv"))
    if res.ledger is not None and not res.ledger.empty:
        paths.append(_write_csv(ledger_export(res), out / "ledger.csv"))
    return paths


def _sweep_exports(res: Results, out: Path) -> list[Path]:
    paths = []
    if res.experiments is not None and res.outcomes is not None:
        runs = res.experiments.merge(res.outcomes, on="run_id", how="left")
        paths.append(_write_csv(runs, out / "runs.csv"))
        keys = [c for c in ("run_id", "point", "replication", "seed") if c in runs.columns]
        long = runs.melt(
            id_vars=keys,
            value_vars=[c for c in res.outcomes.columns if c != "run_id"],
            var_name="outcome",
            value_name="value",
        )
        indicator = outcome_indicators(res)
        long.insert(
            long.columns.get_loc("outcome") + 1,
            "indicator",
            long["outcome"].map(lambda o: indicator.get(o, o.split("@")[0])),
        )
        long.insert(long.columns.get_loc("indicator") + 1, "unit", long["indicator"].map(unit_of))
        paths.append(_write_csv(long, out / "runs_long.csv"))
    if res.sensitivity is not None:
        paths.append(_write_csv(res.sensitivity, out / "sensitivity.csv"))
    return paths


def outcome_indicators(res: Results) -> dict[str, str]:
    """Sweep outcome column -> the indicator it measures (from the stored spec's outcomes)."""
    out = {}
    for o in (res.manifest.get("definition") or {}).get("outcomes") or []:
        if isinstance(o, dict) and o.get("indicator"):
            name = o.get("name") or f"{o['indicator']}@{o.get('quarter') or 'last'}"
            out[str(name)] = str(o["indicator"])
    return out
