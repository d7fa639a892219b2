"""One unit folder: claims.yaml, unit.md, cards.yaml and quiz.yaml, loaded into a Unit or a BrokenUnit.

Loading never raises for a bad unit: every mistake, and any exception at all while reading it
(a file that is not UTF-8, a MemoryError from a deeply nested block, a bug), becomes one of the
unit's ``path:line: message`` problems, so the rest of the course is still served.
"""

from __future__ import annotations

from pathlib import Path

from studyapp.core import claims as claims_mod
from studyapp.core.content import body as body_mod
from studyapp.core.content import cards as cards_mod
from studyapp.core.content import claims_file, front_matter, lab_links, questions, source
from studyapp.core.content.catalog import LabCatalog
from studyapp.core.content.fill import fill_text
from studyapp.core.content.model import Block, BrokenUnit, Unit
from studyapp.core.problems import Problem

FILES = ("unit.md", "claims.yaml", "cards.yaml", "quiz.yaml")


def load_unit(folder: Path, *, lab: LabCatalog | None = None, checked_against: str = "") -> Unit | BrokenUnit:
    """Load one unit folder; a :class:`BrokenUnit` lists every problem found.

    ``lab`` is what links into the Lab and claim expressions are checked against (None: not
    checked); ``checked_against`` is the version banner shown at the top of the unit.
    Never raises.
    """
    folder = Path(folder)
    try:
        return _load(folder, lab, checked_against)
    except Exception as exc:  # noqa: BLE001 - one unreadable unit must not take the course down
        meta = front_matter.fallback(folder)
        message = f"could not be loaded ({type(exc).__name__}: {exc}); the rest of the course is served"
        problem = Problem(folder / "unit.md", 0, message)
        return BrokenUnit(meta.slug, meta.title, meta.order, (problem,), folder)


def _load(folder: Path, lab: LabCatalog | None, checked_against: str) -> Unit | BrokenUnit:
    claims, problems = claims_file.load(folder / "claims.yaml", lab)
    md = folder / "unit.md"
    text, found = source.read_text(md)
    problems += found
    meta, body, blocks, used = front_matter.fallback(folder), "", [], None
    if text is not None:
        meta, body, blocks, used, found = _unit_md(text, md, claims, folder, lab)
        if meta.old_format:  # everything else would be noise until the unit is converted
            migrate = tuple(p for p in found if front_matter.MIGRATE_HINT in p.message)
            return BrokenUnit(meta.slug, meta.title, meta.order, migrate, folder)
        problems += found
    cards, card_claims, found = cards_mod.load(folder / "cards.yaml", meta.slug, claims)
    problems += found
    quiz, quiz_claims, found = questions.load(folder / "quiz.yaml", meta.slug, claims)
    problems += found
    uses = (used, card_claims, quiz_claims)
    if all(u is not None for u in uses):  # an unparsed file would make every claim look unused
        problems += claims_mod.unused(claims, set().union(*uses))
    if problems:
        return BrokenUnit(meta.slug, meta.title, meta.order, tuple(problems), folder)
    return Unit(meta.slug, meta.title, meta.order, meta.summary, meta.objectives, body,
                tuple(_with_banner(blocks, checked_against)), tuple(body_mod.sections(body)),
                tuple(cards), tuple(quiz),
                body_mod.read_minutes(body), folder, tuple(claims.values()), checked_against)


def _with_banner(blocks: list[Block], banner: str) -> list[Block]:
    """The version banner as the first line of the first Markdown block (block indices, which key
    the explainers' widgets, stay as they were)."""
    if not banner:
        return blocks
    line = f"*{banner}.*\n\n"
    if blocks and blocks[0].kind == "markdown":
        return [Block("markdown", text=line + blocks[0].text), *blocks[1:]]
    return [Block("markdown", text=line), *blocks]


def _unit_md(text: str, md: Path, claims, folder: Path, lab: LabCatalog | None):
    """(front matter, body with claims filled, its blocks, claims used, problems) of unit.md."""
    front, body, body_line, problems = front_matter.split(text, md)
    meta, used = front_matter.fallback(folder), set()
    if front is not None:
        meta, used, found = front_matter.read(front, md, claims, folder)
        problems += found
    body, body_used, found = fill_text(body, claims, md, body_line)
    blocks, more = body_mod.parse(body, body_line, md)
    links = lab_links.check(body, body_line, md, lab)
    return meta, body, blocks, used | body_used, problems + found + more + links
