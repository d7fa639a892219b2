"""Full-text search over the course: unit text, recall cards and quiz questions.

An in-memory SQLite FTS5 index (through sqlite-utils) built from the loaded course;
it is rebuilt whenever the course is reloaded, and holds nothing a student wrote.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field

import sqlite_utils

from studyapp.core.content import Course, Unit

KIND_LABELS = {"section": "Unit text", "card": "Recall card", "question": "Quiz question"}


@dataclass(frozen=True)
class Hit:
    """One search result: where it is and a snippet with the match in **bold**."""

    kind: str  # "section" | "card" | "question"
    unit_slug: str
    unit_title: str
    title: str
    snippet: str


@dataclass
class SearchIndex:
    """An in-memory FTS5 index shared by every Streamlit thread (queries run under a lock)."""

    db: sqlite_utils.Database
    lock: threading.Lock = field(default_factory=threading.Lock)


def build_index(course: Course) -> SearchIndex:
    """Index every section, card and question of the valid units."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False))
    docs = [doc for unit in course.units for doc in _documents(unit)]
    db["docs"].insert_all(docs, pk="id") if docs else db["docs"].create(
        {"id": str, "kind": str, "unit_slug": str, "unit_title": str, "title": str, "text": str}, pk="id")
    db["docs"].enable_fts(["title", "text"], tokenize="porter")
    return SearchIndex(db)


def _documents(unit: Unit) -> list[dict]:
    base = {"unit_slug": unit.slug, "unit_title": unit.title}
    docs = [{**base, "id": f"{unit.slug}#{i}", "kind": "section", "title": title, "text": text}
            for i, (title, text) in enumerate(_split_sections(unit))]
    docs += [{**base, "id": f"card:{card.key}", "kind": "card", "title": card.front, "text": card.back} for card in unit.cards]
    docs += [{**base, "id": f"question:{q.key}", "kind": "question", "title": q.prompt,
              "text": " ".join([*q.choices, q.explanation])} for q in unit.questions]
    return docs


def _split_sections(unit: Unit) -> list[tuple[str, str]]:
    """(heading, text) for the intro and each ## section of the unit body."""
    parts = re.split(r"^## +(.+)$", unit.body, flags=re.M)
    sections = [(unit.title, parts[0])] if parts[0].strip() else []
    sections += list(zip(parts[1::2], parts[2::2]))
    return [(title.strip(), re.sub(r"```.*?```", " ", text, flags=re.S)) for title, text in sections]


def fts_query(text: str) -> str:
    """Every word must match, the last one as a prefix (so results come while typing)."""
    words = re.findall(r"[\w.-]+", text.lower())
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


# Title matches weigh 5x body matches in the BM25 ranking.
SEARCH_SQL = (
    "select docs.kind, docs.unit_slug, docs.unit_title, docs.title, "
    "snippet(docs_fts, 1, '**', '**', ' … ', 12) as snippet "
    "from docs_fts join docs on docs.rowid = docs_fts.rowid "
    "where docs_fts match ? order by bm25(docs_fts, 5.0, 1.0) limit ?"
)


def search(index: SearchIndex, text: str, limit: int = 30) -> list[Hit]:
    """Best matches first; an empty or punctuation-only query finds nothing."""
    query = fts_query(text)
    if not query:
        return []
    with index.lock:
        rows = list(index.db.query(SEARCH_SQL, (query, limit)))
    return [Hit(r["kind"], r["unit_slug"], r["unit_title"], r["title"], r["snippet"]) for r in rows]
