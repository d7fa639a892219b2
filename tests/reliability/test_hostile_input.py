"""What an attacker or a careless client sends to the core: odd text, huge text, script."""

from __future__ import annotations

import pytest

from studyapp.core import notes
from studyapp.core.store import open_store

UNIT = "lora-basics"


def test_a_one_megabyte_note_is_kept_byte_for_byte(store, now):
    line = "LoRA adds B·A beside W0; ünïcödé and 🧠 too.\n"
    text = (line * 30_000).encode()[:1_000_000].decode("utf-8", "ignore")  # 1 MB of UTF-8
    notes.save_note(store, "local", UNIT, text, now)
    assert notes.load_note(store, "local", UNIT).text == text


def test_a_note_over_the_limit_is_refused_and_the_stored_one_kept(store, now):
    notes.save_note(store, "local", UNIT, "the note before", now)
    with pytest.raises(notes.NoteTooLong, match=r"1\.00 MiB; a unit's note can hold at most 1 MiB"):
        notes.save_note(store, "local", UNIT, "x" * (notes.MAX_NOTE_BYTES + 1), now)
    assert notes.load_note(store, "local", UNIT).text == "the note before"
    assert [r.text for r in notes.revisions(store, "local", UNIT)] == ["the note before"]


def test_nul_script_and_lone_surrogates_are_stored_as_text(store, now):
    # A browser can send any JS string: NULs, markup, and unpaired UTF-16 surrogates.
    text = "<script>alert(1)</script>\x00<img src=x onerror=alert(2)>\ud800 end"
    saved = notes.save_note(store, "local", UNIT, text, now)
    expected = "<script>alert(1)</script>\x00<img src=x onerror=alert(2)>\ufffd end"
    assert saved.text == expected
    assert notes.load_note(store, "local", UNIT).text == expected


def test_one_students_note_is_never_another_students(store, now):
    notes.save_note(store, "alice", UNIT, "alice's note", now)
    notes.save_note(store, "bob", UNIT, "bob's note", now)
    assert notes.load_note(store, "alice", UNIT).text == "alice's note"
    assert [r.text for r in notes.revisions(store, "bob", UNIT)] == ["bob's note"]
    alice_revision = notes.revisions(store, "alice", UNIT)[0].id
    with pytest.raises(KeyError):  # bob cannot restore alice's revision by guessing its id
        notes.restore_revision(store, "bob", UNIT, alice_revision, now)


HOSTILE_NOTE = ("<script>alert('note')</script><img src=http://127.0.0.1:9/img.png onerror=alert('img')> "
                "![x](http://127.0.0.1:9/pixel.png) [link](javascript:alert('link')) :red[red]")


@pytest.mark.browser
def test_markup_in_a_note_and_its_versions_stays_text(shared_server, page):
    server, unit = shared_server, "finetuning-in-practice"  # its own unit on the shared server
    from datetime import datetime, timedelta, timezone

    from live_server import wait_idle
    from probes import db_now, scratchpad

    now = datetime.now(timezone.utc)
    store = db_now(server.db)
    notes.save_note(store, "local", unit, HOSTILE_NOTE, now - timedelta(minutes=2))
    notes.save_note(store, "local", unit, HOSTILE_NOTE + " (edited)", now - timedelta(minutes=1))
    requests, dialogs = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server.url}/unit?unit={unit}")
    wait_idle(page)
    assert scratchpad(page).input_value() == HOSTILE_NOTE + " (edited)"
    page.get_by_text("Earlier versions (1)").click()
    page.get_by_text("<script>alert('note')</script>", exact=False).first.wait_for()  # shown as typed
    wait_idle(page)
    assert [u for u in requests if u.startswith("http://127.0.0.1:9/")] == [] and dialogs == []


def test_a_hostile_display_name_is_never_markdown_on_any_page(tmp_path, monkeypatch, now):
    # Nothing shows display names yet; sign-in (issue 7) will. This keeps them text when it does.
    import url_params
    from page_checks import open_with, problems
    from url_params import PIXEL

    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "names.sqlite3"))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(url_params.ROOT / "content"))
    store = open_store(tmp_path / "names.sqlite3", now)
    with store.writing("rename") as db:
        db["users"].upsert({"id": "local", "display_name": f"{PIXEL} <script>alert(1)</script>"}, pk="id")
    for page in [p for p in url_params.pages() if "/lab_" not in p]:  # the Lab shows no student data
        assert problems(open_with(page, {}), {}) == [], page
