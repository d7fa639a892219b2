"""The Lab's warm-up: what it costs the study pages, and what it saves the first Lab interaction.

1. Server time of one rating (flip + rate + next card, through AppTest in-process), in a
   fresh process without the warm-up, and in a fresh process while the warm-up thread is
   importing torch & co. (only ratings that finished before the warm-up did count).
2. In a real server and Chromium: the first Lab interaction, from the click on "Build and
   wrap" in the sidebar of the open app until peft's line is on screen (and, separately,
   opening /lab-build as a new page load, as a link from outside does), cold
   (STUDYAPP_LAB_WARM_UP=0: the page pays the imports) and after the warm-up (the server
   logs "Lab warm-up done"; the student arrives after it). Goal: under 2 s after the warm-up.

Run: .venv/bin/python bench/lab_warm_up.py
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

RATINGS = """
import json, os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {tests!r})
os.environ["STUDYAPP_DB"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
os.environ["STUDYAPP_NEW_CARDS_PER_DAY"] = "1000"
from apptest_helpers import open_page
from studyapp.lab import heavy
at = open_page("views/review.py")
if {warm}:
    heavy.start_warm_up(force=True)
times = []
while len(times) < {n} and "drill-flip" in [b.key for b in at.button]:
    start = time.perf_counter()
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-3").click().run()
    done = time.perf_counter()
    if {warm} and heavy.status().state == "ready":
        break  # the warm-up is over: later ratings no longer compete with it
    times.append(1000 * (done - start))
print(json.dumps({{"times": times, "warm_up": heavy.status().seconds}}))
"""

LINE = "trainable params: 4,194,304"  # Llama-2-7b, q_proj + v_proj, r = 8: the Build page's first result


def ratings(warm: bool, n: int = 20) -> dict:
    """Server times (ms) of ratings in a fresh process, with or without the warm-up running."""
    code = RATINGS.format(tests=str(ROOT / "tests"), warm=warm, n=n)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_interaction(warm_up: bool, by_link: bool = False) -> tuple[float, float | None]:
    """Seconds from the click on the sidebar's "Build and wrap" (or, `by_link`, from opening
    /lab-build) to peft's line, on a fresh server; and the warm-up's duration."""
    from live_server import served_page, wait_idle

    os.environ["STUDYAPP_LAB_WARM_UP"] = "1" if warm_up else "0"
    try:
        with served_page() as (server, page):
            log = _log_reader(server.proc)
            page.goto(f"{server.url}/")  # the app is up; this first run starts the warm-up
            wait_idle(page)
            warm_seconds = _wait_for_warm_up(log) if warm_up else None
            start = time.perf_counter()
            if by_link:
                page.goto(f"{server.url}/lab-build")
            else:
                page.get_by_role("link", name="Build and wrap").click()
            page.get_by_text(LINE).wait_for(timeout=120_000)
            return time.perf_counter() - start, warm_seconds
    finally:
        os.environ.pop("STUDYAPP_LAB_WARM_UP", None)


def _log_reader(proc) -> list[str]:
    lines: list[str] = []

    def read() -> None:
        for raw in proc.stdout:
            lines.append(raw.decode(errors="replace"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for_warm_up(lines: list[str], timeout: float = 180) -> float:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for line in lines:
            found = re.search(r"Lab warm-up done in ([0-9.]+) s", line)
            if found:
                return float(found.group(1))
        time.sleep(0.1)
    raise TimeoutError("the server never logged the end of its warm-up")


def main() -> None:
    """Print the figures."""
    base = ratings(warm=False)["times"]
    during = ratings(warm=True)
    print(f"rating server time (AppTest, flip + rate), no warm-up: p50 {statistics.median(base):.0f} ms, "
          f"max {max(base):.0f} ms over {len(base)} ratings")
    if during["times"]:
        times = during["times"]
        print(f"rating server time while the warm-up imports: p50 {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms over {len(times)} ratings "
              f"(imports took {during['warm_up']:.2f} s in that process)")
    for by_link, how in ((False, "sidebar click"), (True, "new page load of /lab-build")):
        cold, _ = first_interaction(warm_up=False, by_link=by_link)
        warm, warm_up = first_interaction(warm_up=True, by_link=by_link)
        print(f"first Lab interaction ({how}), cold (no warm-up, imports on the page): {cold:.2f} s")
        print(f"first Lab interaction ({how}) after the warm-up ({warm_up:.2f} s in the background): "
              f"{warm:.2f} s (goal < 2 s)")


if __name__ == "__main__":
    main()
