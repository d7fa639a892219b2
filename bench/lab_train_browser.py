"""Live fine-tune in a real browser: how often the loss chart redraws while it trains, and
when the loss has visibly fallen. Goals: the loss falls within 10 s; at least 2 redraws a second.

Run: .venv/bin/python bench/lab_train_browser.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from live_server import served_page, wait_idle  # noqa: E402

# Stamp every redraw of the progress text ("step N/M · loss X") until training ends.
WATCH = """
() => new Promise((resolve) => {
  const seen = [];
  const start = performance.now();
  const read = () => {
    const el = Array.from(document.querySelectorAll('[data-testid="stProgress"]')).pop();
    const text = el ? el.innerText : "";
    const m = text.match(/step (\\d+)\\/(\\d+) · loss ([0-9.]+)/);
    if (m && (!seen.length || seen[seen.length - 1][1] !== +m[1])) seen.push([performance.now() - start, +m[1], +m[3]]);
    if (m && +m[1] === +m[2]) { observer.disconnect(); resolve(seen); }
  };
  const observer = new MutationObserver(read);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  Array.from(document.querySelectorAll('.st-key-train-start button')).find((b) => b.offsetParent).click();
})
"""


def main(steps: int = 120) -> None:
    with served_page() as (server, page):
        page.goto(f"{server.url}/lab-train?steps={steps}")
        wait_idle(page, timeout=120_000)
        page.locator(".st-key-train-start").get_by_role("button").wait_for()
        seen = page.evaluate(WATCH)
    first_ms = seen[0][0]
    span = (seen[-1][0] - first_ms) / 1000
    first_loss = seen[0][2]
    fallen = next((t for t, _, loss in seen if loss < 0.75 * first_loss), None)
    print(f"live fine-tune, {steps} steps of tiny-llama: first point on screen {first_ms / 1000:.2f} s after the click "
          f"(imports + build), then {len(seen)} redraws in {span:.2f} s = {(len(seen) - 1) / span:.1f} redraws/s")
    print(f"loss {first_loss:.3f} → {seen[-1][2]:.3f}; below 75% of its first value "
          f"{(fallen or 0) / 1000:.2f} s after the click")


if __name__ == "__main__":
    main()
