"""A writer process for the concurrency tests: N ratings, notes and answers into one database.

Run as ``python writers.py DB WORKER COUNT [CARD]``. Without CARD, write i is a rating
of the worker's own card i (even i) or a save of the worker's note (odd i). With CARD,
every write is a rating of that one card of the shared student "shared" (many tabs or
servers rating the same card at once). Prints one JSON line: how many writes were
acknowledged and refused (StoreError, with the refusals' text), and how long each
acknowledged write took in milliseconds, waiting for the write lock included.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone

from studyapp.core import notes, srs
from studyapp.core.store import StoreError, open_store

SHARED = "shared"


def write(store, scheduler, worker: str, i: int, now: datetime, card: str | None) -> None:
    if card is not None:
        state = srs.load_state(store, SHARED, card)
        srs.record_review(store, SHARED, card, srs.preview(scheduler, state, now)[srs.Rating.Good], now)
    elif i % 2:
        notes.save_note(store, worker, "unit", f"{worker} note {i}", now)
    else:
        outcome = srs.preview(scheduler, None, now)[srs.Rating.Good]
        srs.record_review(store, worker, f"unit/card-{i}", outcome, now)


def main(db: str, worker: str, count: int, card: str | None = None) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    scheduler = srs.make_scheduler(enable_fuzzing=False)
    acked, refused, errors, took_ms = 0, 0, [], []
    try:
        store = open_store(db, start)
    except StoreError as exc:
        print(json.dumps({"acked": 0, "refused": count, "errors": [f"open: {exc}"], "took_ms": []}))
        return
    for i in range(count):
        began = time.perf_counter()
        try:
            write(store, scheduler, worker, i, start + timedelta(seconds=i), card)
            acked += 1
            took_ms.append(round((time.perf_counter() - began) * 1000, 2))
        except StoreError as exc:
            refused += 1
            errors.append(str(exc)[:200])
    print(json.dumps({"acked": acked, "refused": refused, "errors": errors[:3], "took_ms": took_ms}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:5])
