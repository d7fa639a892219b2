"""Server time of the Statistics page for a student with 1,000 cards and 100,000 reviews. Goal: < 300 ms.

The bundled course is copied and its first unit given enough generated cards to make
1,000; a seeded simulated student (tests/simulated_student.py: 20 new cards a day, scheduled
for a retention of 0.97) reviews them 100,000 times over 4.4 years (1,614 study days), and
another student's rows sit beside theirs. The page is run through
AppTest from the entry point (the whole script: sidebar, reads, SQL, figures); the first run
pays the imports and is not counted. The core figures alone (core/stats.statistics) are
timed too.

Run: .venv/bin/python bench/anki_stats_page.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CARDS, REVIEWS = 1000, 100_000


def course_with(cards: int, folder: Path) -> Path:
    """A copy of the course whose first unit holds enough extra cards to make ``cards`` in all."""
    from studyapp.core.content import load_course

    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    extra = cards - len(load_course(content).cards)
    unit = content / "units" / "01-lora-basics" / "cards.yaml"
    unit.write_text(unit.read_text() + "".join(
        f"\n- id: bench-{i}\n  front: 'Bench card {i}: what is r?'\n  back: 'The rank of the update.'\n"
        for i in range(extra)))
    course = load_course(content)
    assert len(course.cards) == cards and not course.problems, course.problems
    return content


def fill(db: Path, keys: list[str]) -> datetime:
    """100,000 reviews of the cards by the simulated student (and 10,000 by another); return 'now'."""
    from dataclasses import replace

    import simulated_student as sim
    from studyapp.core.store import open_store

    start = datetime(2025, 1, 6, 8, tzinfo=timezone.utc)
    made = sim.history(REVIEWS, cards=len(keys), start=start, seed=0, desired_retention=0.97, new_per_day=20)
    names = {f"sim/c{i}": key for i, key in enumerate(keys)}
    store = open_store(db, start)
    sim.fill(store, [replace(r, card_key=names[r.card_key]) for r in made], "local")
    sim.fill(store, [replace(r, card_key=names[r.card_key]) for r in made[:10_000]], "other")
    store.close()
    return made[-1].at + timedelta(hours=2)


def main(runs: int = 15) -> None:
    folder = Path(tempfile.mkdtemp())
    content = course_with(CARDS, folder)
    os.environ["STUDYAPP_CONTENT"], os.environ["STUDYAPP_DB"] = str(content), str(folder / "bench.sqlite3")
    from studyapp.core.content import load_course

    course = load_course(content)
    started = time.perf_counter()
    now = fill(folder / "bench.sqlite3", [c.key for c in course.cards])
    print(f"filled {CARDS:,} cards and {REVIEWS:,} reviews in {time.perf_counter() - started:.0f} s "
          f"(2025-01-06 to {now:%Y-%m-%d})")
    from studyapp.ui import context

    context.now = lambda: now  # the page reads the clock here; the history ends at `now`
    page_times(runs)
    core_times(course, now, runs)


def page_times(runs: int) -> None:
    """Each tab of the page (only the open tab is drawn), ``runs`` reruns each."""
    from apptest_helpers import open_page

    at = open_page("views/stats.py", timeout=120)
    assert not at.exception, at.exception
    for tab in [t.label for t in at.tabs]:
        at.session_state["stats-tabs"] = tab
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - started) * 1000)
        assert not at.exception, at.exception
        print(f"Statistics page, tab {tab!r} (AppTest, whole script, {len(at.get('plotly_chart'))} charts), "
              f"{runs} runs: p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
    print(f"  it shows {({m.label: m.value for m in at.metric})}")


def core_times(course, now: datetime, runs: int) -> None:
    from studyapp.core import srs, stats
    from studyapp.core.store import open_store
    from studyapp.core.study_day import StudyDay
    from zoneinfo import ZoneInfo

    store = open_store(os.environ["STUDYAPP_DB"])
    keys = [c.key for c in course.cards]
    for day in (StudyDay(ZoneInfo("UTC"), 4), StudyDay(ZoneInfo("Europe/Berlin"), 4)):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            stats.statistics(store, "local", keys, now, srs.make_scheduler(), day)
            times.append((time.perf_counter() - started) * 1000)
        print(f"core/stats.statistics, {day.label()}: p50 {statistics.median(times):.0f} ms")


if __name__ == "__main__":
    main()
