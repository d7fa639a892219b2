"""First Lab interaction in a real browser: cold (a fresh server without the warm-up, imports
included) and warm.

Goals: cold < 8 s, warm < 300 ms. Cold is timed from navigating to /lab-build on a server
that has served no Lab page yet until peft's parameter line is on screen; warm is timed
inside the page from pressing Enter on a new r until the new line is in the DOM.
Run: .venv/bin/python bench/lab_first_interaction.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from live_server import served_page, wait_idle  # noqa: E402

ENTER_AND_TIME = """
(args) => new Promise((resolve) => {
  const [value, expected] = args;
  const input = Array.from(document.querySelectorAll('input[aria-label="r"]'))[0];
  const observer = new MutationObserver(() => {
    if (document.body.innerText.includes(expected)) { observer.disconnect(); resolve(performance.now() - start); }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  setter.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const start = performance.now();
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", keyCode: 13, bubbles: true }));
})
"""


def trainable_line(r: int) -> str:
    # Llama-2-7b, q_proj + v_proj: 32 layers x 2 modules x r x (4096 + 4096)
    return f"trainable params: {32 * 2 * r * 8192:,}"


def main() -> None:
    os.environ["STUDYAPP_LAB_WARM_UP"] = "0"  # cold: the page pays the imports (warm: bench/lab_warm_up.py)
    with served_page() as (server, page):
        page.goto(f"{server.url}/")  # the app is up; no Lab page has been served yet
        wait_idle(page)
        start = time.perf_counter()
        page.goto(f"{server.url}/lab-build")
        page.get_by_text(trainable_line(8)).wait_for(timeout=120_000)
        cold = time.perf_counter() - start
        wait_idle(page)
        warm, cached = [], []
        for r in (16, 4, 32, 2, 12, 24, 6, 10):
            warm.append(page.evaluate(ENTER_AND_TIME, [str(r), trainable_line(r)]))
            wait_idle(page)
        for r in (16, 4, 32, 2):  # seen before: the result comes from the cache
            cached.append(page.evaluate(ENTER_AND_TIME, [str(r), trainable_line(r)]))
            wait_idle(page)
    print(f"first Lab interaction, cold (imports + build + wrap Llama-2-7b on meta): {cold:.2f} s")
    print(f"warm interaction (new r, uncached build + wrap + render), {len(warm)} changes: "
          f"p50 {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms")
    print(f"warm interaction, settings seen before (cached result), {len(cached)} changes: "
          f"p50 {statistics.median(cached):.0f} ms")


if __name__ == "__main__":
    main()
