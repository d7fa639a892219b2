"""The student's local study day: its start hour, its zone, and the days a clock change makes 23 or 25 hours."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from studyapp.core import progress, srs
from studyapp.core.study_day import UTC_MIDNIGHT, StudyDay, ZoneError, zone_named
from studyapp.core.study_settings import StudySettings
from test_srs import review

BERLIN = StudyDay(ZoneInfo("Europe/Berlin"), 4)  # clocks go forward on 29 Mar 2026, back on 25 Oct 2026
UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_day_starts_at_four_local_and_lasts_23_hours_when_the_clocks_go_forward():
    assert BERLIN.starts(date(2026, 3, 28)) == utc(2026, 3, 28, 3)  # 04:00 CET
    assert BERLIN.starts(date(2026, 3, 29)) == utc(2026, 3, 29, 2)  # 04:00 CEST
    assert BERLIN.starts(date(2026, 3, 29)) - BERLIN.starts(date(2026, 3, 28)) == timedelta(hours=23)
    assert BERLIN.day_of(utc(2026, 3, 29, 1, 59)) == date(2026, 3, 28)  # 03:59 CEST: still Saturday's day
    assert BERLIN.day_of(utc(2026, 3, 29, 2, 0)) == date(2026, 3, 29)


def test_a_day_lasts_25_hours_when_the_clocks_go_back():
    assert BERLIN.starts(date(2026, 10, 25)) - BERLIN.starts(date(2026, 10, 24)) == timedelta(hours=25)
    assert BERLIN.day_of(utc(2026, 10, 25, 2, 59)) == date(2026, 10, 24)  # 03:59 CET
    assert BERLIN.next_start(utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 3)


def test_one_am_belongs_to_the_evening_before_as_in_anki():
    day = StudyDay(ZoneInfo("America/New_York"), 4)
    assert day.day_of(utc(2026, 3, 3, 6)) == date(2026, 3, 2)  # 01:00 EST on the 3rd
    assert day.day_of(utc(2026, 3, 3, 9)) == date(2026, 3, 3)  # 04:00 EST


def test_the_new_card_limit_follows_the_local_day_across_the_dst_change(store, scheduler):
    keys = [f"u/c{i}" for i in range(5)]
    review(store, scheduler, "u/c0", srs.Rating.Easy, utc(2026, 3, 28, 3, 30))  # 04:30 CET, Saturday's day
    review(store, scheduler, "u/c1", srs.Rating.Easy, utc(2026, 3, 29, 1, 45))  # 03:45 CEST: still Saturday's
    late = srs.study_queue(store, "local", keys, utc(2026, 3, 29, 1, 50), new_per_day=2, study_day=BERLIN)
    assert (late.new_started, late.new, late.limit_reached) == (2, (), True)
    # At 04:00 CEST (02:00 UTC, 23 hours after Saturday's day began) the limit resets.
    fresh = srs.study_queue(store, "local", keys, utc(2026, 3, 29, 2, 0), new_per_day=2, study_day=BERLIN)
    assert (fresh.new_started, fresh.new) == (0, ("u/c2", "u/c3"))
    # A UTC-midnight day, as before issue 12, would have split them differently.
    assert srs.study_queue(store, "local", keys, utc(2026, 3, 29, 1, 50), new_per_day=2).new_started == 1


def test_the_limit_reason_names_the_local_reset_time(store, scheduler):
    from studyapp.core import nudges

    review(store, scheduler, "u/a", srs.Rating.Easy, utc(2026, 3, 29, 1, 0))
    now = utc(2026, 3, 29, 1, 30)
    queue = srs.study_queue(store, "local", ["u/a", "u/b"], now, new_per_day=1, study_day=BERLIN)
    reason = nudges.limit_reason(queue, now, study_day=BERLIN)
    assert reason.endswith("The limit resets at 04:00 Europe/Berlin, in 30m.")


def test_extra_new_cards_last_until_the_local_day_ends(store, scheduler):
    keys = [f"u/c{i}" for i in range(20)]
    review(store, scheduler, "u/c0", srs.Rating.Easy, utc(2026, 3, 29, 1, 0))
    srs.allow_more_new(store, "local", utc(2026, 3, 29, 1, 10), study_day=BERLIN)
    before = srs.study_queue(store, "local", keys, utc(2026, 3, 29, 1, 20), new_per_day=1, study_day=BERLIN)
    after = srs.study_queue(store, "local", keys, utc(2026, 3, 29, 2, 0), new_per_day=1, study_day=BERLIN)
    assert (before.new_limit, after.new_limit) == (1 + srs.MORE_NEW_CARDS, 1)


def test_the_streak_counts_local_days(store, scheduler):
    tokyo = StudyDay(ZoneInfo("Asia/Tokyo"), 4)  # UTC+9, no DST
    review(store, scheduler, "u/a", srs.Rating.Good, utc(2026, 3, 1, 14))  # 23:00 JST on the 1st
    review(store, scheduler, "u/b", srs.Rating.Good, utc(2026, 3, 1, 20))  # 05:00 JST on the 2nd
    days = progress.activity(store, "local", study_day=tokyo)
    assert days == Counter({date(2026, 3, 1): 1, date(2026, 3, 2): 1})
    assert progress.streak(days, tokyo.today(utc(2026, 3, 2, 3))) == 2
    assert progress.activity(store, "local") == Counter({date(2026, 3, 1): 2})  # one UTC day


@pytest.mark.parametrize("day", [BERLIN, StudyDay(ZoneInfo("Asia/Kolkata"), 0), StudyDay(ZoneInfo("America/Santiago"), 4),
                                 UTC_MIDNIGHT, StudyDay(timezone(timedelta(hours=-3, minutes=-30)), 23)],
                         ids=["berlin", "kolkata", "santiago", "utc", "fixed-offset"])
def test_sqlite_groups_reviews_into_the_same_days_as_python(store, scheduler, day):
    """The per-day figures are grouped by SQLite; they must agree with StudyDay.day_of, minute by minute
    around every clock change of the year."""
    start, times = utc(2026, 1, 1), []
    at = start
    while at < utc(2027, 1, 1):
        times.append(at)
        at += timedelta(minutes=37, seconds=13, microseconds=250_000)
    rows = [{"user_id": "local", "card_key": "u/c", "rating": 3, "reviewed_at": t.isoformat(), "duration_ms": 1,
             "state_before": 2, "interval_days": 1.0, "card_before": None} for t in times]
    with store.writing("fill") as db:
        db["review_log"].insert_all(rows, batch_size=5000)
    assert srs.review_days(store, "local", study_day=day) == Counter(day.day_of(t) for t in times)


def test_zones_are_named_or_refused_with_a_fix():
    assert zone_named("") is UTC and zone_named("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    with pytest.raises(ZoneError, match="not a time zone name; pick one such as Europe/Berlin"):
        zone_named("Mars/Olympus")
    # A student's settings pick the zone: theirs, else the browser's, else UTC (an unknown browser name too).
    assert StudySettings(time_zone="Asia/Tokyo").study_day("Europe/Berlin").zone == ZoneInfo("Asia/Tokyo")
    assert StudySettings().study_day("Europe/Berlin") == BERLIN
    assert StudySettings().study_day("Not/AZone") == StudyDay(UTC, 4)
