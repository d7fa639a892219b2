"""Click-to-next-card in a real browser (Chromium via Playwright). Goal: p50 < 200 ms.

Measures inside the page, from the click on a rating button to the moment the next
card's "Card N of M" is in the DOM (a MutationObserver stamps it), so Playwright's own
polling does not count.
Run: .venv/bin/python bench/study_click_next_card.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from live_server import served_page, wait_idle  # noqa: E402


CLICK_AND_TIME = """
(expected) => new Promise((resolve) => {
  const done = () => document.body.innerText.includes(expected) || document.body.innerText.includes("All caught up");
  const observer = new MutationObserver(() => {
    if (done()) { observer.disconnect(); resolve(performance.now() - start); }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  const button = Array.from(document.querySelectorAll(".st-key-drill-rate-3 button")).find((b) => b.offsetParent);
  const start = performance.now();
  button.click();
})
"""


def main() -> None:
    times = []
    with served_page() as (server, page):
        page.goto(f"{server.url}/review")
        wait_idle(page)
        for n in range(1, 100):
            flip = page.locator(".st-key-drill-flip").get_by_role("button")
            if not flip.count():
                break
            flip.click()
            rate = page.locator(".st-key-drill-rate-3").get_by_role("button")
            rate.wait_for()
            times.append(page.evaluate(CLICK_AND_TIME, f"Card {n + 1} of"))
            wait_idle(page)
    print(f"click-to-next-card, real browser, {len(times)} ratings: p50 {statistics.median(times):.0f} ms, "
          f"p90 {statistics.quantiles(times, n=10)[-1]:.0f} ms")


if __name__ == "__main__":
    main()
