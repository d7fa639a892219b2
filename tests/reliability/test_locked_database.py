"""A database locked for longer than the busy timeout: the student is told, nothing is lost.

A second writer (another server on the same file, a backup, a `sqlite3` shell) holds
SQLite's write lock for twice the busy timeout. Writes in that window are refused
after the timeout; each is either retried by the app (the scratchpad) or kept on
screen for the student to send again (a rating, a quiz answer), and arrives once the
lock is released.
"""

from __future__ import annotations

import pytest

from studyapp.core import notes
from studyapp.core.store import BUSY_TIMEOUT_MS

from live_server import wait_idle
from probes import (LOCK_SECONDS, LONG_LOCK_SECONDS, WriteLock, browser_clock, db_now, record_statuses, scratchpad,
                    statuses)

UNIT = "lora-basics"


@pytest.mark.browser
def test_scratchpad_retries_until_saved_after_a_long_lock(server, page):
    page.goto(f"{server.url}/unit?unit={UNIT}")
    wait_idle(page)
    area = scratchpad(page)
    record_statuses(page)
    lock = WriteLock(server.db)
    try:
        area.click()
        area.press_sequentially("written while the database was locked", delay=5)
        # The first save waits out the busy timeout, fails, and says so.
        page.locator(".pad-status.error", has_text="Not saved").wait_for(timeout=4 * BUSY_TIMEOUT_MS)
        lock.hold_until(LONG_LOCK_SECONDS)
    finally:
        lock.release()
    released = browser_clock(page)
    # No more typing: the retries alone must get the note to the server.
    page.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=60_000)
    assert notes.load_note(db_now(server.db), "local", UNIT).text == "written while the database was locked"
    early = [text for at, text in statuses(page) if at < released and text.startswith("Saved")]
    assert early == [], "'Saved' was shown while nothing could be committed"
