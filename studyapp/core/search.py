"""Full-text search over the course: unit text, recall cards and quiz questions.

An in-memory SQLite FTS5 index (through sqlite-utils) built from the loaded course;
it is rebuilt whenever the course is reloaded, and holds nothing a student wrote.
Text is indexed as the student reads it (Markdown markup removed, code blocks
left out, inline code kept in backticks). A quiz question is indexed by its prompt
and choices, never its explanation: a result must not give the answer away.

Each hit says where it leads: a unit section (``section_slug``, as the unit page's
``section=`` expects), or for a card or question the section of its unit whose text
it shares most with (BM25 over that unit's sections), or None for the unit's top.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from dataclasses import dataclass, field

import sqlite_utils
from markdown_it import MarkdownIt

from studyapp.core.content import Course, Unit, slugify
from studyapp.core.markdown_escape import escape_markdown

KIND_LABELS = {"section": "Unit text", "card": "Recall card", "question": "Quiz question"}
PER_PAGE = 10
MAX_QUERY_CHARS = 200  # longer searches are cut: a page of text is not a query, and FTS5 work grows with it
# FTS5 wraps each matched word in these; they cannot occur in course text (control characters).
_OPEN, _CLOSE = "\x02", "\x03"
_MARKDOWN = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Hit:
    """One search result, with where it leads and what matched.

    ``title`` is plain text; ``title_md`` and ``snippet`` are safe Markdown with the
    matched words in bold (``snippet`` is empty for a question: its prompt is the result).
    """

    kind: str  # "section" | "card" | "question"
    unit_slug: str
    unit_title: str
    title: str
    snippet: str
    title_md: str = ""
    section_slug: str | None = None
    section_title: str | None = None


@dataclass(frozen=True)
class ResultPage:
    """One page of results: ``total`` counts every match, ``hits`` are this page's."""

    total: int
    page: int  # 1-based, within 1..pages
    pages: int
    hits: list[Hit]
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        """1-based position of the first hit on this page (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


@dataclass
class SearchIndex:
    """An in-memory FTS5 index shared by every Streamlit thread (queries run under a lock)."""

    db: sqlite_utils.Database
    lock: threading.Lock = field(default_factory=threading.Lock)


_COLUMNS = {"id": str, "kind": str, "unit_slug": str, "unit_title": str, "title": str, "text": str,
            "section_slug": str, "section_title": str}


def build_index(course: Course) -> SearchIndex:
    """Index every section, card and question of the valid units."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False))
    db["docs"].create(_COLUMNS, pk="id")
    db["docs"].insert_all(doc for unit in course.units for doc in _documents(unit))
    db["docs"].enable_fts(["title", "text"], tokenize="porter")
    _place_cards_and_questions(db)
    return SearchIndex(db)


def _documents(unit: Unit) -> list[dict]:
    base = {"unit_slug": unit.slug, "unit_title": unit.title}
    docs = [{**base, "id": f"{unit.slug}#{i}", "kind": "section", "title": title, "text": text,
             "section_slug": slug, "section_title": title if slug else None}
            for i, (title, slug, text) in enumerate(_split_sections(unit))]
    docs += [{**base, "id": f"card:{card.key}", "kind": "card", "title": _plain(card.front),
              "text": _plain(card.back)} for card in unit.cards]
    docs += [{**base, "id": f"question:{q.key}", "kind": "question", "title": _plain(q.prompt),
              "text": " · ".join(_plain(c) for c in q.choices)} for q in unit.questions]
    return docs


def _split_sections(unit: Unit) -> list[tuple[str, str | None, str]]:
    """(title, slug, plain text) of the intro (titled as the unit, slug None) and each ``##`` section.

    Headings are found by the same CommonMark parser as the unit's sections, and the slug
    is made from the same heading source, so it is the ``section=`` the unit page knows.
    A ``## `` line inside a code block is not a heading; code blocks are not indexed.
    """
    parts: list[tuple[str, str | None, list[str]]] = [(unit.title, None, [])]
    tokens = _MARKDOWN.parse(unit.body)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            heading = tokens[i + 1]
            parts.append((_inline_text(heading), slugify(heading.content.strip()), []))
        elif token.type == "inline" and not _is_h2_heading(tokens, i):
            parts[-1][2].append(_inline_text(token))
    sections = [(title, slug, " ".join(texts)) for title, slug, texts in parts]
    return sections if sections[0][2].strip() else sections[1:]


def _is_h2_heading(tokens, i: int) -> bool:
    return i > 0 and tokens[i - 1].type == "heading_open" and tokens[i - 1].tag == "h2"


def _plain(markdown: str) -> str:
    """Markdown as the student reads it, on one line: markup gone, inline code in backticks."""
    return " ".join(_inline_text(t) for t in _MARKDOWN.parse(markdown) if t.type == "inline")


def _inline_text(token) -> str:
    out = []
    for child in token.children or []:
        if child.type == "text":
            out.append(child.content)
        elif child.type == "code_inline":
            out.append("`" + child.content.replace("`", "'") + "`")
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(child.content)  # the alt text
    return "".join(out).replace(_OPEN, "").replace(_CLOSE, "")


def _place_cards_and_questions(db: sqlite_utils.Database) -> None:
    """Give each card and question the section of its unit that shares most words with it."""
    rows = list(db.query("select id, unit_slug, title, text from docs where kind in ('card', 'question')"))
    for row in rows:
        words = set(re.findall(r"\w{3,}", f"{row['title']} {row['text']}".lower()))
        if not words:
            continue
        best = list(db.query(
            "select docs.section_slug, docs.section_title "
            "from docs_fts join docs on docs.rowid = docs_fts.rowid "
            "where docs_fts match ? and docs.unit_slug = ? and docs.kind = 'section' "
            "and docs.section_slug is not null order by bm25(docs_fts, 5.0, 1.0) limit 1",
            (" OR ".join(f'"{w}"' for w in sorted(words)), row["unit_slug"])))
        if best:
            db["docs"].update(row["id"], best[0])


def fts_query(text: str) -> str:
    """Every word of the first MAX_QUERY_CHARS must match, the last one as a prefix (results come
    while typing)."""
    words = re.findall(r"[\w.-]+", text[:MAX_QUERY_CHARS].lower())
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


# Title matches weigh 5x body matches in the BM25 ranking.
SEARCH_SQL = (
    "select docs.kind, docs.unit_slug, docs.unit_title, docs.title, docs.section_slug, docs.section_title, "
    f"highlight(docs_fts, 0, '{_OPEN}', '{_CLOSE}') as title_marked, "
    f"snippet(docs_fts, 1, '{_OPEN}', '{_CLOSE}', ' … ', 16) as snippet "
    "from docs_fts join docs on docs.rowid = docs_fts.rowid "
    "where docs_fts match ? order by bm25(docs_fts, 5.0, 1.0) limit ? offset ?"
)
COUNT_SQL = "select count(*) as n from docs_fts where docs_fts match ?"


def search(index: SearchIndex, text: str, limit: int = 30) -> list[Hit]:
    """The ``limit`` best matches, best first; an empty or punctuation-only query finds nothing."""
    query = fts_query(text)
    if not query:
        return []
    with index.lock:
        rows = list(index.db.query(SEARCH_SQL, (query, limit, 0)))
    return [_hit(r) for r in rows]


def search_page(index: SearchIndex, text: str, page: int = 1, per_page: int = PER_PAGE) -> ResultPage:
    """Page ``page`` (1-based, clamped to the pages there are) of every match, with the total."""
    query = fts_query(text)
    if not query:
        return ResultPage(0, 1, 1, [], per_page)
    with index.lock:
        total = index.db.execute(COUNT_SQL, (query,)).fetchone()[0]
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = list(index.db.query(SEARCH_SQL, (query, per_page, (page - 1) * per_page)))
    return ResultPage(total, page, pages, [_hit(r) for r in rows], per_page)


def _hit(row: dict) -> Hit:
    snippet = "" if row["kind"] == "question" else highlighted_markdown(row["snippet"])
    return Hit(row["kind"], row["unit_slug"], row["unit_title"], row["title"], snippet,
               highlighted_markdown(row["title_marked"]), row["section_slug"], row["section_title"])


# Inline code and inline maths stay what they are; everything else is escaped text.
_SPANS = re.compile(r"(`[^`]*`|\$[^$\s][^$]*\$)")


def highlighted_markdown(marked: str) -> str:
    """FTS5 text with matches between the markers, as safe Markdown with the matches in bold.

    A code or maths span that holds a match is bolded whole (markers inside it would show
    as raw ``**``); a span cut open by the snippet's edge is shown as plain text.
    """
    out = []
    for i, part in enumerate(_SPANS.split(" ".join(marked.split()))):
        if i % 2:  # a complete `code` or $maths$ span
            bare = part.replace(_OPEN, "").replace(_CLOSE, "")
            out.append(f"**{bare}**" if bare != part else bare)
        else:  # a backtick left over is half a code span the snippet cut: drop it
            out.append(_escape_marked(part.replace("`", "")))
    return "".join(out).strip()


def _escape_marked(text: str) -> str:
    pieces = re.split(f"([{_OPEN}{_CLOSE}])", text)
    return "".join("**" if p in (_OPEN, _CLOSE) else escape_markdown(p) for p in pieces)
