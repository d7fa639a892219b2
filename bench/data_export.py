"""Export and backup times for a student with 1,000 reviews (issue 12.8).

Builds a real SQLite file: one student with 1,000 reviews over the course's cards (made through
srs.record_review), quiz answers, notes and buddy messages, and another student beside them.
Prints the median of 5 runs of each export (core function), of a restore into an empty database
and of restoring the same file again (nothing to change), and one `studyapp export` CLI run each
(process start and course load included).
Run: .venv/bin/python bench/data_export.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from data_helpers import account, fill_student  # noqa: E402
from studyapp.core.content import load_course  # noqa: E402
from studyapp.core.data.backup import read_backup  # noqa: E402
from studyapp.core.data.exports import export_bytes  # noqa: E402
from studyapp.core.data.restore import restore_backup  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402

REVIEWS, RUNS = 1000, 5


def median_ms(action, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    course = load_course(ROOT / "content")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        store = open_store(db, now)
        for name in ("ada", "bob"):
            account(store, name, now)
        start = time.perf_counter()
        fill_student(store, course, "ada", now, reviews=REVIEWS)
        fill_student(store, course, "bob", now, reviews=200)
        print(f"setup: {REVIEWS} reviews for ada, 200 for bob in {time.perf_counter() - start:.1f} s")
        later = now + timedelta(days=200)
        for kind in ("anki", "notes", "backup"):
            ms, data = median_ms(lambda: export_bytes(kind, store, course, "ada", later))
            print(f"export {kind:7s} {ms:8.1f} ms  ({len(data):,} bytes)")
        raw = export_bytes("backup", store, course, "ada", later)
        empty = open_store(Path(folder) / "empty.sqlite3", now)
        account(empty, "ada", now)
        ms, report = median_ms(lambda: restore_backup(empty, read_backup(raw, empty, "ada")), runs=1)
        added = sum(c.added for c in report.tables.values())
        print(f"restore into an empty database {ms:8.1f} ms  ({added:,} rows added)")
        ms, report = median_ms(lambda: restore_backup(empty, read_backup(raw, empty, "ada")))
        print(f"restore the same file again    {ms:8.1f} ms  (changed: {report.changed})")
        store.close(), empty.close()
        for kind in ("anki", "notes", "backup"):
            out = Path(folder) / f"out.{kind}"
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "studyapp.cli", "export", kind, "--user", "ada",
                                   "--db", str(db), "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
            assert done.returncode == 0, done.stderr
            print(f"studyapp export {kind} --user ada: {time.perf_counter() - start:.2f} s wall")


if __name__ == "__main__":
    main()
