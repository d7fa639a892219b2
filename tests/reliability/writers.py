"""A writer process for the concurrency tests: N ratings, notes and answers into one database.

Run as ``python writers.py DB WORKER COUNT``. Prints one JSON line: how many writes
were acknowledged and how many were refused (StoreError), with the refusals' text.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

from studyapp.core import notes, srs
from studyapp.core.store import StoreError, open_store


def main(db: str, worker: str, count: int) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    scheduler = srs.make_scheduler(enable_fuzzing=False)
    acked, refused, errors = 0, 0, []
    try:
        store = open_store(db, start)
    except StoreError as exc:
        print(json.dumps({"acked": 0, "refused": count, "errors": [f"open: {exc}"]}))
        return
    for i in range(count):
        now = start + timedelta(seconds=i)
        try:
            if i % 2:
                notes.save_note(store, worker, "unit", f"{worker} note {i}", now)
            else:
                outcome = srs.preview(scheduler, None, now)[srs.Rating.Good]
                srs.record_review(store, worker, f"unit/card-{i}", outcome, now)
            acked += 1
        except StoreError as exc:
            refused += 1
            errors.append(str(exc)[:200])
    print(json.dumps({"acked": acked, "refused": refused, "errors": errors[:3]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
