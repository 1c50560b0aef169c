"""Published paths a baseline must follow, and whether a fit may use them (in-sample).

Each is an indicator's value in a year or quarter, with its tolerance or range and its source.

A region profile carries its own (``paths:``); ``scenarios/calibration_targets.yaml`` names the
baseline of each (:class:`experiments.analysis.calibration.PathTarget`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from model import indicator_registry
from model.calendar import Quarter
from model.strict import Strict

FIT_LAST_YEAR = 2021
"""Last year of the fitting window: a target read in 2019-2021 is in-sample (a fit may use
it); one read in 2022 or later is out-of-sample (only ever checked)."""

IN_SAMPLE = "in-sample"
"""Role of a target read up to :data:`FIT_LAST_YEAR`."""
OUT_OF_SAMPLE = "out-of-sample"
"""Role of a target read after :data:`FIT_LAST_YEAR`."""
ROLES = (IN_SAMPLE, OUT_OF_SAMPLE)
"""The two roles of a target, in the order ``calibrate --check`` prints them."""


class PublishedPath(Strict):
    """One published value or range a baseline must reproduce (the baseline is named apart)."""

    indicator: str
    year: Annotated[int, Field(ge=2019, le=2030)] | None = None
    quarter: Quarter | None = None
    relative_to: Quarter | None = None
    change_since: Quarter | None = None
    versus: str | None = None
    target: float | None = None
    tolerance: Annotated[float, Field(gt=0)] | None = None
    min: float | None = None
    max: float | None = None
    source: Annotated[str, Field(min_length=3)]

    @field_validator("indicator", "versus")
    @classmethod
    def _known(cls, name: str | None) -> str | None:
        if name is not None and not indicator_registry.is_known(name):
            hint = indicator_registry.unknown_hint(name)
            raise ValueError(f"unknown indicator '{name}'; {hint.rstrip('.')}")
        return name

    @model_validator(mode="after")
    def _one_period_one_check(self) -> PublishedPath:
        if (self.year is None) == (self.quarter is None):
            raise ValueError("give either year or quarter; add one of them")
        if self.target is None and self.min is None and self.max is None:
            raise ValueError("nothing to check; add target and tolerance, or min and/or max")
        if self.target is not None and self.tolerance is None:
            raise ValueError("target without tolerance; add tolerance")
        if self.relative_to is not None and self.change_since is not None:
            raise ValueError("give relative_to (a ratio) or change_since (a difference), not both")
        return self

    @property
    def period(self) -> str:
        """The year or quarter, as text."""
        return str(self.year if self.year is not None else self.quarter)

    @property
    def period_label(self) -> str:
        """The period with its reference: ``2020Q2 / 2019Q4`` (ratio), ``2020 - 2019Q4``."""
        if self.relative_to is not None:
            return f"{self.period} / {self.relative_to}"
        if self.change_since is not None:
            return f"{self.period} - {self.change_since}"
        return self.period

    @property
    def last_quarter(self) -> Quarter:
        """The last quarter the target reads (a year is read through its fourth quarter)."""
        end = Quarter(self.year, 4) if self.year is not None else self.quarter
        return max(end, self.relative_to or end, self.change_since or end)

    @property
    def role(self) -> str:
        """:data:`IN_SAMPLE` if the target reads nothing after :data:`FIT_LAST_YEAR`."""
        return IN_SAMPLE if self.last_quarter.year <= FIT_LAST_YEAR else OUT_OF_SAMPLE

    @property
    def label(self) -> str:
        """What is compared, e.g. ``share_employed:sex=female - share_employed:sex=male``."""
        return self.indicator + (f" - {self.versus}" if self.versus else "")

    def distance(self, value: float) -> float:
        """How far a value is from the target, in units of its tolerance; <= 1 when it passes.

        A point target gives ``|value - target| / tolerance``. A range target gives, inside
        the range, the distance from its middle in half-widths (0 for a one-sided range);
        outside, 1 plus the distance to the nearer end in half-widths (in tenths of the bound,
        at least 0.1, for a one-sided range).
        """
        if self.target is not None:
            return abs(value - self.target) / self.tolerance
        if self.min is not None and self.max is not None:
            half = (self.max - self.min) / 2
            inside = abs(value - (self.min + self.max) / 2) / half
            outside = max(self.min - value, value - self.max, 0.0) / half
            return 1.0 + outside if outside > 0 else inside
        bound = self.min if self.min is not None else self.max
        scale = max(abs(bound) * 0.1, 0.1)
        outside = (bound - value) if self.min is not None else (value - bound)
        return 1.0 + outside / scale if outside > 0 else 0.0

    def passes(self, value: float) -> bool:
        """The simulated value meets the target or lies in the range."""
        if self.target is not None and abs(value - self.target) > self.tolerance:
            return False
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

    def wanted(self) -> str:
        """The target as text: ``0.63 ± 0.03`` or ``[1.5, 2.0]``."""
        if self.target is not None:
            return f"{self.target:.3f} ± {self.tolerance:.3f}"
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "inf" if self.max is None else f"{self.max:g}"
        return f"[{lo}, {hi}]"
