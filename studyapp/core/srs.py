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

import functools
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from studyapp.core import card_control
from studyapp.core.card_control import LEECH_LAPSES
from studyapp.core.store import Store
from studyapp.core.study_day import UTC_MIDNIGHT, StudyDay
from studyapp.core.study_settings import StudySettings, as_timedeltas

DESIRED_RETENTION = StudySettings.desired_retention
NEW_CARDS_PER_DAY = StudySettings.new_per_day
MORE_NEW_CARDS = 10  # what one press of "more new cards today" adds to today's limit
RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
RATING_LABELS = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good", Rating.Easy: "Easy"}


def make_scheduler(enable_fuzzing: bool = True, *, settings: StudySettings | None = None) -> Scheduler:
    """The FSRS-6 scheduler for ``settings`` (the defaults when None): their retention, steps and
    parameters. Tests turn fuzzing off to pin intervals.

    Raises:
        ValueError: the settings' FSRS parameters are out of bounds (``StudySettings.checked`` says so first).
    """
    settings = settings or StudySettings()
    extra = {"parameters": settings.parameters} if settings.parameters is not None else {}
    return Scheduler(desired_retention=settings.desired_retention,
                     learning_steps=as_timedeltas(settings.learning_steps),
                     relearning_steps=as_timedeltas(settings.relearning_steps),
                     enable_fuzzing=enable_fuzzing, **extra)


@functools.lru_cache(maxsize=512)
def scheduler_for(settings: StudySettings, enable_fuzzing: bool = True) -> Scheduler:
    """One scheduler per distinct settings value (frozen, so hashable): every student with the
    same settings shares one; a student who changes theirs gets another. Never mutated.

    Raises:
        ValueError: as :func:`make_scheduler`.
    """
    return make_scheduler(enable_fuzzing, settings=settings)


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
    A lapse that makes the card a leech suspends it in the same transaction
    (``card_control.is_new_leech`` tells the caller so it can say it).

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
            "stability_before": before.card.stability if before else None,  # for the Statistics page
        })
        if card_control.is_new_leech(before.lapses if before else 0, after.lapses):
            card_control.suspend_leech_in(db, user_id, card_key, now)
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
        card_control.undo_leech_in(db, user_id, log["card_key"], log["reviewed_at"])
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


def new_cards_started(store: Store, user_id: str, day: date, *, study_day: StudyDay = UTC_MIDNIGHT) -> int:
    """How many cards the student saw for the first time on ``day`` (a day of ``study_day``).

    Raises:
        StoreError: the database cannot be read.
    """
    start, end = study_day.starts(day), study_day.starts(day + timedelta(days=1))  # 23-25 h apart
    rows = store.query(
        "select count(*) as n from card_state where user_id = ? and first_reviewed_at >= ? and first_reviewed_at < ?",
        (user_id, start.isoformat(), end.isoformat()),
    )
    return rows[0]["n"]


def reviews_done(store: Store, user_id: str, now: datetime, *, study_day: StudyDay = UTC_MIDNIGHT) -> int:
    """Review cards (not new, not learning) the student answered so far today: what the daily
    maximum of reviews counts, as in Anki.

    Raises:
        StoreError: the database cannot be read.
    """
    start = study_day.starts(study_day.today(now))
    rows = store.query("select count(*) as n from review_log where user_id = ? and reviewed_at >= ? "
                       "and state_before = ?", (user_id, start.isoformat(), int(State.Review)))
    return rows[0]["n"]


def extra_new_cards(store: Store, user_id: str, day: date) -> int:
    """New cards the student added to ``day``'s limit with :func:`allow_more_new` (0 if none).

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select extra from new_card_extra where user_id = ? and day = ?",
                       (user_id, day.isoformat()))
    return rows[0]["extra"] if rows else 0


def allow_more_new(store: Store, user_id: str, now: datetime, extra: int = MORE_NEW_CARDS, *,
                   study_day: StudyDay = UTC_MIDNIGHT) -> int:
    """Raise today's new-card limit by ``extra`` for this student; return today's total extra.

    Anki's "increase today's new card limit": it lasts until the student's day ends.

    Raises:
        StoreError: the change could not be saved.
    """
    day = study_day.today(now).isoformat()
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
    whose interval has passed (by due time, the most overdue first), within what is
    left of today's maximum of reviews. Suspended and buried cards are in none of them.
    """

    new: tuple[str, ...]
    learning: tuple[str, ...]
    learning_due: tuple[str, ...]  # the learning cards whose step has already passed
    due: tuple[str, ...]
    unseen: int  # every unseen card of the scope, within today's limit or not
    new_limit: int  # today's limit: the daily setting plus what the student added today
    new_started: int  # cards seen for the first time today, across the whole course
    next_review: datetime | None  # when the next review card (not learning) of the scope falls due
    due_held: int = 0  # due reviews of the scope held back by today's maximum of reviews
    review_limit: int | None = None  # the daily maximum of reviews (None: no maximum)
    held_out: int = 0  # cards of the scope suspended or buried now

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
                new_per_day: int = NEW_CARDS_PER_DAY, *, study_day: StudyDay = UTC_MIDNIGHT,
                max_reviews: int | None = None) -> StudyQueue:
    """The scope's :class:`StudyQueue` now; ``card_keys`` in course order (removed cards are ignored).

    ``study_day`` is when the student's day starts (the new-card and review limits are per
    day); ``max_reviews`` caps the due reviews of a day (None: no cap).

    Raises:
        StoreError: the database cannot be read.
    """
    held = card_control.held_out(store, user_id, now)
    wanted = set(card_keys) - held
    rows = store.query("select card_key, due, state from card_state where user_id = ? order by due",
                       (user_id,))
    seen = {r["card_key"] for r in rows}
    rows = [r for r in rows if r["card_key"] in wanted]
    learning = [r for r in rows if r["state"] in (State.Learning, State.Relearning)]
    reviews = [r for r in rows if r["state"] == State.Review]
    cutoff, today = now.isoformat(), study_day.today(now)
    limit = new_per_day + extra_new_cards(store, user_id, today)
    started = new_cards_started(store, user_id, today, study_day=study_day)
    unseen = [k for k in card_keys if k not in seen and k in wanted]
    later = [r["due"] for r in reviews if r["due"] > cutoff]
    due = [r["card_key"] for r in reviews if r["due"] <= cutoff]
    allowed = len(due) if max_reviews is None else max(0, max_reviews - reviews_done(
        store, user_id, now, study_day=study_day))
    return StudyQueue(
        new=tuple(unseen[:max(0, limit - started)]), learning=tuple(r["card_key"] for r in learning),
        learning_due=tuple(r["card_key"] for r in learning if r["due"] <= cutoff),
        due=tuple(due[:allowed]), unseen=len(unseen),
        new_limit=limit, new_started=started, next_review=datetime.fromisoformat(later[0]) if later else None,
        due_held=max(0, len(due) - allowed), review_limit=max_reviews, held_out=len(held & set(card_keys)),
    )


def due_queue(store: Store, user_id: str, card_keys: list[str], now: datetime,
              new_per_day: int = NEW_CARDS_PER_DAY, **limits) -> list[str]:
    """Cards to review now, in order: learning cards whose step is over, due reviews (each by
    due time), then new cards up to today's limit (which includes what the student added today).

    ``card_keys`` are the cards that exist in the course (in course order); stored
    states of removed cards are ignored, and suspended or buried cards are left out.
    ``limits`` are :func:`study_queue`'s ``study_day`` and ``max_reviews``.

    Raises:
        StoreError: the database cannot be read.
    """
    queue = study_queue(store, user_id, card_keys, now, new_per_day, **limits)
    return [*queue.learning_due, *queue.due, *queue.new]


def next_due(store: Store, user_id: str, card_keys: list[str], now: datetime) -> datetime | None:
    """When the next not-yet-due card of these falls due (None when none is scheduled);
    suspended and buried cards are left out.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select card_key, due from card_state where user_id = ? and due > ? order by due",
                       (user_id, now.isoformat()))
    wanted = set(card_keys) - card_control.held_out(store, user_id, now)
    return next((datetime.fromisoformat(r["due"]) for r in rows if r["card_key"] in wanted), None)


def new_day_starts(now: datetime, *, study_day: StudyDay = UTC_MIDNIGHT) -> datetime:
    """When the daily limits reset: the start of the student's next day after ``now`` (UTC)."""
    return study_day.next_start(now)


def retrievability(scheduler: Scheduler, state: CardState | None, now: datetime) -> float:
    """Predicted probability of recalling the card now (0 for a new card)."""
    return scheduler.get_card_retrievability(state.card, now) if state else 0.0


def forecast(states: dict[str, CardState], card_keys: list[str], now: datetime, days: int = 14, *,
             study_day: StudyDay = UTC_MIDNIGHT, held: Collection[str] = ()) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next ``days`` study days; overdue cards count today.
    ``held`` (suspended and buried cards, from ``card_control.held_out``) are left out."""
    wanted = set(card_keys) - set(held)
    counts = Counter(study_day.day_of(max(s.card.due, now)) for k, s in states.items() if k in wanted)
    today = study_day.today(now)
    return [(today + timedelta(days=i), counts.get(today + timedelta(days=i), 0)) for i in range(days)]


def review_days(store: Store, user_id: str, *, study_day: StudyDay = UTC_MIDNIGHT) -> Counter:
    """Reviews per study day, for the activity calendar and the streak.

    Raises:
        StoreError: the database cannot be read.
    """
    return count_by_day(store, "review_log", "reviewed_at", user_id, study_day)


def count_by_day(store: Store, table: str, column: str, user_id: str, study_day: StudyDay) -> Counter:
    """Rows of the student's in ``table`` per study day of their time ``column`` (grouped in SQLite).

    Raises:
        StoreError: the database cannot be read.
    """
    span = store.query(f"select min({column}) as first, max({column}) as last from {table} where user_id = ?",
                       (user_id,))[0]
    if span["first"] is None:
        return Counter()
    day_sql = study_day.sql_day(column, datetime.fromisoformat(span["first"]), datetime.fromisoformat(span["last"]))
    rows = store.query(f"select {day_sql} as day, count(*) as n from {table} where user_id = ? group by day",
                       (user_id,))
    return Counter({date.fromisoformat(r["day"]): r["n"] for r in rows})
