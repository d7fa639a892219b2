"""Quiz me: due cards first, then the weakest, then new ones; ratings saved like the Fast Drill's."""

from __future__ import annotations

from datetime import timedelta

from studyapp.buddy.quiz import is_quiz_request, quiz_queue
from studyapp.core import srs


def _review(store, scheduler, key, rating, when):
    outcome = srs.preview(scheduler, srs.load_state(store, "ada", key), when)[rating]
    srs.record_review(store, "ada", key, outcome, when)


def test_due_cards_come_first_then_the_weakest_then_new_ones(store, scheduler, now):
    keys = ["u/a", "u/b", "u/c", "u/d", "u/e"]
    week_ago = now - timedelta(days=7)
    _review(store, scheduler, "u/a", srs.Rating.Again, week_ago)  # long overdue
    _review(store, scheduler, "u/b", srs.Rating.Easy, now - timedelta(hours=1))  # strong, not due
    _review(store, scheduler, "u/c", srs.Rating.Hard, now - timedelta(hours=2))  # weaker, not due
    assert quiz_queue(store, scheduler, "ada", keys, now) == ["u/a", "u/c", "u/b", "u/d", "u/e"]
    assert quiz_queue(store, scheduler, "ada", keys, now, limit=2) == ["u/a", "u/c"]
    assert quiz_queue(store, scheduler, "bob", keys, now) == keys  # another student: all new


def test_quiz_requests_are_recognised():
    assert all(map(is_quiz_request, ["quiz me", "Quiz me on QLoRA", "please test me", "drill me", "quiz"]))
    assert not any(map(is_quiz_request, ["what is a quiz question's explanation", "how does the drill work"]))
