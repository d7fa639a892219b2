"""Cramming a unit: every card or only the ones got wrong lately, and the schedule never changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from studyapp.core import card_control, cram, optimizer, progress, srs
from studyapp.core.srs import Rating
from test_srs import review

KEYS = ["u/a", "u/b", "u/c", "u/d"]


def snapshot(store):
    return (store.query("select * from card_state order by user_id, card_key"),
            store.query("select * from review_log order by id"))


def test_a_cram_session_leaves_every_state_unchanged(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now - timedelta(days=2))  # due in 6 days
    review(store, scheduler, "u/b", Rating.Again, now - timedelta(days=1))
    before = snapshot(store)
    queue_before = srs.study_queue(store, "local", KEYS, now)
    session = cram.start(cram.cram_cards(store, "local", KEYS, now))
    assert session.left == tuple(KEYS)  # all of them, u/a not due for 6 days too
    at = now
    while not session.done:
        rating = Rating.Again if session.current == "u/c" and len(session.ratings) < 3 else Rating.Good
        cram.record(store, "local", session.current, rating, at, 1200)
        session = cram.answer(session, rating)
        at += timedelta(seconds=20)
    assert snapshot(store) == before  # card_state and review_log exactly as they were
    assert srs.study_queue(store, "local", KEYS, now) == queue_before
    assert [r["card_key"] for r in store.query("select card_key from cram_review order by id")] == [
        "u/a", "u/b", "u/c", "u/d", "u/c"]  # logged apart; Again sent u/c to the end once


def test_cram_answers_count_as_study_but_never_for_fsrs(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now - timedelta(days=1))
    cram.record(store, "local", "u/a", Rating.Again, now)
    assert progress.activity(store, "local")[now.date()] == 1  # the calendar and streak see it
    assert sum(progress.activity(store, "local").values()) == 2
    assert len(optimizer.review_history(store, "local")["u/a"]) == 1  # the optimizer does not
    assert srs.undo_last_review(store, "local") == "u/a"  # undo takes the real review, not the cram
    assert srs.load_state(store, "local", "u/a") is None


def test_wrong_lately_is_again_in_the_last_seven_days(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Again, now - timedelta(days=6, hours=8))  # 6 days ago: in
    review(store, scheduler, "u/b", Rating.Again, now - timedelta(days=8))  # 8 days ago: out
    review(store, scheduler, "u/c", Rating.Good, now - timedelta(days=1))  # right: out
    cram.record(store, "local", "u/d", Rating.Again, now - timedelta(hours=1))  # wrong while cramming: in
    review(store, scheduler, "u/a", Rating.Again, now - timedelta(days=1), user="bob")
    assert cram.wrong_lately(store, "local", KEYS, now) == ["u/a", "u/d"]
    assert cram.wrong_lately(store, "bob", KEYS, now) == ["u/a"]
    assert cram.cram_cards(store, "local", KEYS, now, cram.WRONG) == ["u/a", "u/d"]


def test_cram_leaves_out_suspended_and_buried_cards(store, now):
    card_control.suspend(store, "local", ["u/a"], now)
    card_control.bury(store, "local", ["u/b"], now + timedelta(hours=3))
    assert cram.cram_cards(store, "local", KEYS, now) == ["u/c", "u/d"]
    assert cram.cram_cards(store, "local", KEYS, now + timedelta(hours=4)) == ["u/b", "u/c", "u/d"]


def test_the_session_order_and_its_end():
    session = cram.start(["u/a", "u/b"])
    session = cram.answer(session, Rating.Again)
    assert (session.left, session.passed) == (("u/b", "u/a"), 0)
    session = cram.answer(cram.answer(session, Rating.Hard), Rating.Easy)
    assert session.done and session.passed == 2 and len(session.ratings) == 3
    with pytest.raises(ValueError, match="the cram session is over"):
        cram.answer(session, Rating.Good)
    with pytest.raises(ValueError, match="choose 'all' or 'wrong'"):
        cram.cram_cards(None, "local", KEYS, datetime.now(timezone.utc), "due")
