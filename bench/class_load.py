"""A class on one server: K students in separate browser contexts, all signed in, all rating cards.

Reports click-to-next-card p50/p95 across every student (timed inside each page, from the
click on "Good" to the next card's "Show answer" button in the DOM), errors seen on any page,
lost writes (ratings acknowledged on screen but missing from review_log), and the server's
memory per connected student session. Goal at 8 browsers on 2 cores: 0 lost, 0 errors,
p95 < 300 ms. A second part drives more students through AppTest, one process each (server time only).
Run: .venv/bin/python bench/class_load.py [BROWSERS] [RATINGS] [APPTEST_STUDENTS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "tests"))

from class_server import COOKIE, SECRET, class_server  # noqa: E402
from live_server import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from studyapp.auth import accounts  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402

PASSWORD = "correct horse battery"
CLICK_AND_TIME = """
() => new Promise((resolve) => {
  const visible = (sel) => Array.from(document.querySelectorAll(sel)).find((b) => b.offsetParent);
  const observer = new MutationObserver(() => {
    if (visible(".st-key-drill-flip button") || document.body.innerText.includes("All caught up")) {
      observer.disconnect(); resolve(performance.now() - start);
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  const start = performance.now();
  visible(".st-key-drill-rate-3 button").click();
})
"""


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (the studyapp launcher runs streamlit as a child)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if proc.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


async def student(browser, url: str, name: str, ratings: int, times: list, errors: list) -> int:
    """Sign in and rate ``ratings`` cards; a student who gets stuck is an error (with what the page
    showed), not a crash of the whole benchmark."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        return await _study(page, url, name, ratings, times, errors)
    except PlaywrightTimeout as exc:
        body = (await page.locator("body").inner_text())[-300:].replace("\n", " ")
        errors.append(f"{name}: stuck ({str(exc).splitlines()[0]}); the page ended: {body}")
        return 0
    finally:
        await context.close()


async def _study(page, url: str, name: str, ratings: int, times: list, errors: list) -> int:
    await page.goto(url)
    await page.get_by_role("textbox", name="Username").fill(name)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.get_by_test_id("stSidebarUserContent").get_by_test_id("stPopover").wait_for(timeout=60_000)
    # The tab is signed in; the cookie that signs in the next page load follows a moment later.
    while COOKIE not in {c["name"] for c in await page.context.cookies()}:
        await page.wait_for_timeout(50)
    await page.goto(url + "/review")
    done = 0
    for _ in range(ratings):
        flip = page.locator(".st-key-drill-flip").get_by_role("button")
        await flip.wait_for(timeout=60_000)
        await flip.click()
        await page.locator(".st-key-drill-rate-3").get_by_role("button").wait_for(timeout=60_000)
        times.append(await page.evaluate(CLICK_AND_TIME))
        done += 1
        if await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count():
            errors.append(f"{name}: {await page.locator('body').inner_text()}"[:300])
    await page.locator(".st-key-drill-flip").get_by_role("button").wait_for(timeout=60_000)
    return done


async def browsers_part(url: str, names: list[str], ratings: int) -> tuple[list, list, dict]:
    from playwright.async_api import async_playwright

    times, errors = [], []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        done = await asyncio.gather(*(student(browser, url, n, ratings, times, errors) for n in names))
        await browser.close()
    return times, errors, dict(zip(names, done))


def _apptest_student(args: tuple[str, str, int]) -> tuple[list[float], str | None]:
    db, name, ratings = args
    from streamlit.testing.v1 import AppTest

    from apptest_helpers import APP

    os.environ.update(STUDYAPP_DB=db, STUDYAPP_AUTH="accounts", STUDYAPP_SECRET=SECRET)
    times = []
    try:
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        at.text_input(key="signin-username").input(name)
        at.text_input(key="signin-password").input(PASSWORD)
        at.button(key="FormSubmitter:signin-form-Sign in").click().run()
        at.switch_page("views/review.py").run()
        for _ in range(ratings):
            at.button(key="drill-flip").click().run()
            start = time.perf_counter()
            at.button(key="drill-rate-3").click().run()
            times.append((time.perf_counter() - start) * 1000)
            assert not at.exception, at.exception
    except Exception as exc:  # counted and reported
        return times, f"{name}: {exc!r}"[:200]
    return times, None


def apptest_part(db: Path, names: list[str], ratings: int) -> tuple[list, list]:
    """Students as AppTest sessions in separate processes on the same database file
    (AppTest keeps process-global state, so it cannot run students in threads of one process)."""
    from multiprocessing import get_context

    with get_context("spawn").Pool(len(names)) as pool:
        results = pool.map(_apptest_student, [(str(db), n, ratings) for n in names])
    return [t for times, _ in results for t in times], [e for _, e in results if e]


def lost_writes(db: Path, acknowledged: dict[str, int]) -> int:
    store = open_store(db)
    return sum(max(0, n - store.query("select count(*) as n from review_log where user_id = ?", (name,))[0]["n"])
               for name, n in acknowledged.items())


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    ratings = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    db = Path(tempfile.mkdtemp()) / "class.sqlite3"
    store = open_store(db)
    now = datetime.now(timezone.utc)
    names = [f"student{i:02d}" for i in range(k + threads)]
    for name in names:
        accounts.create_account(store, name, PASSWORD, now)
    server = class_server(db)
    server.start()
    try:
        time.sleep(1)
        idle = rss_kib(server.proc.pid)
        times, errors, acked = asyncio.run(browsers_part(server.url, names[:k], ratings))
        busy = rss_kib(server.proc.pid)
    finally:
        server.kill()
    q = statistics.quantiles(times, n=100, method="inclusive")
    print(f"{k} browsers x {ratings} ratings: click-to-next-card p50 {statistics.median(times):.0f} ms, "
          f"p95 {q[94]:.0f} ms, max {max(times):.0f} ms; errors {len(errors)}; lost writes {lost_writes(db, acked)}")
    print(f"server memory: {idle / 1024:.0f} MiB idle, {busy / 1024:.0f} MiB with {k} sessions "
          f"(~{(busy - idle) / 1024 / k:.1f} MiB per connected student session)")
    for e in errors[:3]:
        print("  error:", e)
    at_times, failed = apptest_part(db, names[k:], 10)
    at_q = statistics.quantiles(at_times, n=100, method="inclusive")
    print(f"{threads} AppTest students at once (one process each, one database) x 10 ratings: server time per "
          f"rating p50 {statistics.median(at_times):.0f} ms, p95 {at_q[94]:.0f} ms; failed students {len(failed)}; "
          f"lost writes {lost_writes(db, {n: 10 for n in names[k:]})}")
    for e in failed[:3]:
        print("  failed:", e)


if __name__ == "__main__":
    main()
