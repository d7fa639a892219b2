"""Server-side time of one rating (write + next card + render) through AppTest. Goal: p50 < 30 ms.

A rating reruns the whole page, so the unit page (its text, explainers and header) is
measured as well as the Review page.

Run: .venv/bin/python bench/study_rating_apptest.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main(n: int = 40) -> None:
    os.environ["STUDYAPP_NEW_CARDS_PER_DAY"] = "1000"
    for page, query in (("views/review.py", {}), ("views/unit.py", {"unit": "lora-basics"})):
        measure(page, query, n)


def measure(page: str, query: dict, n: int) -> None:
    os.environ["STUDYAPP_DB"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    from apptest_helpers import open_page

    at = open_page(page, **query)
    flip, rate = [], []
    for _ in range(n):
        if "drill-flip" not in [b.key for b in at.button]:
            break  # every card of the course has been rated
        start = time.perf_counter()
        at.button(key="drill-flip").click().run()
        flip.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        at.button(key="drill-rate-3").click().run()
        rate.append((time.perf_counter() - start) * 1000)
    print(f"{page}: rating (write + next card + render), AppTest, {len(rate)} ratings: "
          f"p50 {statistics.median(rate):.1f} ms, p90 {statistics.quantiles(rate, n=10)[-1]:.1f} ms")
    print(f"{page}: flip (render answer + 4 previews), AppTest: p50 {statistics.median(flip):.1f} ms")


if __name__ == "__main__":
    main()
