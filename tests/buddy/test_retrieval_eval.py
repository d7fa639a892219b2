"""The retrieval floor: a content change that breaks retrieval fails here, naming the questions.

The evaluation set (tests/buddy/questions.yaml) has questions as students ask them, each with
the section that answers it. bench/buddy_eval.py prints the full table for docs/buddy.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.buddy.evaluate import evaluate, load_questions

QUESTIONS = load_questions(Path(__file__).with_name("questions.yaml"))
# Measured on the bundled course (docs/buddy.md): recall@1 0.847, recall@3 0.958, MRR 0.903.
FLOOR = {"recall@1": 0.80, "recall@3": 0.90, "mrr": 0.85}


def test_the_evaluation_set_is_big_enough_and_names_real_sections(course):
    assert len(QUESTIONS) >= 60
    real = {f"{u.slug}/{s.slug}" for u in course.units for s in u.sections}
    unknown = [f"{q.question!r} -> {a}" for q in QUESTIONS for a in q.answers if a not in real]
    assert not unknown, "sections renamed or removed; update tests/buddy/questions.yaml:\n" + "\n".join(
        unknown
    )
    assert not [q for q in QUESTIONS if any(a.endswith("/summary") for a in q.answers)], (
        "answers are never a Summary"
    )


@pytest.fixture(scope="module")
def report(index):
    return evaluate(index, QUESTIONS)


def test_recall_at_3_stays_above_the_floor(report):
    missed = report.missed(3)
    assert report.recall_at(3) >= FLOOR["recall@3"], (
        f"recall@3 {report.recall_at(3):.3f} < {FLOOR['recall@3']}; not in the first 3 sections:\n"
        + "\n".join(f"- {q} (rank {report.ranks[q]})" for q in missed)
    )


def test_recall_at_1_and_mrr_stay_above_the_floor(report):
    missed = report.missed(1)
    detail = "\n".join(f"- {q} (rank {report.ranks[q]})" for q in missed)
    assert report.recall_at(1) >= FLOOR["recall@1"], (
        f"recall@1 {report.recall_at(1):.3f}; not first:\n{detail}"
    )
    assert report.mrr >= FLOOR["mrr"], f"MRR {report.mrr:.3f} < {FLOOR['mrr']}; not first:\n{detail}"


def test_every_evaluation_question_is_found_in_the_course(index):
    from studyapp.buddy.retrieve import retrieve

    refused = [q.question for q in QUESTIONS if not retrieve(index, q.question).found]
    assert not refused, "the buddy would say 'not in the course' to:\n" + "\n".join(refused)
