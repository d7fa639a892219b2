"""Writers contending for one SQLite file: refused and lost writes, and how long writes wait.

Eight processes write 200 times each into one file (ratings and note saves), then eight
rate the same card of one student. Goal: 0 refused, 0 lost; each write's time, waiting
for the write lock included, is printed as p50 / p95 / max.

Run: .venv/bin/python bench/reliability_writers.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITERS = ROOT / "tests" / "reliability" / "writers.py"
sys.path.insert(0, str(ROOT))

from studyapp.core import srs  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402


def run_writers(db: Path, workers: int, count: int, card: str | None = None) -> list[dict]:
    extra = [card] if card else []
    procs = [subprocess.Popen([sys.executable, str(WRITERS), str(db), f"w{n}", str(count), *extra],
                              stdout=subprocess.PIPE, text=True) for n in range(workers)]
    return [json.loads(p.communicate(timeout=600)[0].strip().splitlines()[-1]) for p in procs]


def stored(db: Path, workers: int) -> int:
    """Writes of the first scenario found in the file (ratings plus distinct note saves)."""
    store = open_store(db)
    reviews = store.query("select count(*) as n from review_log")[0]["n"]
    notes = store.query("select count(*) as n from note_revision")[0]["n"]
    return reviews + notes


def report(name: str, reports: list[dict], lost: int) -> None:
    took = sorted(t for r in reports for t in r["took_ms"])
    p95 = took[int(0.95 * (len(took) - 1))]
    acked, refused = sum(r["acked"] for r in reports), sum(r["refused"] for r in reports)
    print(f"{name}: {acked} acknowledged, {refused} refused, {lost} lost; "
          f"per write p50 {statistics.median(took):.1f} ms, p95 {p95:.1f} ms, max {took[-1]:.1f} ms")


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    workers, count = 8, 200
    db = folder / "class.sqlite3"
    reports = run_writers(db, workers, count)
    # Note revisions are pruned to the last 20 per note: count what pruning leaves.
    from studyapp.core.notes import KEEP_REVISIONS
    expected = workers * (count // 2) + workers * min(count // 2, KEEP_REVISIONS)
    report(f"{workers} processes x {count} writes, own rows", reports, expected - stored(db, workers))

    db = folder / "one-card.sqlite3"
    reports = run_writers(db, workers, count // 4, card="unit/card")
    reps = srs.load_state(open_store(db), "shared", "unit/card").reps
    report(f"{workers} processes x {count // 4} ratings of one card", reports,
           sum(r["acked"] for r in reports) - reps)


if __name__ == "__main__":
    main()
