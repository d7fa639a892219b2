"""Claims filled in after parsing: into the string scalars of a composed YAML tree, and into Markdown.

The YAML files stay valid as written (a placeholder is ordinary text to a YAML parser), and an
unknown ``{{name}}`` is reported at its exact line, even inside a folded multi-line scalar,
because the scan runs over the scalar's source text.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from studyapp.core import claims as claims_mod
from studyapp.core.claims import Claim
from studyapp.core.problems import Problem

STR_TAG = "tag:yaml.org,2002:str"


def fill_tree(node: yaml.Node | None, text: str, claims: dict[str, Claim], path: Path,
              offset: int = 0) -> tuple[set[str], list[Problem]]:
    """Fill every ``{{name}}`` in the string scalars under ``node``, in place.

    ``text`` is the source ``node`` was composed from, ``offset`` the lines of ``path`` before it.
    Returns the claims used and a Problem for each unknown placeholder.
    """
    used, problems = set(), []
    for scalar in _string_scalars(node):
        source = text[scalar.start_mark.index:scalar.end_mark.index]
        found, unknown = claims_mod.scan(source, claims, path, scalar.start_mark.line + 1 + offset)
        used |= found
        problems += unknown
        scalar.value = claims_mod.substitute(scalar.value, claims)
    return used, problems


def fill_text(text: str, claims: dict[str, Claim], path: Path, first_line: int
              ) -> tuple[str, set[str], list[Problem]]:
    """``text`` (Markdown starting at ``first_line`` of ``path``) with claims filled in, used, problems."""
    used, problems = claims_mod.scan(text, claims, path, first_line)
    return claims_mod.substitute(text, claims), used, problems


def _string_scalars(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    found, stack = [], [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode) and current.tag == STR_TAG:
            found.append(current)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
    return found
