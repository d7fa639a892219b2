"""The "Your data" page (issue 12.8) through AppTest: each student exports and restores only their own."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from studyapp.core.data.backup import dumps, make_backup
from studyapp.core.store import open_store

from apptest_helpers import class_environment, open_page, sign_in, texts
from data_helpers import dump, fill_student

PASSWORD = "correct horse battery"
PAGE = "views/data.py"


@pytest.fixture
def class_db(tmp_path, monkeypatch, course):
    db = tmp_path / "class.sqlite3"
    class_environment(monkeypatch, db, ("ada", PASSWORD), ("bob", PASSWORD))
    store = open_store(db)
    start = datetime.now(timezone.utc) - timedelta(days=2)
    fill_student(store, course, "ada", start, reviews=9)
    fill_student(store, course, "bob", start + timedelta(hours=1), reviews=4)
    store.close()
    return db


def _prepare(at, kind: str, user: str) -> bytes:
    at.button(key=f"data-prepare-{kind}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at.session_state[f"data-export:{kind}:{user}"][0]


def _apkg_reviews(apkg: bytes, tmp_path) -> int:
    path = tmp_path / "c.anki2"
    path.write_bytes(zipfile.ZipFile(io.BytesIO(apkg)).read("collection.anki2"))
    conn = sqlite3.connect(path)
    return conn.execute("select count(*) from revlog").fetchone()[0]


@pytest.mark.parametrize("student, other, reviews", [("ada", "bob", 9), ("bob", "ada", 4)])
def test_each_student_exports_only_their_own_data(class_db, tmp_path, student, other, reviews):
    at = sign_in(student, PASSWORD, page=PAGE)
    assert "Your data" in [t.value for t in at.title]
    backup = json.loads(_prepare(at, "backup", student))
    assert backup["user_id"] == student and len(backup["tables"]["review_log"]) == reviews
    assert {row["user_id"] for rows in backup["tables"].values() for row in rows} == {student}
    assert f"{other}: " not in json.dumps(backup["tables"])  # none of the other student's texts
    assert at.get("download_button"), "a download button follows the prepared file"
    with zipfile.ZipFile(io.BytesIO(_prepare(at, "notes", student))) as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist())
    # The notes as they are now (the first draft was replaced), and none of the other student's.
    assert f"{student}: first draft" not in text and f"{student} on unit 2" in text and f"{other} " not in text
    assert _apkg_reviews(_prepare(at, "anki", student), tmp_path) == reviews


def test_a_restore_upload_is_validated_and_says_what_it_changed(class_db):
    store = open_store(class_db)
    now = datetime.now(timezone.utc)
    ada_backup, bob_backup = (dumps(make_backup(store, u, now)) for u in ("ada", "bob"))
    store.db.execute("delete from note where user_id = 'ada'")
    before, bob_before = dump(store), dump(store, "bob")
    at = sign_in("ada", PASSWORD, page=PAGE)
    at.file_uploader(key="data-restore-file").set_value(("bob.json", bob_backup, "application/json")).run()
    assert not [b for b in at.button if b.key == "data-restore"]
    assert any("belongs to 'bob', not to 'ada'" in e.value for e in at.error)
    assert dump(store) == before
    at.file_uploader(key="data-restore-file").set_value(("ada.json", ada_backup, "application/json")).run()
    assert "A backup of yours from" in texts(at)
    at.button(key="data-restore").click().run()
    assert "Restored." in at.success[0].value and "note: 2 added" in at.success[0].value
    assert len(store.query("select unit_slug from note where user_id = 'ada'")) == 2
    assert dump(store, "bob") == bob_before
    at.button(key="data-restore").click().run()
    assert "Nothing to restore." in at.success[0].value
    store.close()


def test_a_damaged_upload_is_refused(class_db):
    at = sign_in("ada", PASSWORD, page=PAGE)
    at.file_uploader(key="data-restore-file").set_value(("x.json", b'{"format": "studyapp-backup", "vers',
                                                         "application/json")).run()
    assert any("not valid JSON" in e.value and "Nothing was changed" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "data-restore"]


def test_the_solo_student_is_local(tmp_path, monkeypatch, course):
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "solo.sqlite3"))
    at = open_page(PAGE)
    assert json.loads(_prepare(at, "backup", "local"))["user_id"] == "local"
    assert "Your data" in texts(at)
