"""Reschedule a student's cards as if they had always been scheduled with another scheduler.

After the optimizer fits new parameters (or the student changes retention or steps
and asks for it), each card's state is replayed from its review log with the new
scheduler: fsrs's ``Scheduler.reschedule_card``. Reps, lapses, first review and the
log itself stay; a reset card replays only the reviews after its reset. Ratings
given while cramming are not in the review log, so they never count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fsrs import Card as FsrsCard
from fsrs import Rating, ReviewLog, Scheduler

from studyapp.core import srs, study_settings
from studyapp.core.store import Store


def reschedule(store: Store, user_id: str, scheduler: Scheduler) -> int:
    """Replay every card of the student's with ``scheduler``; return how many cards changed.

    Raises:
        StoreError: nothing was saved.
    """
    with store.writing("reschedule your cards in") as db:
        return reschedule_in(db, user_id, scheduler)


def reschedule_in(db, user_id: str, scheduler: Scheduler) -> int:
    """:func:`reschedule` inside the caller's transaction (the optimizer saves the parameters
    and the rescheduled cards in one). Returns how many cards changed.

    A card's due date becomes its last review plus the new interval (due now if that has passed).
    """
    resets = {r[0]: r[1] for r in db.execute(
        "select card_key, reset_at from card_control where user_id = ? and reset_at is not null", (user_id,))}
    logs: dict[str, list[tuple[datetime, Rating]]] = defaultdict(list)
    for key, rating, at in db.execute("select card_key, rating, reviewed_at from review_log where user_id = ? "
                                      "order by reviewed_at, id", (user_id,)):
        if at > resets.get(key, ""):
            logs[key].append((datetime.fromisoformat(at), Rating(rating)))
    changed = 0
    for key, card_json in list(db.execute("select card_key, card_json from card_state where user_id = ?",
                                          (user_id,))):
        if not logs.get(key):
            continue  # nothing to replay (a state without a log is left as it is)
        card = FsrsCard.from_json(card_json)
        card = scheduler.reschedule_card(card, [ReviewLog(card.card_id, r, at, None) for at, r in logs[key]])
        db.execute("update card_state set card_json = ?, due = ?, state = ?, stability = ?, difficulty = ? "
                   "where user_id = ? and card_key = ?",
                   (card.to_json(), card.due.isoformat(), int(card.state), card.stability, card.difficulty,
                    user_id, key))
        changed += 1
    return changed


def save_settings(store: Store, user_id: str, settings: study_settings.StudySettings, now: datetime, *,
                  reschedule_cards: bool = False, enable_fuzzing: bool = True) -> int:
    """Save the student's ``settings`` and, when asked, reschedule their cards
    with the scheduler those settings build, in one transaction. Returns the cards rescheduled.

    Anki does not reschedule on a change of retention unless asked ("Reschedule cards on
    change"): the new retention then applies from each card's next review.

    Raises:
        SettingsError: a value does not validate (nothing is saved).
        StoreError: nothing was saved.
    """
    settings.checked()
    with store.writing("save your study settings to") as db:
        study_settings.save_in(db, user_id, settings, now)
        if not reschedule_cards:
            return 0
        return reschedule_in(db, user_id, srs.scheduler_for(settings, enable_fuzzing))
