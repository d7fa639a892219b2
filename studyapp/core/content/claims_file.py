"""claims.yaml beside unit.md: ``name: {value, compute, format}`` for every computed number.

A unit without computed numbers may leave the file out. Each entry is checked here (its name,
fields, the shape of its compute expression and its format) without evaluating anything.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from studyapp.core import claims as claims_mod
from studyapp.core.claims import Claim
from studyapp.core.content import source
from studyapp.core.content.catalog import LabCatalog
from studyapp.core.content.fields import kind_of
from studyapp.core.problems import Problem


def load(path: Path, lab: LabCatalog | None) -> tuple[dict[str, Claim], list[Problem]]:
    """The valid claims of ``path`` (none if it does not exist) and a Problem for each bad entry."""
    if not path.exists():
        return {}, []
    text, problems = source.read_text(path)
    if text is None:
        return {}, problems
    node, problems = source.compose(text, path)
    if problems or node is None:
        return {}, problems
    if not isinstance(node, yaml.MappingNode):
        return {}, [Problem(path, 1, "claims.yaml must be a mapping of name: {value, compute, format}, not a "
                                     f"{kind_of(source.construct(node))}")]
    names = lab.claim_names if lab and lab.claim_names else None
    claims, problems = {}, []
    for (key_node, _), (name, spec) in zip(node.value, source.construct(node).items()):
        line = key_node.start_mark.line + 1
        message = claims_mod.entry_problem(str(name), spec, names)
        if message:
            problems.append(Problem(path, line, message))
            continue
        claims[name] = Claim(name, spec["value"], spec["compute"], spec.get("format", "{}"), line, path)
    return claims, problems
