"""The due queue with suspended and buried cards: 1,000 cards, 100,000 review rows. Goal: still < 10 ms.

The same student as bench/study_due_queue.py, with 100 of their cards suspended (20 of them
leeches), 50 buried until tomorrow and 30 flagged; then the queue is read with the student's
own day (Europe/Berlin, 04:00) and a daily maximum of 200 reviews, as the drill reads it.

Run: .venv/bin/python bench/anki_due_queue.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from study_due_queue import NOW, fill  # noqa: E402
from studyapp.core import card_control, srs  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402
from studyapp.core.study_day import StudyDay  # noqa: E402


def main(runs: int = 50) -> None:
    store = open_store(Path(tempfile.mkdtemp()) / "bench.sqlite3", NOW)
    keys = fill(store)
    day = StudyDay(ZoneInfo("Europe/Berlin"), 4)
    card_control.suspend(store, "local", keys[:100], NOW)
    with store.writing("mark leeches") as db:
        db.execute("update card_control set leech = 1 where card_key in (%s)" % ",".join("?" * 20), keys[:20])
    card_control.bury(store, "local", keys[100:150], day.next_start(NOW))
    card_control.set_flag(store, "local", keys[150:180], 1)
    for label, limits in (("the UTC day, no daily maximum", None),
                          ("with 100 suspended, 50 buried, the local day, max 200 reviews",
                           {"study_day": day, "max_reviews": 200})):
        times, queue = [], []
        for _ in range(runs):
            started = time.perf_counter()
            queue = srs.due_queue(store, "local", keys, NOW, **(limits or {}))
            times.append((time.perf_counter() - started) * 1000)
        print(f"due queue, {label}: {len(queue)} cards; p50 {statistics.median(times):.2f} ms, "
              f"max {max(times):.2f} ms ({runs} runs)")
    assert not set(queue) & set(keys[:150])


if __name__ == "__main__":
    main()
