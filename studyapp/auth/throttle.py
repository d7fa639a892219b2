"""Slowing down password guessing: after 5 failures in a minute, sign-in waits.

Failures are counted per username (5 a minute) and per client address (20 a minute:
a whole class behind one school NAT shares an address, and five typos across thirty
students must not lock everyone out), in the database, so a restart does not reset
them and several server processes share them. A success clears the username's count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from studyapp.core.store import Store

MAX_FAILURES = 5  # per username
MAX_FAILURES_PER_ADDRESS = 20
WINDOW = timedelta(minutes=1)


def keys(username: str, address: str | None) -> list[str]:
    """The counters one sign-in attempt is charged to."""
    return [f"user:{username}"] + ([f"ip:{address}"] if address else [])


def _limit(key: str) -> int:
    return MAX_FAILURES_PER_ADDRESS if key.startswith("ip:") else MAX_FAILURES


def retry_after(store: Store, counters: Iterable[str], now: datetime) -> float:
    """Seconds to wait before the next attempt (0 when it may go ahead now)."""
    wait = 0.0
    since = (now - WINDOW).isoformat()
    for key in counters:
        limit = _limit(key)
        rows = store.query("select failed_at from sign_in_failure where key = ? and failed_at > ? "
                           "order by failed_at desc limit ?", (key, since, limit))
        if len(rows) >= limit:
            # The oldest of the last `limit` leaves the window first; then one more try is allowed.
            oldest = datetime.fromisoformat(rows[-1]["failed_at"])
            wait = max(wait, (oldest + WINDOW - now).total_seconds())
    return wait


def record_failure(store: Store, counters: Iterable[str], now: datetime) -> None:
    """Count one failed attempt against each counter (and forget failures older than the window)."""
    with store.writing("save the sign-in attempt in") as db:
        db.execute("delete from sign_in_failure where failed_at < ?", ((now - WINDOW).isoformat(),))
        db["sign_in_failure"].insert_all([{"key": k, "failed_at": now.isoformat()} for k in counters])


def clear(store: Store, username: str) -> None:
    """Forget a username's failures after it signed in."""
    with store.writing("save the sign-in attempt in") as db:
        db.execute("delete from sign_in_failure where key = ?", (f"user:{username}",))
