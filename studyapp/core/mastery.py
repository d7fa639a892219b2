"""How well a student knows a card, in levels as Anki counts them: new, learning, young, mature.

A rating says how a recall went; it does not say the card is known. Right after any
review (Again included) FSRS predicts near-certain recall, so "retrievability now"
measures "just seen". A level instead asks what the memory has survived:

- **new**: never reviewed.
- **learning**: in its learning or relearning steps (minutes apart), after a first
  look or after an Again.
- **young**: graduated to day-long intervals, but not (yet) mature.
- **mature**: FSRS's stability is at least 21 days *and* the student has passed a
  review at least one day after the review before it.

21 days is Anki's line between young and mature. With the desired retention of 0.9,
FSRS schedules the next review when predicted recall falls to 90%, which is the
stability by definition, so stability >= 21 days means "still recalled with 90%
probability three weeks after a review": Anki's mature interval. The second condition
is needed because FSRS-6 raises stability for reviews on the same day too: a new card
rated Easy four times within four minutes reaches a stability of 30 days without ever
having been remembered across a night. One day is where FSRS itself separates
same-day (short-term) reviews from long-term ones.

A card is **mastered** while it is mature and not due: once its interval has passed it
counts as due until it is reviewed again. An Again sends any card back to learning,
so an Again never raises mastery.
"""

from __future__ import annotations

import enum
from collections import Counter
from datetime import datetime

from studyapp.core.srs import CardState, State

MATURE_STABILITY_DAYS = 21.0  # Anki's mature interval; = FSRS stability at retention 0.9
REAL_INTERVAL_DAYS = 1.0  # a recall counts as spaced from one day after the review before
MASTERY_HELP = (
    "Mastered = mature and not due: you recalled the card at least a day after its previous "
    "review, and FSRS predicts you will still recall it with 90% probability 3 weeks after a "
    "review (stability of 21 days or more, Anki's \u201cmature\u201d). New, learning (in its "
    "first minutes, or after an Again) and young cards are not mastered yet."
)


class Level(enum.Enum):
    """A card's level, from never seen to mature."""

    NEW = "new"
    LEARNING = "learning"
    YOUNG = "young"
    MATURE = "mature"


def level(state: CardState | None) -> Level:
    """The level of one card (``None``: never reviewed)."""
    if state is None:
        return Level.NEW
    if state.card.state != State.Review:
        return Level.LEARNING
    stable = (state.card.stability or 0.0) >= MATURE_STABILITY_DAYS
    spaced = state.longest_recall_days >= REAL_INTERVAL_DAYS
    return Level.MATURE if stable and spaced else Level.YOUNG


def is_mastered(state: CardState | None, now: datetime) -> bool:
    """Mature and not yet due again at ``now``."""
    return level(state) is Level.MATURE and state.card.due > now


def levels(states: dict[str, CardState], card_keys: list[str]) -> Counter:
    """How many of ``card_keys`` are at each :class:`Level` (every level present, 0 included)."""
    counts = Counter({lv: 0 for lv in Level})
    counts.update(level(states.get(k)) for k in card_keys)
    return counts


def mastered(states: dict[str, CardState], card_keys: list[str], now: datetime) -> int:
    """How many of ``card_keys`` are mastered at ``now``."""
    return sum(is_mastered(states.get(k), now) for k in card_keys)


def mastery(states: dict[str, CardState], card_keys: list[str], now: datetime) -> float:
    """Share of ``card_keys`` mastered at ``now`` (0..1; 0 for no cards)."""
    return mastered(states, card_keys, now) / len(card_keys) if card_keys else 0.0
