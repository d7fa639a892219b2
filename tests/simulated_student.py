"""A seeded simulated student whose memory follows FSRS with known parameters.

The student studies cards scheduled by the app's scheduler (FSRS's default parameters,
as a real student's history would be), but recalls each card with the probability
that FSRS with the *generating* parameters predicts for their memory of it. A history
made this way has a right answer: the optimizer should move towards the generating
parameters. Every review is a day or more after the one before (no learning steps),
so each one after a card's first is one the optimizer learns from.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

FIRST_RATINGS = ((Rating.Again, 0.2), (Rating.Hard, 0.15), (Rating.Good, 0.55), (Rating.Easy, 0.1))
PASS_RATINGS = ((Rating.Hard, 0.15), (Rating.Good, 0.75), (Rating.Easy, 0.1))
# A student who forgets faster than FSRS's average learner and finds the cards harder:
# initial stabilities (w0-w3) and the recall-stability growth (w8) lower, difficulty (w4) higher.
GENERATING = (0.1, 0.6, 1.5, 5.0, 7.0, *DEFAULT_PARAMETERS[5:8], 1.2, *DEFAULT_PARAMETERS[9:])


@dataclass(frozen=True)
class Review:
    card_key: str
    rating: Rating
    at: datetime
    duration_ms: int
    card_before: Card | None  # the app's card before this review (None for a first review)
    card_after: Card


def _pick(rng: random.Random, weighted) -> Rating:
    return rng.choices([r for r, _ in weighted], weights=[w for _, w in weighted])[0]


def history(reviews: int, *, cards: int, start: datetime, seed: int = 0, parameters=GENERATING,
            desired_retention: float = 0.9, new_per_day: int = 5) -> list[Review]:
    """``reviews`` reviews of ``cards`` cards, time-ordered, from ``start`` on (``new_per_day`` cards
    started a day; the app schedules for ``desired_retention``)."""
    rng = random.Random(seed)
    app = Scheduler(desired_retention=desired_retention, learning_steps=(), relearning_steps=(),
                    enable_fuzzing=False)
    memory = Scheduler(parameters=parameters, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    # Cards start a few a day; each then comes back when the app schedules it. (when, card number, ...)
    pending = [(start + timedelta(days=i // new_per_day, minutes=i), i, None, None) for i in range(cards)]
    made = []
    while len(made) < reviews and pending:
        at, number, shown, known = heapq.heappop(pending)
        key = f"sim/c{number}"
        if shown is None:
            rating, shown, known = _pick(rng, FIRST_RATINGS), Card(card_id=1, due=at), Card(card_id=1, due=at)
        else:
            recalled = rng.random() < memory.get_card_retrievability(known, at)
            rating = _pick(rng, PASS_RATINGS) if recalled else Rating.Again
        after, _ = app.review_card(shown, rating, at)
        known, _ = memory.review_card(known, rating, at)
        before = None if shown.last_review is None else shown
        made.append(Review(key, rating, at, rng.randint(2000, 9000), before, after))
        # The student comes back at the due time, at a random hour of that day.
        heapq.heappush(pending, (after.due + timedelta(hours=rng.uniform(0, 8)), number, after, known))
    return made


def store_rows(made: list[Review], user_id: str) -> tuple[list[dict], list[dict]]:
    """(card_state rows, review_log rows) for a store, as the app would have written them."""
    import json

    last: dict[str, tuple[Review, int, int]] = {}
    first: dict[str, datetime] = {}
    recall: dict[str, float] = {}  # the longest gap (days) a passed review spanned (migration 4's column)
    logs = []
    for r in made:
        first.setdefault(r.card_key, r.at)
        if r.card_before is not None and r.rating != Rating.Again:
            gap = (r.at - r.card_before.last_review).total_seconds() / 86400
            recall[r.card_key] = max(recall.get(r.card_key, 0.0), gap)
        _, reps, lapses = last.get(r.card_key, (None, 0, 0))
        lapsed = r.card_before is not None and r.rating == Rating.Again
        snapshot = (json.dumps({"card": r.card_before.to_dict(), "reps": reps, "lapses": lapses})
                    if r.card_before is not None else None)
        logs.append({"user_id": user_id, "card_key": r.card_key, "rating": int(r.rating),
                     "reviewed_at": r.at.isoformat(), "duration_ms": r.duration_ms,
                     "state_before": int(r.card_before.state) if r.card_before else 0,
                     "interval_days": (r.card_after.due - r.at).total_seconds() / 86400,
                     "card_before": snapshot,
                     "stability_before": r.card_before.stability if r.card_before else None})
        last[r.card_key] = (r, reps + 1, lapses + int(lapsed))
    states = []
    for key, (r, reps, lapses) in last.items():
        card = r.card_after
        states.append({"user_id": user_id, "card_key": key, "card_json": card.to_json(),
                       "due": card.due.isoformat(), "state": int(card.state), "stability": card.stability,
                       "difficulty": card.difficulty, "reps": reps, "lapses": lapses,
                       "first_reviewed_at": first[key].isoformat(), "last_reviewed_at": r.at.isoformat(),
                       "longest_recall_days": recall.get(key, 0.0)})
    return states, logs


def fill(store, made: list[Review], user_id: str = "local") -> None:
    """Write a simulated history into ``store`` as the student's."""
    states, logs = store_rows(made, user_id)
    with store.writing("fill") as db:
        db["card_state"].insert_all(states, batch_size=1000)
        db["review_log"].insert_all(logs, batch_size=5000)
