"""Screenshots of every page of the router, at 1400x1000 and at 390x844 (touch), into docs/screenshots/.

Serves the app on a fresh database that already holds six weeks of a student's study
(reviews with FSRS, sections read, quiz answers), so the charts and counts show
something. The pages are read from the router itself (``studyapp/app.py``'s ``pages()``),
so a page added there is photographed too; the unit page is also shown with its drill
flipped and its quiz checked. Prints one line per file and the time taken.

Run: .venv/bin/python bench/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import tempfile
import time
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from live_server import CHROMIUM, CHROMIUM_ARGS, Server, wait_idle  # noqa: E402

SIZES = {"desktop": dict(viewport={"width": 1400, "height": 1000}),
         "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)}
# Pages that need an address to show something; every other page opens bare.
QUERIES = {"unit": "unit=lora-basics", "search": "q=merge_and_unload"}
LAB_WAIT_MS = 180_000  # a Lab page's first load imports torch and builds models


def router_pages() -> list[str]:
    """The URL paths of every page ``studyapp/app.py`` registers ('' for the default page).

    Runs the router's ``pages()`` with ``st.Page`` recording its arguments (outside a
    Streamlit run a real ``st.Page`` cannot be built) and applies Streamlit's rule: an
    explicit ``url_path``, else the file's stem; the default page is ''.
    """
    import streamlit

    source = ROOT / "studyapp" / "app.py"
    tree = ast.parse(source.read_text())
    tree.body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call))]
    namespace: dict = {"__name__": "studyapp_router"}
    exec(compile(tree, str(source), "exec"), namespace)  # definitions only: the run() call is dropped
    recorded = []
    names = [k for k in dir(streamlit) if not k.startswith("__")]
    shim = types.SimpleNamespace(**{k: getattr(streamlit, k) for k in names})
    shim.Page = lambda page, **kw: recorded.append((str(page), kw))
    namespace["st"] = shim
    namespace["pages"]()
    return ["" if kw.get("default") else kw.get("url_path") or Path(page).stem for page, kw in recorded]


def seed_history(db: Path, now: datetime, days: int = 42, seed: int = 9) -> None:
    """Six weeks of study by one student: daily reviews of what is due, new cards, reading, a quiz."""
    from studyapp.core import progress, quiz, srs
    from studyapp.core.content import load_course
    from studyapp.core.store import DEFAULT_USER, open_store

    course, rng = load_course(ROOT / "content"), random.Random(seed)
    store = open_store(db, now - timedelta(days=days))
    scheduler, user = srs.make_scheduler(enable_fuzzing=False), DEFAULT_USER
    keys = [c.key for u in course.units[:3] for c in u.cards]
    for day in range(days, 0, -1):
        if rng.random() < 0.2:
            continue  # a day off
        at = now - timedelta(days=day, hours=rng.randint(0, 4))
        for key in srs.due_queue(store, user, keys, at, new_per_day=6)[:25]:
            rating = rng.choices(srs.RATINGS, weights=(2, 1, 6, 1))[0]
            outcome = srs.preview(scheduler, srs.load_state(store, user, key), at)[rating]
            srs.record_review(store, user, key, outcome, at, duration_ms=rng.randint(2000, 9000))
            at += timedelta(seconds=rng.randint(5, 20))
    for unit in course.units[:2]:
        for section in unit.sections[: len(unit.sections) // 2 + 1]:
            progress.mark_read(store, user, unit.slug, section.slug, now - timedelta(days=3))
    first = course.units[0]
    for question in first.questions[:6]:
        given = question.answer if rng.random() < 0.7 else "0"
        result = quiz.grade(question, given)
        quiz.record_attempt(store, user, question, given, result, now - timedelta(days=2))
    store.close()


def shoot(page, server: Server, path: str, out: Path, name: str) -> list[Path]:
    """The page's first screen; for the unit page also its drill flipped and its quiz checked."""
    query = QUERIES.get(path, "")
    page.goto(f"{server.url}/{path}" + (f"?{query}" if query else ""))
    wait_idle(page, timeout=LAB_WAIT_MS)
    page.locator("h1").first.wait_for(timeout=LAB_WAIT_MS)
    page.wait_for_timeout(1500)  # charts and components finish drawing after the script run
    files = [_save(page, out / f"{name}.png")]
    if path == "unit":
        files += _unit_states(page, out, name)
    return files


def _unit_states(page, out: Path, name: str) -> list[Path]:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Fast Drill").click()
    page.wait_for_function("window.__studyappDrillKeys === true")
    page.locator(".st-key-drill-card").click()
    page.locator(".st-key-drill-rate-4").get_by_role("button").wait_for()
    page.locator(".st-key-drill-card").scroll_into_view_if_needed()
    files = [_save(page, out / f"{name}-drill.png")]
    page.get_by_role("tab", name="Knowledge Check").click()
    page.locator(".st-key-quiz-prompt").wait_for()
    if page.locator(".st-key-quiz-next").count():  # the quiz resumes where the other size left it
        page.locator(".st-key-quiz-next").get_by_role("button").click()
        wait_idle(page)
    page.get_by_role("radiogroup").locator("label").nth(1).click()
    wait_idle(page)
    check = page.locator(".st-key-quiz-check").get_by_role("button")
    expect(check).to_be_enabled(timeout=30_000)  # looked up again: reruns replace the button
    check.click()
    page.locator('[class*="st-key-quizmark-right-"]').first.wait_for()
    page.locator(".st-key-quiz-prompt").evaluate("e => e.scrollIntoView({block: 'center'})")
    return files + [_save(page, out / f"{name}-quiz.png")]


def _save(page, path: Path) -> Path:
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp()) / "screenshots.sqlite3"
    seed_history(db, datetime.now(timezone.utc))
    server = Server(db)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size, options in SIZES.items():
                page = browser.new_context(**options).new_page()
                for path in router_pages():
                    for file in shoot(page, server, path, args.out, f"{path or 'home'}-{size}"):
                        print(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file)
                page.context.close()
            browser.close()
    finally:
        server.kill()
    print(f"screenshots of {len(router_pages())} pages at {len(SIZES)} sizes "
          f"in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
