"""Spaced repetition around the ``fsrs`` scheduler, as Anki users expect it.

The four outcomes of a card are computed once when the card is shown
(:func:`preview`), the button the student presses saves that outcome
(:func:`record_review`), and the review log keeps the card as it was before,
so :func:`undo_last_review` can put it back. A card with no row in
``card_state`` is new; new cards enter the queue up to a daily limit.

Mastery of a unit (documented in the README): the share of its cards whose
retrievability now, as FSRS predicts it, is at least the desired retention
(0.9). New cards count as not mastered; a card rated Again drops out until its
stability recovers.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from studyapp.core.store import Store

DESIRED_RETENTION = 0.9
NEW_CARDS_PER_DAY = 20
LEECH_LAPSES = 8  # Anki's default leech threshold
MASTERY_HELP = (
    "Share of this unit's cards you would recall right now with at least 90% probability, "
    "as FSRS predicts from your reviews. New cards count as not mastered."
)
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

    @property
    def is_leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES


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
    """The stored state of one card, or None when the student has never reviewed it."""
    rows = store.query("select * from card_state where user_id = ? and card_key = ?", (user_id, card_key))
    return _state_from_row(rows[0]) if rows else None


def load_states(store: Store, user_id: str) -> dict[str, CardState]:
    """Every card the student has reviewed, by card key."""
    rows = store.query("select * from card_state where user_id = ?", (user_id,))
    return {row["card_key"]: _state_from_row(row) for row in rows}


def _state_from_row(row: dict) -> CardState:
    return CardState(row["card_key"], FsrsCard.from_json(row["card_json"]), row["reps"], row["lapses"],
                     row["first_reviewed_at"])


def record_review(store: Store, user_id: str, card_key: str, outcome: Outcome, now: datetime,
                  duration_ms: int | None = None) -> CardState:
    """Save the chosen outcome and its log row in one transaction; return the new state.

    The state before is read inside the write transaction, so two ratings of one
    card at once (two tabs) both count: neither loses the other's reps or lapses.
    """
    with store.writing("save your review to") as db:
        before = _load_state_in(db, user_id, card_key)
        lapsed = before is not None and before.card.state == State.Review and outcome.rating == Rating.Again
        after = CardState(card_key, outcome.card, (before.reps if before else 0) + 1,
                          (before.lapses if before else 0) + int(lapsed),
                          before.first_reviewed_at if before else now.isoformat())
        db["card_state"].upsert(_state_row(user_id, after, now), pk=("user_id", "card_key"))
        db["review_log"].insert({
            "user_id": user_id, "card_key": card_key, "rating": int(outcome.rating),
            "reviewed_at": now.isoformat(), "duration_ms": duration_ms,
            "state_before": int(before.card.state) if before else 0,
            "interval_days": outcome.interval.total_seconds() / 86400,
            "card_before": _snapshot(before),
        })
    return after


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
    }


def _snapshot(state: CardState | None) -> str | None:
    if state is None:
        return None
    return json.dumps({"card": state.card.to_dict(), "reps": state.reps, "lapses": state.lapses})


def undo_last_review(store: Store, user_id: str) -> str | None:
    """Undo the student's most recent rating; return its card key, or None if nothing to undo."""
    with store.writing("undo your last review in") as db:
        rows = list(db.query("select * from review_log where user_id = ? order by id desc limit 1", (user_id,)))
        if not rows:
            return None
        log = rows[0]
        db["review_log"].delete(log["id"])
        if log["card_before"] is None:
            db["card_state"].delete((user_id, log["card_key"]))
        else:
            _restore(db, user_id, log)
    return log["card_key"]


def _restore(db, user_id: str, log: dict) -> None:
    snap = json.loads(log["card_before"])
    card = FsrsCard.from_dict(snap["card"])
    first = db.execute("select first_reviewed_at from card_state where user_id = ? and card_key = ?",
                       (user_id, log["card_key"])).fetchone()
    state = CardState(log["card_key"], card, snap["reps"], snap["lapses"], first[0] if first else None)
    # A card with a snapshot had been reviewed, so it has a last review: no clock is read here.
    db["card_state"].upsert(_state_row(user_id, state, card.last_review), pk=("user_id", "card_key"))


def new_cards_started(store: Store, user_id: str, day: date) -> int:
    """How many cards the student saw for the first time on ``day`` (UTC)."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    rows = store.query(
        "select count(*) as n from card_state where user_id = ? and first_reviewed_at >= ? and first_reviewed_at < ?",
        (user_id, start.isoformat(), (start + timedelta(days=1)).isoformat()),
    )
    return rows[0]["n"]


def due_queue(store: Store, user_id: str, card_keys: list[str], now: datetime,
              new_per_day: int = NEW_CARDS_PER_DAY) -> list[str]:
    """Cards to review now, in order: due cards by due time, then new cards up to today's limit.

    ``card_keys`` are the cards that exist in the course (in course order); stored
    states of removed cards are ignored.
    """
    wanted, cutoff = set(card_keys), now.isoformat()
    rows = store.query("select card_key, due from card_state where user_id = ? order by due", (user_id,))
    due = [r["card_key"] for r in rows if r["card_key"] in wanted and r["due"] <= cutoff]
    seen = {r["card_key"] for r in rows}
    budget = max(0, new_per_day - new_cards_started(store, user_id, now.date()))
    fresh = [k for k in card_keys if k not in seen][:budget]
    return due + fresh


def next_due(store: Store, user_id: str, card_keys: list[str], now: datetime) -> datetime | None:
    """When the next not-yet-due card of these falls due (None when none is scheduled)."""
    rows = store.query("select card_key, due from card_state where user_id = ? and due > ? order by due",
                       (user_id, now.isoformat()))
    wanted = set(card_keys)
    return next((datetime.fromisoformat(r["due"]) for r in rows if r["card_key"] in wanted), None)


def retrievability(scheduler: Scheduler, state: CardState | None, now: datetime) -> float:
    """Predicted probability of recalling the card now (0 for a new card)."""
    return scheduler.get_card_retrievability(state.card, now) if state else 0.0


def mastery(scheduler: Scheduler, states: dict[str, CardState], card_keys: list[str], now: datetime) -> float:
    """Share of these cards recalled now with probability >= the desired retention (0..1)."""
    if not card_keys:
        return 0.0
    known = sum(retrievability(scheduler, states.get(k), now) >= DESIRED_RETENTION - 1e-9 for k in card_keys)
    return known / len(card_keys)


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
