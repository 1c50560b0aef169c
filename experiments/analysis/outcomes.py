"""A sweep's outcomes: one value per run of each outcome its spec names."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments.batch.store import Store
from model import indicator_registry as registry
from model.errors import InputError, Problem
from model.yamlio import line_of


def check_outcomes(spec: Any, part: pd.DataFrame) -> None:
    """Refuse outcomes that name an indicator or quarter the runs do not have.

    Args:
        spec: the sweep spec.
        part: one run's time series (see :meth:`Store.read_part`).

    Raises:
        InputError: pointing at the outcome's line in the spec.

    """
    problems = []
    quarters = list(part.index)
    for k, o in enumerate(spec.outcomes):
        if o.indicator not in part.columns:
            problems.append(
                Problem(
                    f"outcomes[{k}].indicator",
                    f"the model reports no indicator '{o.indicator}';",
                    registry.unknown_hint(o.indicator, part.columns),
                    line_of(spec.lines, ("outcomes", k, "indicator")),
                )
            )
        if o.quarter and o.quarter not in quarters:
            problems.append(
                Problem(
                    f"outcomes[{k}].quarter",
                    f"the runs have no row for "
                    f"{o.quarter} (they cover {quarters[0]} to {quarters[-1]}).",
                    "choose a quarter the runs reach.",
                    line_of(spec.lines, ("outcomes", k, "quarter")),
                )
            )
    if problems:
        raise InputError(spec.path, problems)


def collect_outcomes(store: Store, spec: Any, total: int) -> pd.DataFrame:
    """The outcomes table: one row per run (NaN where a run failed), one column per outcome."""
    done = sorted(store.done_ids())
    out = pd.DataFrame({"run_id": np.arange(total, dtype=np.int64)})
    if not done:
        for o in spec.outcomes:
            out[o.name] = np.nan
        return out
    check_outcomes(spec, store.read_part(done[0]))
    values = store.read_values(done, sorted({o.indicator for o in spec.outcomes}))
    last = values.groupby("run_id")["quarter"].transform("max")
    for o in spec.outcomes:
        rows = values[
            (values["indicator"] == o.indicator) & (values["quarter"] == (o.quarter or last))
        ]
        series = rows.set_index("run_id")["value"]
        out[o.name] = series.reindex(out["run_id"]).to_numpy()
    return out
