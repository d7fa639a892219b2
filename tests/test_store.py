"""The SQLite store: migrations, WAL, and clear errors for files that cannot be used."""

from __future__ import annotations

import sqlite3

import pytest

from studyapp.core import notes
from studyapp.core.store import MIGRATIONS, StoreError, migrate, open_store, schema_version


def test_new_file_is_migrated_in_wal_mode(store):
    assert schema_version(store) == max(v for v, _ in MIGRATIONS)
    assert store.db.journal_mode == "wal"
    assert store.db.execute("pragma busy_timeout").fetchone()[0] == 5000
    tables = set(store.db.table_names())
    assert {"users", "card_state", "review_log", "quiz_attempt", "note", "note_revision", "reading"} <= tables


def test_every_student_table_carries_user_id(store):
    for table in ("card_state", "review_log", "quiz_attempt", "note", "note_revision", "reading"):
        assert "user_id" in store.db[table].columns_dict, table


def test_migrations_run_once_and_keep_data(tmp_path, now):
    path = tmp_path / "s.sqlite3"
    first = open_store(path, now)
    notes.save_note(first, "local", "u", "kept", now)
    first.close()
    again = open_store(path, now)
    assert migrate(again) == []
    assert notes.load_note(again, "local", "u").text == "kept"


def test_default_profile_exists(store):
    assert [r["id"] for r in store.query("select id from users")] == ["local"]


def test_a_path_that_cannot_be_created_names_the_path(tmp_path, now):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StoreError) as err:
        open_store(blocker / "s.sqlite3", now)
    assert str(blocker / "s.sqlite3") in str(err.value) and "--db" in str(err.value)


def test_read_only_database_gives_a_clear_error_and_keeps_nothing_half_done(tmp_path, now):
    path = tmp_path / "s.sqlite3"
    open_store(path, now).close()
    uri = f"file:{path}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    import sqlite_utils
    from studyapp.core.store import Store
    read_only = Store(sqlite_utils.Database(conn), path)
    with pytest.raises(StoreError) as err:
        notes.save_note(read_only, "local", "u", "my note", now)
    message = str(err.value)
    assert str(path) in message and "read-only" in message


def test_locked_database_times_out_with_a_clear_error(tmp_path, now, monkeypatch):
    path = tmp_path / "s.sqlite3"
    store = open_store(path, now)
    store.db.execute("pragma busy_timeout = 50")  # keep the test quick; the app waits 5 s
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("begin exclusive")
    try:
        with pytest.raises(StoreError) as err:
            notes.save_note(store, "local", "u", "typed while locked", now)
        assert "locked" in str(err.value) and str(path) in str(err.value)
    finally:
        blocker.execute("rollback")
    notes.save_note(store, "local", "u", "typed while locked", now)  # the retry succeeds
    assert notes.load_note(store, "local", "u").text == "typed while locked"


def test_a_file_that_is_not_sqlite(tmp_path, now):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as err:
        open_store(path, now)
    assert str(path) in str(err.value)


def test_upgrading_a_solo_database_to_accounts_keeps_every_row(tmp_path, now):
    # A database as the previous release left it: migration 1 only, with a student's work in it.
    import sqlite_utils

    from studyapp.core.store import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    old = sqlite_utils.Database(path)
    MIGRATIONS[0][1](old)
    old["schema_migrations"].insert({"version": 1, "applied_at": now.isoformat()}, pk="version")
    old["users"].insert({"id": "local", "display_name": "You", "created_at": now.isoformat()})
    old["note"].insert({"user_id": "local", "unit_slug": "u", "text": "kept", "updated_at": now.isoformat()})
    old["card_state"].insert({"user_id": "local", "card_key": "u/c", "card_json": "{}", "due": now.isoformat(),
                              "state": 2, "stability": 3.0, "difficulty": 5.0, "reps": 4, "lapses": 1,
                              "first_reviewed_at": now.isoformat(), "last_reviewed_at": now.isoformat()})
    old.close()
    store = open_store(path)
    assert schema_version(store) == max(v for v, _ in MIGRATIONS)
    assert notes.load_note(store, "local", "u").text == "kept"
    assert store.query("select reps, lapses from card_state")[0] == {"reps": 4, "lapses": 1}
    assert store.query("select role, provider from users where id = 'local'")[0] == {"role": "student",
                                                                                   "provider": "local"}


def test_a_migration_missing_below_a_later_one_is_still_applied(tmp_path, now):
    # A database made by a branch that had migration 4 but not 2 and 3 (as a developer's can be).
    import sqlite_utils

    from studyapp.core.store import MIGRATIONS, applied_versions

    path = tmp_path / "gap.sqlite3"
    db = sqlite_utils.Database(path)
    by_version = dict(MIGRATIONS)
    for version in (1, 4):
        by_version[version](db)
        db["schema_migrations"].insert({"version": version, "applied_at": now.isoformat()}, pk="version")
    db.close()
    store = open_store(path)
    assert applied_versions(store) == set(by_version)
    assert {"auth_session", "buddy_message"} <= set(store.db.table_names())
