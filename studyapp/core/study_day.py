"""The student's study day: when "today" begins and ends, in their own time zone.

Anki counts a day from a start hour (4 am by default) in the student's local time,
so a review at 1 am still belongs to the evening before. The daily new-card limit,
the daily review limit, "bury until tomorrow", the streak and every per-day figure
use this day. Its start is a local wall-clock time: across a change to or from
daylight saving time a day lasts 23 or 25 hours, never a fixed 24.

The database keeps UTC; :meth:`StudyDay.sql_day` turns a stored UTC time into the
student's local day inside SQLite, so per-day figures over 100,000 reviews are
grouped by the database instead of by Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_START_HOUR = 4  # Anki's "next day starts at"


class ZoneError(ValueError):
    """A time zone name that is not a known IANA zone."""


def zone_named(name: str | None) -> tzinfo:
    """The IANA zone ``name`` ("Europe/Berlin"); UTC for "" or None.

    Raises:
        ZoneError: the name is not a known zone (the message says how to find one).
    """
    if not name or name == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ZoneError(f"“{name}” is not a time zone name; pick one such as Europe/Berlin, "
                        "America/New_York or Asia/Kolkata.") from exc


@dataclass(frozen=True)
class StudyDay:
    """A day that starts at ``start_hour`` o'clock local time in ``zone``."""

    zone: tzinfo = timezone.utc
    start_hour: int = 0

    def day_of(self, when: datetime) -> date:
        """The study day an instant belongs to."""
        # Subtracting from an aware local time is wall-clock arithmetic: 03:59 is the day
        # before whatever the offset, as in start_of.
        return (when.astimezone(self.zone) - timedelta(hours=self.start_hour)).date()

    def today(self, now: datetime) -> date:
        """The study day ``now`` is in."""
        return self.day_of(now)

    def starts(self, day: date) -> datetime:
        """When ``day`` begins, as a UTC time (a start hour skipped by a clock change
        falls at the first instant after the gap, as ZoneInfo resolves it)."""
        local = datetime.combine(day, time(self.start_hour), tzinfo=self.zone)
        return local.astimezone(timezone.utc)

    def next_start(self, now: datetime) -> datetime:
        """When the next study day begins after ``now`` (UTC)."""
        return self.starts(self.today(now) + timedelta(days=1))

    def label(self) -> str:
        """'04:00 Europe/Berlin': when a day starts, in words a student reads."""
        return f"{self.start_hour:02d}:00 {zone_label(self.zone)}"

    def sql_day(self, column: str, first: datetime, last: datetime) -> str:
        """An SQLite expression for the study day (``YYYY-MM-DD``) of the UTC time in ``column``,
        exact for times between ``first`` and ``last`` (each offset change in between is a case)."""
        periods = self._offsets(first.astimezone(timezone.utc), last.astimezone(timezone.utc))
        shifts = [f"'{minutes:+d} minutes'" for _, minutes in periods]
        if len(periods) == 1:
            return f"date({column}, {shifts[0]})"
        cases = " ".join(f"when {column} < '{until.isoformat()}' then {shift}"
                         for (until, _), shift in zip(periods[1:], shifts[:-1]))
        return f"date({column}, case {cases} else {shifts[-1]} end)"

    def _offsets(self, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
        """(from when, shift in minutes) for each stretch of constant UTC offset in [first, last];
        the shift takes a UTC time to the wall clock minus the start hour."""
        def shift(at: datetime) -> int:
            return int(at.astimezone(self.zone).utcoffset().total_seconds() // 60) - 60 * self.start_hour

        periods = [(first, shift(first))]
        at = first
        while at < last:
            step = min(at + timedelta(days=1), last)
            if shift(step) != periods[-1][1]:
                periods.append((_change_between(at, step, shift), shift(step)))
            at = step
        return periods


def _change_between(low: datetime, high: datetime, shift) -> datetime:
    """The first second in (low, high] where ``shift`` differs from its value at ``low``."""
    before = shift(low)
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        low, high = (mid, high) if shift(mid) == before else (low, mid)
    return high.replace(microsecond=0)


def zone_label(zone: tzinfo) -> str:
    """The zone's IANA name, or its fixed offset ("UTC", "UTC+05:30")."""
    key = getattr(zone, "key", None)
    if key:
        return key
    offset = zone.utcoffset(None) or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


UTC_MIDNIGHT = StudyDay()  # the day as it was before issue 12: midnight to midnight UTC
