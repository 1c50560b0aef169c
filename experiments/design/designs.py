"""Experimental designs: which input values each run of a sweep gets.

Full factorial, Latin hypercube, Sobol (Saltelli's scheme) and Morris trajectories; the last
three come from SALib. A design is a table with one row per design point and one column per
varied input; replications (seeds) multiply the points in :mod:`experiments.batch.runner`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

KINDS = ("full_factorial", "latin_hypercube", "sobol", "morris")
"""Design kinds a spec may name."""

SAMPLED = ("latin_hypercube", "sobol", "morris")
"""Kinds that draw points from ranges and therefore need a range for every input."""

RBD_HARMONICS = 10
"""Harmonics of RBD-FAST (SALib's default M), lowered for small Latin hypercubes."""

MAX_POINTS = 1_000_000
"""Most design points a spec may ask for (a guard against a typo in ``levels`` or ``samples``)."""


@dataclass(frozen=True)
class Input:
    """One input varied by a sweep.

    Attributes:
        address: where it goes in the scenario: ``policies.<name or type>.<field>`` (a lever)
            or ``parameters.<name>`` (an uncertainty).
        kind: ``lever`` (a policy choice) or ``uncertainty`` (a behavioural parameter).
        low: lower end of its range, or None when ``values`` lists the values.
        high: upper end of its range, or None when ``values`` lists the values.
        values: the values to take, or None for a range.

    """

    address: str
    kind: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None

    @property
    def is_range(self) -> bool:
        """The input is a continuous range (rather than a list of values)."""
        return self.values is None


@dataclass(frozen=True)
class Design:
    """How to place the design points.

    Attributes:
        kind: one of :data:`KINDS`.
        levels: full factorial: evenly spaced values per range; Morris: grid levels.
        samples: Latin hypercube: number of points; Sobol: base sample size N.
        trajectories: Morris: number of trajectories.
        second_order: Sobol: also estimate second-order indices (costs N x D more runs).

    """

    kind: str
    levels: int = 3
    samples: int = 0
    trajectories: int = 0
    second_order: bool = False


def problem(inputs: list[Input] | tuple[Input, ...]) -> dict[str, Any]:
    """The SALib problem definition of range inputs."""
    return {
        "num_vars": len(inputs),
        "names": [i.address for i in inputs],
        "bounds": [[float(i.low), float(i.high)] for i in inputs],
    }  # type: ignore[arg-type]


def count_points(design: Design, inputs: list[Input] | tuple[Input, ...]) -> int:
    """Number of design points without building them."""
    d = len(inputs)
    if design.kind == "full_factorial":
        return math.prod(design.levels if i.is_range else len(i.values or ()) for i in inputs)
    if design.kind == "latin_hypercube":
        return design.samples
    if design.kind == "sobol":
        return design.samples * (2 * d + 2 if design.second_order else d + 2)
    if design.kind == "morris":
        return design.trajectories * (d + 1)
    raise ValueError(f"unknown design kind '{design.kind}'")


def sample(design: Design, inputs: list[Input] | tuple[Input, ...], seed: int) -> pd.DataFrame:
    """Design points, one row each (index ``point`` from 0), one column per input address.

    Args:
        design: the kind of design and its sizes.
        inputs: the varied inputs; sampled designs need a range for each.
        seed: seed of the sampler (Latin hypercube, Sobol scrambling, Morris trajectories).

    Raises:
        ValueError: the design cannot be built from these inputs.

    """
    names = [i.address for i in inputs]
    if design.kind == "full_factorial":
        axes = [
            list(i.values)
            if not i.is_range
            else [float(v) for v in _tidy(np.linspace(i.low, i.high, design.levels), i)]
            for i in inputs
        ]
        rows = list(itertools.product(*axes)) if inputs else [()]
        frame = pd.DataFrame(rows, columns=names) if inputs else pd.DataFrame(index=[0])
    else:
        if not inputs:
            raise ValueError(f"a {design.kind} design needs at least one varied input")
        if any(not i.is_range for i in inputs):
            raise ValueError(f"a {design.kind} design needs a range for every input")
        x = _salib_sample(design, problem(inputs), seed)
        frame = pd.DataFrame({i.address: _tidy(x[:, k], i) for k, i in enumerate(inputs)})
    frame.index = pd.RangeIndex(len(frame), name="point")
    return frame


def _tidy(values: np.ndarray, inp: Input) -> np.ndarray:
    """Values rounded to 12 significant digits and kept within the input's range.

    Grid arithmetic gives 0.9000000000000001 for an upper end of 0.9, which the scenario's
    validation would rightly reject as outside the plausible range.
    """
    out = np.array([float(f"{v:.12g}") for v in np.asarray(values, dtype=float)])
    return np.clip(out, inp.low, inp.high)


def _salib_sample(design: Design, prob: dict[str, Any], seed: int) -> np.ndarray:
    if design.kind == "latin_hypercube":
        from SALib.sample import latin

        return latin.sample(prob, design.samples, seed=seed)
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            prob, design.samples, calc_second_order=design.second_order, scramble=True, seed=seed
        )
    if design.kind == "morris":
        from SALib.sample import morris

        return morris.sample(prob, design.trajectories, num_levels=design.levels, seed=seed)
    raise ValueError(f"unknown design kind '{design.kind}'")


def analyse(
    design: Design,
    inputs: list[Input] | tuple[Input, ...],
    x: pd.DataFrame,
    y: np.ndarray,
    seed: int,
) -> pd.DataFrame:
    """Sensitivity of one outcome to the inputs, by the method the design allows.

    Sobol: first-order and total indices (Saltelli/Jansen estimators) with 95% bootstrap
    intervals; Morris: mu, mu* (mean absolute elementary effect), sigma and the interval of
    mu*; Latin hypercube: RBD-FAST first-order indices; full factorial: the main effect of each
    input (range of the outcome's mean across the input's values).

    Args:
        design: the design the points came from.
        inputs: the varied inputs, in the order of the design's columns.
        x: design points in point order (one column per input address).
        y: the outcome at each point (mean over replications), same order.
        seed: seed of the bootstrap.

    Returns:
        One row per input: ``input``, then the method's measures (``*_conf`` are half-widths
        of 95% intervals).

    Raises:
        ValueError: the design has no varied input or a point has no value.

    """
    if not inputs:
        raise ValueError("the design varies no input, so there is nothing to analyse")
    y = np.asarray(y, dtype=float)
    if np.isnan(y).any():
        raise ValueError(
            f"{int(np.isnan(y).sum())} design points have no value (failed runs "
            "or a missing indicator); re-run the sweep to complete them"
        )
    names = [i.address for i in inputs]
    if design.kind == "full_factorial":
        rows = []
        for name in names:
            means = pd.Series(y).groupby(x[name].astype(str).to_numpy()).mean()
            rows.append(
                {
                    "input": name,
                    "main_effect": float(means.max() - means.min()),
                    "lowest_mean": float(means.min()),
                    "highest_mean": float(means.max()),
                    "values": len(means),
                }
            )
        return pd.DataFrame(rows)
    prob = problem(inputs)
    with np.errstate(divide="ignore", invalid="ignore"):
        if design.kind == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(prob, y, calc_second_order=design.second_order, seed=seed)
            keys = ["S1", "S1_conf", "ST", "ST_conf"]
        elif design.kind == "morris":
            from SALib.analyze import morris

            res = morris.analyze(
                prob, x[names].to_numpy(dtype=float), y, num_levels=design.levels, seed=seed
            )
            keys = ["mu", "mu_star", "sigma", "mu_star_conf"]
        elif design.kind == "latin_hypercube":
            from SALib.analyze import rbd_fast

            # the bootstrap uses half the points, and needs more than 2M of them
            harmonics = min(RBD_HARMONICS, (len(y) // 2 - 1) // 2)
            if harmonics < 1:
                raise ValueError(f"RBD-FAST needs at least 6 points, not {len(y)}")
            res = rbd_fast.analyze(prob, x[names].to_numpy(dtype=float), y, M=harmonics, seed=seed)
            keys = ["S1", "S1_conf"]
        else:
            raise ValueError(f"unknown design kind '{design.kind}'")
    out = pd.DataFrame({"input": names})
    for k in keys:
        out[k] = np.asarray(res[k], dtype=float)
    return out


MAIN_MEASURE = {
    "sobol": "ST",
    "morris": "mu_star",
    "latin_hypercube": "S1",
    "full_factorial": "main_effect",
}
"""The measure that ranks inputs, per design kind."""
