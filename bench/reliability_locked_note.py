"""The scratchpad against a database locked for longer than the busy timeout, in Chromium.

Another connection holds SQLite's write lock for 10 s and then 20 s (2x and 4x the 5 s
busy timeout) while the student types one sentence; nothing is typed after. Prints how
many times the student was told "Not saved", whether "Saved" ever showed while locked,
and how long after the release the note was committed (the text area's back-off:
1 s doubling to 30 s, each try waiting up to the busy timeout).

Run: .venv/bin/python bench/reliability_locked_note.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "tests" / "reliability"))
sys.path.insert(0, str(ROOT))

from live_server import served_page, wait_idle  # noqa: E402
from probes import WriteLock, browser_clock, db_now, record_statuses, scratchpad, statuses  # noqa: E402
from studyapp.core import notes  # noqa: E402

UNIT = "lora-basics"


def one_lock(server, page, seconds: float, text: str) -> str:
    page.goto(f"{server.url}/unit?unit={UNIT}")
    wait_idle(page)
    area = scratchpad(page)
    record_statuses(page)
    lock = WriteLock(server.db)
    locked = browser_clock(page)
    area.click()
    area.press("Control+A")
    area.press_sequentially(text, delay=5)
    lock.hold_until(seconds)
    lock.release()
    released = browser_clock(page)
    page.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=120_000)
    saved_at = browser_clock(page)
    assert notes.load_note(db_now(server.db), "local", UNIT).text == text
    seen = statuses(page)
    refusals = sum(1 for _, s in seen if s.startswith("Not saved"))
    early = any(s.startswith("Saved") for at, s in seen if locked <= at < released)
    return (f"lock {seconds:.0f} s: told 'Not saved' {refusals} time(s), 'Saved' while locked: {early}, "
            f"note committed {(saved_at - released) / 1000:.1f} s after the release")


def main() -> None:
    with served_page() as (server, page):
        for seconds in (10, 20):
            print(one_lock(server, page, seconds, f"typed during a {seconds} s lock"))
            time.sleep(1)


if __name__ == "__main__":
    main()
