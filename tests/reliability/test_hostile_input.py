"""What an attacker or a careless client sends to the core: odd text, huge text, script."""

from __future__ import annotations

import pytest

from studyapp.core import notes

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
