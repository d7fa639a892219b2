"""Named claims: numbers in a unit that are computed, not typed.

A unit declares each computed number once, in ``claims.yaml`` beside its ``unit.md``, with
the value it shows and the expression that computes it::

    llama2_trainable:
      value: "4,194,304"
      compute: "params('llama-2-7b', r=8, targets='q_proj,v_proj').trainable_params"
      format: "{:,}"

and writes ``{{llama2_trainable}}`` wherever the number appears: in the Markdown of unit.md
(code blocks included) and in any text of cards.yaml and quiz.yaml. The placeholders are
filled in after the YAML is parsed, into the parsed strings, so the files are valid YAML as
written; a numeric quiz answer names its claim (``answer: {claim: llama2_trainable}``).

Loading a unit shows the typed value and imports no torch. ``studyapp check`` and the tests
evaluate every ``compute`` against the Lab (``studyapp.lab.claims``) with :func:`verify` and
report a claim that raises or drifts from what it shows.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from studyapp.core import expressions
from studyapp.core.problems import Problem

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
FIELDS = ("value", "compute", "format")
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)?(\.\d+)?([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Claim:
    """One computed number: its shown value, the expression behind it, and its format."""

    name: str
    value: str
    compute: str
    format: str = "{}"
    line: int = 0  # line of claims.yaml that declares it
    path: Path = Path("claims.yaml")

    @property
    def number(self) -> float | None:
        """The shown value as a number ('4,194,304' -> 4194304.0), or None when it is not one."""
        text = self.value.strip()
        if not text or not _NUMBER.match(text) or not any(c.isdigit() for c in text):
            return None
        return float(text.replace(",", ""))


def entry_problem(name: str, spec, names: Collection[str] | None = None) -> str | None:
    """Why the claims.yaml entry ``name: spec`` is not a valid claim, or None."""
    if not NAME.match(name):
        return f"claim name '{name}' must be lowercase letters, digits and '_'"
    if not isinstance(spec, dict):
        return f"claim '{name}' must be a mapping with value, compute and format"
    unknown = [k for k in spec if k not in FIELDS]
    if unknown:
        return f"claim '{name}' has an unknown field '{unknown[0]}'; a claim has {', '.join(FIELDS)}"
    for field in FIELDS[:2]:
        if not isinstance(spec.get(field), str) or not spec[field].strip():
            what = "the value as shown, as text (quote it)" if field == "value" else "a Python expression"
            return f"claim '{name}' needs '{field}': {what}"
    message = expressions.check(spec["compute"], names) or format_problem(spec.get("format", "{}"))
    return f"claim '{name}': {message}" if message else None


def format_problem(fmt) -> str | None:
    """Why ``fmt`` is not a plain format string with one field, or None ('{:,}', '{:.2f}', '{}')."""
    if not isinstance(fmt, str):
        return "format must be text such as '{:,}' or '{:.2f}'"
    try:
        fields = [(f, conv) for _, f, _spec, conv in string.Formatter().parse(fmt) if f is not None]
    except ValueError as exc:
        return f"format {fmt!r} is not a format string ({exc})"
    if fields != [("", None)]:  # no '{0.__class__}' or '{!r}': a format only shapes the number
        return f"format {fmt!r} must have exactly one plain field: '{{}}', '{{:,}}' or '{{:.2f}}'"
    for sample in (0, 0.0, "x"):
        try:
            fmt.format(sample)
            return None
        except (ValueError, TypeError, KeyError, IndexError):
            continue
    return f"format {fmt!r} fits no value"


def substitute(text: str, claims: dict[str, Claim]) -> str:
    """``text`` with every known ``{{name}}`` replaced by its claim's value (unknown ones left)."""
    return PLACEHOLDER.sub(lambda m: claims[m.group(1)].value if m.group(1) in claims else m.group(0), text)


def scan(text: str, claims: dict[str, Claim], path: Path, first_line: int) -> tuple[set[str], list[Problem]]:
    """The claims ``text`` uses, and a Problem at the exact line of each unknown placeholder.

    ``first_line`` is the line of ``path`` where ``text`` starts.
    """
    used, problems = set(), []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name in claims:
            used.add(name)
            continue
        known = ", ".join(sorted(claims)) or "none declared"
        line = first_line + text.count("\n", 0, match.start())
        problems.append(Problem(path, line, f"unknown claim '{{{{{name}}}}}'; declare it in claims.yaml "
                                            f"beside unit.md (known: {known})"))
    return used, problems


def unused(claims: dict[str, Claim], used: set[str]) -> list[Problem]:
    """A declared claim that nothing shows is a Problem: nobody would read it, so nobody checks it."""
    return [Problem(c.path, c.line, f"claim '{c.name}' is declared but never used as {{{{{c.name}}}}}")
            for c in claims.values() if c.name not in used]


def verify(claims: Collection[Claim], evaluate: Callable[[str, str], str]) -> list[Problem]:
    """Evaluate every claim with ``evaluate(compute, format)``; a Problem for each that raises or drifts.

    Never raises: what a claim's expression raises becomes its problem.
    """
    problems = []
    for claim in claims:
        try:
            shown = evaluate(claim.compute, claim.format)
        except Exception as exc:  # noqa: BLE001 - any failure of an author's expression is reported
            problems.append(Problem(claim.path, claim.line, f"claim '{claim.name}': computing it raised "
                                                            f"{type(exc).__name__}: {exc}"))
            continue
        if shown != claim.value:
            problems.append(Problem(claim.path, claim.line, f"claim '{claim.name}' shows {claim.value!r} but "
                                                            f"`{claim.compute}` gives {shown!r}"))
    return problems
