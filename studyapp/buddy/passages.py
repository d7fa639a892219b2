"""What the buddy can cite: the course cut into passages, each with the place it comes from.

A unit's text is cut at its ``##`` headings (the sections a student marks as read and a
citation opens), and each section into chunks of a few paragraphs, so an answer shows
the paragraph that matches rather than a whole section. Recall cards, quiz explanations
and the Lab pages' help are passages too. Cards and questions name no section in their
files; :mod:`studyapp.buddy.index` places each under the section of its unit it matches best.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from studyapp import config
from studyapp.core.content import Course, Unit, slugify

CHUNK_WORDS = 80  # a chunk closes at the first paragraph boundary past this many words (docs/buddy.md)
KIND_LABELS = {
    "section": "Unit text",
    "card": "Recall card",
    "question": "Quiz explanation",
    "lab": "Lab help",
}


@dataclass(frozen=True)
class Passage:
    """One citable piece of the course, and where a citation of it leads."""

    id: str  # stable within one content version: "lora-basics/counting-the-parameters#1"
    kind: str  # "section" | "card" | "question" | "lab"
    unit_slug: str  # "" for Lab help
    unit_title: str  # for Lab help: "LoRA Lab"
    section_slug: str  # slugify(## heading); "" for a unit's intro or a Lab page
    section_title: str  # the heading as written; for Lab help the page title
    text: str  # Markdown, as the course shows it
    title: str = ""  # a card's front, a question's prompt, a Lab help topic
    lab_path: str = ""  # "lab-build" for Lab help

    @property
    def where(self) -> str:
        """'Unit › Section', as a citation reads."""
        return f"{self.unit_title} › {self.section_title}" if self.section_title else self.unit_title

    @property
    def url(self) -> str:
        """The page a citation opens: the unit at its section, or the Lab page."""
        if self.kind == "lab":
            return f"/{self.lab_path}"
        return section_url(self.unit_slug, self.section_slug)


def section_url(unit_slug: str, section_slug: str = "") -> str:
    """``/unit?unit=SLUG&section=SECTION_SLUG`` (the contract the unit page honours)."""
    query = {"unit": unit_slug, **({"section": section_slug} if section_slug else {})}
    return "/unit?" + urlencode(query)


def course_passages(course: Course) -> list[Passage]:
    """Every passage of the valid units, then the Lab's help, in course order."""
    found = [p for unit in course.units for p in unit_passages(unit)]
    return found + lab_passages()


def unit_passages(unit: Unit) -> list[Passage]:
    """The chunks of each section, the recall cards and the quiz explanations of one unit."""
    out = []
    for title, body in split_sections(unit.body):
        slug = slugify(title) if title else ""
        for i, chunk in enumerate(chunk_markdown(body)):
            out.append(
                Passage(f"{unit.slug}/{slug}#{i}", "section", unit.slug, unit.title, slug, title, chunk)
            )
    out += [
        Passage(f"card:{c.key}", "card", unit.slug, unit.title, "", "", c.back, title=c.front)
        for c in unit.cards
    ]
    out += [
        Passage(f"question:{q.key}", "question", unit.slug, unit.title, "", "", q.explanation, title=q.prompt)
        for q in unit.questions
    ]
    return out


def split_sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) for the intro (heading "") and each ``##`` section; explainer fences dropped."""
    body = re.sub(r"^```explainer\n.*?^```\s*$", "", body, flags=re.S | re.M)
    parts = _split_outside_fences(body)
    return [(title, text) for title, text in parts if text.strip()]


def _split_outside_fences(body: str) -> list[tuple[str, str]]:
    sections, title, lines, fenced = [], "", [], False
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = re.match(r"^## +(.+?)\s*$", line)
        if heading and not fenced:
            sections.append((title, "\n".join(lines)))
            title, lines = heading.group(1), []
        else:
            lines.append(line)
    sections.append((title, "\n".join(lines)))
    return sections


def chunk_markdown(text: str, max_words: int = CHUNK_WORDS) -> list[str]:
    """Cut Markdown at blank lines outside code fences into chunks of about ``max_words``.

    A code block or table stays whole and stays with the paragraph before it, which
    usually says what it shows.
    """
    chunks, current, words = [], [], 0
    for block in _blocks(text):
        block_words = len(block.split())
        closes = words >= max_words or (words and words + block_words > 2 * max_words)
        if closes and not block.startswith("```"):
            chunks.append("\n\n".join(current))
            current, words = [], 0
        current.append(block)
        words += block_words
    if current:
        chunks.append("\n\n".join(current))
    return [c for c in chunks if c.strip()]


def _blocks(text: str) -> list[str]:
    """Paragraphs, lists, tables and whole code fences, in order."""
    blocks, current, fenced = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return [b.strip("\n") for b in blocks if b.strip()]


def lab_passages() -> list[Passage]:
    """The Lab pages' help: each page's description and the LoraConfig fields' help text."""
    from studyapp.lab.panels import PANELS
    from studyapp.lab.settings import LoraSettings, field_help

    out = []
    for panel in PANELS:
        doc = _docstring(config.PACKAGE_ROOT / panel.view)
        if doc:
            out.append(
                Passage(
                    f"lab:{panel.url_path}",
                    "lab",
                    "",
                    "LoRA Lab",
                    "",
                    panel.title,
                    doc,
                    title=panel.title,
                    lab_path=panel.url_path,
                )
            )
    build = next(p for p in PANELS if p.url_path == "lab-build")
    for name in LoraSettings.__dataclass_fields__:
        out.append(
            Passage(
                f"lab:{build.url_path}#{name}",
                "lab",
                "",
                "LoRA Lab",
                "",
                build.title,
                field_help(name),
                title=name,
                lab_path=build.url_path,
            )
        )
    return out


def _docstring(path) -> str:
    """A page's module docstring, read without importing the page (pages import streamlit)."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        return ""
    return re.sub(r"^Lab · ", "", doc)
