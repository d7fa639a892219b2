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
    # Signed in as a student (and as an instructor, who sees every name on the Class page).
    import url_params
    from apptest_helpers import class_environment, sign_in
    from page_checks import problems
    from url_params import PIXEL

    from studyapp.auth import accounts

    db = tmp_path / "names.sqlite3"
    class_environment(monkeypatch, db, ("eve", "correct horse"), ("ms-t", "battery staple"))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(url_params.ROOT / "content"))
    store = open_store(db, now)
    accounts.set_display_name(store, "eve", f"{PIXEL} <script>x</script>"[:accounts.MAX_DISPLAY_NAME])
    accounts.set_role(store, "ms-t", "instructor")
    for page in [p for p in url_params.pages(signs_in=True) if "/lab_" not in p]:  # the Lab shows no names
        for who, password in (("eve", "correct horse"), ("ms-t", "battery staple")):
            assert problems(sign_in(who, password, page), {}) == [], (who, page)
