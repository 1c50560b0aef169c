"""Quarters: the model's unit of time (one step = one quarter)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")

FIRST_YEAR = 2000
"""Earliest year a quarter may name (the data describe 2019; earlier is a typo)."""
LAST_YEAR = 2100
"""Latest year a quarter may name (projections run to 2030; later is beyond any data)."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter such as 2020Q2.

    Attributes:
        year: calendar year.
        q: quarter of the year, 1-4.

    """

    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read ``YYYYQn``, e.g. ``2019Q4``.

        Raises:
            ValueError: the text is not a quarter, or its year is outside 2000-2100.

        """
        m = _QUARTER.match(str(text).strip())
        if not m:
            raise ValueError(f"'{text}' is not a quarter; write it as YYYYQn, e.g. 2020Q2")
        year = int(m.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(
                f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}, the years the model can speak "
                f"to; write a quarter from {FIRST_YEAR}Q1 to {LAST_YEAR}Q4"
            )
        return cls(year, int(m.group(2)))

    @property
    def index(self) -> int:
        """Quarters since year 0, for arithmetic."""
        return self.year * 4 + self.q - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        """Inverse of :attr:`index`."""
        return cls(index // 4, index % 4 + 1)

    def __add__(self, n: int) -> Quarter:
        return Quarter.from_index(self.index + n)

    def __sub__(self, other: Quarter) -> int:
        return self.index - other.index

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def decimal_year(self) -> float:
        """Year as a decimal at the middle of the quarter (2020Q2 -> 2020.375)."""
        return self.year + (self.q - 0.5) / 4

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        def parse(value: Any) -> Quarter:
            if isinstance(value, Quarter):
                return value
            if not isinstance(value, str):
                raise ValueError(f"'{value}' is not a quarter; write it as YYYYQn, e.g. 2020Q2")
            return cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


def quarter_range(start: Quarter, end: Quarter) -> list[Quarter]:
    """All quarters from ``start`` to ``end`` inclusive."""
    return [start + i for i in range(end - start + 1)]
