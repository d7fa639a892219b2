"""The three exports by name, stated once for the CLI and the "Your data" page."""

from __future__ import annotations

from datetime import datetime

from studyapp.core.content import Course
from studyapp.core.store import Store

# kind -> (what it is, the file name it downloads as, its MIME type)
KINDS = {
    "anki": ("an Anki package (.apkg) of the course's cards with your schedule and reviews",
             "studyapp-lora.apkg", "application/octet-stream"),
    "notes": ("your notes as Markdown files, one per unit with front matter, in a .zip",
              "studyapp-notes.zip", "application/zip"),
    "backup": ("a full backup of your progress and notes as versioned JSON",
               "studyapp-backup.json", "application/json"),
}


def export_bytes(kind: str, store: Store, course: Course, user_id: str, now: datetime) -> bytes:
    """The bytes of one export of ``user_id``'s data.

    Raises:
        KeyError: an unknown kind.
        StoreError: the database could not be read.
    """
    from studyapp.core.data import anki, backup, notes_zip

    if kind == "backup":
        return backup.dumps(backup.make_backup(store, user_id, now))
    writers = {"anki": anki.export_anki, "notes": notes_zip.export_notes}
    return writers[kind](store, course, user_id, now)
