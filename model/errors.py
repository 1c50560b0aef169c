"""The one exception type for bad input, and how it is shown to a person."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes:
        path: key path inside the file, e.g. ``policies[0].intensity`` ('' for the whole file).
        message: what is wrong, in one sentence.
        fix: what to do about it.
        line: 1-based line in the file, when known.
        file: the file the problem is in, when it is not the file being read (a region's
            figures table).

    """

    path: str
    message: str
    fix: str = ""
    line: int | None = None
    file: str = ""


@dataclass
class InputError(Exception):
    """Bad input: a file that cannot be read, parsed or validated.

    The command line prints :meth:`render` and exits with status 2.
    """

    file: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        """Return the message shown to the user: one line per problem.

        Every part is passed through :func:`printable`, so text taken from an input (a key, a
        value, a file name) can neither move the cursor, recolour the terminal, reverse the
        reading order nor break the one-line-per-problem form.
        """
        lines = []
        for p in self.problems:
            file = printable(p.file or self.file)
            where = f"{file}:{p.line}" if p.line else file
            key = f" {printable(p.path)}:" if p.path else ""
            fix = f" Fix: {printable(p.fix)}" if p.fix else ""
            lines.append(f"error: {where}:{key} {printable(p.message)}{fix}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def printable(text: object) -> str:
    r"""``text`` safe for a terminal: every character Python deems unprintable is escaped.

    That covers control characters (escape sequences, carriage return, newline, tab), format
    characters (bidirectional overrides and isolates, zero-width joiners), lone surrogates
    (from undecodable file names or ``\udc80`` escapes), line and paragraph separators and
    unassigned code points. Each becomes its Python escape (``\x1b``, ``\u202e``), so what
    the user typed stays recognisable.
    """
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else _escape(c) for c in s)


def _escape(c: str) -> str:
    code = ord(c)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def single(
    file: str, message: str, fix: str = "", path: str = "", line: int | None = None
) -> InputError:
    """Build an :class:`InputError` holding one problem."""
    return InputError(file, [Problem(path=path, message=message, fix=fix, line=line)])


def did_you_mean(word: str, choices: Iterable[str], *, listed_in: str | None = None) -> str:
    """Suggest the closest valid name, and list the valid names or say where they are listed.

    Args:
        word: the name given.
        choices: the valid names.
        listed_in: where a reader finds the valid names (e.g. a document); given, the names
            are not listed in the message, which stays one readable line however many there
            are.

    """
    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if listed_in is not None:
        where = f"the names are listed in {listed_in}."
        return f"did you mean '{close[0]}'? Else {where}" if close else where
    if close:
        return f"did you mean '{close[0]}'? Valid: {', '.join(options)}."
    return f"valid: {', '.join(options)}."


def key_path(loc: Sequence[str | int]) -> str:
    """Render a location tuple as ``a.b[0].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
