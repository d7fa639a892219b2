"""cards.yaml and quiz.yaml as written: a YAML list of mappings, claims filled in after parsing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from studyapp.core.claims import Claim
from studyapp.core.content import source
from studyapp.core.content.fields import Fields, kind_of
from studyapp.core.content.fill import fill_tree
from studyapp.core.problems import Problem


@dataclass
class Items:
    """The mappings of one list file, each as :class:`Fields`, with the claims used and problems."""

    fields: list[Fields]
    used: set[str] | None  # None: the file could not be parsed, so what it uses is unknown
    problems: list[Problem]


def load(path: Path, claims: dict[str, Claim], what: str) -> Items:
    """Read ``path`` as a list of ``what`` mappings ("card", "question")."""
    text, problems = source.read_text(path)
    if text is None:
        return Items([], None, problems)
    node, problems = source.compose(text, path)
    if problems:
        return Items([], None, problems)
    if not isinstance(node, yaml.SequenceNode):
        found = "an empty file" if node is None else f"a {kind_of(source.construct(node))}"
        return Items([], None, [Problem(path, 1, f"{path.name} must be a YAML list of {what}s ('- id: ...'), "
                                                  f"not {found}; write [] for none")])
    used, problems = fill_tree(node, text, claims, path)
    fields = []
    for item_node, item in zip(node.value, source.construct(node)):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.append(Problem(path, line, f"each {what} must be a mapping of fields ('id: ...'), "
                                                f"not a {kind_of(item)}"))
            continue
        fields.append(Fields(item, source.key_lines(item_node), line, path, what,
                             source.value_sources(item_node, text)))
    return Items(fields, used, problems)
