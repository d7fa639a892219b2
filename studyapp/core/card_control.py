"""What a student does to a card besides rating it, as in Anki: suspend, bury, flag, reset.

- **Suspended** cards never come due, in any queue, count or forecast, until unsuspended.
  A card forgotten :data:`LEECH_LAPSES` times is a *leech*: it is suspended
  automatically (Anki's default leech action), again every :data:`LEECH_REPEAT` lapses
  after that, and the drill says so.
- **Buried** cards are hidden until the student's next study day begins.
- A **flag** is a colour the student gives a card to find it again (Anki's first four).
- **Reset** makes a card new again ("Forget" in Anki): its FSRS state is deleted; its
  review log stays, and the optimizer and rescheduling ignore the reviews before it.

One row per card the student ever touched this way, in ``card_control`` (migration 5),
apart from ``card_state``, so a new card can be suspended too and ``card_state`` stays
what FSRS knows. Functions ending in ``_in`` run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from studyapp.core.store import Store

LEECH_LAPSES = 8  # Anki's default leech threshold
LEECH_REPEAT = LEECH_LAPSES // 2  # Anki warns again every half threshold: 12, 16, ... lapses
FLAGS = {0: "none", 1: "red", 2: "orange", 3: "green", 4: "blue"}  # Anki's flags 1-4
_TABLE = "card_control"


@dataclass(frozen=True)
class Control:
    """One card's controls for one student (all off for a card with no row)."""

    card_key: str
    suspended: bool = False
    leech: bool = False  # suspended automatically as a leech
    buried_until: str | None = None  # UTC ISO time when the card comes back
    flag: int = 0
    reset_at: str | None = None  # the latest reset; reviews up to it are history, not memory

    def buried(self, now: datetime) -> bool:
        return self.buried_until is not None and self.buried_until > now.isoformat()

    def held(self, now: datetime) -> bool:
        """Kept out of every queue now (suspended, or buried until later)."""
        return self.suspended or self.buried(now)


def is_new_leech(lapses_before: int, lapses_after: int) -> bool:
    """The lapse just counted makes the card a leech (8 lapses), or again a leech (12, 16, ...)."""
    return (lapses_after > lapses_before and lapses_after >= LEECH_LAPSES
            and (lapses_after - LEECH_LAPSES) % LEECH_REPEAT == 0)


def controls(store: Store, user_id: str) -> dict[str, Control]:
    """Every card the student suspended, buried, flagged or reset, by card key.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query(f"select * from {_TABLE} where user_id = ?", (user_id,))
    return {r["card_key"]: _control(r) for r in rows}


def _control(row: dict) -> Control:
    return Control(row["card_key"], bool(row["suspended"]), bool(row["leech"]), row["buried_until"],
                   row["flag"] or 0, row["reset_at"])


def held_out(store: Store, user_id: str, now: datetime) -> frozenset[str]:
    """The student's cards kept out of every queue now: suspended, or buried until later.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query(f"select card_key from {_TABLE} where user_id = ? and (suspended = 1 or buried_until > ?)",
                       (user_id, now.isoformat()))
    return frozenset(r["card_key"] for r in rows)


def _update(db, user_id: str, keys: Iterable[str], **values) -> int:
    """Set ``values`` on each card's row (creating it); return how many cards."""
    keys = list(dict.fromkeys(keys))
    for key in keys:
        db[_TABLE].insert({"user_id": user_id, "card_key": key}, pk=("user_id", "card_key"), ignore=True)
        db[_TABLE].update((user_id, key), values)
    return len(keys)


def suspend(store: Store, user_id: str, keys: Iterable[str], now: datetime) -> int:
    """Suspend cards (they never come due until unsuspended); return how many.

    Raises:
        StoreError: nothing was saved.
    """
    with store.writing("suspend your cards in") as db:
        return _update(db, user_id, keys, suspended=1, suspended_at=now.isoformat(), leech=0)


def unsuspend(store: Store, user_id: str, keys: Iterable[str]) -> int:
    """Unsuspend cards (a leech keeps its lapses; it is suspended again at the next threshold).

    Raises:
        StoreError: nothing was saved.
    """
    with store.writing("unsuspend your cards in") as db:
        return _update(db, user_id, keys, suspended=0, suspended_at=None, leech=0)


def bury(store: Store, user_id: str, keys: Iterable[str], until: datetime) -> int:
    """Hide cards until ``until`` (the start of the student's next day, from ``StudyDay``).

    Raises:
        StoreError: nothing was saved.
    """
    with store.writing("bury your cards in") as db:
        return _update(db, user_id, keys, buried_until=until.isoformat())


def unbury(store: Store, user_id: str, keys: Iterable[str]) -> int:
    """Bring buried cards back now.

    Raises:
        StoreError: nothing was saved.
    """
    with store.writing("unbury your cards in") as db:
        return _update(db, user_id, keys, buried_until=None)


def set_flag(store: Store, user_id: str, keys: Iterable[str], flag: int) -> int:
    """Give cards a flag (0 takes it off); return how many.

    Raises:
        ValueError: ``flag`` is not one of :data:`FLAGS`.
        StoreError: nothing was saved.
    """
    if flag not in FLAGS:
        raise ValueError(f"flag {flag!r} is not one of {sorted(FLAGS)} ({', '.join(FLAGS.values())})")
    with store.writing("flag your cards in") as db:
        return _update(db, user_id, keys, flag=flag)


def reset(store: Store, user_id: str, keys: Iterable[str], now: datetime) -> int:
    """Make cards new again (Anki's "Forget"): their FSRS state and counters go, their review log
    stays as history. Flags and suspension are kept. Returns how many cards had a state.

    Raises:
        StoreError: nothing was saved.
    """
    keys = list(dict.fromkeys(keys))
    with store.writing("reset your cards in") as db:
        had = sum(db["card_state"].count_where("user_id = ? and card_key = ?", [user_id, k]) for k in keys)
        for key in keys:
            db["card_state"].delete_where("user_id = ? and card_key = ?", [user_id, key])
        _update(db, user_id, keys, reset_at=now.isoformat())
    return had


def suspend_leech_in(db, user_id: str, key: str, now: datetime) -> None:
    """Suspend a card as a leech, inside the transaction that saved its lapse."""
    _update(db, user_id, [key], suspended=1, suspended_at=now.isoformat(), leech=1)


def undo_leech_in(db, user_id: str, key: str, reviewed_at: str) -> None:
    """Undo of the rating that suspended a leech also lifts that suspension (and nothing else)."""
    db.execute(f"update {_TABLE} set suspended = 0, suspended_at = null, leech = 0 "
               "where user_id = ? and card_key = ? and leech = 1 and suspended_at = ?",
               (user_id, key, reviewed_at))


def reset_times(store: Store, user_id: str) -> dict[str, str]:
    """When each reset card was last reset (reviews up to then are not its memory).

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query(f"select card_key, reset_at from {_TABLE} where user_id = ? and reset_at is not null",
                       (user_id,))
    return {r["card_key"]: r["reset_at"] for r in rows}
