"""A full backup of one student: every row of theirs, in every table with a ``user_id`` column.

The file is JSON, versioned, with a checksum over its rows::

    {"format": "studyapp-backup", "version": 1, "user_id": "ada", "created_at": "...",
     "schema_version": 3, "tables": {"card_state": [{...row...}, ...], ...}, "checksum": "sha256:..."}

Tables are found with ``accounts.study_tables`` when the backup is made, so a table added by a
later migration is backed up without a change here. Reading a file (:func:`read_backup`) checks
everything before anything is written: that it is JSON, a studyapp backup, of a format this
version reads, undamaged (the checksum), made for this student, and that every table and column
exists in this database. Any failure is a :class:`BackupError` whose message says what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from studyapp.auth import accounts
from studyapp.core import store as store_mod
from studyapp.core.store import Store

FORMAT = "studyapp-backup"
FORMAT_VERSION = 1  # bump when the layout of the file changes; older versions stay readable
MAX_BYTES = 200 * 1024 * 1024  # as large as Streamlit's upload limit
NOTHING_CHANGED = "Nothing was changed."


class BackupError(ValueError):
    """A backup that cannot be restored here; the message says why and that nothing changed."""


@dataclass(frozen=True)
class Backup:
    """A validated backup: whose it is, when it was made, and its rows per table."""

    user_id: str
    created_at: str
    schema_version: int
    tables: dict[str, list[dict]]

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def make_backup(store: Store, user_id: str, now: datetime) -> dict:
    """Every row of ``user_id`` in every study table, as the backup document (a dict).

    Raises:
        StoreError: the database could not be read.
    """
    tables = {table: store.query(f"select * from [{table}] where user_id = ? order by rowid", (user_id,))
              for table in accounts.study_tables(store)}
    return {"format": FORMAT, "version": FORMAT_VERSION, "user_id": user_id,
            "created_at": now.isoformat(), "schema_version": store_mod.schema_version(store),
            "tables": tables, "checksum": checksum(tables)}


def dumps(document: dict) -> bytes:
    """The backup document as the bytes of a .json file."""
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def checksum(tables: dict) -> str:
    """sha256 of the rows in a canonical JSON form (key order and spacing do not matter)."""
    canonical = json.dumps(tables, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_backup(raw: bytes, store: Store, user_id: str) -> Backup:
    """Parse and validate backup bytes for restoring into ``user_id`` in ``store``.

    Raises:
        BackupError: not JSON or truncated, not a studyapp backup, a future format, damaged
            (checksum), another student's, or holding tables or columns this database lacks.
    """
    document = _parse(raw)
    _check_header(document)
    tables = document.get("tables")
    if not isinstance(tables, dict) or document.get("checksum") != checksum(tables):
        raise BackupError("This backup is damaged: its contents do not match its checksum (was it edited "
                          f"or only partly copied?). {NOTHING_CHANGED}")
    owner = document["user_id"]
    if owner != user_id:
        raise BackupError(f"This backup belongs to '{owner}', not to '{user_id}': a backup is restored "
                          f"only into the account it was made from. {NOTHING_CHANGED}")
    _check_schema(document, store)
    for table, rows in tables.items():
        _check_rows(store, table, rows, owner)
    return Backup(owner, document["created_at"], document["schema_version"], tables)


def _parse(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise BackupError(f"This file is larger than {MAX_BYTES // (1024 * 1024)} MiB: it is not a studyapp "
                          f"backup. {NOTHING_CHANGED}")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"This file is not a studyapp backup, or it is damaged or truncated: it is not "
                          f"valid JSON ({exc}). {NOTHING_CHANGED}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"This file is not a studyapp backup (a backup is the .json file that "
                          f"'Download a backup' or 'studyapp export backup' writes). {NOTHING_CHANGED}")
    return document


def _check_header(document: dict) -> None:
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError(f"This backup is damaged: its format version is {version!r}. {NOTHING_CHANGED}")
    if version > FORMAT_VERSION:
        raise BackupError(f"This backup was made by a newer studyapp (backup format {version}; this one "
                          f"reads up to {FORMAT_VERSION}). Upgrade studyapp, then restore. {NOTHING_CHANGED}")
    for name, kind in (("user_id", str), ("created_at", str), ("schema_version", int)):
        if not isinstance(document.get(name), kind):
            raise BackupError(f"This backup is damaged: '{name}' is missing or not a {kind.__name__}. "
                              f"{NOTHING_CHANGED}")


def _check_schema(document: dict, store: Store) -> None:
    here = store_mod.schema_version(store)
    if document["schema_version"] > here:
        raise BackupError(f"This backup comes from a newer database (schema {document['schema_version']}, "
                          f"this one is {here}). Upgrade studyapp, then restore. {NOTHING_CHANGED}")
    known = set(accounts.study_tables(store))
    unknown = sorted(set(document["tables"]) - known)
    if unknown:
        raise BackupError(f"This backup holds tables this database does not have ({', '.join(unknown)}): "
                          f"it is damaged or from another program. {NOTHING_CHANGED}")


def _check_rows(store: Store, table: str, rows, owner: str) -> None:
    columns = set(store.db[table].columns_dict)
    if not isinstance(rows, list):
        raise BackupError(f"This backup is damaged: '{table}' is not a list of rows. {NOTHING_CHANGED}")
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not set(row) <= columns:
            extra = sorted(set(row) - columns) if isinstance(row, dict) else []
            raise BackupError(f"This backup is damaged: row {number} of '{table}' "
                              f"{'has unknown columns ' + ', '.join(extra) if extra else 'is not a row'}. "
                              f"{NOTHING_CHANGED}")
        if row.get("user_id") != owner:
            raise BackupError(f"This backup is damaged: row {number} of '{table}' belongs to another "
                              f"student. {NOTHING_CHANGED}")
        if any(isinstance(v, (dict, list)) for v in row.values()):
            raise BackupError(f"This backup is damaged: row {number} of '{table}' holds a nested value. "
                              f"{NOTHING_CHANGED}")
        if table == "card_state" and not _is_fsrs_card(row.get("card_json")):
            raise BackupError(f"This backup is damaged: row {number} of 'card_state' is not a card the "
                              f"scheduler can read. {NOTHING_CHANGED}")


def _is_fsrs_card(text) -> bool:
    # A schedule the drill could not load would break the student's reviews after the restore.
    from fsrs import Card

    try:
        Card.from_json(text)
    except (TypeError, ValueError, KeyError):
        return False
    return True
