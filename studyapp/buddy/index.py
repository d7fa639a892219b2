"""The course index: every passage in an in-memory SQLite FTS5 table, ranked by bm25.

Built once per content version (pages cache it by the course signature; the CLI builds
it per run, in well under a second). The tokenizer is FTS5's porter stemmer over
unicode61, so "quantized" finds "quantization" and ``lora_alpha`` is the words lora and
alpha. Nothing a student writes is stored here.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from dataclasses import dataclass, field, replace

from studyapp.buddy.passages import Passage, course_passages
from studyapp.core.content import Course

# Words that carry no topic: English function words and how students phrase a question.
STOPWORDS = frozenset(
    """
a about above after again against all am an and any are aren as at be because been before being
below between both but by can cannot could did didn do does doesn doing don down during each few
for from further get gets got had has have having he her here hers him his how i if in into is
isn it its itself just let me more most my no nor not now of off on once only or other our out
over own same she should so some such than that the their them then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours please tell explain explained mean means meant actually really thing things
happen happens happened work works kind sort way ways okay ok hey hi anyone someone something
understand know need want wanted say says said give show exactly basically vs versus like also
""".split()
)
# Title (heading, card front, question prompt) matches weigh 2x body matches (docs/buddy.md).
HEADING_WEIGHT, BODY_WEIGHT = 2.0, 1.0
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: never in course text


def query_words(text: str) -> list[str]:
    """The topic words of a question, lowercased, in order, each once (FTS5-safe)."""
    seen: dict[str, None] = {}
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def match_expression(words: list[str]) -> str:
    """An FTS5 MATCH expression finding any of ``words`` (each quoted, so none is an operator)."""
    return " OR ".join(f'"{w}"*' if len(w) >= 4 else f'"{w}"' for w in words)


@dataclass
class CourseIndex:
    """Passages and their FTS5 table; queries run under a lock (one connection, many threads)."""

    passages: list[Passage]  # passage i has rowid i + 1
    conn: sqlite3.Connection
    lock: threading.Lock = field(default_factory=threading.Lock)
    _sections: dict | None = field(default=None, repr=False)  # (unit, section) -> rowids, built on first use

    def section_rows(self, unit_slug: str, section_slug: str) -> set[int]:
        """Rowids of every passage of one section (its chunks, cards and questions)."""
        if self._sections is None:
            grouped: dict[tuple[str, str], set[int]] = {}
            for i, p in enumerate(self.passages):
                grouped.setdefault((p.unit_slug, p.section_slug), set()).add(i + 1)
            self._sections = grouped
        return self._sections.get((unit_slug, section_slug), set())

    def passage(self, rowid: int) -> Passage:
        """The passage stored under ``rowid``."""
        return self.passages[rowid - 1]

    def bm25(
        self, words: list[str], limit: int = 60, kind: str | None = None, unit: str | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, score) best first; score is -bm25, so higher is better and always > 0."""
        if not words:
            return []
        where = "docs match ?" + (" and kind = ?" if kind else "") + (" and unit = ?" if unit else "")
        params = [match_expression(words), *([kind] if kind else []), *([unit] if unit else []), limit]
        sql = (
            f"select rowid, -bm25(docs, {HEADING_WEIGHT}, {BODY_WEIGHT}) as score from docs "
            f"where {where} order by score desc limit ?"
        )
        with self.lock:
            return [(r, s) for r, s in self.conn.execute(sql, params)]

    def rows_matching(self, word: str) -> set[int]:
        """Rowids of every passage containing ``word`` (stemmed as the index stems it)."""
        with self.lock:
            return {
                r
                for (r,) in self.conn.execute(
                    "select rowid from docs where docs match ?", (match_expression([word]),)
                )
            }

    def idf(self, word: str) -> float:
        """Inverse document frequency of ``word`` over all passages (high for rare words)."""
        n, df = len(self.passages), len(self.rows_matching(word))
        return math.log((n - df + 0.5) / (df + 0.5) + 1)

    def marked(self, rowid: int, words: list[str]) -> str:
        """The passage's text with each matched word between MARK_OPEN and MARK_CLOSE."""
        if not words:
            return self.passage(rowid).text
        sql = (f"select highlight(docs, 1, '{MARK_OPEN}', '{MARK_CLOSE}') from docs "
               "where docs match ? and rowid = ?")
        with self.lock:
            row = self.conn.execute(sql, (match_expression(words), rowid)).fetchone()
        return row[0] if row else self.passage(rowid).text


def build_index(course: Course) -> CourseIndex:
    """Index every passage of the course; cards and quiz explanations are placed under a section."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.execute(
        "create virtual table docs using fts5(heading, body, kind unindexed, unit unindexed, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    index = CourseIndex(course_passages(course), conn)
    _insert(index)
    index.passages = [_placed(index, p) if p.kind in ("card", "question") else p for p in index.passages]
    return index


def _insert(index: CourseIndex) -> None:
    rows = [(i + 1, _heading(p), p.text, p.kind, p.unit_slug) for i, p in enumerate(index.passages)]
    with index.conn:
        index.conn.executemany(
            "insert into docs (rowid, heading, body, kind, unit) values (?, ?, ?, ?, ?)", rows
        )


def _heading(p: Passage) -> str:
    # A chunk carries its section's heading, so "what does double quantization save" finds
    # every paragraph under "Double quantization", not only the one that repeats the words.
    return " ".join(part for part in (p.section_title, p.title) if part)


def _placed(index: CourseIndex, p: Passage) -> Passage:
    """A card or question under the section of its own unit whose text it matches best."""
    words = query_words(f"{p.title} {p.text}")
    best = index.bm25(words, limit=1, kind="section", unit=p.unit_slug)
    if not best:
        return p
    home = index.passage(best[0][0])
    return replace(p, section_slug=home.section_slug, section_title=home.section_title)
