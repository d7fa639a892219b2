"""Password guessing slows down: 5 failures a minute per username, 20 per address."""

from __future__ import annotations

from datetime import timedelta

from studyapp.auth import throttle


def test_five_failures_in_a_minute_make_the_next_try_wait(store, now):
    counters = throttle.keys("ada", None)
    for i in range(4):
        throttle.record_failure(store, counters, now + timedelta(seconds=i))
    assert throttle.retry_after(store, counters, now + timedelta(seconds=4)) == 0
    throttle.record_failure(store, counters, now + timedelta(seconds=4))
    # The first failure leaves the one-minute window at now + 60 s.
    assert throttle.retry_after(store, counters, now + timedelta(seconds=10)) == 50
    assert throttle.retry_after(store, counters, now + timedelta(seconds=60)) == 0


def test_other_usernames_are_not_held_up(store, now):
    for i in range(5):
        throttle.record_failure(store, throttle.keys("ada", None), now)
    assert throttle.retry_after(store, throttle.keys("bea", None), now) == 0


def test_one_address_guessing_many_usernames_is_held_up(store, now):
    for i in range(20):
        throttle.record_failure(store, throttle.keys(f"user{i}", "10.0.0.7"), now)
    assert throttle.retry_after(store, throttle.keys("fresh", "10.0.0.7"), now) == 60
    assert throttle.retry_after(store, throttle.keys("fresh", "10.0.0.8"), now) == 0


def test_a_success_clears_the_username(store, now):
    for i in range(5):
        throttle.record_failure(store, throttle.keys("ada", None), now)
    throttle.clear(store, "ada")
    assert throttle.retry_after(store, throttle.keys("ada", None), now) == 0
