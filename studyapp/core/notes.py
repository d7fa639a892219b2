"""The per-unit scratchpad: one note per student per unit, with restorable revisions.

A save that repeats the stored text is a no-op, so reruns never add revisions.
Callers save only on the student's own edits (the autosaving text area sends
edit events, never its initial value), so an empty value on a rerun or a page
switch never reaches this module; a deliberate clear is saved, and the text
before it stays restorable as a revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from studyapp.core.store import Store

KEEP_REVISIONS = 20  # how many past saves of a note stay restorable
# The largest note kept, in UTF-8 bytes. With its revisions a note can take
# (KEEP_REVISIONS + 1) times this on disk, so one student cannot fill the class's disk.
MAX_NOTE_BYTES = 1024 * 1024
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NoteTooLong(ValueError):
    """A note over MAX_NOTE_BYTES; the message gives its size and the limit."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(f"This note is {size / 2**20:.2f} MiB; a unit's note can hold at most "
                         f"{MAX_NOTE_BYTES / 2**20:.0f} MiB. Shorten it, or keep the long text in a file.")


@dataclass(frozen=True)
class Note:
    """A unit's note as stored; ``updated_at`` is None for a note never saved."""

    unit_slug: str
    text: str
    updated_at: str | None


@dataclass(frozen=True)
class Revision:
    id: int
    text: str
    saved_at: str


def load_note(store: Store, user_id: str, unit_slug: str) -> Note:
    """The student's note for a unit (empty when none was saved)."""
    rows = store.query("select text, updated_at from note where user_id = ? and unit_slug = ?", (user_id, unit_slug))
    return Note(unit_slug, rows[0]["text"], rows[0]["updated_at"]) if rows else Note(unit_slug, "", None)


def save_note(store: Store, user_id: str, unit_slug: str, text: str, now: datetime) -> Note:
    """Save the note if it changed; keep the previous text as a revision. Returns the stored note.

    Raises:
        NoteTooLong: the text is over MAX_NOTE_BYTES in UTF-8; nothing was written.
        StoreError: the database refused the write; nothing was written.
    """
    # A lone UTF-16 surrogate is not text (a browser can still send one); SQLite cannot store it.
    text = _LONE_SURROGATE.sub("\ufffd", text)
    size = len(text.encode("utf-8"))
    if size > MAX_NOTE_BYTES:
        raise NoteTooLong(size)
    with store.writing("save your note to") as db:
        # Compared inside the write transaction: two tabs saving at once both get a revision.
        rows = list(db.query("select text, updated_at from note where user_id = ? and unit_slug = ?",
                             (user_id, unit_slug)))
        if rows and rows[0]["text"] == text and rows[0]["updated_at"] is not None:
            return Note(unit_slug, text, rows[0]["updated_at"])
        db["note"].upsert({"user_id": user_id, "unit_slug": unit_slug, "text": text,
                           "updated_at": now.isoformat()}, pk=("user_id", "unit_slug"))
        db["note_revision"].insert({"user_id": user_id, "unit_slug": unit_slug, "text": text,
                                    "saved_at": now.isoformat()})
        _prune(db, user_id, unit_slug)
    return Note(unit_slug, text, now.isoformat())


def _prune(db, user_id: str, unit_slug: str) -> None:
    db.execute(
        "delete from note_revision where user_id = ? and unit_slug = ? and id not in ("
        " select id from note_revision where user_id = ? and unit_slug = ? order by id desc limit ?)",
        (user_id, unit_slug, user_id, unit_slug, KEEP_REVISIONS),
    )


def revisions(store: Store, user_id: str, unit_slug: str) -> list[Revision]:
    """Past saves of the note, newest first."""
    rows = store.query("select id, text, saved_at from note_revision where user_id = ? and unit_slug = ? "
                       "order by id desc", (user_id, unit_slug))
    return [Revision(r["id"], r["text"], r["saved_at"]) for r in rows]


def restore_revision(store: Store, user_id: str, unit_slug: str, revision_id: int, now: datetime) -> Note:
    """Make a past revision the current note (itself saved as a new revision)."""
    rows = store.query("select text from note_revision where id = ? and user_id = ? and unit_slug = ?",
                       (revision_id, user_id, unit_slug))
    if not rows:
        raise KeyError(f"no revision {revision_id} of the note for {unit_slug}")
    return save_note(store, user_id, unit_slug, rows[0]["text"], now)
