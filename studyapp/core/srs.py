"""Spaced repetition around the ``fsrs`` scheduler, as Anki users expect it.

The four outcomes of a card are computed once when the card is shown
(:func:`preview`), the button the student presses saves that outcome
(:func:`record_review`), and the review log keeps the card as it was before,
so :func:`undo_last_review` can put it back. A card with no row in
``card_state`` is new; new cards enter the queue up to a daily limit, which the
student may raise for one day (:func:`allow_more_new`).

:func:`study_queue` is what a drill works through, counted as Anki counts it:
new cards (within today's limit), learning cards (in their minute-long learning
or relearning steps; they stay in the session until they pass) and due reviews.
Mastery is defined in ``studyapp.core.mastery``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from studyapp.core.store import Store

DESIRED_RETENTION = 0.9
NEW_CARDS_PER_DAY = 20
LEECH_LAPSES = 8  # Anki's default leech threshold
MORE_NEW_CARDS = 10  # what one press of "more new cards today" adds to today's limit
RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
RATING_LABELS = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good", Rating.Easy: "Easy"}


def make_scheduler(enable_fuzzing: bool = True) -> Scheduler:
    """The FSRS-6 scheduler with our retention; tests turn fuzzing off to pin intervals."""
    return Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=enable_fuzzing)


@dataclass(frozen=True)
class CardState:
    """What we know about one student's card: the fsrs card plus our counters."""

    card_key: str
    card: FsrsCard
    reps: int
    lapses: int
    first_reviewed_at: str | None = None  # when it stopped being new; the daily limit counts these
    # The longest gap (days) between a review and the one before it that the student passed
    # (Hard, Good or Easy): how far apart in time the card has really been recalled. Kept in
    # card_state (migration 4) so reading a student's cards never scans their review log.
    longest_recall_days: float = 0.0

    @property
    def is_leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES

    @property
    def in_learning(self) -> bool:
        """In its learning or relearning steps (minutes apart): Anki's "learning" count."""
        return self.card.state in (State.Learning, State.Relearning)


@dataclass(frozen=True)
class Outcome:
    """What pressing one rating would do: the next card and its interval."""

    rating: Rating
    card: FsrsCard
    interval: timedelta

    @property
    def label(self) -> str:
        return f"{RATING_LABELS[self.rating]} · {format_interval(self.interval)}"


def format_interval(interval: timedelta) -> str:
    """Short human interval as on Anki's buttons: '<1m', '10m', '3h', '4d', '2.5mo', '1.3y'."""
    minutes = interval.total_seconds() / 60
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{round(minutes)}m"
    if minutes < 60 * 24:
        return f"{round(minutes / 60)}h"
    days = minutes / (60 * 24)
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def preview(scheduler: Scheduler, state: CardState | None, now: datetime) -> dict[Rating, Outcome]:
    """The four outcomes of reviewing this card now (a new card when ``state`` is None)."""
    card = state.card if state else FsrsCard(card_id=1, due=now)
    outcomes = {}
    for rating in RATINGS:
        next_card, _ = scheduler.review_card(card, rating, now)
        outcomes[rating] = Outcome(rating, next_card, next_card.due - now)
    return outcomes


def load_state(store: Store, user_id: str, card_key: str) -> CardState | None:
    """The stored state of one card, or None when the student has never reviewed it.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select * from card_state where user_id = ? and card_key = ?", (user_id, card_key))
    return _state_from_row(rows[0]) if rows else None


def load_states(store: Store, user_id: str) -> dict[str, CardState]:
    """Every card the student has reviewed, by card key.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select * from card_state where user_id = ?", (user_id,))
    return {row["card_key"]: _state_from_row(row) for row in rows}


def _state_from_row(row: dict) -> CardState:
    return CardState(row["card_key"], FsrsCard.from_json(row["card_json"]), row["reps"], row["lapses"],
                     row["first_reviewed_at"], row["longest_recall_days"] or 0.0)


def record_review(store: Store, user_id: str, card_key: str, outcome: Outcome, now: datetime,
                  duration_ms: int | None = None) -> CardState:
    """Save the chosen outcome and its log row in one transaction; return the new state.

    The state before is read inside the write transaction, so two ratings of one
    card at once (two tabs) both count: neither loses the other's reps or lapses.

    Raises:
        StoreError: the review could not be saved (nothing of it was kept).
    """
    with store.writing("save your review to") as db:
        before = _load_state_in(db, user_id, card_key)
        after = _after(before, card_key, outcome, now)
        db["card_state"].upsert(_state_row(user_id, after, now), pk=("user_id", "card_key"))
        db["review_log"].insert({
            "user_id": user_id, "card_key": card_key, "rating": int(outcome.rating),
            "reviewed_at": now.isoformat(), "duration_ms": duration_ms,
            "state_before": int(before.card.state) if before else 0,
            "interval_days": outcome.interval.total_seconds() / 86400,
            "card_before": _snapshot(before),
        })
    return after


def _after(before: CardState | None, card_key: str, outcome: Outcome, now: datetime) -> CardState:
    """The state once ``outcome`` is saved: counters, first review, longest recall."""
    if before is None:
        return CardState(card_key, outcome.card, 1, 0, now.isoformat())
    lapsed = before.card.state == State.Review and outcome.rating == Rating.Again
    recall = before.longest_recall_days
    if outcome.rating != Rating.Again and before.card.last_review is not None:
        recall = max(recall, (now - before.card.last_review).total_seconds() / 86400)
    return CardState(card_key, outcome.card, before.reps + 1, before.lapses + int(lapsed),
                     before.first_reviewed_at, recall)


def _load_state_in(db, user_id: str, card_key: str) -> CardState | None:
    rows = list(db.query("select * from card_state where user_id = ? and card_key = ?", (user_id, card_key)))
    return _state_from_row(rows[0]) if rows else None


def _state_row(user_id: str, state: CardState, reviewed_at: datetime) -> dict:
    card = state.card
    return {
        "user_id": user_id, "card_key": state.card_key, "card_json": card.to_json(),
        "due": card.due.isoformat(), "state": int(card.state), "stability": card.stability,
        "difficulty": card.difficulty, "reps": state.reps, "lapses": state.lapses,
        "first_reviewed_at": state.first_reviewed_at, "last_reviewed_at": reviewed_at.isoformat(),
        "longest_recall_days": state.longest_recall_days,
    }


def _snapshot(state: CardState | None) -> str | None:
    if state is None:
        return None
    return json.dumps({"card": state.card.to_dict(), "reps": state.reps, "lapses": state.lapses})


def undo_last_review(store: Store, user_id: str, card_keys: Collection[str] | None = None) -> str | None:
    """Undo the student's most recent rating (of one of ``card_keys``, when given).

    Returns the card key put back, or None when there is nothing to undo.

    Raises:
        StoreError: the undo could not be saved (the rating stays as it was).
    """
    with store.writing("undo your last review in") as db:
        log = _last_log(db, user_id, card_keys)
        if log is None:
            return None
        db["review_log"].delete(log["id"])
        if log["card_before"] is None:
            db["card_state"].delete((user_id, log["card_key"]))
        else:
            _restore(db, user_id, log)
    return log["card_key"]


def _last_log(db, user_id: str, card_keys: Collection[str] | None) -> dict | None:
    if card_keys is None:
        rows = db.query("select * from review_log where user_id = ? order by id desc limit 1", (user_id,))
    else:
        keys = list(card_keys)
        marks = ",".join("?" * len(keys))
        rows = db.query(f"select * from review_log where user_id = ? and card_key in ({marks}) "
                        "order by id desc limit 1", (user_id, *keys))
    return next(iter(rows), None)


def _restore(db, user_id: str, log: dict) -> None:
    snap = json.loads(log["card_before"])
    card = FsrsCard.from_dict(snap["card"])
    first = db.execute("select first_reviewed_at from card_state where user_id = ? and card_key = ?",
                       (user_id, log["card_key"])).fetchone()
    # The log row is gone already: the longest recall is what the card's remaining reviews spanned.
    recall = recall_days_in_log(db, user_id, log["card_key"])
    state = CardState(log["card_key"], card, snap["reps"], snap["lapses"], first[0] if first else None, recall)
    # A card with a snapshot had been reviewed, so it has a last review: no clock is read here.
    db["card_state"].upsert(_state_row(user_id, state, card.last_review), pk=("user_id", "card_key"))


# Passed reviews (rating >= Hard) of a card reviewed before, with the days since that earlier
# review (the fsrs card's last_review in the snapshot): the gaps across which it was recalled.
RECALL_SQL = (
    "select user_id, card_key, max(julianday(reviewed_at)"
    " - julianday(json_extract(card_before, '$.card.last_review'))) as days"
    " from review_log where rating >= 2 and card_before is not null"
)


def recall_days_in_log(db, user_id: str, card_key: str) -> float:
    """The longest gap (days) one card was recalled across, from its review log (0 if none)."""
    row = db.execute(RECALL_SQL + " and user_id = ? and card_key = ?", (user_id, card_key)).fetchone()
    return max(0.0, row[2] or 0.0) if row else 0.0


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)


def new_cards_started(store: Store, user_id: str, day: date) -> int:
    """How many cards the student saw for the first time on ``day`` (UTC).

    Raises:
        StoreError: the database cannot be read.
    """
    start = _day_start(day)
    rows = store.query(
        "select count(*) as n from card_state where user_id = ? and first_reviewed_at >= ? and first_reviewed_at < ?",
        (user_id, start.isoformat(), (start + timedelta(days=1)).isoformat()),
    )
    return rows[0]["n"]


def extra_new_cards(store: Store, user_id: str, day: date) -> int:
    """New cards the student added to ``day``'s limit with :func:`allow_more_new` (0 if none).

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select extra from new_card_extra where user_id = ? and day = ?",
                       (user_id, day.isoformat()))
    return rows[0]["extra"] if rows else 0


def allow_more_new(store: Store, user_id: str, now: datetime, extra: int = MORE_NEW_CARDS) -> int:
    """Raise today's (UTC) new-card limit by ``extra`` for this student; return today's total extra.

    Anki's "increase today's new card limit": it lasts until the day ends.

    Raises:
        StoreError: the change could not be saved.
    """
    day = now.date().isoformat()
    with store.writing("raise today's new-card limit in") as db:
        row = db.execute("select extra from new_card_extra where user_id = ? and day = ?",
                         (user_id, day)).fetchone()
        total = (row[0] if row else 0) + extra
        db["new_card_extra"].upsert({"user_id": user_id, "day": day, "extra": total}, pk=("user_id", "day"))
    return total


@dataclass(frozen=True)
class StudyQueue:
    """The cards of a scope (a unit, or the course) as a drill works through them now.

    Counted as Anki counts them: ``new`` are unseen cards within today's new-card
    limit (course order); ``learning`` are cards in their learning or relearning
    steps, due within minutes (by due time, due or not); ``due`` are review cards
    whose interval has passed (by due time).
    """

    new: tuple[str, ...]
    learning: tuple[str, ...]
    learning_due: tuple[str, ...]  # the learning cards whose step has already passed
    due: tuple[str, ...]
    unseen: int  # every unseen card of the scope, within today's limit or not
    new_limit: int  # today's limit: the daily setting plus what the student added today
    new_started: int  # cards seen for the first time today, across the whole course
    next_review: datetime | None  # when the next review card (not learning) of the scope falls due

    @property
    def empty(self) -> bool:
        return not (self.new or self.learning or self.due)

    @property
    def limit_reached(self) -> bool:
        """Unseen cards are waiting, but today's new-card limit is used up."""
        return self.unseen > len(self.new) and self.new_started >= self.new_limit

    def next_card(self) -> str | None:
        """What to show next: learning cards whose step is over, due reviews, new cards,
        and, when nothing else is left, the learning card due soonest (Anki's learn-ahead)."""
        for group in (self.learning_due, self.due, self.new, self.learning):
            if group:
                return group[0]
        return None


def study_queue(store: Store, user_id: str, card_keys: list[str], now: datetime,
                new_per_day: int = NEW_CARDS_PER_DAY) -> StudyQueue:
    """The scope's :class:`StudyQueue` now; ``card_keys`` in course order (removed cards are ignored).

    Raises:
        StoreError: the database cannot be read.
    """
    wanted = set(card_keys)
    rows = store.query("select card_key, due, state from card_state where user_id = ? order by due",
                       (user_id,))
    seen = {r["card_key"] for r in rows}
    rows = [r for r in rows if r["card_key"] in wanted]
    learning = [r for r in rows if r["state"] in (State.Learning, State.Relearning)]
    reviews = [r for r in rows if r["state"] == State.Review]
    cutoff = now.isoformat()
    limit = new_per_day + extra_new_cards(store, user_id, now.date())
    started = new_cards_started(store, user_id, now.date())
    unseen = [k for k in card_keys if k not in seen]
    later = [r["due"] for r in reviews if r["due"] > cutoff]
    return StudyQueue(
        new=tuple(unseen[:max(0, limit - started)]), learning=tuple(r["card_key"] for r in learning),
        learning_due=tuple(r["card_key"] for r in learning if r["due"] <= cutoff),
        due=tuple(r["card_key"] for r in reviews if r["due"] <= cutoff), unseen=len(unseen),
        new_limit=limit, new_started=started, next_review=datetime.fromisoformat(later[0]) if later else None,
    )


def due_queue(store: Store, user_id: str, card_keys: list[str], now: datetime,
              new_per_day: int = NEW_CARDS_PER_DAY) -> list[str]:
    """Cards to review now, in order: learning cards whose step is over, due reviews (each by
    due time), then new cards up to today's limit (which includes what the student added today).

    ``card_keys`` are the cards that exist in the course (in course order); stored
    states of removed cards are ignored.

    Raises:
        StoreError: the database cannot be read.
    """
    queue = study_queue(store, user_id, card_keys, now, new_per_day)
    return [*queue.learning_due, *queue.due, *queue.new]


def next_due(store: Store, user_id: str, card_keys: list[str], now: datetime) -> datetime | None:
    """When the next not-yet-due card of these falls due (None when none is scheduled).

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select card_key, due from card_state where user_id = ? and due > ? order by due",
                       (user_id, now.isoformat()))
    wanted = set(card_keys)
    return next((datetime.fromisoformat(r["due"]) for r in rows if r["card_key"] in wanted), None)


def new_day_starts(now: datetime) -> datetime:
    """When the daily new-card limit resets: the next midnight UTC after ``now``."""
    return _day_start(now.date() + timedelta(days=1))


def retrievability(scheduler: Scheduler, state: CardState | None, now: datetime) -> float:
    """Predicted probability of recalling the card now (0 for a new card)."""
    return scheduler.get_card_retrievability(state.card, now) if state else 0.0


def forecast(states: dict[str, CardState], card_keys: list[str], now: datetime, days: int = 14) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next ``days`` days; overdue cards count today."""
    wanted = set(card_keys)
    counts = Counter(max(s.card.due, now).date() for k, s in states.items() if k in wanted)
    return [(now.date() + timedelta(days=i), counts.get(now.date() + timedelta(days=i), 0)) for i in range(days)]


def review_days(store: Store, user_id: str) -> Counter:
    """Reviews per UTC day, for the activity calendar and the streak."""
    rows = store.query("select substr(reviewed_at, 1, 10) as day, count(*) as n from review_log "
                       "where user_id = ? group by day", (user_id,))
    return Counter({date.fromisoformat(r["day"]): r["n"] for r in rows})
