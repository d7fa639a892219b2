"""Each student's conversation with the buddy, in the study database (table ``buddy_message``).

Every row carries the student's ``user_id``; every read and delete filters on it, so
one student never sees or clears another's messages. The buddy's answers keep their
payload (citations, computed figure, cards) as JSON, so a reload redraws them exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from studyapp.core.store import Store

STUDENT, BUDDY = "student", "buddy"
ROLES = (STUDENT, BUDDY)


@dataclass(frozen=True)
class Message:
    """One message of the conversation."""

    id: int
    role: str  # STUDENT or BUDDY
    text: str  # Markdown
    unit_slug: str  # the unit page it was said on ("" on the Study buddy page)
    at: str  # UTC ISO-8601
    payload: dict = field(default_factory=dict)


def add_message(
    store: Store,
    user_id: str,
    role: str,
    text: str,
    now: datetime,
    *,
    unit_slug: str = "",
    payload: dict | None = None,
) -> int:
    """Save one message and return its id.

    Raises:
        ValueError: unknown role.
        StoreError: the database could not be written (nothing was saved).
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    row = {
        "user_id": user_id,
        "unit_slug": unit_slug,
        "role": role,
        "text": text,
        "payload": json.dumps(payload or {}),
        "at": now.isoformat(),
    }
    with store.writing("save your study-buddy conversation to") as db:
        return db["buddy_message"].insert(row).last_pk


def messages(store: Store, user_id: str, limit: int | None = None) -> list[Message]:
    """The student's messages, oldest first (the last ``limit`` when given).

    Raises:
        StoreError: the database could not be read.
    """
    sql = "select * from buddy_message where user_id = ? order by id desc" + (" limit ?" if limit else "")
    rows = store.query(sql, (user_id, limit) if limit else (user_id,))
    return [_message(row) for row in reversed(rows)]


def clear(store: Store, user_id: str) -> int:
    """Delete the student's whole conversation; return how many messages went.

    Raises:
        StoreError: the database could not be written (nothing was deleted).
    """
    with store.writing("clear your study-buddy conversation in") as db:
        return db.execute("delete from buddy_message where user_id = ?", (user_id,)).rowcount


def _message(row: dict) -> Message:
    return Message(
        row["id"], row["role"], row["text"], row["unit_slug"], row["at"], json.loads(row["payload"] or "{}")
    )
