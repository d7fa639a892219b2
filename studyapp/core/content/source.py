"""Reading a course file safely: text that is UTF-8 and not too large, YAML composed with line marks.

Every failure becomes a Problem at the file's line (a byte that is not UTF-8, a YAML syntax
error, nesting too deep to parse, an anchor/alias); nothing here raises for a bad file.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from studyapp.core.problems import Problem
from studyapp.core.units import MIB, human_bytes

MAX_BYTES = 1 * MIB   # the largest unit today is under 50 KiB
MAX_DEPTH = 64        # brackets or indentation levels: far beyond any course file
_OPENERS, _CLOSERS = "[{", "]}"


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """The text of ``path``, or None with the problem that stopped it (missing, too big, not UTF-8)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(path, 0, f"file is {human_bytes(size)}; a course file may be at most "
                                           f"{human_bytes(MAX_BYTES)} (split the unit)")]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(path, 0, f"missing {path.name}")]
    except OSError as exc:
        return None, [Problem(path, 0, f"cannot read {path.name}: {exc.strerror or exc}")]
    return _decode(path, raw)


def _decode(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(path, line, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded; "
                                          "save the file as UTF-8")]
    if "\x00" in text:
        return None, [Problem(path, text.count("\n", 0, text.index("\x00")) + 1,
                              "contains a NUL byte: is this a text file?")]
    return text.removeprefix("\ufeff"), []


def compose(text: str, path: Path, offset: int = 0) -> tuple[yaml.Node | None, list[Problem]]:
    """The YAML node tree of ``text`` (None if empty or broken) and its problems.

    ``offset`` is the number of lines of ``path`` before ``text`` (1 for front matter).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(path, exc, offset)]
    except (RecursionError, MemoryError):
        line = (_too_deep(text) or 1) + offset
        return None, [Problem(path, line, "YAML nested too deeply to parse; course files never need "
                                          f"more than a few levels")]
    found = _structure_problem(node)
    if found:
        line, message = found
        return None, [Problem(path, line + offset, message)]
    return node, []


def _too_deep(text: str) -> int:
    """The line where brackets or indentation first go deeper than MAX_DEPTH, else 0 (a guess at
    where a file that overflowed the parser's recursion went too deep)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for char in line:
            depth += (char in _OPENERS) - (char in _CLOSERS)
            if depth > MAX_DEPTH:
                return number
        if len(line) - len(line.lstrip(" -")) > 2 * MAX_DEPTH:
            return number
    return 0


_TAG = "tag:yaml.org,2002:"
TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}


def _structure_problem(node: yaml.Node | None) -> tuple[int, str] | None:
    """(line, message) for the first thing course files do not use: an alias (a node reached twice),
    a repeated key (YAML forbids it; PyYAML would keep the last silently), a merge key, a key that
    is not text, a tag or a date. Walks without recursion."""
    seen, stack = set(), [node] if node is not None else []
    while stack:
        current = stack.pop()
        line = current.start_mark.line + 1
        if id(current) in seen:
            return line, ("YAML anchors and aliases (&name, *name) are not used in course files; "
                          "write the text out")
        seen.add(id(current))
        found = _tag_problem(current)
        if found is None and isinstance(current, yaml.MappingNode):
            found = _keys_problem(current)
        if found:
            return found
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
    return None


def _tag_problem(node: yaml.Node) -> tuple[int, str] | None:
    if node.tag in TAGS:
        return None
    line = node.start_mark.line + 1
    if node.tag == _TAG + "timestamp":
        return line, f"YAML reads '{node.value}' as a date; quote it to keep it as text"
    if node.tag == _TAG + "merge":
        return line, "YAML merge keys ('<<') are not used in course files; write the fields out"
    return line, f"YAML tag '{node.tag}' is not used in course files; write plain text, numbers and lists"


def _keys_problem(node: yaml.MappingNode) -> tuple[int, str] | None:
    first: dict[str, int] = {}
    for key, _ in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode):
            return line, "a key must be a plain name, not a list or mapping"
        if key.value in first:
            return line, f"'{key.value}' appears twice in one mapping (first on line {first[key.value]})"
        first[key.value] = line
    return None


def _yaml_problem(path: Path, exc: yaml.YAMLError, offset: int) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    if "quoted scalar" in str(getattr(exc, "context", "")) and getattr(exc, "context_mark", None):
        mark, reason = exc.context_mark, f"a quoted text starting here is never closed ({reason})"
    line = mark.line + 1 + offset if mark else offset + 1
    return Problem(path, line, f"invalid YAML: {reason} (check indentation, and quote text that "
                               "contains ': ' or starts with '{', '[', '*' or '&')")


def construct(node: yaml.Node):
    """Plain Python data from a composed (and claim-filled) node tree."""
    return yaml.constructor.SafeConstructor().construct_document(node)


def key_lines(node, offset: int = 0) -> dict[str, int]:
    """Map each top-level key of a YAML mapping node to its 1-based line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 + offset for k, _ in node.value}


def value_sources(node, text: str, offset: int = 0) -> dict[str, tuple[str, int]]:
    """Map each top-level key of a mapping node to its value's source text and 1-based first line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (text[v.start_mark.index:v.end_mark.index], v.start_mark.line + 1 + offset)
            for k, v in node.value}


def value_node(node, key: str):
    """The value node under ``key`` of a mapping node, or None."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


FRONT_MATTER = re.compile(r"^---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|$)", flags=re.S)
