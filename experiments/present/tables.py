"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align columns: text left, numbers right.

    Args:
        header: column titles.
        rows: cells as strings, one list per row.

    """
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def numeric(cell: str) -> bool:
        return (
            cell.replace(".", "", 1)
            .replace("+", "", 1)
            .replace("-", "", 1)
            .replace(",", "")
            .strip()
            .isdigit()
        )

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if numeric(c) else c.ljust(w) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
