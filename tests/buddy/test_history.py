"""Each student's conversation: saved, kept across a restart, cleared, and never seen by another."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studyapp.buddy import history
from studyapp.core.store import open_store, schema_version


def test_messages_are_kept_in_order_with_their_payload(store, now):
    history.add_message(store, "ada", history.STUDENT, "what is NF4?", now, unit_slug="qlora")
    history.add_message(
        store,
        "ada",
        history.BUDDY,
        "The course covers this…",
        now + timedelta(seconds=1),
        unit_slug="qlora",
        payload={"answer": {"kind": "found"}},
    )
    got = history.messages(store, "ada")
    assert [(m.role, m.text, m.unit_slug) for m in got] == [
        ("student", "what is NF4?", "qlora"),
        ("buddy", "The course covers this…", "qlora"),
    ]
    assert got[1].payload == {"answer": {"kind": "found"}} and got[0].payload == {}
    assert [m.text for m in history.messages(store, "ada", limit=1)] == ["The course covers this…"]


def test_two_students_never_see_or_clear_each_others_messages(store, now):
    history.add_message(store, "ada", history.STUDENT, "ada's question", now)
    history.add_message(store, "bob", history.STUDENT, "bob's question", now)
    assert [m.text for m in history.messages(store, "ada")] == ["ada's question"]
    assert [m.text for m in history.messages(store, "bob")] == ["bob's question"]
    assert history.clear(store, "ada") == 1
    assert history.messages(store, "ada") == []
    assert [m.text for m in history.messages(store, "bob")] == ["bob's question"]


def test_the_conversation_survives_a_restart(tmp_path, now):
    path = tmp_path / "study.sqlite3"
    first = open_store(path, now)
    history.add_message(first, "ada", history.STUDENT, "kept?", now)
    first.close()
    again = open_store(path, now)
    assert schema_version(again) >= 3
    assert [m.text for m in history.messages(again, "ada")] == ["kept?"]
    again.close()


def test_an_unknown_role_is_refused(store, now):
    with pytest.raises(ValueError, match="role must be one of"):
        history.add_message(store, "ada", "teacher", "hi", now)
