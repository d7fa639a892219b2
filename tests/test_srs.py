"""Scheduling around fsrs: pinned intervals (fuzzing off), undo, the study queue and its limits."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from studyapp.core import srs
from studyapp.core.srs import Rating


def review(store, scheduler, key, rating, at, user="local"):
    outcome = srs.preview(scheduler, srs.load_state(store, user, key), at)[rating]
    return srs.record_review(store, user, key, outcome, at, duration_ms=1500), outcome


def test_new_card_buttons_show_fsrs_intervals(scheduler, now):
    labels = {r: o.label for r, o in srs.preview(scheduler, None, now).items()}
    assert labels == {Rating.Again: "Again · 1m", Rating.Hard: "Hard · 6m",
                      Rating.Good: "Good · 10m", Rating.Easy: "Easy · 8d"}


def test_interval_history_good_good_good(store, scheduler, now):
    at, history = now, []
    for _ in range(3):
        _, outcome = review(store, scheduler, "u/c", Rating.Good, at)
        history.append(srs.format_interval(outcome.interval))
        at = at + outcome.interval
    assert history == ["10m", "2d", "11d"]
    state = srs.load_state(store, "local", "u/c")
    assert (state.reps, state.lapses, state.card.state) == (3, 0, srs.State.Review)


def test_the_saved_card_is_the_previewed_one(store, scheduler, now):
    after, outcome = review(store, scheduler, "u/c", Rating.Easy, now)
    assert after.card.due == outcome.card.due == now + timedelta(days=8)
    row = store.query("select * from review_log")[0]
    assert (row["rating"], row["state_before"], row["card_before"], row["duration_ms"]) == (4, 0, None, 1500)
    assert row["interval_days"] == 8.0


def test_forgetting_a_review_card_counts_a_lapse(store, scheduler, now):
    review(store, scheduler, "u/c", Rating.Easy, now)
    state, _ = review(store, scheduler, "u/c", Rating.Again, now + timedelta(days=8))
    assert (state.lapses, state.card.state) == (1, srs.State.Relearning)
    assert not state.is_leech


def test_leech_flag_after_eight_lapses(scheduler, now):
    state = srs.CardState("u/c", srs.FsrsCard(), reps=20, lapses=srs.LEECH_LAPSES)
    assert state.is_leech


def test_undo_restores_the_card_exactly(store, scheduler, now):
    review(store, scheduler, "u/c", Rating.Good, now)
    before = srs.load_state(store, "local", "u/c")
    review(store, scheduler, "u/c", Rating.Again, now + timedelta(minutes=10))
    assert srs.undo_last_review(store, "local") == "u/c"
    after = srs.load_state(store, "local", "u/c")
    assert after.card.to_dict() == before.card.to_dict()
    assert (after.reps, after.lapses) == (before.reps, before.lapses)
    assert len(store.query("select * from review_log")) == 1


def test_undo_of_a_first_review_makes_the_card_new_again(store, scheduler, now):
    review(store, scheduler, "u/c", Rating.Good, now)
    assert srs.undo_last_review(store, "local") == "u/c"
    assert srs.load_state(store, "local", "u/c") is None
    assert srs.undo_last_review(store, "local") is None


def test_undo_only_touches_the_same_student(store, scheduler, now):
    review(store, scheduler, "u/c", Rating.Good, now, user="ada")
    review(store, scheduler, "u/c", Rating.Good, now, user="bob")
    srs.undo_last_review(store, "ada")
    assert srs.load_state(store, "ada", "u/c") is None
    assert srs.load_state(store, "bob", "u/c") is not None


def test_due_queue_orders_due_cards_then_new_within_the_daily_limit(store, scheduler, now):
    keys = [f"u/c{i}" for i in range(6)]
    review(store, scheduler, "u/c3", Rating.Good, now - timedelta(hours=2))  # due 1h50m ago
    review(store, scheduler, "u/c1", Rating.Again, now - timedelta(minutes=30))  # due 29m ago
    queue = srs.due_queue(store, "local", keys, now, new_per_day=3)
    # two cards were started today, so one new card is left of the limit of 3
    assert queue == ["u/c3", "u/c1", "u/c0"]


def test_due_queue_ignores_cards_removed_from_the_course(store, scheduler, now):
    review(store, scheduler, "u/gone", Rating.Again, now - timedelta(hours=1))
    assert srs.due_queue(store, "local", ["u/kept"], now) == ["u/kept"]


def test_new_limit_resets_the_next_day(store, scheduler, now):
    keys = ["u/a", "u/b", "u/c"]
    review(store, scheduler, "u/a", Rating.Easy, now)
    assert srs.due_queue(store, "local", keys, now, new_per_day=1) == []
    assert srs.due_queue(store, "local", keys, now + timedelta(days=1), new_per_day=1) == ["u/b"]


def test_forecast_counts_reviews_per_day(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now)  # due in 8 days
    review(store, scheduler, "u/b", Rating.Good, now)  # due in 10 minutes: today
    days = srs.forecast(srs.load_states(store, "local"), ["u/a", "u/b"], now, days=10)
    assert [n for _, n in days] == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert days[0][0] == now.date()


def test_format_interval():
    cases = {timedelta(seconds=30): "<1m", timedelta(minutes=10): "10m", timedelta(hours=3): "3h",
             timedelta(days=4): "4d", timedelta(days=75): "2.5mo", timedelta(days=60): "2mo",
             timedelta(days=400): "1.1y"}
    assert {k: srs.format_interval(k) for k in cases} == cases


def test_review_log_snapshot_is_json_of_the_card_before(store, scheduler, now):
    review(store, scheduler, "u/c", Rating.Good, now)
    review(store, scheduler, "u/c", Rating.Good, now + timedelta(minutes=10))
    snap = json.loads(store.query("select card_before from review_log order by id desc limit 1")[0]["card_before"])
    assert snap["reps"] == 1 and snap["card"]["state"] == int(srs.State.Learning)


def test_a_card_reviewed_twice_still_counts_against_todays_new_limit(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Good, now)
    review(store, scheduler, "u/a", Rating.Good, now + timedelta(minutes=10))
    assert srs.new_cards_started(store, "local", now.date()) == 1
    assert srs.due_queue(store, "local", ["u/a", "u/b", "u/c"], now + timedelta(minutes=20), new_per_day=1) == []
    srs.undo_last_review(store, "local")  # undoing the second review keeps the first
    assert srs.load_state(store, "local", "u/a").first_reviewed_at == now.isoformat()


def test_a_brand_new_student_has_new_cards_only(store, now):
    keys = [f"u/c{i}" for i in range(30)]
    queue = srs.study_queue(store, "local", keys, now, new_per_day=20)
    assert (len(queue.new), queue.learning, queue.due, queue.unseen) == (20, (), (), 30)
    assert queue.new == tuple(keys[:20]) and not queue.limit_reached and queue.next_card() == "u/c0"


def test_new_learning_and_due_are_counted_apart(store, scheduler, now):
    keys = ["u/a", "u/b", "u/c", "u/d"]
    review(store, scheduler, "u/a", Rating.Easy, now - timedelta(days=9))  # a review card, due a day ago
    review(store, scheduler, "u/b", Rating.Again, now - timedelta(minutes=5))  # learning, step over
    review(store, scheduler, "u/c", Rating.Good, now - timedelta(minutes=1))  # learning, due in 9 minutes
    queue = srs.study_queue(store, "local", keys, now, new_per_day=20)
    assert (queue.new, queue.learning, queue.due) == (("u/d",), ("u/b", "u/c"), ("u/a",))
    assert queue.learning_due == ("u/b",)
    assert srs.due_queue(store, "local", keys, now, new_per_day=20) == ["u/b", "u/a", "u/d"]


def test_a_card_rated_again_stays_in_the_session_until_it_passes(store, scheduler, now):
    keys = ["u/a"]
    at = now
    review(store, scheduler, "u/a", Rating.Again, at)  # due in 1 minute: nothing else is left
    shown = []
    for rating in (Rating.Good, Rating.Good):
        queue = srs.study_queue(store, "local", keys, at, new_per_day=1)
        assert not queue.empty and queue.learning == ("u/a",)
        shown.append(queue.next_card())  # learn-ahead: shown before its step is over
        review(store, scheduler, queue.next_card(), rating, at)
    queue = srs.study_queue(store, "local", keys, at, new_per_day=1)
    assert shown == ["u/a", "u/a"] and queue.empty and queue.next_review is not None
    assert srs.load_state(store, "local", "u/a").card.state == srs.State.Review


def test_learn_ahead_waits_for_due_and_new_cards(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Again, now)
    queue = srs.study_queue(store, "local", ["u/a", "u/b"], now, new_per_day=5)
    assert queue.next_card() == "u/b"  # a new card comes before a learning card whose step is not over
    queue = srs.study_queue(store, "local", ["u/a", "u/b"], now + timedelta(minutes=2), new_per_day=5)
    assert queue.next_card() == "u/a"  # once its step is over it comes first


def test_the_daily_limit_is_a_reason_and_can_be_raised_for_today(store, scheduler, now):
    keys = [f"u/c{i}" for i in range(15)]
    review(store, scheduler, "u/c0", Rating.Easy, now)
    queue = srs.study_queue(store, "local", keys, now, new_per_day=1)
    assert queue.empty and queue.limit_reached
    assert (queue.unseen, queue.new_started, queue.new_limit) == (14, 1, 1)
    assert srs.allow_more_new(store, "local", now) == srs.MORE_NEW_CARDS
    queue = srs.study_queue(store, "local", keys, now, new_per_day=1)
    assert queue.new == tuple(keys[1:1 + srs.MORE_NEW_CARDS]) and not queue.limit_reached
    tomorrow = srs.study_queue(store, "local", keys, now + timedelta(days=1), new_per_day=1)
    assert tomorrow.new_limit == 1 and tomorrow.new == ("u/c1",)  # the extra lasted one day
    assert srs.new_day_starts(now) == datetime(2026, 3, 3, tzinfo=timezone.utc)


def test_undo_within_a_scope_leaves_other_units_alone(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Good, now)
    review(store, scheduler, "v/b", Rating.Good, now + timedelta(seconds=5))
    assert srs.undo_last_review(store, "local", card_keys=["u/a"]) == "u/a"
    assert srs.load_state(store, "local", "u/a") is None and srs.load_state(store, "local", "v/b") is not None
    assert srs.undo_last_review(store, "local", card_keys=["u/a"]) is None


def test_longest_recall_is_the_gap_a_passed_review_spanned(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Good, now)
    review(store, scheduler, "u/a", Rating.Good, now + timedelta(minutes=10))
    after, _ = review(store, scheduler, "u/a", Rating.Good, now + timedelta(days=2, minutes=10))
    assert after.longest_recall_days == 2.0 == srs.load_state(store, "local", "u/a").longest_recall_days
    forgot, _ = review(store, scheduler, "u/a", Rating.Again, now + timedelta(days=30))
    assert forgot.longest_recall_days == 2.0  # an Again across 28 days is not a recall
    assert srs.load_states(store, "local")["u/a"].longest_recall_days == 2.0


def test_migration_4_fills_each_cards_longest_recall_from_its_log(store, scheduler, now):
    from studyapp.core.store import open_store

    review(store, scheduler, "u/a", Rating.Easy, now)
    review(store, scheduler, "u/a", Rating.Good, now + timedelta(days=3))
    review(store, scheduler, "u/a", Rating.Again, now + timedelta(days=40))  # not a recall
    review(store, scheduler, "u/b", Rating.Good, now)
    expected = {k: s.longest_recall_days for k, s in srs.load_states(store, "local").items()}
    assert expected == {"u/a": 3.0, "u/b": 0.0}
    with store.writing("make it a database from before migration 4") as db:
        db.execute("alter table card_state drop column longest_recall_days")
        db.execute("drop table quiz_run")
        db.execute("drop table new_card_extra")
        db.execute("delete from schema_migrations where version = 4")
    reopened = open_store(store.path)
    try:
        got = {k: s.longest_recall_days for k, s in srs.load_states(reopened, "local").items()}
        assert got == expected
    finally:
        reopened.close()
