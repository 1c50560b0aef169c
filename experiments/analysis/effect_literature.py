"""The published effect sizes each lever is checked against.

They are read from ``scenarios/effect_literature.yaml``, the one place for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from model.loader import ROOT, validate
from model.schema import Strict
from model.yamlio import read_yaml

LITERATURE_FILE = ROOT / "scenarios" / "effect_literature.yaml"


LEVERS = ("connectivity", "affordability", "skills_training", "social_protection",
          "labour_regulation")  # fmt: skip
"""Every policy lever, in the order of the document."""

SCALE = {"percentage points": 100.0, "percent": 100.0, "elasticity": 1.0}
"""Factor from the simulated value (a share difference, a share or a ratio) to each unit."""


class LiteratureRow(Strict):
    """One published effect size (see the header of ``scenarios/effect_literature.yaml``)."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    lever: str
    outcome: Annotated[str, Field(min_length=3)]
    group: Annotated[str, Field(min_length=3)]
    horizon_years: Annotated[int, Field(ge=1, le=10)]
    low: float | None = None
    high: float | None = None
    unit: str
    source: Annotated[str, Field(min_length=3)]
    why_not_comparable: str | None = None
    note: Annotated[str, Field(min_length=3)]

    @model_validator(mode="after")
    def _consistent(self) -> LiteratureRow:
        if self.lever not in LEVERS:
            raise ValueError(f"unknown lever {self.lever!r}; use one of {', '.join(LEVERS)}")
        if self.unit not in SCALE:
            raise ValueError(f"unknown unit {self.unit!r}; use one of {', '.join(SCALE)}")
        if self.comparable == (self.why_not_comparable is not None):
            raise ValueError("give low (and high) or why_not_comparable, not both or neither")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        return self

    @property
    def comparable(self) -> bool:
        """A published range exists (low, high or both)."""
        return self.low is not None or self.high is not None

    def range_text(self) -> str:
        """The published range in its unit: ``4 to 6 pp``, ``-1.9``, ``above 0 pp``."""
        suffix = {"percentage points": " pp", "percent": "%", "elasticity": ""}[self.unit]
        if not self.comparable:
            return "none comparable"
        if self.high is None:
            return f"above {self.low:g}{suffix}"
        if self.low == self.high:
            return f"{self.low:g}{suffix}"
        return f"{self.low:g} to {self.high:g}{suffix}"


class Literature(Strict):
    """The literature file."""

    literature: list[LiteratureRow]


def load_literature(path: str | Path | None = None) -> list[LiteratureRow]:
    """Load and validate the published effect sizes (default: :data:`LITERATURE_FILE`).

    Raises:
        InputError: the file is not valid.

    """
    p = Path(path) if path else LITERATURE_FILE
    data, lines = read_yaml(p)
    return validate(Literature, data, lines, str(p)).literature
