"""Named claims: numbers in a unit that are computed, not typed.

A unit declares each computable number once, in its front matter, with the
expression that computes it:

    claims:
      llama2_trainable:
        value: "4,194,304"
        compute: "params('llama-2-7b', r=8, targets='q_proj,v_proj').trainable_params"
        format: "{:,}"

and writes ``{{llama2_trainable}}`` wherever the number appears (in unit.md,
cards.yaml or quiz.yaml, code blocks included). Loading replaces each
placeholder with the value, with no torch involved; ``tests/test_claims.py``
evaluates every ``compute`` against the Lab (``studyapp.lab.claims``) and fails
when a value drifts from what the code computes.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass(frozen=True)
class Claim:
    """One computed number: its shown value, the expression behind it, and its format."""

    name: str
    value: str
    compute: str
    format: str = "{}"
    line: int = 0  # line of unit.md that declares it


def parse_claims(raw, key_line: int, lines: dict[str, int], path: Path, problems: list) -> dict[str, Claim]:
    """Read the ``claims`` mapping of the front matter; append a Problem for each bad entry."""
    from studyapp.core.content import Problem

    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(path, key_line, "claims must be a mapping of name: {value, compute, format}"))
        return {}
    claims = {}
    for name, spec in raw.items():
        line = lines.get(str(name), key_line)
        message = _claim_problem(str(name), spec)
        if message:
            problems.append(Problem(path, line, message))
            continue
        claims[str(name)] = Claim(str(name), str(spec["value"]), str(spec["compute"]),
                                  str(spec.get("format", "{}")), line)
    return claims


def _claim_problem(name: str, spec) -> str | None:
    if not NAME.match(name):
        return f"claim name '{name}' must be lowercase letters, digits and '_'"
    if not isinstance(spec, dict) or "value" not in spec or not spec.get("compute"):
        return f"claim '{name}' needs a 'value' (as shown) and a 'compute' expression"
    try:
        ast.parse(str(spec["compute"]), mode="eval")
    except SyntaxError as exc:
        return f"claim '{name}': compute is not a Python expression ({exc.msg})"
    try:
        str(spec.get("format", "{}")).format(0)
    except (ValueError, IndexError, KeyError) as exc:
        return f"claim '{name}': format {spec.get('format')!r} is not a format string ({exc})"
    return None


def substitute(text: str, claims: dict[str, Claim], path: Path, first_line: int, problems: list,
               used: set[str]) -> str:
    """Replace every ``{{name}}`` by its claim's value; an unknown name is a Problem at its line."""
    from studyapp.core.content import Problem

    def replace(match: re.Match, number: int) -> str:
        name = match.group(1)
        if name not in claims:
            known = ", ".join(sorted(claims)) or "none declared"
            problems.append(Problem(path, first_line + number,
                                    f"unknown claim '{{{{{name}}}}}'; declare it under claims: in unit.md (known: {known})"))
            return match.group(0)
        used.add(name)
        return claims[name].value

    return "".join(PLACEHOLDER.sub(lambda m: replace(m, n), line)
                   for n, line in enumerate(text.splitlines(keepends=True)))


def unused(claims: dict[str, Claim], used: set[str], path: Path, problems: list) -> None:
    """A declared claim that nothing shows is a Problem: it would go unchecked by readers."""
    from studyapp.core.content import Problem

    for name, claim in claims.items():
        if name not in used:
            problems.append(Problem(path, claim.line, f"claim '{name}' is declared but never used as {{{{{name}}}}}"))
