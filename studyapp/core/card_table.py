"""The card browser's rows: every card of the course with its schedule, memory and controls.

One :class:`CardRow` per card in course order, built from the student's card
states and controls in two reads; :func:`select` filters them as the Cards page's
search box and filters do (Anki's browser, in the few filters a student uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Scheduler, State

from studyapp.core import card_control, mastery, srs
from studyapp.core.content import Course

STATES = {None: "new", State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}
SHOW = ("all", "due", "suspended", "buried", "flagged", "leeches")


@dataclass(frozen=True)
class CardRow:
    """One card as the browser lists it."""

    key: str
    unit: str  # the unit's slug
    kind: str
    front: str
    back: str
    state: str  # new | learning | review | relearning
    level: str  # mastery level: new | learning | young | mature
    due: datetime | None  # UTC; None for a new card
    stability: float | None  # days
    difficulty: float | None  # 1..10
    retrievability: float | None  # predicted recall now, 0..1
    reps: int
    lapses: int
    suspended: bool
    buried: bool
    flag: str  # card_control.FLAGS name ("none" when unflagged)

    @property
    def leech(self) -> bool:
        return self.lapses >= card_control.LEECH_LAPSES

    def is_due(self, now: datetime) -> bool:
        return self.due is not None and self.due <= now and not (self.suspended or self.buried)


def rows(course: Course, states: dict[str, srs.CardState], controls: dict[str, card_control.Control],
         scheduler: Scheduler, now: datetime) -> list[CardRow]:
    """Every card of the course, in course order, for one student."""
    found = []
    for card in course.cards:
        state, control = states.get(card.key), controls.get(card.key, card_control.Control(card.key))
        fsrs = state.card if state else None
        found.append(CardRow(
            card.key, card.unit_slug, card.kind, card.front, card.back, STATES[fsrs.state if fsrs else None],
            mastery.level(state).value, fsrs.due if fsrs else None, fsrs.stability if fsrs else None,
            fsrs.difficulty if fsrs else None, srs.retrievability(scheduler, state, now) if state else None,
            state.reps if state else 0, state.lapses if state else 0, control.suspended, control.buried(now),
            card_control.FLAGS[control.flag]))
    return found


def select(found: list[CardRow], now: datetime, *, text: str = "", unit: str | None = None,
           states: tuple[str, ...] = (), show: str = "all") -> list[CardRow]:
    """The rows matching every filter given: ``text`` in the front, back or key (any case),
    the ``unit``, one of ``states``, and ``show`` (one of :data:`SHOW`).

    Raises:
        ValueError: ``show`` is not one of :data:`SHOW`.
    """
    if show not in SHOW:
        raise ValueError(f"show={show!r}: choose one of {', '.join(SHOW)}")
    needle = text.strip().lower()
    tests = {"all": lambda r: True, "due": lambda r: r.is_due(now), "suspended": lambda r: r.suspended,
             "buried": lambda r: r.buried, "flagged": lambda r: r.flag != "none", "leeches": lambda r: r.leech}
    return [r for r in found
            if (not needle or needle in f"{r.front}\n{r.back}\n{r.key}".lower())
            and (unit is None or r.unit == unit) and (not states or r.state in states) and tests[show](r)]
