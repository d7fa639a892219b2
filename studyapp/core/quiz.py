"""Knowledge checks: grading answers, keeping every attempt, and the pass in progress.

Each answer is stored the moment it is given (one row per attempt), so a quiz
interrupted by a closed tab or a killed server keeps what was answered. The pass
itself (which questions, where the student is, what they answered) is a
:class:`QuizRun` saved in the same transaction, so a reload resumes at the same
question with the same choice order.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass, field, replace
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
    """Store one answer with its verdict.

    Raises:
        StoreError: the answer could not be saved.
    """
    with store.writing("save your answer to") as db:
        db["quiz_attempt"].insert({
            "user_id": user_id, "question_key": question.key, "answer": json.dumps(given),
            "correct": int(result.correct), "answered_at": now.isoformat(),
        })


def latest_results(store: Store, user_id: str, unit_slug: str) -> dict[str, bool]:
    """For each question of the unit answered at least once: was the latest answer right?

    Raises:
        StoreError: the database cannot be read.
    """
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


@dataclass(frozen=True)
class QuizRun:
    """One pass through a list of questions: where the student is and what they answered."""

    keys: tuple[str, ...]
    index: int = 0
    results: dict = field(default_factory=dict)  # question key -> Grade
    given: dict = field(default_factory=dict)  # question key -> the answer as the widgets gave it
    serial: str = field(default_factory=lambda: uuid.uuid4().hex[:8])  # choice order and widgets of this pass

    @property
    def finished(self) -> bool:
        return self.index >= len(self.keys)

    @property
    def right(self) -> int:
        return sum(g.correct for g in self.results.values())

    @property
    def missed(self) -> list[str]:
        """Keys answered wrongly in this pass, in pass order."""
        return [k for k in self.keys if k in self.results and not self.results[k].correct]

    def answered(self, key: str, given, result: Grade) -> QuizRun:
        return replace(self, results={**self.results, key: result}, given={**self.given, key: given})

    def advanced(self) -> QuizRun:
        return replace(self, index=self.index + 1)

    def to_json(self) -> str:
        results = {k: {"correct": g.correct, "expected": g.expected} for k, g in self.results.items()}
        return json.dumps({"keys": list(self.keys), "index": self.index, "results": results,
                           "given": self.given, "serial": self.serial})

    @classmethod
    def from_json(cls, text: str) -> QuizRun:
        data = json.loads(text)
        results = {k: Grade(bool(g["correct"]), str(g["expected"])) for k, g in data["results"].items()}
        return cls(tuple(data["keys"]), int(data["index"]), results, dict(data["given"]), str(data["serial"]))


def load_run(store: Store, user_id: str, unit_slug: str, questions: list[Question]) -> QuizRun:
    """The student's pass through this unit's quiz; a new pass over ``questions`` when there is
    none, or when the unit was edited so that the saved pass names a question that is gone.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select run_json from quiz_run where user_id = ? and unit_slug = ?",
                       (user_id, unit_slug))
    valid = {q.key for q in questions}
    if rows:
        try:
            run = QuizRun.from_json(rows[0]["run_json"])
        except (ValueError, KeyError, TypeError):
            run = None  # written by another version: start afresh rather than fail
        if run is not None and set(run.keys) <= valid:
            return run
    keys = tuple(q.key for q in questions)
    # Not saved until the first answer: the same serial on every rerun keeps the widgets and choice order.
    return QuizRun(keys, serial=hashlib.sha1("|".join(keys).encode()).hexdigest()[:8])


def save_run(store: Store, user_id: str, unit_slug: str, run: QuizRun, now: datetime) -> None:
    """Keep ``run`` as the student's current pass through this unit's quiz.

    Raises:
        StoreError: the pass could not be saved.
    """
    with store.writing("save your place in the quiz to") as db:
        db["quiz_run"].upsert({"user_id": user_id, "unit_slug": unit_slug, "run_json": run.to_json(),
                               "updated_at": now.isoformat()}, pk=("user_id", "unit_slug"))


def answer(store: Store, user_id: str, run: QuizRun, question: Question, given, now: datetime) -> QuizRun:
    """Grade ``given``, store the attempt and the updated pass in one transaction; return the pass.

    Raises:
        StoreError: nothing was saved (neither the attempt nor the pass).
    """
    result = grade(question, given)
    updated = run.answered(question.key, given, result)
    with store.writing("save your answer to"):
        record_attempt(store, user_id, question, given, result, now)
        save_run(store, user_id, question.unit_slug, updated, now)
    return updated
