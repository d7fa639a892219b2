"""Times shown to a student: converted to the browser's zone and labelled with it."""

from __future__ import annotations

from datetime import datetime, timezone

from studyapp.core.local_time import label, student_zone

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_a_named_zone_converts_and_names_itself():
    berlin = student_zone("Europe/Berlin", -60)
    assert label("2026-03-02T08:05:00+00:00", berlin, NOW) == "09:05 CET"
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
    assert label("2026-07-01T08:05:00+00:00", berlin, summer) == "10:05 CEST"


def test_another_local_day_shows_its_date():
    kolkata = student_zone("Asia/Kolkata", None)
    assert label("2026-03-01T17:57:00+00:00", kolkata, NOW) == "1 Mar 23:27 IST"
    assert label("2026-03-01T18:45:00+00:00", kolkata, NOW) == "00:15 IST"  # already 2 March there


def test_an_offset_alone_is_used_when_the_name_is_missing_or_unknown():
    # JavaScript's getTimezoneOffset is positive west of UTC: 300 is UTC-05:00.
    assert label("2026-03-02T08:05:00+00:00", student_zone(None, 300), NOW) == "03:05 UTC-05:00"
    assert label("2026-03-02T08:05:00+00:00", student_zone("Not/AZone", -330), NOW) == "13:35 UTC+05:30"


def test_without_a_zone_times_are_utc_and_say_so():
    for zone in (student_zone(None, None), student_zone("", 10**6), student_zone("../../etc/passwd", None)):
        assert label("2026-03-02T08:05:00+00:00", zone, NOW) == "08:05 UTC"
