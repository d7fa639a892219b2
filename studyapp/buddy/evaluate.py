"""Retrieval evaluation at section level: recall@1, recall@3 and MRR over a question set.

A question counts as answered at rank k when its section (or one it lists under ``also``)
is among the first k sections retrieved. MRR is the mean of 1 / rank of the first
answering section, 0 when it is not in the first ``DEPTH``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from studyapp.buddy.index import CourseIndex
from studyapp.buddy.retrieve import Ranker, retrieve

DEPTH = 10


@dataclass(frozen=True)
class EvalQuestion:
    """A question as a student asks it, and the sections that answer it ('unit/section')."""

    question: str
    answers: tuple[str, ...]  # the first is the one named by unit + section


@dataclass
class EvalReport:
    """The scores of one ranker, and each question's rank (None: not in the first DEPTH)."""

    ranker: str
    ranks: dict[str, int | None] = field(default_factory=dict)

    def recall_at(self, k: int) -> float:
        """Share of questions answered within the first k sections."""
        return sum(1 for r in self.ranks.values() if r is not None and r <= k) / len(self.ranks)

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first answering section."""
        return sum(1 / r for r in self.ranks.values() if r) / len(self.ranks)

    def missed(self, k: int) -> list[str]:
        """The questions not answered within the first k sections."""
        return [q for q, r in self.ranks.items() if r is None or r > k]


def load_questions(path: Path | str) -> list[EvalQuestion]:
    """The evaluation set from YAML (items with q, unit, section and optional also).

    Raises:
        ValueError: an item lacks q, unit or section.
    """
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out = []
    for n, item in enumerate(items, start=1):
        if not all(item.get(k) for k in ("q", "unit", "section")):
            raise ValueError(f"{path}: item {n} needs q, unit and section")
        answers = (f"{item['unit']}/{item['section']}", *item.get("also", ()))
        out.append(EvalQuestion(str(item["q"]), tuple(answers)))
    return out


def evaluate(
    index: CourseIndex, questions: list[EvalQuestion], name: str = "bm25", rankers: tuple[Ranker, ...] = ()
) -> EvalReport:
    """Rank every question (bm25, fused with ``rankers`` if any) and record where its answer came."""
    report = EvalReport(name)
    for q in questions:
        keys = retrieve(index, q.question, limit=DEPTH, rankers=rankers).section_keys()
        report.ranks[q.question] = next((i for i, key in enumerate(keys, start=1) if key in q.answers), None)
    return report
