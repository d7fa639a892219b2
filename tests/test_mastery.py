"""Mastery means known across time: levels new / learning / young / mature, pinned on fsrs (fuzzing off)."""

from __future__ import annotations

import random
from datetime import timedelta

from studyapp.core import mastery, srs
from studyapp.core.mastery import Level
from studyapp.core.srs import Rating


def review(store, scheduler, key, rating, at):
    outcome = srs.preview(scheduler, srs.load_state(store, "local", key), at)[rating]
    return srs.record_review(store, "local", key, outcome, at)


def level_of(store, key):
    return mastery.level(srs.load_state(store, "local", key))


def test_right_after_a_first_review_nothing_is_mastered(store, scheduler, now):
    # The old rule (retrievability >= 0.9 now) called both of these mastered: "just seen", not "known".
    review(store, scheduler, "u/a", Rating.Easy, now)
    review(store, scheduler, "u/b", Rating.Again, now)
    states = srs.load_states(store, "local")
    assert (mastery.level(states["u/a"]), mastery.level(states["u/b"])) == (Level.YOUNG, Level.LEARNING)
    assert mastery.mastery(states, ["u/a", "u/b", "u/c"], now) == 0.0


def test_a_good_history_climbs_the_levels(store, scheduler, now):
    at, seen = now, []
    for _ in range(4):  # intervals 10m, 2d, 11d, 46d (tests/test_srs.py pins the first three)
        state = review(store, scheduler, "u/a", Rating.Good, at)
        seen.append(mastery.level(state))
        at = state.card.due
    assert seen == [Level.LEARNING, Level.YOUNG, Level.YOUNG, Level.MATURE]
    assert mastery.is_mastered(srs.load_state(store, "local", "u/a"), at - timedelta(days=1))


def test_same_day_cramming_never_makes_a_card_mastered(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now)
    for minute in range(1, 4):  # FSRS-6 raises stability on same-day reviews too: 8.3 -> 29.6 days
        state = review(store, scheduler, "u/a", Rating.Easy, now + timedelta(minutes=minute))
    assert round(state.card.stability, 1) == 29.6 > mastery.MATURE_STABILITY_DAYS
    assert mastery.level(state) is Level.YOUNG and not mastery.is_mastered(state, now + timedelta(minutes=4))
    state = review(store, scheduler, "u/a", Rating.Good, now + timedelta(days=1, minutes=3))
    assert mastery.level(state) is Level.MATURE  # recalled a day after the review before


def test_a_mastered_card_is_due_not_mastered_once_its_interval_passes(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now)
    state = review(store, scheduler, "u/a", Rating.Good, now + timedelta(days=8))
    assert mastery.is_mastered(state, state.card.due - timedelta(seconds=1))
    assert not mastery.is_mastered(state, state.card.due)
    assert srs.study_queue(store, "local", ["u/a"], state.card.due).due == ("u/a",)


def test_undoing_the_spaced_recall_undoes_the_maturity(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Easy, now)
    review(store, scheduler, "u/a", Rating.Good, now + timedelta(days=8))
    assert level_of(store, "u/a") is Level.MATURE
    srs.undo_last_review(store, "local")
    assert level_of(store, "u/a") is Level.YOUNG


def test_again_never_raises_mastery(store, scheduler, now):
    """Random histories of four cards: after every Again the card is learning and mastery has not grown."""
    rng, keys, at = random.Random(9), ["u/a", "u/b", "u/c", "u/d"], now
    agains_on_mastered = 0
    for _ in range(400):
        at += timedelta(minutes=rng.choice([1, 10, 60 * 20, 60 * 24 * 3, 60 * 24 * 30]))
        key = rng.choice(keys)
        rating = rng.choices(srs.RATINGS, weights=(2, 1, 5, 2))[0]
        before_states = srs.load_states(store, "local")
        before = mastery.mastery(before_states, keys, at)
        after_state = review(store, scheduler, key, rating, at)
        if rating == Rating.Again:
            agains_on_mastered += mastery.is_mastered(before_states.get(key), at)
            assert mastery.mastery(srs.load_states(store, "local"), keys, at) <= before
            assert mastery.level(after_state) is Level.LEARNING
    assert agains_on_mastered >= 3  # the history did forget mastered cards, so the check had teeth


def test_levels_count_every_level(store, scheduler, now):
    review(store, scheduler, "u/a", Rating.Again, now)
    counts = mastery.levels(srs.load_states(store, "local"), ["u/a", "u/b", "u/c"])
    assert counts == {Level.NEW: 2, Level.LEARNING: 1, Level.YOUNG: 0, Level.MATURE: 0}
