"""Safe YAML reading that remembers the line of every key and refuses what is unsafe.

Only ``yaml.SafeLoader`` is used. On top of it this module refuses duplicate keys, files
that are too large, alias expansion bombs and non-mapping documents, and keeps a map from
key path to line number so validation errors can point at a line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, key_path, single

MAX_BYTES = 2_000_000
"""Largest input file accepted (bytes): scenario and spec files are small."""

MAX_NODES = 200_000
"""Most YAML nodes visited while building a document, aliases counted each time."""

Lines = dict[tuple[str | int, ...], int]


def read_yaml(path: str | Path) -> tuple[dict[str, Any], Lines]:
    """Read a YAML mapping from ``path``.

    Args:
        path: file to read.

    Returns:
        The data, and a map from key path (tuple of keys and list indices) to 1-based line.

    Raises:
        InputError: the file is missing, unreadable, not UTF-8 text, too large, not valid
            YAML, uses unsafe tags, repeats a key, or is not a mapping.

    """
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise single(
            name, "file not found.", "check the path (relative to where you run the command)."
        )
    if p.is_dir():
        raise single(name, "is a folder, not a YAML file.", "name a .yaml file inside it.")
    if not p.is_file():
        raise single(name, "is not a regular file (a device or a pipe?).", "name a .yaml file.")
    try:
        with p.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise single(
            name, f"cannot be read ({exc.strerror}).", "check the file's permissions."
        ) from None
    if len(raw) > MAX_BYTES:
        raise single(
            name,
            f"is more than {MAX_BYTES:,} bytes; input files are limited to {MAX_BYTES:,}.",
            "split the file or remove what is not needed.",
        )
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes | str, name: str = "<input>") -> tuple[dict[str, Any], Lines]:
    """Parse YAML text; see :func:`read_yaml` for what is refused."""
    if len(raw) > MAX_BYTES:
        raise single(
            name,
            f"is {len(raw):,} bytes; input files are limited to {MAX_BYTES:,}.",
            "split the file or remove what is not needed.",
        )
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise single(name, "is a binary file, not YAML text.", "name a .yaml text file.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise single(
                name, f"is not UTF-8 text (byte {exc.start}).", "save the file as UTF-8."
            ) from None
    else:
        text = raw
    if not text.strip():
        raise single(
            name, "is empty.", "write the scenario's keys into it (see scenarios/ for examples)."
        )
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise single(name, "holds no YAML document.", "write the scenario's keys into it.")
        builder = _Builder(loader, name)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(name, exc) from None
    except yaml.reader.ReaderError as exc:
        raise single(
            name,
            f"contains a control character that YAML does not allow ({exc.character!r}).",
            "remove it; input files are plain text.",
        ) from None
    except yaml.YAMLError as exc:
        raise single(name, f"is not valid YAML ({exc}).", "check the file's syntax.") from None
    except RecursionError:
        raise single(
            name, "is nested too deeply to read.", "flatten the nesting of brackets or keys."
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise single(
            name,
            f"must hold a mapping of keys, not a {type(data).__name__}.",
            "start the file with 'key: value' lines.",
            line=node.start_mark.line + 1,
        )
    return data, builder.lines


def _yaml_error(name: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = exc.problem or "syntax error"
    fix = "fix the YAML syntax at that line."
    if "\\t" in problem or "tab" in problem:
        fix = "indent with spaces, not tabs."
    if "could not determine a constructor" in problem:
        problem = f"uses a tag that is not allowed ({exc.problem.split('for the tag')[-1].strip()})"
        fix = "remove the '!!' tag: only plain YAML values are accepted."
    return single(name, f"is not valid YAML: {problem}.", fix, line=line)


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
"""Tags a mapping or list may carry: only the default ones."""


class _Builder:
    """Turns a composed YAML node tree into Python data, recording key lines."""

    def __init__(self, loader: yaml.SafeLoader, name: str) -> None:
        self.loader = loader
        self.name = name
        self.lines: Lines = {}
        self.visited = 0
        self.open: set[int] = set()

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise single(
                self.name,
                f"expands to more than {MAX_NODES:,} values (aliases?).",
                "remove the anchors and aliases ('&' and '*') that repeat content.",
            )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            raise single(
                self.name,
                f"uses a tag that is not allowed ('{node.tag}').",
                "remove the '!!' tag: only plain YAML values are accepted.",
                line=node.start_mark.line + 1,
            )
        if id(node) in self.open:
            raise single(
                self.name,
                "has an alias that refers to itself.",
                "remove the anchor ('&') or the alias ('*') that points back into it.",
                line=node.start_mark.line + 1,
            )
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = self.scalar(key_node, path)
            else:
                key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise single(
                    self.name,
                    "has a key that is not a plain name.",
                    "use plain text keys.",
                    line=key_node.start_mark.line + 1,
                )
            if key in out:
                raise single(
                    self.name,
                    f"repeats the key '{key}'.",
                    "keep one of the two entries.",
                    path=key_path((*path, key)),
                    line=key_node.start_mark.line + 1,
                )
            child = (*path, key)
            self.lines[child] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, child)
        return out

    def scalar(self, node: yaml.ScalarNode, path: tuple[str | int, ...]) -> Any:
        """Construct one scalar; refuse what cannot be built or is read as something else.

        Refused, each with the line and key path: a value its tag cannot build (an impossible
        date, ``!!int abc``, ``!!bool maybe``, an integer beyond Python's digit limit), text
        holding a lone surrogate (it cannot be written to a file or a terminal), and numbers
        YAML 1.1 reads in a way nobody means (``1:30`` as 90, ``010`` as 8).
        """
        where = {"path": key_path(path), "line": node.start_mark.line + 1}
        misread = _misread_number(node)
        if misread:
            raise single(self.name, misread[0], misread[1], **where)
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            raise single(self.name, *_unbuildable(node, exc), **where) from None
        if isinstance(value, str) and _has_surrogate(value):
            raise single(
                self.name,
                "holds a lone surrogate escape (\\ud800 to \\udfff), which is not a character.",
                "remove the escape or write the character itself.",
                **where,
            )
        return value


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_KINDS = {
    _INT_TAG: "a whole number",
    _FLOAT_TAG: "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:binary": "base64 data",
}


def _misread_number(node: yaml.ScalarNode) -> tuple[str, str] | None:
    """Message and fix for a number YAML 1.1 reads as base 60 or base 8, else None."""
    text = node.value
    if node.tag in (_INT_TAG, _FLOAT_TAG) and ":" in text:
        return (
            f"'{_short(text)}' is read by YAML as a base-60 (sexagesimal) number.",
            f"write the number you mean as plain digits, or quote it ('{_short(text)}') if it "
            "is text.",
        )
    if node.tag == _INT_TAG and node.style is None and _OCTAL.match(text):
        return (
            f"'{text}' is read by YAML as an octal number (a leading zero).",
            "drop the leading zero, or quote it if it is text.",
        )
    return None


def _unbuildable(node: yaml.ScalarNode, exc: Exception) -> tuple[str, str]:
    """Message and fix for a scalar its tag cannot build."""
    text = _short(node.value)
    kind = _KINDS.get(node.tag, f"'{node.tag}'")
    if "digits" in str(exc) and node.tag == _INT_TAG:
        return (
            f"a whole number of {len(node.value):,} digits is beyond the "
            f"{sys.get_int_max_str_digits():,} digits Python reads.",
            "write a smaller number.",
        )
    if node.tag == "tag:yaml.org,2002:timestamp" and isinstance(exc, ValueError):
        return (
            f"'{text}' looks like a date but is not one ({exc}).",
            "write a real date (YYYY-MM-DD), or quote it if it is text.",
        )
    return (
        f"'{text}' cannot be read as {kind}.",
        "write a value of that type, or remove the '!!' tag.",
    )


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def line_of(lines: Lines, loc: tuple[str | int, ...]) -> int | None:
    """Return the line of ``loc`` or of its nearest ancestor that has one."""
    for i in range(len(loc), -1, -1):
        if loc[:i] in lines:
            return lines[loc[:i]]
    return None
