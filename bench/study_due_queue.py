"""Due-queue query with 1,000 cards and 100,000 review rows for one student. Goal: < 10 ms.

Run: .venv/bin/python bench/study_due_queue.py
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from studyapp.core import srs
from studyapp.core.store import open_store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def fill(store, cards: int = 1000, reviews: int = 100_000, user: str = "local") -> list[str]:
    """1,000 reviewed cards with realistic FSRS states and 100,000 log rows, plus other students' rows."""
    rng = random.Random(0)
    scheduler = srs.make_scheduler(enable_fuzzing=False)
    keys = [f"unit-{i % 6}/card-{i}" for i in range(cards)]
    states, logs = [], []
    for key in keys:
        at = NOW - timedelta(days=rng.uniform(1, 120))
        outcome = srs.preview(scheduler, None, at)[srs.Rating(rng.randint(2, 4))]
        card = outcome.card
        states.append({"user_id": user, "card_key": key, "card_json": card.to_json(), "due": card.due.isoformat(),
                       "state": int(card.state), "stability": card.stability, "difficulty": card.difficulty,
                       "reps": 1, "lapses": 0, "first_reviewed_at": at.isoformat(), "last_reviewed_at": at.isoformat()})
    for i in range(reviews):
        logs.append({"user_id": user, "card_key": keys[i % cards], "rating": 3,
                     "reviewed_at": (NOW - timedelta(minutes=i)).isoformat(), "duration_ms": 2000,
                     "state_before": 2, "interval_days": 3.0, "card_before": None})
    with store.writing("fill") as db:
        db["card_state"].insert_all(states, batch_size=1000)
        db["card_state"].insert_all([{**s, "user_id": "other"} for s in states], batch_size=1000)
        db["review_log"].insert_all(logs, batch_size=5000)
    return keys


def main() -> None:
    store = open_store(Path(tempfile.mkdtemp()) / "bench.sqlite3", NOW)
    keys = fill(store)
    times, queue = [], []
    for _ in range(50):
        start = time.perf_counter()
        queue = srs.due_queue(store, "local", keys, NOW)
        times.append((time.perf_counter() - start) * 1000)
    print(f"due queue, 1,000 cards / 100,000 review rows: {len(queue)} due; "
          f"p50 {statistics.median(times):.2f} ms, max {max(times):.2f} ms (50 runs)")


if __name__ == "__main__":
    main()
