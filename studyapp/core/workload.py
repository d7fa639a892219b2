"""The workload a desired retention implies: reviews a day over the next 30 days, simulated.

Raising the desired retention shortens every interval, so more reviews fall due.
:func:`estimate` runs the student's own cards forward with the scheduler their
settings would build, from each card's current FSRS state, and counts the
reviews on each study day. What it assumes (said on the Settings page, from
:data:`ASSUMPTIONS`):

- the student studies every day and reviews each card on the day it falls due;
- they recall a card with the probability FSRS predicts for it then (so the model
  is taken to be right about them), rating Good when they recall and Again when
  they forget; cards in learning or relearning steps pass them;
- new cards start at the daily limit, in course order, until the unseen cards run
  out, each rated Good at first sight;
- suspended and buried cards stay out, and the daily maximum of reviews does not
  hold any back (the figure is the demand, to compare with that maximum).

Each card's future is drawn at random (seeded, so the figure is reproducible) and
averaged over several runs; fuzzing is off, since it only spreads the same reviews.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from studyapp.core import card_control, srs
from studyapp.core.store import Store
from studyapp.core.study_day import StudyDay

HORIZON_DAYS = 30
BUDGET = 4000  # card histories simulated in all (cards x runs): about 0.1-0.3 s
MAX_RUNS = 8
ASSUMPTIONS = (
    "It assumes you study every day and review each card on the day it falls due; that you recall "
    "a card with the probability FSRS predicts for it then (rating Good when you do, Again when you "
    "do not); and that new cards start at your daily limit until the unseen ones run out. Suspended "
    "and buried cards stay out; your maximum of reviews a day holds none back."
)


@dataclass(frozen=True)
class Workload:
    """Expected reviews on each of the next study days, at one desired retention."""

    desired_retention: float
    per_day: tuple[float, ...]  # expected reviews on each day, today first
    cards: int  # cards already studied that were simulated
    new_cards: int  # new cards started within the horizon
    runs: int  # simulations averaged

    @property
    def mean(self) -> float:
        """Reviews a day on average over the horizon."""
        return sum(self.per_day) / len(self.per_day) if self.per_day else 0.0

    @property
    def peak(self) -> float:
        return max(self.per_day, default=0.0)


def estimate(cards: list[FsrsCard], unseen: int, new_per_day: int, scheduler: Scheduler,
             now: datetime, study_day: StudyDay, days: int = HORIZON_DAYS, seed: int = 0) -> Workload:
    """Simulate ``cards`` (the student's studied cards, as fsrs cards) and ``unseen`` new ones
    started ``new_per_day`` a day, under ``scheduler`` (fuzzing off), for ``days`` study days."""
    today = study_day.today(now)
    starts = _new_card_starts(unseen, new_per_day, now, study_day, days)
    runs = max(1, min(MAX_RUNS, BUDGET // max(1, len(cards) + len(starts))))
    counts = [0] * days
    rng = random.Random(seed)
    end = study_day.starts(today + timedelta(days=days))
    for _ in range(runs):
        for card in cards:
            _run(card, max(card.due, now), scheduler, end, rng, counts, study_day, today)
        for start in starts:
            first, _ = scheduler.review_card(FsrsCard(card_id=1, due=start), Rating.Good, start)
            _count(start, counts, study_day, today)
            _run(first, first.due, scheduler, end, rng, counts, study_day, today)
    return Workload(scheduler.desired_retention, tuple(n / runs for n in counts), len(cards), len(starts), runs)


def _new_card_starts(unseen: int, new_per_day: int, now: datetime, study_day: StudyDay,
                     days: int) -> list[datetime]:
    """When each new card is first seen: today's share now, then an hour into each later day."""
    today, starts = study_day.today(now), []
    for d in range(days):
        at = now if d == 0 else study_day.starts(today + timedelta(days=d)) + timedelta(hours=1)
        starts += [at] * max(0, min(new_per_day, unseen - len(starts)))
    return starts


def _run(card: FsrsCard, at: datetime, scheduler: Scheduler, end: datetime, rng: random.Random,
         counts: list[int], study_day: StudyDay, today) -> None:
    """Review one card at each due time before ``end``, recalling it with FSRS's probability."""
    while at < end:
        recalled = rng.random() < scheduler.get_card_retrievability(card, at) if card.stability else True
        card, _ = scheduler.review_card(card, Rating.Good if recalled else Rating.Again, at)
        _count(at, counts, study_day, today)
        at = max(card.due, at)


def _count(at: datetime, counts: list[int], study_day: StudyDay, today) -> None:
    index = (study_day.day_of(at) - today).days
    if 0 <= index < len(counts):
        counts[index] += 1


def for_student(store: Store, user_id: str, card_keys: list[str], settings, now: datetime,
                study_day: StudyDay) -> Workload:
    """:func:`estimate` for a student's cards of ``card_keys`` under ``settings`` (a ``StudySettings``,
    saved or not yet): their studied cards from their states, their unseen ones as new cards;
    suspended and buried cards left out.

    Raises:
        StoreError: the database cannot be read.
    """
    held = card_control.held_out(store, user_id, now)
    states = srs.load_states(store, user_id)
    wanted = set(card_keys) - held
    studied = [s.card for k, s in states.items() if k in wanted]
    unseen = sum(1 for k in card_keys if k not in states and k not in held)
    return estimate(studied, unseen, settings.new_per_day, srs.scheduler_for(settings, enable_fuzzing=False),
                    now, study_day)
