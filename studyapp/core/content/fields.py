"""Typed reads of one parsed YAML mapping (the front matter, a card, a question).

Each read returns the value in the type the app uses, or a default, and keeps a Problem at the
key's line for every mistake: a missing field, a list where text belongs, a number written as
text, a field nobody knows. The caller takes ``fields.problems`` when it is done.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from studyapp.core.problems import Problem

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def kind_of(value) -> str:
    """What a YAML value is, in an author's words."""
    if isinstance(value, bool):
        return "true/false value (YAML reads yes, no, true, false, on and off that way: quote the text)"
    if isinstance(value, (int, float)):
        return "number"
    names = {dict: "mapping", list: "list", str: "text", type(None): "empty value"}
    return names.get(type(value), type(value).__name__)


class Fields:
    """One mapping's fields, read with their types checked."""

    def __init__(self, data: dict, lines: dict[str, int], line: int, path: Path, what: str,
                 sources: dict[str, tuple[str, int]] | None = None):
        self.data, self.lines, self.line, self.path, self.what = data, lines, line, path, what
        self.sources = sources or {}  # key -> (its value's source text, that value's first line)
        self.problems: list[Problem] = []

    def at(self, name: str) -> int:
        """Line of ``name``'s key, or of the mapping when the key is absent."""
        return self.lines.get(name, self.line)

    def line_in(self, name: str, needle: str, nth: int = 0) -> int:
        """Line of the ``nth`` ``needle`` in ``name``'s value as written (a multi-line text's own
        line), or the key's line when the source does not hold it."""
        text, first = self.sources.get(name, ("", self.at(name)))
        index = -1
        for _ in range(nth + 1):
            index = text.find(needle, index + 1)
            if index < 0:
                return self.at(name)
        return first + text.count("\n", 0, index)

    def problem(self, name: str, message: str, line: int | None = None) -> None:
        """Keep a Problem at ``name``'s line (or at ``line``, a line inside its value)."""
        self.problems.append(Problem(self.path, line or self.at(name), message))

    def text(self, name: str, *, required: str = "") -> str:
        """A non-empty string field; ``required`` says what it is for (missing is then a problem)."""
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.problem(name, f"{self.what} needs a non-empty '{name}' ({required})")
            return ""
        if not isinstance(value, str):
            self.problem(name, f"{self.what} '{name}' must be text, not a {kind_of(value)}")
            return ""
        if required and not value.strip():
            self.problem(name, f"{self.what} needs a non-empty '{name}' ({required})")
        return value.strip()

    def texts(self, name: str, *, required: str = "") -> tuple[str, ...]:
        """A list of non-empty strings; missing or empty is a problem only when ``required``."""
        value = self.data.get(name)
        if value in (None, []):
            if required:
                self.problem(name, f"{self.what} needs '{name}' ({required})")
            return ()
        if not isinstance(value, list):
            self.problem(name, f"{self.what} '{name}' must be a list ('- item' lines), "
                               f"not a {kind_of(value)}")
            return ()
        bad = [v for v in value if not isinstance(v, str) or not v.strip()]
        if bad:
            empty = bad[0] is None or isinstance(bad[0], str)
            found = "an empty item" if empty else f"a {kind_of(bad[0])}"
            self.problem(name, f"every item of '{name}' must be non-empty text; found {found}")
            return ()
        return tuple(v.strip() for v in value)

    def whole(self, name: str, *, required: str = "") -> int | None:
        """A whole number (not true/false)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, f"{self.what} needs '{name}' ({required})")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"{self.what} '{name}' must be a whole number (1, 2, ...), "
                               f"not a {kind_of(value)}")
            return None
        return value

    def number(self, name: str, *, default: float = 0.0, minimum: float | None = None) -> float | None:
        """A finite number (int or float), at least ``minimum``; ``default`` when absent."""
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.problem(name, f"{self.what} '{name}' must be a finite number, not a {kind_of(value)}")
            return None
        if minimum is not None and value < minimum:
            self.problem(name, f"{self.what} '{name}' must be a number >= {minimum:g}")
            return None
        return float(value)

    def identifier(self, seen: dict[str, int]) -> str:
        """The ``id`` (unique among ``seen``, which it updates), or "" after a problem."""
        value = self.data.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem("id", "needs an 'id' of lowercase letters, digits, '-' or '_' (it keys progress)")
            return ""
        if value in seen:
            self.problem("id", f"duplicate id '{value}' (first on line {seen[value]}); ids must be unique")
            return ""
        seen[value] = self.at("id")
        return value

    def unknown(self, known: tuple[str, ...]) -> None:
        """A problem for every key outside ``known`` (a misspelt field would be silently ignored)."""
        for name in self.data:
            if name not in known:
                self.problem(str(name), f"unknown field '{name}' in {self.what}; "
                                        f"known fields: {', '.join(known)}")
