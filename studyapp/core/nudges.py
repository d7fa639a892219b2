"""What the app tells a student about their cards, worded once from one :class:`srs.StudyQueue`.

The drill's end screen, the quiz's nudge and Home all say it through these
functions, so they cannot disagree: new, learning and due are counted apart (as
Anki does), and when unseen cards wait only because of the daily new-card limit,
that is the reason given, with when it resets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from studyapp.core import srs
from studyapp.core.content import Unit
from studyapp.core.progress import UnitProgress


def plural(n: int, word: str) -> str:
    """'1 card', '2 cards', '1 day', '0 days'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts(queue: srs.StudyQueue) -> str:
    """'3 new · 1 learning · 2 due': what the drill has left, in Anki's order."""
    return f"{len(queue.new)} new · {len(queue.learning)} learning · {len(queue.due)} due"


def waiting(queue: srs.StudyQueue) -> str | None:
    """'3 new, 1 learning and 2 due cards' (the non-zero parts), or None when nothing waits."""
    parts = [f"{n} {what}" for n, what in ((len(queue.new), "new"), (len(queue.learning), "learning"),
                                           (len(queue.due), "due")) if n]
    if not parts:
        return None
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{text} card{'' if sum((len(queue.new), len(queue.learning), len(queue.due))) == 1 else 's'}"


def limit_reason(queue: srs.StudyQueue, now: datetime) -> str | None:
    """Why unseen cards are not offered (today's new-card limit), and when it resets; else None."""
    if not queue.limit_reached:
        return None
    held = queue.unseen - len(queue.new)
    resets = srs.new_day_starts(now)
    return (f"Today's limit of {plural(queue.new_limit, 'new card')} is reached "
            f"({queue.new_started} started today, across all units), so {plural(held, 'unseen card')} "
            f"{'waits' if held == 1 else 'wait'}. The limit resets at midnight UTC, in "
            f"{srs.format_interval(resets - now)}.")


def quiz_nudge(queue: srs.StudyQueue, now: datetime) -> str | None:
    """The line above a unit's quiz: the cards still to study in the Fast Drill, if any."""
    cards = waiting(queue)
    reason = limit_reason(queue, now)
    if cards is None and reason is None:
        return None
    head = (f"Before the quiz, {cards} wait in the Fast Drill." if cards
            else "Every card offered today is done.")
    return head + (f" {reason}" if reason else "")


def all_done(queue: srs.StudyQueue, now: datetime, reviewed: int) -> str:
    """The drill's end screen when no card is left to show."""
    done = f"You reviewed {plural(reviewed, 'card')} this session. " if reviewed else ""
    reason = limit_reason(queue, now)
    if reason:
        return f"**No more cards for now.** {done}{reason}"
    when = (f" The next review is due in {srs.format_interval(queue.next_review - now)}."
            if queue.next_review else "")
    return f"**All caught up.** {done}".rstrip() + when


@dataclass(frozen=True)
class NextStep:
    """What Home suggests studying next."""

    kind: str  # "review" | "read" | "new-cards" | "done"
    unit_slug: str | None
    message: str


def study_next(units: list[Unit], rows: dict[str, UnitProgress], queue: srs.StudyQueue,
               now: datetime) -> NextStep:
    """Learning and due cards first (memory decays), then the next unit not fully read, then new cards."""
    pending = len(queue.learning) + len(queue.due)
    if pending:
        return NextStep("review", None, f"Review your {waiting(_without_new(queue))} first.")
    for unit in units:
        stats = rows[unit.slug]
        if stats.sections_read < stats.sections_total:
            verb = "Continue" if stats.sections_read else "Start"
            return NextStep("read", unit.slug, f"{verb} unit {unit.order}: {unit.title}.")
    if queue.new:
        return NextStep("new-cards", None, f"Learn {plural(len(queue.new), 'new card')}.")
    reason = limit_reason(queue, now)
    return NextStep("done", None, reason or "You are up to date. Come back when cards are due.")


def _without_new(queue: srs.StudyQueue) -> srs.StudyQueue:
    return replace(queue, new=())
