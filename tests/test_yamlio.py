"""Safe YAML reading: what is refused, with which message and line, and the line map."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from model.errors import InputError
from model.yamlio import MAX_BYTES, MAX_NODES, line_of, parse_yaml, read_yaml


def rejection(text: str | bytes) -> str:
    """The rendered message of parsing ``text`` as the file ``f.yaml``."""
    with pytest.raises(InputError) as info:
        parse_yaml(text, "f.yaml")
    return info.value.render()


def test_plain_mapping_and_line_map() -> None:
    text = "# comment\nname: x\nouter:\n  inner: 1\n  items:\n    - a\n    - {k: 2}\n"
    data, lines = parse_yaml(text, "f.yaml")
    assert data == {"name": "x", "outer": {"inner": 1, "items": ["a", {"k": 2}]}}
    assert lines[("name",)] == 2
    assert lines[("outer", "inner")] == 4
    assert lines[("outer", "items", 0)] == 6
    assert lines[("outer", "items", 1, "k")] == 7
    assert line_of(lines, ("outer", "items", 1, "missing", "deeper")) == 7
    assert line_of(lines, ("nowhere",)) == lines[()]


def test_duplicate_key_names_key_path_and_line() -> None:
    text = "a:\n  b: 1\n  c: 2\n  b: 3\n"
    assert rejection(text) == (
        "error: f.yaml:4: a.b: repeats the key 'b'. Fix: keep one of the two entries."
    )


def test_duplicate_key_in_a_list_item() -> None:
    text = "policies:\n  - type: x\n    type: y\n"
    assert "f.yaml:3: policies[0].type: repeats the key 'type'." in rejection(text)


def test_tab_indentation() -> None:
    text = "a:\n  b: 1\n\tc: 2\n"
    message = rejection(text)
    assert message.startswith("error: f.yaml:3: is not valid YAML: found character '\\t'")
    assert message.endswith("Fix: indent with spaces, not tabs.")


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object:os.system ''\n",
        "x: !!python/name:os.system ''\n",
        "ok: 1\nx: !!python/object/apply:os.system 'echo hi'\n",
    ],
)
def test_python_tag_on_a_value_is_refused(text: str) -> None:
    message = rejection(text)
    assert (
        f"f.yaml:{text.count(chr(10))}: is not valid YAML: uses a tag that is not allowed"
        in message
    )
    assert "tag:yaml.org,2002:python/" in message
    assert "Fix: remove the '!!' tag" in message


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['echo hi']\n",
        "x: !!python/object:collections.OrderedDict {a: 1}\n",
    ],
)
def test_python_tag_on_a_collection_is_refused(text: str) -> None:
    assert "uses a tag that is not allowed" in rejection(text)


@pytest.mark.parametrize("text", ["", "   \n\n  \t\n"])
def test_empty_file(text: str) -> None:
    assert rejection(text) == (
        "error: f.yaml: is empty. Fix: write the scenario's keys into it "
        "(see scenarios/ for examples)."
    )


def test_comments_only() -> None:
    assert rejection("# nothing here\n# at all\n").startswith(
        "error: f.yaml: holds no YAML document."
    )


def test_binary_file() -> None:
    assert rejection(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == (
        "error: f.yaml: is a binary file, not YAML text. Fix: name a .yaml text file."
    )


def test_not_utf8() -> None:
    assert rejection(b"name: caf\xe9\n").startswith("error: f.yaml: is not UTF-8 text (byte 9).")


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("- a\n- b\n", "list", 1),
        ("# lead\njust text\n", "str", 2),
        ("42\n", "int", 1),
    ],
)
def test_not_a_mapping(text: str, kind: str, line: int) -> None:
    assert rejection(text) == (
        f"error: f.yaml:{line}: must hold a mapping of keys, not a {kind}. "
        "Fix: start the file with 'key: value' lines."
    )


def test_alias_bomb_is_stopped_quickly() -> None:
    names = "abcdefghij"
    rows = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in itertools.pairwise(names):
        rows.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    text = "\n".join(rows) + "\n"
    assert len(text) < 1_000  # 10**10 values once expanded
    start = time.perf_counter()
    message = rejection(text)
    assert time.perf_counter() - start < 5
    assert f"expands to more than {MAX_NODES:,} values (aliases?)" in message
    assert "Fix: remove the anchors and aliases" in message


def test_small_aliases_are_allowed() -> None:
    data, _ = parse_yaml("base: &b {x: 1}\nother: *b\n", "f.yaml")
    assert data == {"base": {"x": 1}, "other": {"x": 1}}


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n"])
def test_recursive_alias_is_refused(text: str) -> None:
    assert rejection(text).startswith("error: f.yaml:1: has an alias that refers to itself.")


@pytest.mark.slow
def test_deep_nesting_is_refused() -> None:
    assert rejection("a: " + "[" * 3000 + "]" * 3000 + "\n") == (
        "error: f.yaml: is nested too deeply to read. Fix: flatten the nesting of brackets or keys."
    )


@pytest.mark.parametrize(
    ("text", "code"), [(b"a: \x1b[31m\n", 27), (b"a: \x07\n", 7), ("a: \x00\n", 0)]
)
def test_control_character_is_refused(text: str | bytes, code: int) -> None:
    assert rejection(text).startswith(
        f"error: f.yaml: contains a control character that YAML does not allow ({code})."
    )


def test_oversize_input() -> None:
    text = "a: " + "x" * MAX_BYTES + "\n"
    assert rejection(text).startswith(
        f"error: f.yaml: is {len(text):,} bytes; input files are limited to {MAX_BYTES:,}."
    )


def test_read_yaml_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 10 + 1))
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert f"input files are limited to {MAX_BYTES:,}" in info.value.render()


def test_read_yaml_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert info.value.render() == (
        f"error: {path}: file not found. "
        "Fix: check the path (relative to where you run the command)."
    )


def test_read_yaml_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_yaml(tmp_path)
    assert info.value.render() == (
        f"error: {tmp_path}: is a folder, not a YAML file. Fix: name a .yaml file inside it."
    )


def test_read_yaml_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert "is a binary file, not YAML text." in info.value.render()


def test_read_yaml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: 1\nb:\n  c: [1, 2]\n", encoding="utf-8")
    data, lines = read_yaml(path)
    assert data == {"a": 1, "b": {"c": [1, 2]}}
    assert lines[("b", "c")] == 3


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a: 1\nb: c: d\ne: 2\n", 2, "mapping values are not allowed here"),
        # the list opened on line 2 is found unclosed where the parser meets 'c:'
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "expected ',' or ']', but got ':'"),
        ("a: 1\nb: 2\nc: 3\nd: 'open\n", 5, "found unexpected end of stream"),
    ],
)
def test_syntax_error_names_the_line_of_the_error(text: str, line: int, problem: str) -> None:
    assert rejection(text) == (
        f"error: f.yaml:{line}: is not valid YAML: {problem}. "
        "Fix: fix the YAML syntax at that line."
    )


def test_non_plain_key() -> None:
    assert rejection("a: 1\n? [x, y]\n: 2\n") == (
        "error: f.yaml:2: has a key that is not a plain name. Fix: use plain text keys."
    )


# -- scalars that fail while being built, or are read as something nobody means ----------------

BIG = "1" + "0" * 5000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  when: 2021-02-29\n", "f.yaml:2: a.when: '2021-02-29' looks like a date but is not"),
        ("2020-13-01: x\n", "f.yaml:1: '2020-13-01' looks like a date but is not one"),
        ("n: !!int twelve\n", "f.yaml:1: n: 'twelve' cannot be read as a whole number."),
        ("n: !!float x\n", "f.yaml:1: n: 'x' cannot be read as a number."),
        ("b: !!bool maybe\n", "f.yaml:1: b: 'maybe' cannot be read as true or false."),
        ("d: !!timestamp soon\n", "f.yaml:1: d: 'soon' cannot be read as a date."),
        (f"n: {BIG}\n", "f.yaml:1: n: a whole number of 5,001 digits is beyond the 4,300"),
        (f"l: [1, -{BIG}]\n", "f.yaml:1: l[1]: a whole number of 5,002 digits"),
        ('s: "a\\udc80b"\n', "f.yaml:1: s: holds a lone surrogate escape"),
        ("t: 1:30\n", "f.yaml:1: t: '1:30' is read by YAML as a base-60 (sexagesimal) number."),
        ("t: -1:30.5\n", "f.yaml:1: t: '-1:30.5' is read by YAML as a base-60"),
        ("t: !!int 1:30\n", "f.yaml:1: t: '1:30' is read by YAML as a base-60"),
        ("n: 0755\n", "f.yaml:1: n: '0755' is read by YAML as an octal number"),
    ],
)
def test_scalars_that_cannot_be_built_are_refused_with_line_and_key(
    text: str, expected: str
) -> None:
    message = rejection(text)
    assert message.startswith(f"error: {expected}"), message
    assert " Fix: " in message and len(message.splitlines()) == 1


def test_what_looks_like_those_but_is_fine_is_kept() -> None:
    text = 't: "1:30"\nn: 0\nf: 0.5\nz: 0o17\nx: 0x1F\ns: !!str 0755\nd: 2020-02-29\n'
    data, _ = parse_yaml(text)
    assert data["t"] == "1:30" and data["n"] == 0 and data["f"] == 0.5
    assert data["z"] == "0o17"  # YAML 1.1 has no 0o: plain text, refused later by type
    assert data["x"] == 31 and data["s"] == "0755" and str(data["d"]) == "2020-02-29"
