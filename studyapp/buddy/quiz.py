"""Quiz me: the student's due cards, then the weakest ones, asked one at a time in the chat.

Only the queue is chosen here. The chat shows a card's front, takes a typed answer,
shows the back beside it, and saves the student's rating through ``srs.preview`` /
``srs.record_review``, the same FSRS path as the Fast Drill.
"""

from __future__ import annotations

import re
from datetime import datetime

from fsrs import Scheduler

from studyapp.core import card_control, srs
from studyapp.core.store import Store

QUIZ_LENGTH = 5
REQUEST = re.compile(r"^\s*(please\s+)?(quiz|test|drill)\s+me\b|^\s*quiz\b", re.I)


def is_quiz_request(text: str) -> bool:
    """True for "quiz me", "test me on double quantization", "drill me please"."""
    return bool(REQUEST.search(text))


def quiz_queue(
    store: Store,
    scheduler: Scheduler,
    user_id: str,
    card_keys: list[str],
    now: datetime,
    limit: int = QUIZ_LENGTH,
) -> list[str]:
    """Cards to quiz, in order: due ones (most overdue first), then the weakest reviewed ones
    (lowest retrievability now, most lapses first), then cards never seen, in course order.
    Suspended and buried cards are never asked.

    Raises:
        StoreError: the database could not be read.
    """
    wanted = set(card_keys) - card_control.held_out(store, user_id, now)
    states = {k: s for k, s in srs.load_states(store, user_id).items() if k in wanted}
    due = sorted((k for k, s in states.items() if s.card.due <= now), key=lambda k: states[k].card.due)
    reviewed = [k for k in states if k not in due]
    weakest = sorted(
        reviewed, key=lambda k: (srs.retrievability(scheduler, states[k], now), -states[k].lapses)
    )
    fresh = [k for k in card_keys if k not in states and k in wanted]
    return (due + weakest + fresh)[:limit]


def askable(store: Store, user_id: str, card_keys: list[str], now: datetime) -> list[str]:
    """``card_keys`` without the student's suspended and buried cards (order kept).

    Raises:
        StoreError: the database could not be read.
    """
    held = card_control.held_out(store, user_id, now)
    return [k for k in card_keys if k not in held]
