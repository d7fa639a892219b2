"""Cram before a quiz: "Review this unit now", as Anki's filtered decks with rescheduling off.

A cram session runs a unit's cards (all of them, or only the ones the student got
wrong lately) once through, whatever their schedule: cards due next month too. It
never changes a card's schedule: nothing of it is written to ``card_state`` or
``review_log``, so FSRS, the due queue, undo and the optimizer never see it.

**Wrong lately** means Anki's filtered-deck search ``rated:7:1``: cards the student
rated Again at least once in the last :data:`WRONG_LATELY_DAYS` study days (today
included), in the drill, the buddy's quiz-me, or while cramming.

**Logged, apart.** Each cram rating is kept in ``cram_review`` (user, card, rating,
time, duration): it counts as study on the calendar, the streak and the statistics'
reviews a day (as "cram"), and its Again makes the card "wrong lately". It is never
a review of the card's memory for FSRS (Anki's preview mode keeps the same rule).

Inside a session, as Anki's preview: Again puts the card back at the end of the
session; Hard, Good and Easy take it out. Suspended and buried cards are left out,
as Anki's filtered decks leave them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from fsrs import Rating

from studyapp.core import card_control
from studyapp.core.store import Store
from studyapp.core.study_day import UTC_MIDNIGHT, StudyDay

WRONG_LATELY_DAYS = 7  # Anki's rated:7:1
ALL, WRONG = "all", "wrong"


def wrong_lately(store: Store, user_id: str, card_keys: list[str], now: datetime, *,
                 study_day: StudyDay = UTC_MIDNIGHT) -> list[str]:
    """Of ``card_keys`` (course order kept), those rated Again in the last 7 study days.

    Raises:
        StoreError: the database cannot be read.
    """
    since = study_day.starts(study_day.today(now) - timedelta(days=WRONG_LATELY_DAYS - 1)).isoformat()
    rows = store.query(
        "select card_key from review_log where user_id = ? and rating = ? and reviewed_at >= ? union "
        "select card_key from cram_review where user_id = ? and rating = ? and reviewed_at >= ?",
        (user_id, int(Rating.Again), since, user_id, int(Rating.Again), since))
    wrong = {r["card_key"] for r in rows}
    return [k for k in card_keys if k in wrong]


def cram_cards(store: Store, user_id: str, card_keys: list[str], now: datetime, which: str = ALL, *,
               study_day: StudyDay = UTC_MIDNIGHT) -> list[str]:
    """The cards a cram session of ``card_keys`` runs through: all, or only the wrong-lately ones;
    never the suspended or buried.

    Raises:
        ValueError: ``which`` is neither "all" nor "wrong".
        StoreError: the database cannot be read.
    """
    if which not in (ALL, WRONG):
        raise ValueError(f"which={which!r}: choose 'all' or 'wrong'")
    chosen = card_keys if which == ALL else wrong_lately(store, user_id, card_keys, now, study_day=study_day)
    held = card_control.held_out(store, user_id, now)
    return [k for k in chosen if k not in held]


@dataclass(frozen=True)
class CramSession:
    """Where a cram session is: the cards left (the next first) and what was rated."""

    left: tuple[str, ...]
    total: int
    ratings: tuple[tuple[str, int], ...] = field(default=())  # (card key, rating) in order

    @property
    def done(self) -> bool:
        return not self.left

    @property
    def current(self) -> str | None:
        return self.left[0] if self.left else None

    @property
    def passed(self) -> int:
        """Cards taken out of the session (rated Hard, Good or Easy)."""
        return self.total - len(set(self.left))


def start(card_keys: list[str]) -> CramSession:
    """A session over ``card_keys`` in that order."""
    return CramSession(tuple(card_keys), len(card_keys))


def answer(session: CramSession, rating: Rating) -> CramSession:
    """The session after rating its current card: Again sends it to the end, the others take it out.

    Raises:
        ValueError: the session is over.
    """
    if session.done:
        raise ValueError("the cram session is over: start another")
    key, rest = session.left[0], session.left[1:]
    left = rest + (key,) if rating == Rating.Again else rest
    return replace(session, left=left, ratings=session.ratings + ((key, int(rating)),))


def record(store: Store, user_id: str, card_key: str, rating: Rating, now: datetime,
           duration_ms: int | None = None) -> None:
    """Log one cram rating (never a review of the card's schedule; see the module docstring).

    Raises:
        StoreError: it could not be saved.
    """
    with store.writing("save your cram answer to") as db:
        db["cram_review"].insert({"user_id": user_id, "card_key": card_key, "rating": int(rating),
                                  "reviewed_at": now.isoformat(), "duration_ms": duration_ms})
