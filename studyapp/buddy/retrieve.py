"""Rank the course's sections for a question with SQLite FTS5's bm25.

bm25 scores passages; a section scores as its best passage (a chunk of its text, or a
recall card or quiz explanation placed under it). Other rankers can be passed in and are
fused with bm25 by reciprocal rank fusion (Cormack et al., 2009: score = sum over rankers
of 1 / (K + rank)), which needs no calibration between bm25's unbounded scores and, say,
cosine similarities. bench/buddy_eval.py fuses a sentence-embedding ranker this way; it
did not measurably beat bm25 alone (docs/buddy.md), so the app ranks with bm25 only.

Whether the course answers the question at all is judged by *coverage*: the share of the
question's topic words, weighted by how rare each is in the course (idf), that occur
somewhere in the best section. A question about sourdough finds some section with "make",
but covers little of its weight, and the buddy says it could not find it. The threshold sits
between the lowest coverage of the evaluation's questions and the highest of questions from
outside the course (tests/buddy/test_retrieval.py checks both sides).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from studyapp.buddy.index import CourseIndex, query_words
from studyapp.buddy.passages import Passage

# A ranker scores passages for a question: {rowid: score}, higher is better.
Ranker = Callable[[CourseIndex, str], dict[int, float]]
RRF_K = 60  # the constant of reciprocal rank fusion (the paper's value)
FOUND_COVERAGE = 0.47  # below this share of the question's idf weight, the course has no answer
FOUND_DEPTH = 3  # ... in any of the first three sections (tests/buddy: calibrated both ways)
SAME_UNIT_BOOST = 1.15  # the unit the student is reading wins near-ties
SECTION_LIMIT = 5


@dataclass(frozen=True)
class Scored:
    """A passage and its rank score for this question (higher is better)."""

    rowid: int
    passage: Passage
    score: float


@dataclass(frozen=True)
class SectionHit:
    """One section of a unit, as a citation: its passages best first and how well it covers."""

    unit_slug: str
    section_slug: str
    where: str  # "Unit › Section"
    url: str  # /unit?unit=...&section=...
    score: float  # the ranker's section score (bm25, or fused)
    coverage: float  # 0..1: share of the question's idf weight found in this section
    passages: tuple[Scored, ...]


@dataclass(frozen=True)
class Retrieval:
    """The ranked sections for one question, the Lab help that matched, and the verdict."""

    question: str
    words: tuple[str, ...]
    sections: tuple[SectionHit, ...]
    lab: tuple[Scored, ...]
    found: bool  # one of the first FOUND_DEPTH sections covers at least FOUND_COVERAGE

    def section_keys(self) -> list[str]:
        """'unit/section' of each ranked section, best first (what the evaluation scores)."""
        return [f"{s.unit_slug}/{s.section_slug}" for s in self.sections]


def retrieve(
    index: CourseIndex,
    question: str,
    *,
    unit: str | None = None,
    limit: int = SECTION_LIMIT,
    rankers: Sequence[Ranker] = (),
) -> Retrieval:
    """Rank sections for ``question``; ``unit`` is the unit the student is on (a tie-breaker).

    ``rankers`` are more passage rankers to fuse with bm25 (none in the app). Raises
    nothing for any text: a question with no topic words finds nothing.
    """
    words = query_words(question)
    passage_scores = [bm25_scores(index, question)] + [rank(index, question) for rank in rankers]
    fused = fuse(passage_scores) if len(passage_scores) > 1 else passage_scores[0]
    lab = _lab_hits(index, fused)
    sections = _rank_sections(index, fused, words, unit)[:limit]
    found = any(s.coverage >= FOUND_COVERAGE for s in sections[:FOUND_DEPTH])
    return Retrieval(question, tuple(words), tuple(sections), lab, found)


def bm25_scores(index: CourseIndex, question: str) -> dict[int, float]:
    """The bm25 ranker: -bm25 of every passage that contains a topic word of ``question``."""
    return dict(index.bm25(query_words(question), limit=len(index.passages)))


def fuse(rankings: list[dict[int, float]]) -> dict[int, float]:
    """Reciprocal rank fusion of passage rankings: sum over rankers of 1 / (RRF_K + rank)."""
    fused: dict[int, float] = defaultdict(float)
    for scores in rankings:
        for rank, rowid in enumerate(sorted(scores, key=scores.get, reverse=True), start=1):
            fused[rowid] += 1.0 / (RRF_K + rank)
    return dict(fused)


def _lab_hits(index: CourseIndex, scores: dict[int, float], limit: int = 2) -> tuple[Scored, ...]:
    lab = [Scored(r, index.passage(r), s) for r, s in scores.items() if index.passage(r).kind == "lab"]
    return tuple(sorted(lab, key=lambda h: h.score, reverse=True)[:limit])


def _rank_sections(
    index: CourseIndex, scores: dict[int, float], words: list[str], unit: str | None
) -> list[SectionHit]:
    grouped: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    for rowid, score in scores.items():
        p = index.passage(rowid)
        if p.kind != "lab":
            grouped[(p.unit_slug, p.section_slug)].append(Scored(rowid, p, score))
    coverage = _Coverage(index, words)
    hits = []
    for (unit_slug, section_slug), found in grouped.items():
        found.sort(key=lambda h: h.score, reverse=True)
        best = found[0].score * (SAME_UNIT_BOOST if unit and unit_slug == unit else 1.0)
        first = found[0].passage
        hits.append(
            SectionHit(
                unit_slug,
                section_slug,
                first.where,
                first.url,
                best,
                coverage.of(unit_slug, section_slug),
                tuple(found),
            )
        )
    return sorted(hits, key=lambda h: h.score, reverse=True)


class _Coverage:
    """The idf-weighted share of the question's words that occur in a section (0..1)."""

    def __init__(self, index: CourseIndex, words: list[str]):
        self.index = index
        self.rows = {w: index.rows_matching(w) for w in words}
        self.weights = {w: index.idf(w) for w in words}
        self.total = sum(self.weights.values())

    def of(self, unit_slug: str, section_slug: str) -> float:
        if not self.total:
            return 0.0
        mine = self.index.section_rows(unit_slug, section_slug)
        covered = sum(self.weights[w] for w, rows in self.rows.items() if rows & mine)
        return covered / self.total
