"""Backup and restore of one student (issue 12.8): exact round trip, idempotent, refusals, merge rules."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from studyapp.core import notes, srs
from studyapp.core.data import restore as restore_mod
from studyapp.core.data.backup import BackupError, checksum, dumps, make_backup, read_backup
from studyapp.core.data.restore import restore_backup
from studyapp.core.store import open_store

from data_helpers import account, dump, fill_student


@pytest.fixture
def school(tmp_path, now, course):
    """A database with two students, ada and bob, each with a full history."""
    store = open_store(tmp_path / "school.sqlite3", now)
    for name in ("ada", "bob"):
        account(store, name, now)
        fill_student(store, course, name, now + timedelta(hours=1 if name == "ada" else 2))
    yield store
    store.close()


@pytest.fixture
def empty(tmp_path, now):
    store = open_store(tmp_path / "empty.sqlite3", now)
    account(store, "ada", now)
    yield store
    store.close()


def _backup(store, user, now) -> bytes:
    return dumps(make_backup(store, user, now + timedelta(days=1)))


def _restore(store, raw: bytes, user="ada"):
    return restore_backup(store, read_backup(raw, store, user))


def test_backup_holds_every_row_of_the_student_and_no_one_elses(school, now):
    document = json.loads(_backup(school, "ada", now))
    assert document["format"] == "studyapp-backup" and document["version"] == 1
    assert document["tables"] == dump(school, "ada")
    assert set(document["tables"]) == {"card_state", "review_log", "quiz_attempt", "note", "note_revision",
                                       "reading", "buddy_message", "quiz_run", "new_card_extra", "study_settings",
                                       "optimizer_run", "card_control", "cram_review"}
    assert all(rows for rows in document["tables"].values()), "the fixture fills every table"
    assert "bob" not in json.dumps(document["tables"])


def test_restore_into_an_empty_database_equals_the_original_row_for_row(school, empty, now):
    report = _restore(empty, _backup(school, "ada", now))
    assert dump(empty, "ada") == dump(school, "ada")
    assert dump(empty) == dump(empty, "ada")  # nobody else's rows came with it
    assert report.changed and report.tables["review_log"].added == 30


def test_restoring_twice_changes_nothing(school, empty, now):
    raw = _backup(school, "ada", now)
    _restore(empty, raw)
    once = dump(empty)
    again = _restore(empty, raw)
    assert not again.changed and dump(empty) == once
    assert again.lines() == ["Nothing changed: everything in the backup is already here."]
    assert not _restore(school, raw).changed and dump(school, "ada") == dump(empty, "ada")


def _tampered(raw: bytes, change) -> bytes:
    document = json.loads(raw)
    change(document)
    return json.dumps(document).encode()


def _future(document):
    document["version"] = 2


def _damaged(document):
    document["tables"]["note"][0]["text"] = "edited by hand"


def _newer_schema(document):
    document["schema_version"] += 1


def _unknown_table(document):
    document["tables"]["flashcards"] = []
    document["checksum"] = checksum(document["tables"])


def _unknown_column(document):
    document["tables"]["note"][0]["colour"] = "red"
    document["checksum"] = checksum(document["tables"])


def _smuggled_row(document):
    document["tables"]["note"][0]["user_id"] = "bob"
    document["checksum"] = checksum(document["tables"])


def _unreadable_card(document):
    document["tables"]["card_state"][0]["card_json"] = '{"due": "soon"}'
    document["checksum"] = checksum(document["tables"])


REFUSED = [
    ("truncated", lambda raw: raw[: len(raw) // 2], "not valid JSON"),
    ("not-json", lambda raw: b"PK\x03\x04 a zip file", "not valid JSON"),
    ("other-json", lambda raw: b'{"cards": []}', "not a studyapp backup"),
    ("future-version", lambda raw: _tampered(raw, _future), "made by a newer studyapp (backup format 2"),
    ("damaged", lambda raw: _tampered(raw, _damaged), "do not match its checksum"),
    ("newer-schema", lambda raw: _tampered(raw, _newer_schema), "comes from a newer database"),
    ("unknown-table", lambda raw: _tampered(raw, _unknown_table), "tables this database does not have"),
    ("unknown-column", lambda raw: _tampered(raw, _unknown_column), "has unknown columns colour"),
    ("smuggled-row", lambda raw: _tampered(raw, _smuggled_row), "belongs to another student"),
    ("unreadable-card", lambda raw: _tampered(raw, _unreadable_card), "not a card the scheduler can read"),
]


@pytest.mark.parametrize("name, spoil, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_changes(school, now, name, spoil, message):
    before = dump(school)
    with pytest.raises(BackupError, match="Nothing was changed") as refused:
        _restore(school, spoil(_backup(school, "ada", now)))
    assert message in str(refused.value)
    assert dump(school) == before


def test_another_students_backup_is_refused(school, now):
    before = dump(school)
    with pytest.raises(BackupError, match="belongs to 'bob', not to 'ada'"):
        _restore(school, _backup(school, "bob", now), user="ada")
    assert dump(school) == before


def test_a_failure_half_way_keeps_nothing(school, empty, now, monkeypatch):
    real = restore_mod._merge

    def fail_on_notes(db, table, rows, user_id):
        if table == "note":
            raise RuntimeError("disk full")
        return real(db, table, rows, user_id)

    monkeypatch.setattr(restore_mod, "_merge", fail_on_notes)
    with pytest.raises(RuntimeError):
        _restore(empty, _backup(school, "ada", now))
    assert all(rows == [] for rows in dump(empty, "ada").values())


def test_an_old_backup_never_overwrites_newer_progress(school, now):
    old = _backup(school, "ada", now)
    scheduler, later = srs.make_scheduler(False), now + timedelta(days=3)
    card_key = dump(school, "ada")["card_state"][0]["card_key"]
    state = srs.load_state(school, "ada", card_key)
    srs.record_review(school, "ada", card_key, srs.preview(scheduler, state, later)[srs.Rating.Good], later)
    unit_slug = dump(school, "ada")["note"][0]["unit_slug"]
    notes.save_note(school, "ada", unit_slug, "rewritten after the backup", later)
    newer = dump(school, "ada")
    report = _restore(school, old)
    assert not report.changed and dump(school, "ada") == newer
    assert report.tables["card_state"].kept == 1 and report.tables["note"].kept == 1


def test_study_settings_merge_as_notes_do_the_later_save_wins(school, now):
    from studyapp.core import study_settings

    base = study_settings.StudySettings()
    old = _backup(school, "ada", now)
    study_settings.save(school, "ada", study_settings.StudySettings(desired_retention=0.93), now + timedelta(days=3))
    assert not _restore(school, old).changed  # the backup's settings are older: ours stay
    assert study_settings.load(school, "ada", base).desired_retention == 0.93
    newer = _backup(school, "ada", now + timedelta(days=3))
    study_settings.save(school, "ada", study_settings.StudySettings(desired_retention=0.75), now - timedelta(days=9))
    report = _restore(school, newer)
    assert report.tables["study_settings"].updated == 1
    assert study_settings.load(school, "ada", base).desired_retention == 0.93


def test_a_newer_backup_wins_and_the_older_note_text_becomes_a_revision(school, empty, now):
    _restore(empty, _backup(school, "ada", now))
    later = now + timedelta(days=3)
    card_key = dump(school, "ada")["card_state"][0]["card_key"]
    state = srs.load_state(school, "ada", card_key)
    easy = srs.preview(srs.make_scheduler(False), state, later)[srs.Rating.Easy]
    srs.record_review(school, "ada", card_key, easy, later)
    unit_slug = dump(school, "ada")["note"][0]["unit_slug"]
    older_text = notes.load_note(empty, "ada", unit_slug).text
    notes.save_note(school, "ada", unit_slug, "the newest text", later)
    report = _restore(empty, _backup(school, "ada", later))
    assert report.tables["card_state"].updated == 1 and report.tables["review_log"].added == 1
    assert srs.load_state(empty, "ada", card_key) == srs.load_state(school, "ada", card_key)
    assert notes.load_note(empty, "ada", unit_slug).text == "the newest text"
    assert older_text in [r.text for r in notes.revisions(empty, "ada", unit_slug)]


def test_a_note_that_lost_keeps_its_text_even_when_its_revisions_were_pruned(empty, now):
    notes.save_note(empty, "ada", "lora-basics", "typed on the laptop", now)
    empty.db.execute("delete from note_revision")
    document = make_backup(empty, "ada", now)
    empty.db.execute("update note set text = 'typed later on the server', updated_at = ?",
                     ((now + timedelta(hours=1)).isoformat(),))
    report = _restore(empty, dumps(document))
    assert notes.load_note(empty, "ada", "lora-basics").text == "typed later on the server"
    assert [r.text for r in notes.revisions(empty, "ada", "lora-basics")] == ["typed on the laptop"]
    assert report.tables["note"].kept == 1


def test_undo_after_a_merge_still_undoes_the_latest_rating(school, empty, now):
    """Restored old reviews get ids below the newer ones, so Undo never rewinds to an old snapshot."""
    scheduler, recent = srs.make_scheduler(False), now + timedelta(days=5)
    srs.record_review(empty, "ada", "lora-basics/forward-pass:c1",
                      srs.preview(scheduler, None, recent)[srs.Rating.Good], recent)
    _restore(empty, _backup(school, "ada", now))
    log = empty.query("select id, reviewed_at from review_log where user_id = 'ada' order by id")
    assert [r["reviewed_at"] for r in log] == sorted(r["reviewed_at"] for r in log)
    assert srs.undo_last_review(empty, "ada") == "lora-basics/forward-pass:c1"


def test_a_table_added_by_a_later_migration_is_backed_up_and_restored(school, empty, now):
    for store in (school, empty):
        store.db["flag"].create({"user_id": str, "card_key": str, "colour": str}, pk=("user_id", "card_key"))
    school.db["flag"].insert_all([{"user_id": "ada", "card_key": "u/a", "colour": "red"},
                                  {"user_id": "bob", "card_key": "u/a", "colour": "blue"}])
    raw = _backup(school, "ada", now)
    assert json.loads(raw)["tables"]["flag"] == [{"user_id": "ada", "card_key": "u/a", "colour": "red"}]
    _restore(empty, raw)
    assert empty.query("select * from flag") == [{"user_id": "ada", "card_key": "u/a", "colour": "red"}]


def test_a_student_without_an_account_here_is_refused(school, tmp_path, now):
    elsewhere = open_store(tmp_path / "other.sqlite3", now)
    with pytest.raises(BackupError, match="no account 'ada'"):
        _restore(elsewhere, _backup(school, "ada", now))
    elsewhere.close()
