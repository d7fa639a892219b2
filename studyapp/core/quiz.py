"""Knowledge checks: grading answers and keeping every attempt.

Each answer is stored the moment it is given (one row per attempt), so a quiz
interrupted by a closed tab or a killed server keeps what was answered.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from studyapp.core.content import Question
from studyapp.core.store import Store


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer."""

    correct: bool
    expected: str  # the right answer, as shown to the student


def grade(question: Question, given) -> Grade:
    """Grade ``given`` (a choice text, a list of them, or a number) against the question."""
    if question.kind == "numeric":
        ok = _number_matches(given, float(question.answer), question.tolerance)
        return Grade(ok, f"{_format_number(question.answer)}{' ' + question.unit if question.unit else ''}")
    if question.kind == "multi":
        ok = set(given or ()) == set(question.answer)
        return Grade(ok, "; ".join(question.answer))
    return Grade(given == question.answer, str(question.answer))


def _number_matches(given, answer: float, tolerance: float) -> bool:
    try:
        value = float(str(given).replace(",", "").replace("_", "").strip())
    except (TypeError, ValueError):
        return False
    # A tiny relative slack absorbs float noise in answers like 0.0622 without loosening real tolerances.
    return math.isfinite(value) and abs(value - answer) <= tolerance + 1e-9 * max(1.0, abs(answer))


def _format_number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.6g}"


def record_attempt(store: Store, user_id: str, question: Question, given, result: Grade, now: datetime) -> None:
    """Store one answer with its verdict."""
    with store.writing("save your answer to") as db:
        db["quiz_attempt"].insert({
            "user_id": user_id, "question_key": question.key, "answer": json.dumps(given),
            "correct": int(result.correct), "answered_at": now.isoformat(),
        })


def latest_results(store: Store, user_id: str, unit_slug: str) -> dict[str, bool]:
    """For each question of the unit answered at least once: was the latest answer right?"""
    rows = store.query(
        "select question_key, correct from quiz_attempt where id in ("
        " select max(id) from quiz_attempt where user_id = ? and question_key like ? group by question_key)",
        (user_id, f"{unit_slug}/%"),
    )
    return {r["question_key"]: bool(r["correct"]) for r in rows}


def missed(questions: list[Question], results: dict[str, bool]) -> list[Question]:
    """Questions whose latest answer was wrong, in quiz order."""
    return [q for q in questions if results.get(q.key) is False]


def score(results: dict[str, bool], questions: list[Question]) -> tuple[int, int]:
    """(right, total) over the given questions' latest answers."""
    return sum(results.get(q.key) is True for q in questions), len(questions)
