"""Scenario discovery: the boxes of a sweep's inputs where an outcome fails, found with PRIM.

PRIM (Friedman & Fisher 1999, as used for scenario discovery by Bryant & Lempert 2010) peels
the box of inputs that holds the runs where the outcome fails, a few percent of the cases at a
time, trading *coverage* (the share of all failing runs that fall in the box) for *density*
(the share of runs in the box that fail). We use EMA Workbench's implementation
(``ema_workbench.analysis.prim``, optional extra ``discovery``) rather than writing one.

Each run of the sweep is a case: its inputs are the sweep's levers and uncertainties (and the
drawn parameters under ``--parameter-draws``), as the experiments table stores them; failure
is its outcome (outcomes table) below, or above, a threshold. PRIM itself draws nothing at
random, so the same folder gives the same boxes.

On each box's peeling trajectory we keep the point with the highest coverage among those with
density at least :data:`DEFAULT_DENSITY` (else the densest), then look for the next box among
the runs left outside, up to :data:`DEFAULT_BOXES` boxes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.batch.provenance import safe_name
from experiments.batch.store import experiment_manifest, read_frame
from model.errors import InputError, Problem, did_you_mean

DEFAULT_DENSITY = 0.8
"""Smallest density of the box chosen on a peeling trajectory (Bryant & Lempert 2010 read
boxes of density 0.8 and more as policy-relevant)."""
DEFAULT_BOXES = 2
"""Boxes looked for, one after another among the runs the earlier boxes leave out."""
PEEL_ALPHA = 0.05
"""Share of the cases in the box peeled at each step (EMA Workbench's default)."""
MASS_MIN = 0.05
"""Smallest share of all cases a box may hold (EMA Workbench's default)."""
MIN_CASES = 20
"""Fewest runs with an outcome for PRIM to be worth running."""

NOT_INPUTS = ("run_id", "point", "replication", "seed", "draw")
"""Columns of a sweep's experiments table that are not inputs."""

INSTALL = "pip install 'inclusim[discovery]'  (or: pip install ema_workbench)"

FOLDER_FIX = "give a folder 'inclusim sweep' wrote, e.g. outputs/discovery_lac."


@dataclass
class Restriction:
    """One input's limits in a box.

    Attributes:
        name: the input's address (as in the sweep spec).
        low, high: the box's limits, None where the box keeps the input's whole range on that
            side (numbers).
        values: the values kept, for an input with a few named values (booleans, names).

    """

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] = ()

    def words(self) -> str:
        """'price_decline_per_year is at most 0.04', '... is between 0.2 and 0.6'.

        The limits are those of the runs inside the box (EMA Workbench's box limits).
        """
        if self.values:
            return f"{self.name} is {' or '.join(self.values)}"
        if self.low is not None and self.high is not None:
            return f"{self.name} is between {_num(self.low)} and {_num(self.high)}"
        if self.high is not None:
            return f"{self.name} is at most {_num(self.high)}"
        return f"{self.name} is at least {_num(self.low)}"


@dataclass
class Box:
    """One box of scenario discovery.

    Attributes:
        number: 1 for the first box found.
        coverage: share of all failing runs inside the box.
        density: share of the runs inside the box that fail.
        mass: share of all runs inside the box.
        runs: runs inside the box.
        restrictions: the inputs the box limits.
        step: the chosen point of the peeling trajectory.
        trajectory: the peeling trajectory (coverage, density, mass, res_dim per step).

    """

    number: int
    coverage: float
    density: float
    mass: float
    runs: int
    restrictions: list[Restriction]
    step: int
    trajectory: pd.DataFrame


@dataclass
class Discovery:
    """What :func:`discover` found.

    Attributes:
        outcome: the outcome's column name.
        threshold: the threshold.
        above: failure is the outcome above the threshold (else below).
        runs: runs with a value of the outcome.
        failing: runs that fail.
        boxes: the boxes found, in order.
        inputs: the inputs PRIM could restrict.
        files: files written (figure, tables), when read from a folder.

    """

    outcome: str
    threshold: float
    above: bool
    runs: int
    failing: int
    boxes: list[Box]
    inputs: list[str]
    files: list[Path] = field(default_factory=list)

    @property
    def failure_words(self) -> str:
        """'stays below 0.8' or 'stays above 1.1'."""
        return f"stays {'above' if self.above else 'below'} {_num(self.threshold)}"

    def sentence(self, box: Box) -> str:
        """A box in plain words."""
        when = " and ".join(r.words() for r in box.restrictions) or "whatever the inputs"
        return (
            f"when {when}, {self.outcome} {self.failure_words} in {box.density:.0%} of runs "
            f"(coverage {box.coverage:.0%}: the box holds that share of all {self.failing} "
            f"runs where it does; {box.runs} of {self.runs} runs fall in the box)"
        )


def _num(x: float) -> str:
    return f"{x:.3g}"


def _prim_module() -> Any:
    """EMA Workbench's PRIM, imported quietly; a clear message if it is not installed."""
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise InputError(
            "inclusim discover",
            [Problem("", "needs EMA Workbench's PRIM, which is not installed.", INSTALL)],
        ) from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def discover(
    inputs: pd.DataFrame,
    failed: np.ndarray,
    density: float = DEFAULT_DENSITY,
    boxes: int = DEFAULT_BOXES,
) -> list[Box]:
    """PRIM boxes of ``inputs`` where ``failed`` holds.

    Args:
        inputs: one row per case, one column per input (numbers, booleans or names).
        failed: True where the case fails.
        density: smallest density of the chosen point of each trajectory.
        boxes: most boxes to find.

    Returns:
        The boxes, first found first; a box whose density is no better than the share of
        failing cases overall ends the search and is not kept.

    """
    prim = _prim_module()
    x = _prim_inputs(inputs)
    y = np.asarray(failed, dtype=bool)
    base_rate = float(y.mean())
    found: list[Box] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y.astype(int), peel_alpha=PEEL_ALPHA, mass_min=MASS_MIN)
        for number in range(1, boxes + 1):
            box = finder.find_box()
            if box is None:
                break
            traj = box.peeling_trajectory.copy()
            step = _choose(traj, density)
            box.select(step)
            row = traj.iloc[step]
            if float(row["density"]) <= base_rate:
                break
            found.append(
                Box(
                    number=number,
                    coverage=float(row["coverage"]),
                    density=float(row["density"]),
                    mass=float(row["mass"]),
                    runs=int(row["n"]),
                    restrictions=_restrictions(box.box_lims[step], finder.box_init, x),
                    step=step,
                    trajectory=traj[["coverage", "density", "mass", "res_dim"]],
                )
            )
    return found


def _prim_inputs(inputs: pd.DataFrame) -> pd.DataFrame:
    """Numbers stay numbers; booleans and names become categories (PRIM keeps sets of them)."""
    x = pd.DataFrame(index=range(len(inputs)))
    for col in inputs.columns:
        values = inputs[col].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            x[col] = values.astype(str).astype("category")
        else:
            x[col] = values.astype(float)
    return x


def _choose(traj: pd.DataFrame, density: float) -> int:
    """Step with the highest coverage among those dense enough, else the densest step."""
    dense = traj[traj["density"] >= density - 1e-12]
    if dense.empty:
        return int(traj["density"].to_numpy().argmax())
    best = dense["coverage"].max()
    return int(dense.index[dense["coverage"] >= best - 1e-12][-1])


def _restrictions(lims: pd.DataFrame, init: pd.DataFrame, x: pd.DataFrame) -> list[Restriction]:
    """The inputs a box limits, read against the box of all cases."""
    out = []
    for col in x.columns:
        if isinstance(x[col].dtype, pd.CategoricalDtype):
            kept = set(lims[col].iloc[0])
            if kept != set(init[col].iloc[0]):
                out.append(Restriction(col, values=tuple(sorted(str(v) for v in kept))))
            continue
        lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
        lo0, hi0 = float(init[col].iloc[0]), float(init[col].iloc[1])
        low = lo if lo > lo0 + 1e-12 * max(1.0, abs(lo0)) else None
        high = hi if hi < hi0 - 1e-12 * max(1.0, abs(hi0)) else None
        if low is not None or high is not None:
            out.append(Restriction(col, low=low, high=high))
    return out


# -- a sweep folder ----------------------------------------------------------------------------


def discover_folder(
    folder: str | Path,
    outcome: str,
    threshold: float,
    above: bool = False,
    density: float | None = None,
    boxes: int | None = None,
) -> Discovery:
    """Scenario discovery on a finished sweep; writes its figure and tables into the folder.

    Writes ``discovery_<outcome>_<below|above>_<threshold>.csv`` (one row per box and
    restricted input, with coverage, density and the sentence), ``..._trajectory.csv`` and
    ``figures/discovery_....png`` and ``.svg`` (coverage against density along each peeling
    trajectory, the chosen boxes marked).

    Raises:
        InputError: not a sweep folder, an unknown outcome, a threshold no run or every run
            fails, a density outside (0, 1], or EMA Workbench missing.

    """
    path = Path(folder)
    density = DEFAULT_DENSITY if density is None else density
    if not 0 < density <= 1:
        raise InputError("--density", [Problem("", f"{density} is not in (0, 1].", "e.g. 0.8")])
    prim = _prim_module()  # before reading anything: a missing extra is the first thing to fix
    del prim
    manifest = experiment_manifest(path, FOLDER_FIX)
    if manifest.get("kind") != "sweep":
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    "is a comparison, not a sweep: it has no uncertain inputs to find boxes in.",
                    "run 'inclusim sweep SPEC.yaml' (e.g. scenarios/sweeps/discovery_lac.yaml) "
                    "and give its folder; for a comparison, see 'inclusim left-behind'.",
                )
            ],
        )
    experiments = read_frame(path, "experiments", ("run_id",))
    outcomes = read_frame(path, "outcomes", ("run_id",))
    if experiments is None or outcomes is None:
        raise InputError(
            str(path / "outcomes.parquet"),
            [Problem("", "is missing.", "finish the sweep first (run the same command again).")],
        )
    names = [c for c in outcomes.columns if c != "run_id"]
    if outcome not in names:
        raise InputError(
            str(path / "outcomes.csv"),
            [
                Problem(
                    "--outcome",
                    f"'{outcome}' is not an outcome of this sweep.",
                    did_you_mean(outcome, names) or f"use one of {', '.join(names)}.",
                )
            ],
        )
    table = experiments.merge(outcomes[["run_id", outcome]], on="run_id")
    table = table[table[outcome].notna()]
    inputs = _varied_inputs(experiments[experiments["run_id"].isin(table["run_id"])])
    if len(table) < MIN_CASES or not inputs:
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    f"has {len(table)} runs with {outcome} and {len(inputs)} varied inputs; "
                    f"PRIM needs at least {MIN_CASES} runs and one varied input.",
                    "run a sweep with more design points.",
                )
            ],
        )
    values = table[outcome].to_numpy(dtype=float)
    failed = values > threshold if above else values < threshold
    side = "above" if above else "below"
    if failed.all() or not failed.any():
        what = "every run" if failed.all() else "no run"
        raise InputError(
            "--threshold",
            [
                Problem(
                    "",
                    f"{what} has {outcome} {side} {_num(threshold)} (its values run from "
                    f"{_num(values.min())} to {_num(values.max())}): nothing to separate.",
                    "choose a threshold inside that range, or the other side (--above/--below).",
                )
            ],
        )
    found = discover(table[inputs], failed, density, boxes or DEFAULT_BOXES)
    result = Discovery(outcome, threshold, above, len(table), int(failed.sum()), found, inputs)
    result.files = _write(path, result)
    return result


def _varied_inputs(table: pd.DataFrame) -> list[str]:
    """Columns of the experiments table that are inputs and take more than one value."""
    return [c for c in table.columns if c not in NOT_INPUTS and table[c].nunique(dropna=True) > 1]


def _slug(result: Discovery) -> str:
    side = "above" if result.above else "below"
    return safe_name(f"discovery_{result.outcome}_{side}_{result.threshold:g}")


def boxes_table(result: Discovery) -> pd.DataFrame:
    """One row per box and restricted input: limits, coverage, density, mass, the sentence."""
    rows = []
    for b in result.boxes:
        for r in b.restrictions or [Restriction("")]:
            rows.append(
                {
                    "box": b.number,
                    "outcome": result.outcome,
                    "failure": result.failure_words,
                    "coverage": b.coverage,
                    "density": b.density,
                    "mass": b.mass,
                    "runs_in_box": b.runs,
                    "input": r.name,
                    "low": r.low,
                    "high": r.high,
                    "values": " or ".join(r.values),
                    "sentence": result.sentence(b),
                }
            )
    return pd.DataFrame(rows)


def _write(folder: Path, result: Discovery) -> list[Path]:
    from experiments.batch.store import folder_lock, output_errors, write_atomic

    slug = _slug(result)
    traj = pd.concat(
        [b.trajectory.assign(box=b.number, step=np.arange(len(b.trajectory))) for b in result.boxes]
        or [pd.DataFrame()],
        ignore_index=True,
    )
    with output_errors(folder, has_out=False), folder_lock(folder):
        written = []
        for name, frame in ((slug, boxes_table(result)), (f"{slug}_trajectory", traj)):
            p = folder / f"{name}.csv"
            write_atomic(p, frame.to_csv(index=False).encode("utf-8"))
            written.append(p)
        written += _figure(folder, slug, result)
    return written


def _figure(folder: Path, slug: str, result: Discovery) -> list[Path]:
    from experiments.present import style
    from experiments.present.figures import Drawn, save

    fig, ax = style.new_figure(
        "Scenario discovery: peeling trajectories",
        f"{result.outcome} {result.failure_words}: {result.failing} of {result.runs} runs. "
        "Each point is a box; colour: inputs restricted; ringed: the box chosen.",
        size=(8.0, 5.6),
    )
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm

    markers = ["o", "s", "^", "D"]
    most = max([int(b.trajectory["res_dim"].max()) for b in result.boxes] or [1])
    cmap = colormaps[style.SEQUENTIAL].resampled(most + 1)
    norm = BoundaryNorm(np.arange(-0.5, most + 1.5), cmap.N)
    for b in result.boxes:
        t = b.trajectory
        points = ax.scatter(
            t["coverage"],
            t["density"],
            c=t["res_dim"],
            cmap=cmap,
            norm=norm,
            marker=markers[(b.number - 1) % len(markers)],
            s=22,
            label=f"box {b.number}",
        )
        ax.scatter(
            [b.coverage], [b.density], s=160, facecolors="none", edgecolors=style.INK, lw=1.5
        )
        ax.annotate(
            f"box {b.number}",
            (b.coverage, b.density),
            xytext=(6, -12),
            textcoords="offset points",
            color=style.INK,
        )
    if result.boxes:
        fig.colorbar(points, ax=ax, label="inputs restricted", ticks=range(most + 1))
    ax.set_xlabel("coverage (share of failing runs inside the box)")
    ax.set_ylabel("density (share of runs in the box that fail)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    style.add_source(fig, "inclusim discover (PRIM, EMA Workbench)")
    drawn = Drawn(slug, "Scenario discovery", "Peeling trajectories", "", fig)
    try:
        return save(drawn, folder / "figures")
    finally:
        style.close(fig)


def result_text(result: Discovery) -> str:
    """What ``inclusim discover`` prints."""
    lines = [
        f"{result.outcome} {result.failure_words} in {result.failing} of {result.runs} runs "
        f"({result.failing / result.runs:.0%}); inputs: {', '.join(result.inputs)}.",
    ]
    if not result.boxes:
        lines.append(
            "PRIM found no box denser in failures than the runs overall: failure does not "
            "concentrate in any region of these inputs."
        )
    for b in result.boxes:
        lines.append(
            f"box {b.number}: coverage {b.coverage:.0%}, density {b.density:.0%}, "
            f"{b.runs} runs (mass {b.mass:.0%})"
        )
        lines.append(f"  {result.sentence(b)}")
    for p in result.files:
        lines.append(f"written: {p}")
    return "\n".join(lines)
