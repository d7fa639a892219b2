"""A writer that prints an acknowledgement after each committed write, until it is killed.

Run as ``python acker.py DB FIRST``: writes number FIRST, FIRST + 1, ...; write i is a
rating of card i % 5 (so cards are rated again and again), a quiz answer, or a note
save, in turn. Each line printed is a write that returned, that is, was committed.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

from studyapp.core import notes, quiz, srs
from studyapp.core.content import Question
from studyapp.core.store import open_store

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
USER, UNIT = "killed", "unit"


def moment(i: int) -> datetime:
    """When write i happened: every write has its own time, so each can be found again."""
    return START + timedelta(seconds=i)


def write(store, scheduler, i: int) -> str:
    kind = ("rating", "answer", "note")[i % 3]
    if kind == "rating":
        state = srs.load_state(store, USER, f"{UNIT}/card-{i % 5}")
        outcome = srs.preview(scheduler, state, moment(i))[srs.Rating.Good]
        srs.record_review(store, USER, f"{UNIT}/card-{i % 5}", outcome, moment(i))
    elif kind == "answer":
        question = Question(UNIT, f"q-{i}", "numeric", "How many?", "", 42.0)
        quiz.record_attempt(store, USER, question, "42", quiz.grade(question, "42"), moment(i))
    else:
        notes.save_note(store, USER, UNIT, f"note {i}", moment(i))
    return kind


def main(db: str, first: int) -> None:
    store, scheduler = open_store(db, START), srs.make_scheduler(enable_fuzzing=False)
    i = first
    while True:
        print(f"{i} {write(store, scheduler, i)}", flush=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
