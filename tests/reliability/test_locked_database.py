"""A database locked for longer than the busy timeout: the student is told, nothing is lost.

A second writer (another server on the same file, a backup, a `sqlite3` shell) holds
SQLite's write lock for twice the busy timeout (10 s), the scratchpad's case counted from
its first refusal, so that its next try is refused too. Writes in that window are
refused after the timeout; each is either retried by the app (the scratchpad) or kept
on screen for the student to send again (a rating, a quiz answer), and arrives once
the lock is released.
"""

from __future__ import annotations

import time

import pytest

from studyapp.core import notes, quiz, srs
from studyapp.core.store import BUSY_TIMEOUT_MS, StoreError, open_store

from apptest_helpers import open_page, texts
from live_server import wait_idle
from paths import CONTENT
from probes import (LOCK_SECONDS, WriteLock, browser_clock, db_now, record_statuses, scratchpad,
                    statuses)

UNIT = "lora-basics"


@pytest.mark.browser
def test_scratchpad_retries_until_saved_after_a_long_lock(server, page):
    page.goto(f"{server.url}/unit?unit={UNIT}")
    wait_idle(page)
    area = scratchpad(page)
    record_statuses(page)
    lock = WriteLock(server.db)
    locked = browser_clock(page)
    try:
        area.click()
        area.press_sequentially("written while the database was locked", delay=5)
        # The first save waits out the busy timeout, fails, and says so. The lock then stays
        # for twice the timeout more, so the next try is refused too and only later ones can land.
        page.locator(".pad-status.error", has_text="Not saved").wait_for(timeout=4 * BUSY_TIMEOUT_MS)
        time.sleep(LOCK_SECONDS)
    finally:
        lock.release()
    released = browser_clock(page)
    # No more typing: the retries alone must get the note to the server.
    page.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=60_000)
    assert notes.load_note(db_now(server.db), "local", UNIT).text == "written while the database was locked"
    early = [text for at, text in statuses(page) if locked <= at < released and text.startswith("Saved")]
    assert early == [], "'Saved' was shown while nothing could be committed"


def test_a_refused_write_waits_the_timeout_keeps_nothing_and_says_why(tmp_path, now, scheduler):
    db = tmp_path / "locked.sqlite3"
    store = open_store(db, now)
    notes.save_note(store, "local", UNIT, "before the lock", now)
    lock = WriteLock(db)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as refused:
            srs.record_review(store, "local", "u/c", srs.preview(scheduler, None, now)[srs.Rating.Good], now)
        # A lower bound, not a speed figure: the write waited for the lock instead of failing at once.
        assert time.monotonic() - started >= 0.9 * BUSY_TIMEOUT_MS / 1000
    finally:
        lock.release()
    message = str(refused.value)
    assert str(db) in message and "locked" in message and "Nothing was saved by this attempt" in message
    assert srs.load_state(store, "local", "u/c") is None
    assert store.query("select count(*) as n from review_log")[0]["n"] == 0
    assert [r.text for r in notes.revisions(store, "local", UNIT)] == ["before the lock"]


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(CONTENT))
    return tmp_path / "app.sqlite3"


def give_right_answer(at, question) -> None:
    """Answer the quiz's current question correctly, whatever its kind."""
    widgets = [w for kind in ("radio", "text_input", "checkbox") for w in getattr(at, kind)
               if (w.key or "").startswith("quiz-answer-")]
    if question.kind == "single":
        widgets[0].set_value(question.answer)
    elif question.kind == "multi":
        for widget in widgets:
            widget.set_value(widget.label in question.answer)
    else:
        widgets[0].input(str(question.answer))
    at.run()


def test_a_rating_and_an_answer_during_a_long_lock_are_told_and_saved_after(app_db, course):
    unit = course.unit(UNIT)
    question = unit.questions[0]
    at = open_page("views/unit.py", unit=UNIT)
    at.button(key="drill-flip").click().run()
    lock = WriteLock(app_db)
    try:
        at.button(key="drill-rate-3").click().run(timeout=60)
        assert "rating was not saved" in texts(at).lower() and "locked" in texts(at)
        assert unit.cards[0].back in texts(at)  # the card is still there to rate again
        give_right_answer(at, question)
        at.button(key="quiz-check").click().run(timeout=60)
        assert "answer was not saved" in texts(at).lower()
        lock.hold_until(LOCK_SECONDS)
    finally:
        lock.release()
    at.button(key="drill-rate-3").click().run()
    at.button(key="quiz-check").click().run()
    assert "not saved" not in texts(at).lower()
    store = db_now(app_db)
    assert srs.load_state(store, "local", unit.cards[0].key).reps == 1
    assert store.query("select count(*) as n from review_log")[0]["n"] == 1
    assert quiz.latest_results(store, "local", UNIT) == {question.key: True}
