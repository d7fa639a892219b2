"""A unit's body cut at its ``##`` sections, so the page can wrap each one and open at it.

``/unit?unit=SLUG&section=SECTION_SLUG`` (search results and the buddy's citations
link this way) opens the unit at that section: the page draws each section in a
container named after its slug, and scrolls to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

from studyapp.core.content import Block, Unit, slugify


@dataclass(frozen=True)
class Part:
    """The blocks of one ``##`` section (``slug`` None: the text before the first section)."""

    slug: str | None
    blocks: tuple[Block, ...]


def parts(unit: Unit) -> list[Part]:
    """The unit's blocks grouped by section, in order; every block appears exactly once."""
    found: list[tuple[str | None, list[Block]]] = [(None, [])]
    for block in unit.blocks:
        if block.kind != "markdown":
            found[-1][1].append(block)
            continue
        for slug, text in _split_at_sections(block.text):
            if slug is not None:
                found.append((slug, []))
            if text.strip():
                found[-1][1].append(Block("markdown", text=text))
    return [Part(slug, tuple(blocks)) for slug, blocks in found if blocks or slug is not None]


@lru_cache(maxsize=512)  # parsing is ~40 ms a block; a unit page draws the same blocks on every rerun
def _split_at_sections(text: str) -> tuple[tuple[str | None, str], ...]:
    """Cut Markdown at each ``##`` heading: ((None, text before), (slug, heading + text), ...)."""
    lines = text.splitlines(keepends=True)
    tokens = MarkdownIt("commonmark").parse(text)
    starts = [(tokens[i].map[0], slugify(tokens[i + 1].content.strip()))
              for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2" and t.map]
    pieces = [(None, "".join(lines[:starts[0][0]] if starts else lines))]
    for n, (line, slug) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        pieces.append((slug, "".join(lines[line:end])))
    return tuple(pieces)
