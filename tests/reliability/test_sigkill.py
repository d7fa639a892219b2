"""SIGKILL in the middle of writing: the file stays sound and every acknowledged write is there.

tests/browser/test_journey.py kills the server right *after* a rating, an answer and a
note were acknowledged. Here the kill lands *during* the writes: a process writing as
fast as it can is killed at random moments, and a live server is killed while a
rating is in flight and while the student is typing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from studyapp.core import notes, srs
from studyapp.core.store import open_store

import acker
from live_server import wait_idle
from probes import db_now, scratchpad

ACKER = Path(__file__).with_name("acker.py")
UNIT = "lora-basics"


def integrity(store) -> str:
    return store.query("pragma integrity_check")[0]["integrity_check"]


def counters_match_the_log(store, user: str) -> bool:
    """Each card's reps equals its review_log rows: no rating was half written."""
    rows = store.query("select card_key, reps, (select count(*) from review_log l "
                       "where l.user_id = s.user_id and l.card_key = s.card_key) as logged "
                       "from card_state s where user_id = ?", (user,))
    return all(r["reps"] == r["logged"] for r in rows)


def _write_until_killed(db: Path, first: int, delay: float) -> list[tuple[int, str]]:
    """Start a writer, let it write for ``delay`` seconds after its first ack, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, str(ACKER), str(db), str(first)], stdout=subprocess.PIPE,
                            text=True)
    acked = [proc.stdout.readline()]
    threading.Timer(delay, os.kill, (proc.pid, signal.SIGKILL)).start()
    acked += proc.stdout.readlines()  # up to the kill; a line cut by the kill is not an ack
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    return [(int(n), kind) for n, kind in (line.split() for line in acked if line.endswith("\n"))]


def test_killed_writer_loses_no_acknowledged_write(tmp_path):
    db, rng, acked = tmp_path / "killed.sqlite3", random.Random(8), []
    for round_ in range(6):
        acked += _write_until_killed(db, 10_000 * round_, rng.uniform(0.05, 0.6))
        store = open_store(db)
        assert integrity(store) == "ok"
        assert counters_match_the_log(store, acker.USER)
        answered = {r["answered_at"] for r in store.query("select answered_at from quiz_attempt")}
        rated = {r["reviewed_at"] for r in store.query("select reviewed_at from review_log")}
        assert {acker.moment(i).isoformat() for i, kind in acked if kind == "answer"} <= answered
        assert {acker.moment(i).isoformat() for i, kind in acked if kind == "rating"} <= rated
        last_note = max(i for i, kind in acked if kind == "note")
        assert int(notes.load_note(store, acker.USER, acker.UNIT).text.split()[1]) >= last_note
        store.close()
    assert len(acked) > 60  # the kills landed mid-stream, not before the first write


def button(page, key: str):
    return page.locator(f".st-key-{key}").get_by_role("button")


@pytest.mark.browser
def test_server_killed_while_ratings_are_in_flight(server, page, course):
    keys = [c.key for c in course.unit(UNIT).cards]
    for _ in range(2):
        page.goto(f"{server.url}/unit?unit={UNIT}")
        wait_idle(page)
        page.get_by_role("tab", name="Fast Drill").click()
        button(page, "drill-flip").click()
        button(page, "drill-rate-3").click()
        server.kill()  # at once: the rating may or may not have reached the database
        store = db_now(server.db)
        assert integrity(store) == "ok" and counters_match_the_log(store, "local")
        server.start()
    store = db_now(server.db)
    rated = sum(1 for k in keys if srs.load_state(store, "local", k))
    logged = store.query("select count(*) as n from review_log")[0]["n"]
    assert logged <= 2 and rated <= logged  # nothing invented, nothing half written


@pytest.mark.browser
def test_server_killed_while_the_student_types(server, page):
    page.goto(f"{server.url}/unit?unit={UNIT}")
    wait_idle(page)
    area = scratchpad(page)
    area.click()
    area.press_sequentially("Saved before the kill. ", delay=5)
    page.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=30_000)
    acknowledged = area.input_value()
    killer = threading.Timer(0.4, server.kill)
    killer.start()
    area.press_sequentially("Typed while the server died, and after.", delay=30)
    killer.join()
    store = db_now(server.db)
    assert integrity(store) == "ok"
    assert notes.load_note(store, "local", UNIT).text == acknowledged  # the acknowledged text is there
    typed = area.input_value()
    assert typed == acknowledged + "Typed while the server died, and after."
    server.start()
    page.goto(f"{server.url}/unit?unit={UNIT}")  # the text waited in the browser's outbox
    wait_idle(page)
    assert scratchpad(page).input_value() == typed
    page.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=30_000)
    assert notes.load_note(db_now(server.db), "local", UNIT).text == typed
