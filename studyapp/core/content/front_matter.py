"""unit.md's front matter: slug, title, order, summary and objectives, between '---' lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from studyapp.core.claims import Claim
from studyapp.core.content import source
from studyapp.core.content.fields import ID_PATTERN, Fields
from studyapp.core.content.fill import fill_tree
from studyapp.core.problems import Problem

FIELDS = ("slug", "title", "order", "summary", "objectives")
UNIT_DIR = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)$")
MIGRATE_HINT = "run `studyapp check --fix DIR` to convert a unit written in the old format"


@dataclass(frozen=True)
class FrontMatter:
    """The front matter's fields, typed; a missing or bad one falls back to the folder's name."""

    slug: str
    title: str
    order: int
    summary: str
    objectives: tuple[str, ...]
    old_format: bool = False  # claims still in the front matter: the unit needs `check --fix`


def split(text: str, path: Path) -> tuple[str | None, str, int, list[Problem]]:
    """(front matter source or None, body, line where the body starts, problems)."""
    match = source.FRONT_MATTER.match(text)
    if not match:
        message = "unit.md must start with YAML front matter between '---' lines"
        return None, text, 1, [Problem(path, 1, message)]
    return match.group(1) or "", text[match.end():], match.group(0).count("\n") + 1, []


def fallback(folder: Path) -> FrontMatter:
    """What a unit is called when its front matter cannot be read: its folder's name."""
    match = UNIT_DIR.match(folder.name)
    slug = match.group(2) if match else folder.name
    return FrontMatter(slug, slug, int(match.group(1)) if match else 0, "", ())


def read(text: str, path: Path, claims: dict[str, Claim], folder: Path
         ) -> tuple[FrontMatter, set[str], list[Problem]]:
    """Parse and check the front matter ``text`` (which starts on line 2 of ``path``), claims filled in."""
    node, problems = source.compose(text, path, offset=1)
    if node is None:
        return fallback(folder), set(), problems or [Problem(path, 2, "front matter is empty; it needs "
                                                                     + ", ".join(FIELDS))]
    used, problems = fill_tree(node, text, claims, path, offset=1)
    data = source.construct(node)
    if not isinstance(data, dict):
        return fallback(folder), used, problems + [Problem(path, 2, "front matter must be a mapping of "
                                                                    "fields (slug, title, ...)")]
    fields = Fields(data, source.key_lines(node, offset=1), 2, path, "front matter")
    return _typed(fields, fallback(folder)), used, problems + fields.problems


def _typed(fields: Fields, default: FrontMatter) -> FrontMatter:
    old_format = "claims" in fields.data
    if old_format:
        fields.problem("claims", "claims now live in claims.yaml beside unit.md; " + MIGRATE_HINT)
        del fields.data["claims"]
    fields.unknown(FIELDS)
    slug = fields.text("slug", required="it keys the unit's progress")
    if slug and not ID_PATTERN.match(slug):
        fields.problem("slug", "slug must be lowercase letters, digits and '-'")
        slug = ""
    order = fields.whole("order", required="the unit's place in the course: 1, 2, ...")
    title = fields.text("title", required="what students read")
    return FrontMatter(slug or default.slug, title or default.slug,
                       order if order is not None else default.order,
                       fields.text("summary", required="one or two sentences"),
                       fields.texts("objectives", required="a list of what the student will be able to do"),
                       old_format)
