"""Click-to-next-card in a real browser (Chromium via Playwright). Goal: p50 < 200 ms.

Measures inside the page, from the click on a rating button to the moment the next
card's "Show answer" button is in the DOM (a MutationObserver stamps it), so Playwright's
own polling does not count. Every rating reruns the whole page (the header counts it).
Run: .venv/bin/python bench/study_click_next_card.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from live_server import served_page, wait_idle  # noqa: E402


CLICK_AND_TIME = """
() => new Promise((resolve) => {
  const flip = () => Array.from(document.querySelectorAll(".st-key-drill-flip button"))
    .some((b) => b.offsetParent);
  const done = () => flip() || document.body.innerText.includes("All caught up")
    || document.body.innerText.includes("No more cards for now");
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
    for path in ("/review", "/unit?unit=lora-basics"):
        measure(path)


def measure(path: str) -> None:
    times = []
    with served_page() as (server, page):
        page.goto(f"{server.url}{path}")
        wait_idle(page)
        if "unit" in path:
            page.get_by_role("tab", name="Fast Drill").click()
        page.locator(".st-key-drill-flip").get_by_role("button").wait_for()
        for _ in range(1, 100):
            flip = page.locator(".st-key-drill-flip").get_by_role("button")
            if not flip.count():
                break
            flip.click()
            rate = page.locator(".st-key-drill-rate-3").get_by_role("button")
            rate.wait_for()
            times.append(page.evaluate(CLICK_AND_TIME))
            wait_idle(page)
    print(f"{path}: click-to-next-card, real browser, {len(times)} ratings: "
          f"p50 {statistics.median(times):.0f} ms, "
          f"p90 {statistics.quantiles(times, n=10)[-1]:.0f} ms")


if __name__ == "__main__":
    main()
