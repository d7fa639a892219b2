"""What the reliability tests use to hurt the app: a write lock held from outside, and
probes of the scratchpad in a real page (its text area and every status it has shown)."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from studyapp.core.store import BUSY_TIMEOUT_MS, open_store

LOCK_SECONDS = 2 * BUSY_TIMEOUT_MS / 1000  # longer than the busy timeout, so writes are refused


class WriteLock:
    """SQLite's write lock on ``db``, held by another connection (as a second writer,
    a backup or a `sqlite3` shell would hold it) until :meth:`release`."""

    def __init__(self, db: Path):
        self.conn = sqlite3.connect(str(db), isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")
        self.taken = time.monotonic()

    def hold_until(self, seconds: float) -> None:
        """Keep holding until ``seconds`` after the lock was taken (the scenario's length)."""
        time.sleep(max(0.0, self.taken + seconds - time.monotonic()))

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def db_now(db: Path):
    """The database as a second process sees it now."""
    return open_store(db, datetime.now(timezone.utc))


def scratchpad(page):
    """The scratchpad's text area, once its script has put the saved note in it."""
    page.locator(".pad[data-ready] textarea.pad-text").wait_for()
    return page.locator("textarea.pad-text")


# Every text the status line shows, with the browser's clock, from the moment this runs.
RECORD_STATUSES = """(status) => {
  window.__padStatuses = [];
  const note = () => window.__padStatuses.push([Date.now(), status.textContent]);
  new MutationObserver(note).observe(status, {childList: true, characterData: true, subtree: true});
  note();
}"""


def record_statuses(page) -> None:
    page.locator(".pad-status").evaluate(RECORD_STATUSES)


def statuses(page) -> list[tuple[float, str]]:
    return [tuple(s) for s in page.evaluate("window.__padStatuses")]


def browser_clock(page) -> float:
    return page.evaluate("Date.now()")
