"""The scratchpad in a real browser: earlier versions in the student's own time, and restoring one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from studyapp.core import local_time, notes
from studyapp.core.store import open_store

from live_server import wait_idle

pytestmark = pytest.mark.browser
UNIT = "lora-basics"
ZONE = "Asia/Kolkata"  # UTC+05:30: a half-hour offset cannot pass for UTC by accident


def test_versions_show_local_times_and_restoring_one_says_so(server, page_in_zone):
    page, now = page_in_zone(ZONE), datetime.now(timezone.utc)
    older, newer = now - timedelta(hours=2), now - timedelta(hours=1)
    store = open_store(server.db, now)
    notes.save_note(store, "local", UNIT, "first thoughts on B = 0", older)
    notes.save_note(store, "local", UNIT, "second thoughts", newer)
    zone = ZoneInfo(ZONE)

    page.goto(f"{server.url}/unit?unit={UNIT}")
    wait_idle(page)
    area = page.locator(".pad[data-ready] textarea.pad-text")
    area.wait_for()
    status = page.locator(".pad-status")
    assert status.inner_text() == f"Saved at {local_time.label(newer.isoformat(), zone, now)}"
    page.get_by_text("Earlier versions (1)").click()
    page.get_by_text(f"Saved {local_time.label(older.isoformat(), zone, now)}").wait_for()

    page.get_by_role("button", name="Restore this version").click()
    page.locator(".pad-status", has_text="Restored").wait_for()
    older_label = local_time.label(older.isoformat(), zone, now)
    assert status.inner_text() == f"Restored the version saved {older_label}"
    assert area.input_value() == "first thoughts on B = 0"
    assert notes.load_note(open_store(server.db), "local", UNIT).text == "first thoughts on B = 0"
