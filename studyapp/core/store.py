"""Everything a student does, in one SQLite file, through sqlite-utils.

The file runs in WAL mode with a busy timeout, so a class of students can read
while one writes, and every write is committed before the call returns: a server
killed right after a rating, an answer or a note save loses none of them.
Schema changes are versioned migrations; upgrading never drops progress.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

DEFAULT_USER = "local"
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another writer before giving up

# Versions in use or reserved (one per change that needs a schema step):
# 1 initial schema; 2 accounts and sessions (issue 7); 3 study-buddy messages (issue 11);
# 4 the study loop's saved quiz runs (issue 9); 5 and up: Anki features (issue 12).
MIGRATIONS: list[tuple[int, Callable[[sqlite_utils.Database], None]]] = []


class StoreError(RuntimeError):
    """The database cannot be opened, read or written; the message names the path and a fix."""

    def __init__(self, path: Path | str, action: str, cause: Exception):
        self.path, self.cause = Path(path), cause
        super().__init__(f"Could not {action} the study database at {path}: {cause}. {_advice(cause)}")


def _advice(cause: Exception) -> str:
    text = str(cause).lower()
    if isinstance(cause, FileSwapped):
        return ("Nothing was saved by this attempt. Restart the app to use the file now at that path "
                "(a new, empty one if it is gone); never delete or replace it while the app runs.")
    if "full" in text:
        return "The disk is full: free some space, then try again. Nothing was saved by this attempt."
    if "locked" in text or "busy" in text:
        return "Another program is holding it; close it or wait a moment, then try again. Nothing was saved by this attempt."
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "The file or its folder is read-only; fix the permissions or start with --db pointing to a writable file."
    return "Check that the path is a writable SQLite file, or start with --db pointing to another one."


class FileSwapped(OSError):
    """The database file was deleted or replaced while it was open: a write now would go to
    a file no longer at its path, acknowledged and then lost."""


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``, or None when there is none."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def migration(version: int):
    """Register a schema migration; migrations run in version order, once each."""
    def register(fn):
        MIGRATIONS.append((version, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn
    return register


@migration(1)
def _initial_schema(db: sqlite_utils.Database) -> None:
    db["users"].create({"id": str, "display_name": str, "created_at": str}, pk="id")
    db["card_state"].create(
        {"user_id": str, "card_key": str, "card_json": str, "due": str, "state": int,
         "stability": float, "difficulty": float, "reps": int, "lapses": int,
         "first_reviewed_at": str, "last_reviewed_at": str},
        pk=("user_id", "card_key"),
    )
    db["card_state"].create_index(["user_id", "due"])
    db["review_log"].create(
        {"id": int, "user_id": str, "card_key": str, "rating": int, "reviewed_at": str,
         "duration_ms": int, "state_before": int, "interval_days": float, "card_before": str},
        pk="id",
    )
    db["review_log"].create_index(["user_id", "reviewed_at"])
    db["review_log"].create_index(["user_id", "card_key"])
    db["quiz_attempt"].create(
        {"id": int, "user_id": str, "question_key": str, "answer": str, "correct": int, "answered_at": str},
        pk="id",
    )
    db["quiz_attempt"].create_index(["user_id", "question_key"])
    db["note"].create({"user_id": str, "unit_slug": str, "text": str, "updated_at": str}, pk=("user_id", "unit_slug"))
    db["note_revision"].create(
        {"id": int, "user_id": str, "unit_slug": str, "text": str, "saved_at": str}, pk="id",
    )
    db["note_revision"].create_index(["user_id", "unit_slug", "saved_at"])
    db["reading"].create({"user_id": str, "unit_slug": str, "section": str, "done_at": str},
                         pk=("user_id", "unit_slug", "section"))


@migration(2)
def _accounts_and_sessions(db: sqlite_utils.Database) -> None:
    """Sign-in (issue 7): who a user is, how they sign in, and their server-side sessions.

    The solo profile ("local") keeps its id and every row; it becomes provider "local".
    """
    users = db["users"]
    for name, kind in (("username", str), ("role", str), ("provider", str), ("issuer", str),
                       ("subject", str), ("password_hash", str), ("signed_out_before", str)):
        users.add_column(name, kind)
    db.execute("update users set role = 'student', provider = 'local' where role is null")
    users.create_index(["username"], unique=True)
    users.create_index(["issuer", "subject"], unique=True)
    db["auth_session"].create(
        {"id": int, "token_hash": str, "user_id": str, "created_at": str, "expires_at": str,
         "revoked_at": str}, pk="id")
    db["auth_session"].create_index(["token_hash"], unique=True)
    db["auth_session"].create_index(["user_id"])
    db["sign_in_failure"].create({"id": int, "key": str, "failed_at": str}, pk="id")
    db["sign_in_failure"].create_index(["key", "failed_at"])


@migration(3)
def _buddy_messages(db: sqlite_utils.Database) -> None:
    # Issue 11: each student's conversation with the study buddy; payload is the answer as JSON
    # (citations, computed figure, cards) so a reload redraws it without asking again.
    db["buddy_message"].create(
        {"id": int, "user_id": str, "unit_slug": str, "role": str, "text": str, "payload": str, "at": str},
        pk="id",
    )
    db["buddy_message"].create_index(["user_id", "id"])


@migration(4)
def _study_loop(db: sqlite_utils.Database) -> None:
    # Issue 9: a quiz pass resumes after a reload; the student may raise today's new-card limit;
    # a card's longest recalled interval (core/mastery.py) is kept with it, filled from the log.
    db["quiz_run"].create({"user_id": str, "unit_slug": str, "run_json": str, "updated_at": str},
                          pk=("user_id", "unit_slug"))
    db["new_card_extra"].create({"user_id": str, "day": str, "extra": int}, pk=("user_id", "day"))
    db["card_state"].add_column("longest_recall_days", float, not_null_default=0.0)
    db.execute(
        "update card_state set longest_recall_days = coalesce((select max(0, max(julianday(l.reviewed_at)"
        " - julianday(json_extract(l.card_before, '$.card.last_review')))) from review_log l"
        " where l.user_id = card_state.user_id and l.card_key = card_state.card_key"
        " and l.rating >= 2 and l.card_before is not null), 0)")



@migration(5)
def _anki_controls(db: sqlite_utils.Database) -> None:
    # Issue 12 (part B): per-student study settings (one JSON object: retention, limits, steps, day,
    # FSRS parameters) and each optimizer run; suspend, bury, flag and reset of a student's cards
    # (a row per card ever touched, new cards too, so card_state stays "what FSRS knows"); ratings
    # given while cramming, which never touch card_state or review_log.
    db["study_settings"].create({"user_id": str, "settings_json": str, "updated_at": str}, pk="user_id")
    db["optimizer_run"].create(
        {"id": int, "user_id": str, "ran_at": str, "reviews": int, "parameters_before": str,
         "parameters_after": str, "log_loss_before": float, "log_loss_after": float,
         "rmse_before": float, "rmse_after": float, "seconds": float}, pk="id")
    db["optimizer_run"].create_index(["user_id", "ran_at"])
    db["card_control"].create(
        {"user_id": str, "card_key": str, "suspended": int, "suspended_at": str, "leech": int,
         "buried_until": str, "flag": int, "reset_at": str},
        pk=("user_id", "card_key"), not_null={"suspended", "leech", "flag"},
        defaults={"suspended": 0, "leech": 0, "flag": 0})
    db["cram_review"].create(
        {"id": int, "user_id": str, "card_key": str, "rating": int, "reviewed_at": str, "duration_ms": int},
        pk="id")
    db["cram_review"].create_index(["user_id", "reviewed_at"])
    # The Statistics page groups a student's reviews by day: the card's stability before each review
    # (young or mature) gets a column of its own, and one index covers every column that page reads,
    # so 100,000 reviews are grouped from the index alone (460 ms -> 100 ms, docs/performance.md).
    db["review_log"].add_column("stability_before", float)
    db.execute("update review_log set stability_before = json_extract(card_before, '$.card.stability') "
               "where card_before is not null")
    db["review_log"].create_index(["user_id", "reviewed_at", "card_key", "state_before", "rating", "duration_ms",
                                   "stability_before"], index_name="review_log_by_day")


class Store:
    """An open study database. Use :func:`open_store`; close with :meth:`close`.

    One Store may serve many Streamlit threads: every statement runs under a
    lock, since one sqlite3 connection must not be used by two threads at once.
    """

    def __init__(self, db: sqlite_utils.Database, path: Path, *, read_only: bool = False):
        self.db, self.path = db, path
        self.read_only = read_only  # opened read-only: reads work, every write raises StoreError
        self._lock = threading.RLock()
        self._known_users: set[str] = set()
        self._file = _identity(path)  # the file this connection has open

    @contextmanager
    def writing(self, action: str) -> Iterator[sqlite_utils.Database]:
        """Run reads and writes in one committed transaction that holds the write lock.

        The transaction starts with ``BEGIN IMMEDIATE``: it takes SQLite's write lock
        before its first read, so a second writer (another server, the CLI, a backup)
        makes it wait up to the busy timeout. A deferred transaction that reads first
        and then writes cannot wait: SQLite refuses the lock upgrade at once with
        "database is locked" and never calls the busy handler. Reading inside the
        transaction also makes read-modify-write (a review's counters) atomic.
        Nested calls become savepoints of the outer transaction. Before committing it
        checks that the file at the path is still the one open: a write into a
        deleted or replaced file would be acknowledged and then lost.

        Raises:
            StoreError: SQLite failed (locked past the timeout, read-only, full, corrupt)
                or the file was deleted or replaced; nothing of the transaction was kept.
        """
        try:
            with self._lock:
                if self.db.conn.in_transaction:
                    with self.db.atomic():  # a savepoint inside the caller's transaction
                        yield self.db
                    return
                self.db.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                    self._check_file()
                except BaseException:
                    if self.db.conn.in_transaction:
                        self.db.conn.execute("ROLLBACK")
                    raise
                self.db.conn.execute("COMMIT")
        except (sqlite3.Error, FileSwapped) as exc:
            raise StoreError(self.path, action, exc) from exc

    def _check_file(self) -> None:
        if _identity(self.path) != self._file:
            raise FileSwapped("the file was deleted or replaced while the app was running")

    def query(self, sql: str, params: dict | tuple = ()) -> list[dict]:
        """Rows of a read query as dicts; failures become :class:`StoreError`."""
        try:
            with self._lock:
                return list(self.db.query(sql, params))
        except sqlite3.Error as exc:
            raise StoreError(self.path, "read", exc) from exc

    def ensure_user(self, user_id: str, now: datetime, display_name: str = "") -> None:
        """Create the user row the first time we see ``user_id`` (skipped on a read-only file)."""
        if user_id in self._known_users or self.read_only:
            return
        with self.writing("save the profile in") as db:
            db["users"].insert({"id": user_id, "display_name": display_name or user_id,
                                "created_at": now.isoformat(), "role": "student", "provider": "local"},
                               ignore=True)
        self._known_users.add(user_id)

    def close(self) -> None:
        self.db.close()


def open_store(path: Path | str, now: datetime | None = None, *, allow_read_only: bool = False) -> Store:
    """Open (creating if needed) the database at ``path``, migrate it, and return a Store.

    With ``allow_read_only``, a file that cannot be written (permissions, a read-only
    disk) but is already up to date opens read-only: ``store.read_only`` is True, every
    read works and every write raises :class:`StoreError`. The app then still shows the
    course and says that progress cannot be saved.

    Raises:
        StoreError: the file cannot be opened, read or migrated.
    """
    path = Path(path)
    try:
        store = _open_writable(path)
    except StoreError as exc:
        if not (allow_read_only and _is_read_only(exc.cause) and path.is_file()):
            raise
        return _open_read_only(path, exc)
    if now is not None:
        store.ensure_user(DEFAULT_USER, now, "You")
    return store


def _open_writable(path: Path) -> Store:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                               isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn)
        _enable_wal(db)
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL survives a killed process
        conn.execute("PRAGMA foreign_keys = ON")
        store = Store(db, path)
        migrate(store)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(path, "open", exc) from exc
    return store


def _is_read_only(cause: Exception) -> bool:
    text = str(cause).lower()
    return "readonly" in text or "read-only" in text or "permission" in text or isinstance(cause, PermissionError)


def _open_read_only(path: Path, why: StoreError) -> Store:
    # mode=ro still needs the -shm file of a WAL database; immutable=1 reads the file as it is
    # (a read-only medium, where nothing can be writing it either).
    for flags in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, check_same_thread=False,
                                   isolation_level=None)
            store = Store(sqlite_utils.Database(conn), path, read_only=True)
            current = applied_versions(store)
        except sqlite3.Error:
            continue
        if {v for v, _ in MIGRATIONS} <= current:
            return store
        store.close()
        raise StoreError(path, "upgrade", sqlite3.OperationalError("attempt to write a readonly database")) from why
    raise why


def _enable_wal(db: sqlite_utils.Database) -> None:
    # Switching a new file to WAL needs a moment alone with it; SQLite answers "locked"
    # at once (no busy handler) while another process is opening the same new file.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def schema_version(store: Store) -> int:
    """The highest migration applied to this database (0 for a new file)."""
    return max(applied_versions(store), default=0)


def applied_versions(store: Store) -> set[int]:
    """Every migration version this database has had applied."""
    if "schema_migrations" not in store.db.table_names():
        return set()
    return {r["version"] for r in store.query("select version from schema_migrations")}


def migrate(store: Store) -> list[int]:
    """Apply the migrations this database has not seen; return their versions.

    A migration is skipped only when it was applied (not merely when a later one was),
    and each re-reads what was applied inside its write transaction, so two processes
    opening a new file at once apply every migration exactly once.
    """
    applied = []
    for version, fn in MIGRATIONS:
        if version in applied_versions(store):
            continue  # the common case: no write lock taken, so a read-only file opens too
        with store.writing("upgrade") as db:
            if version in applied_versions(store):
                continue
            fn(db)
            db["schema_migrations"].insert({"version": version, "applied_at": _utc_now_iso()}, pk="version")
        applied.append(version)
    return applied


def _utc_now_iso() -> str:
    # Only the migration log reads the clock; everything a student does takes `now`.
    from datetime import timezone
    return datetime.now(timezone.utc).isoformat()
