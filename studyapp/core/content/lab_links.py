"""Links from a unit into the Lab: ``[text](/lab-build?model=llama-3-8b&r=8)``.

A link must name a Lab page the caller knows, and a ``model=`` preset a registry model. With
no catalog (``lab=None``) links are not checked at all: tools that only read the text (search,
tests of other features) need not know the Lab.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

from studyapp.core.content.catalog import LabCatalog
from studyapp.core.problems import Problem

LAB_LINK = re.compile(r"\]\((/lab-[a-z-]*)(\?[^)\s]*)?\)")


def check(body: str, first_line: int, path: Path, lab: LabCatalog | None) -> list[Problem]:
    """A Problem for each link to an unknown Lab page or model; none when ``lab`` is None."""
    if lab is None:
        return []
    problems = []
    for number, line in enumerate(body.splitlines()):
        for match in LAB_LINK.finditer(line):
            problems += _check_link(match, lab, path, first_line + number)
    return problems


def _check_link(match: re.Match, lab: LabCatalog, path: Path, line: int) -> list[Problem]:
    page, query = match.group(1).lstrip("/"), parse_qs((match.group(2) or "?")[1:])
    found = []
    if page not in lab.pages:
        pages = ", ".join(f"/{p}" for p in sorted(lab.pages)) or "none known"
        found.append(Problem(path, line, f"link to unknown Lab panel '/{page}'; use one of {pages}"))
    for model in query.get("model", []):
        if model not in lab.models:
            found.append(Problem(path, line, f"Lab link presets unknown model '{model}'; "
                                             "`studyapp lab models` lists the names"))
    return found
