"""The base of every schema model: no unknown keys, no NaN or infinity, frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of every schema model: no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)
