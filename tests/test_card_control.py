"""Suspend, bury, flag, reset and leeches (fixed dates, fuzzing off): a suspended card never comes due
anywhere, a buried one is back when the student's next day begins, a leech is suspended at 8 lapses."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from studyapp.buddy import quiz
from studyapp.core import card_control, progress, srs
from studyapp.core.study_day import StudyDay
from test_srs import review

KEYS = ["u/a", "u/b", "u/c", "u/d"]


def everything_due(store, scheduler, now):
    """u/a and u/b reviewed and due now, u/c and u/d new."""
    for key in ("u/a", "u/b"):
        review(store, scheduler, key, srs.Rating.Easy, now - timedelta(days=8))


def test_a_suspended_card_never_comes_due(store, scheduler, now):
    everything_due(store, scheduler, now)
    card_control.suspend(store, "local", ["u/a", "u/c"], now)  # a due review and a new card
    for at in (now, now + timedelta(days=400)):
        queue = srs.study_queue(store, "local", KEYS, at, new_per_day=20)
        assert (queue.due, queue.new, queue.held_out) == (("u/b",), ("u/d",), 2)
        assert srs.due_queue(store, "local", KEYS, at) == ["u/b", "u/d"]
    states = srs.load_states(store, "local")
    held = card_control.held_out(store, "local", now)
    assert sum(n for _, n in srs.forecast(states, KEYS, now, held=held)) == 1  # u/b only
    assert sum(n for _, n in srs.forecast(states, KEYS, now)) == 2
    assert "u/a" not in quiz.quiz_queue(store, scheduler, "local", KEYS, now)  # the buddy's quiz-me
    assert "u/c" not in quiz.quiz_queue(store, scheduler, "local", KEYS, now)
    assert quiz.askable(store, "local", ["u/a", "u/b"], now) == ["u/b"]
    card_control.unsuspend(store, "local", ["u/a"])
    assert srs.due_queue(store, "local", KEYS, now) == ["u/a", "u/b", "u/d"]


def test_suspended_cards_are_not_counted_due_on_home_or_the_unit_header(store, scheduler, now, course):
    unit = course.units[0]
    for card in unit.cards[:3]:
        review(store, scheduler, card.key, srs.Rating.Easy, now - timedelta(days=8))
    card_control.suspend(store, "local", [unit.cards[0].key], now)
    stats = progress.unit_progress(store, "local", unit, now)
    assert stats.due == 2


def test_a_buried_card_is_back_when_the_next_local_day_begins(store, scheduler):
    tokyo = StudyDay(ZoneInfo("Asia/Tokyo"), 4)  # days start at 19:00 UTC
    now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)  # 21:00 JST: the day of 2 March
    everything_due(store, scheduler, now)
    card_control.bury(store, "local", ["u/a", "u/c"], tokyo.next_start(now))
    assert card_control.held_out(store, "local", now) == {"u/a", "u/c"}
    for at in (now, datetime(2026, 3, 2, 18, 59, tzinfo=timezone.utc)):  # 03:59 JST: still 2 March's day
        assert srs.due_queue(store, "local", KEYS, at, study_day=tokyo) == ["u/b", "u/d"]
    back = datetime(2026, 3, 2, 19, tzinfo=timezone.utc)  # 04:00 JST on 3 March
    assert srs.due_queue(store, "local", KEYS, back, study_day=tokyo) == ["u/a", "u/b", "u/c", "u/d"]
    assert tokyo.day_of(back) == date(2026, 3, 3)


def test_a_card_becomes_a_leech_at_eight_lapses_and_is_suspended(store, scheduler, now):
    at, lapses = now, []
    review(store, scheduler, "u/a", srs.Rating.Easy, at)
    for _ in range(srs.LEECH_LAPSES):
        at = srs.load_state(store, "local", "u/a").card.due
        before = srs.load_state(store, "local", "u/a").lapses
        state, _ = review(store, scheduler, "u/a", srs.Rating.Again, at)  # a lapse from review
        lapses.append(card_control.is_new_leech(before, state.lapses))
        while state.card.state != srs.State.Review:  # through the relearning step
            state, _ = review(store, scheduler, "u/a", srs.Rating.Good, state.card.due)
        held = "u/a" in card_control.held_out(store, "local", state.card.due)
        assert held == (state.lapses >= srs.LEECH_LAPSES)  # before its 8th lapse it keeps coming back
    assert lapses == [False] * 7 + [True]
    assert srs.load_state(store, "local", "u/a").lapses == 8
    control = card_control.controls(store, "local")["u/a"]
    assert control.suspended and control.leech
    assert srs.due_queue(store, "local", ["u/a"], at + timedelta(days=365)) == []


def test_leech_warnings_repeat_every_half_threshold():
    assert [n for n in range(1, 25) if card_control.is_new_leech(n - 1, n)] == [8, 12, 16, 20, 24]
    assert not card_control.is_new_leech(8, 8)  # no new lapse: no new warning


def test_undo_of_the_rating_that_made_a_leech_lifts_its_suspension(store, scheduler, now):
    review(store, scheduler, "u/a", srs.Rating.Easy, now)
    with store.writing("fill") as db:  # seven lapses already
        db.execute("update card_state set lapses = 7 where card_key = 'u/a'")
    due = srs.load_state(store, "local", "u/a").card.due
    review(store, scheduler, "u/a", srs.Rating.Again, due)
    assert card_control.controls(store, "local")["u/a"].suspended
    assert srs.undo_last_review(store, "local") == "u/a"
    assert not card_control.controls(store, "local")["u/a"].suspended
    assert srs.load_state(store, "local", "u/a").lapses == 7


def test_undo_leaves_a_suspension_the_student_chose(store, scheduler, now):
    review(store, scheduler, "u/a", srs.Rating.Good, now)
    card_control.suspend(store, "local", ["u/a"], now + timedelta(minutes=1))
    srs.undo_last_review(store, "local")
    assert card_control.controls(store, "local")["u/a"].suspended


def test_a_daily_maximum_of_reviews_holds_the_rest_for_tomorrow(store, scheduler, now):
    for key in KEYS:
        review(store, scheduler, key, srs.Rating.Easy, now - timedelta(days=8))
    queue = srs.study_queue(store, "local", KEYS, now, max_reviews=3)
    assert (len(queue.due), queue.due_held) == (3, 1)
    review(store, scheduler, queue.due[0], srs.Rating.Good, now)  # one review done today
    queue = srs.study_queue(store, "local", KEYS, now + timedelta(minutes=1), max_reviews=3)
    assert (len(queue.due), queue.due_held) == (2, 1)
    from studyapp.core import nudges

    assert "Today's maximum of 3 reviews is reached, so 1 due card waits." in nudges.limit_reason(queue, now)
    tomorrow = srs.study_queue(store, "local", KEYS, now + timedelta(days=1), max_reviews=3)
    assert (len(tomorrow.due), tomorrow.due_held) == (3, 0)


def test_flags_and_their_names(store, now):
    assert card_control.set_flag(store, "local", ["u/a", "u/a", "u/b"], 1) == 2
    assert {k: c.flag for k, c in card_control.controls(store, "local").items()} == {"u/a": 1, "u/b": 1}
    card_control.set_flag(store, "local", ["u/a"], 0)
    assert card_control.controls(store, "local")["u/a"].flag == 0
    with pytest.raises(ValueError, match=r"flag 9 is not one of \[0, 1, 2, 3, 4\]"):
        card_control.set_flag(store, "local", ["u/a"], 9)


def test_reset_makes_a_card_new_and_keeps_its_history(store, scheduler, now):
    review(store, scheduler, "u/a", srs.Rating.Easy, now)
    card_control.set_flag(store, "local", ["u/a"], 2)
    assert card_control.reset(store, "local", ["u/a", "u/b"], now + timedelta(hours=1)) == 1
    assert srs.load_state(store, "local", "u/a") is None
    assert srs.due_queue(store, "local", ["u/a"], now + timedelta(hours=2), new_per_day=20) == ["u/a"]
    assert len(store.query("select * from review_log where card_key = 'u/a'")) == 1
    assert card_control.controls(store, "local")["u/a"].flag == 2


def test_controls_are_per_student(store, scheduler, now):
    everything_due(store, scheduler, now)
    review(store, scheduler, "u/a", srs.Rating.Easy, now - timedelta(days=8), user="bob")
    card_control.suspend(store, "local", ["u/a"], now)
    assert srs.due_queue(store, "bob", ["u/a"], now) == ["u/a"]
    assert card_control.controls(store, "bob") == {}


def test_a_deleted_student_takes_their_settings_controls_and_cram_answers_along(store, scheduler, now):
    from studyapp.auth import accounts
    from studyapp.core import cram, study_settings

    accounts.create_account(store, "ada", "correct horse battery", now)
    review(store, scheduler, "u/a", srs.Rating.Easy, now, user="ada")
    card_control.suspend(store, "ada", ["u/a"], now)
    cram.record(store, "ada", "u/a", srs.Rating.Good, now)
    study_settings.save(store, "ada", study_settings.StudySettings(desired_retention=0.8), now)
    assert {"card_control", "cram_review", "study_settings", "optimizer_run"} <= set(accounts.study_tables(store))
    accounts.delete_user(store, "ada")
    for table in ("card_control", "cram_review", "study_settings"):
        assert store.query(f"select * from {table} where user_id = 'ada'") == []
