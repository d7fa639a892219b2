"""What an operator does to a running app's data: delete or replace the database file,
fill the disk, open the same student in two tabs, paste a huge note."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.core import notes, srs
from studyapp.core.store import StoreError, open_store

from apptest_helpers import open_page, texts
from live_server import wait_idle
from paths import CONTENT
from probes import db_now, scratchpad

UNIT = "lora-basics"


def rate(store, scheduler, now, card="u/c"):
    srs.record_review(store, "local", card, srs.preview(scheduler, None, now)[srs.Rating.Good], now)


def test_a_deleted_file_refuses_writes_instead_of_losing_them(tmp_path, now, scheduler):
    db = tmp_path / "study.sqlite3"
    store = open_store(db, now)
    notes.save_note(store, "local", UNIT, "kept", now)
    for suffix in ("", "-wal", "-shm"):  # `rm data/*`
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with pytest.raises(StoreError, match="deleted or replaced while the app was running.*Restart the app"):
        notes.save_note(store, "local", UNIT, "into a file that is gone", now)
    with pytest.raises(StoreError, match="deleted or replaced"):
        rate(store, scheduler, now)
    assert not db.exists()  # nothing recreated behind the operator's back


def test_a_replaced_file_refuses_writes_until_restart(tmp_path, now, scheduler):
    db, backup = tmp_path / "study.sqlite3", tmp_path / "backup.sqlite3"
    open_store(backup, now).close()
    store = open_store(db, now)
    os.replace(backup, db)  # restoring a backup by moving it into place
    with pytest.raises(StoreError, match="deleted or replaced"):
        rate(store, scheduler, now)
    assert srs.load_state(open_store(db, now), "local", "u/c") is None  # the write went nowhere
    rate(open_store(db, now), scheduler, now)  # a restarted app uses the restored file


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(CONTENT))
    return tmp_path / "app.sqlite3"


def test_the_student_is_told_when_the_file_was_deleted_while_serving(app_db):
    at = open_page("views/unit.py", unit=UNIT)
    at.button(key="drill-flip").click().run()
    app_db.unlink()
    at.button(key="drill-rate-3").click().run()
    assert not at.exception
    assert "rating was not saved" in texts(at).lower() and "deleted or replaced" in texts(at)
    home = open_page()  # every page still serves
    assert not home.exception and "Learn LoRA and QLoRA" in texts(home)


def test_a_full_database_refuses_the_write_whole_and_recovers(tmp_path, now):
    # SQLite answers SQLITE_FULL, "database or disk is full", for a full disk and for a
    # database at its max_page_count alike; the limit makes that answer come on demand.
    store = open_store(tmp_path / "full.sqlite3", now)
    pages = store.query("pragma page_count")[0]["page_count"]
    store.db.execute(f"pragma max_page_count = {pages + 8}")
    acked = []
    with pytest.raises(StoreError, match="full.*free some space.*Nothing was saved") as full:
        for i in range(1000):
            notes.save_note(store, "local", f"unit-{i}", f"{i} " + "x" * 3000, now)
            acked.append(i)
    assert "disk is full" in str(full.value) and acked
    assert store.query("pragma integrity_check")[0]["integrity_check"] == "ok"
    assert [notes.load_note(store, "local", f"unit-{i}").text[:5].split()[0] for i in acked] == \
        [str(i) for i in acked]
    assert notes.load_note(store, "local", f"unit-{len(acked)}").updated_at is None  # not half there
    store.db.execute(f"pragma max_page_count = {pages + 10_000}")  # space freed
    notes.save_note(store, "local", "unit-after", "saved once there is room", now)


FILLER = """
import sys
from datetime import datetime, timezone
from studyapp.core import notes
from studyapp.core.store import StoreError, open_store
now = datetime(2026, 3, 2, tzinfo=timezone.utc)
store = open_store(sys.argv[1], now)
for i in range(100_000):
    try:
        notes.save_note(store, "local", f"unit-{i}", "x" * 4000, now)
    except StoreError as exc:
        print("REFUSED", exc, flush=True)
        break
    print("ACK", i, flush=True)
"""


def test_a_process_that_cannot_grow_its_files_refuses_and_keeps_the_file_sound(tmp_path, now):
    # The operating system itself refuses the writes: the file-size limit (RLIMIT_FSIZE) makes
    # write(2) fail past 1 MiB, as a full disk makes it fail; SIGXFSZ is ignored so the call fails
    # instead of killing the process.
    db = tmp_path / "small.sqlite3"
    open_store(db, now).close()

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    out = subprocess.run([sys.executable, "-c", FILLER, str(db)], capture_output=True, text=True,
                         timeout=120, preexec_fn=limit).stdout.splitlines()
    acked = [int(line.split()[1]) for line in out if line.startswith("ACK")]
    assert out[-1].startswith("REFUSED") and acked == list(range(len(acked))) and len(acked) > 10
    store = open_store(db, now)
    assert store.query("pragma integrity_check")[0]["integrity_check"] == "ok"
    assert all(notes.load_note(store, "local", f"unit-{i}").text == "x" * 4000 for i in acked)


@pytest.mark.browser
def test_two_tabs_of_one_student_keep_every_rating_and_both_notes(shared_server, browser, course):
    server, unit = shared_server, "loraconfig"  # a unit of its own on the shared server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tabs = [context.new_page(), context.new_page()]
    card = course.unit(unit).cards[0]
    for tab in tabs:
        tab.goto(f"{server.url}/unit?unit={unit}")
        wait_idle(tab)
    for tab in tabs:  # both tabs show the first card's answer...
        tab.bring_to_front()  # a background tab is throttled, as in a real browser
        tab.get_by_role("tab", name="Fast Drill").click()
        tab.locator(".st-key-drill-flip").get_by_role("button").click()
        tab.locator(".st-key-drill-rate-3").get_by_role("button").wait_for()
    for tab in tabs:  # ...then each rates it
        tab.bring_to_front()
        tab.locator(".st-key-drill-rate-3").get_by_role("button").click()
        wait_idle(tab)
    for tab, text in zip(tabs, ["typed in the first tab", "typed in the second tab"]):
        tab.bring_to_front()
        scratchpad(tab).click()
        scratchpad(tab).press_sequentially(text, delay=5)
        tab.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=30_000)
    store = db_now(server.db)
    assert srs.load_state(store, "local", card.key).reps == 2
    assert store.query("select count(*) as n from review_log where card_key = ?", (card.key,))[0]["n"] == 2
    assert notes.load_note(store, "local", unit).text == "typed in the second tab"
    assert {r.text for r in notes.revisions(store, "local", unit)} == {"typed in the first tab",
                                                                      "typed in the second tab"}
    context.close()


def paste(area, text: str) -> None:
    """Put ``text`` in the text area as one paste would (one input event)."""
    area.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input')); }", text)


@pytest.mark.browser
def test_a_one_megabyte_note_saves_and_a_larger_one_is_refused_and_kept(shared_server, page):
    server, unit = shared_server, "qlora"  # a unit of its own on the shared server
    page.goto(f"{server.url}/unit?unit={unit}")
    wait_idle(page)
    area = scratchpad(page)
    big = ("LoRA adds B·A beside W0.\n" * 45_000)[:1_000_000]
    paste(area, big)
    page.locator(".pad-status:not(.error)", has_text="Saved").wait_for(timeout=60_000)
    assert notes.load_note(db_now(server.db), "local", unit).text == big
    paste(area, big + "x" * notes.MAX_NOTE_BYTES)
    page.locator(".pad-status.error", has_text="can hold at most 1 MiB").wait_for(timeout=60_000)
    assert notes.load_note(db_now(server.db), "local", unit).text == big
    assert area.input_value() == big + "x" * notes.MAX_NOTE_BYTES  # still there, for the student to trim
    page.goto(f"{server.url}/unit?unit={unit}")
    wait_idle(page)
    assert len(scratchpad(page).input_value()) == len(big) + notes.MAX_NOTE_BYTES  # kept in the outbox
