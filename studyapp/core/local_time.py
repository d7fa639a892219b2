"""Times shown to a student, in the student's own time zone and labelled with it.

The database keeps UTC (ISO-8601 with ``+00:00``); pages pass in the zone the
browser reports (an IANA name such as ``Europe/Berlin``, or failing that the
offset in minutes as JavaScript's ``getTimezoneOffset`` gives it: positive west
of UTC). Without either, times are shown in UTC and say so.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def student_zone(name: str | None, offset_minutes: int | None) -> tzinfo:
    """The zone to show times in: the named zone, else the fixed offset, else UTC.

    Never raises: an unknown name or a nonsense offset falls back to the next choice.
    """
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if isinstance(offset_minutes, int) and abs(offset_minutes) < 24 * 60:
        return timezone(-timedelta(minutes=offset_minutes))
    return timezone.utc


def label(iso: str, zone: tzinfo, now: datetime) -> str:
    """``14:05 CET`` for a time today (in ``zone``), ``2 Mar 14:05 CET`` for another day.

    Raises:
        ValueError: ``iso`` is not an ISO-8601 time.
    """
    when = datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # stored times are UTC
    local, today = when.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local:%H:%M} {_zone_name(local)}"
    return clock if local.date() == today else f"{local.day} {local:%b} {clock}"


def _zone_name(local: datetime) -> str:
    # ZoneInfo gives "CET"/"CEST"; a fixed offset gives "UTC+01:00"; UTC itself "UTC".
    return local.tzname() or "UTC"
