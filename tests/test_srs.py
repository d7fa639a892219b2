"""Scheduling around fsrs: pinned intervals (fuzzing off), undo, queue, limits, mastery."""

from __future__ import annotations

import json
from datetime import timedelta

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


def test_mastery_counts_cards_recalled_at_desired_retention(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now)
    review(store, scheduler, "u/b", Rating.Again, now)
    states = srs.load_states(store, "local")
    keys = ["u/a", "u/b", "u/c", "u/d"]
    # u/a: retrievability 1.0 right after an Easy; u/b: stability tiny but reviewed today -> 1.0 too
    assert srs.mastery(scheduler, states, keys, now) == 0.5
    # 30 days later the Again card has decayed below 0.9; the Easy card (stability ~8d) as well
    later = now + timedelta(days=30)
    assert srs.retrievability(scheduler, states["u/a"], later) < srs.DESIRED_RETENTION
    assert srs.mastery(scheduler, states, keys, later) == 0.0


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
