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
from studyapp.core.study_day import UTC_MIDNIGHT, StudyDay


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


def limit_reason(queue: srs.StudyQueue, now: datetime, *, study_day: StudyDay = UTC_MIDNIGHT) -> str | None:
    """Why cards are not offered (today's new-card limit, today's maximum of reviews), and when
    the limits reset (the start of the student's next day); else None."""
    reasons = []
    if queue.limit_reached:
        held = queue.unseen - len(queue.new)
        reasons.append(f"Today's limit of {plural(queue.new_limit, 'new card')} is reached "
                       f"({queue.new_started} started today, across all units), so {plural(held, 'unseen card')} "
                       f"{'waits' if held == 1 else 'wait'}.")
    if queue.due_held:
        reasons.append(f"Today's maximum of {plural(queue.review_limit, 'review')} is reached, so "
                       f"{plural(queue.due_held, 'due card')} {'waits' if queue.due_held == 1 else 'wait'}.")
    if not reasons:
        return None
    resets = srs.new_day_starts(now, study_day=study_day)
    which = "The limit resets" if len(reasons) == 1 else "The limits reset"
    return " ".join(reasons) + f" {which} at {_when(study_day)}, in {srs.format_interval(resets - now)}."


def _when(study_day: StudyDay) -> str:
    # "midnight UTC" for the old day; "04:00 Europe/Berlin" for a student's own.
    return "midnight UTC" if study_day == UTC_MIDNIGHT else study_day.label()


def quiz_nudge(queue: srs.StudyQueue, now: datetime, *, study_day: StudyDay = UTC_MIDNIGHT) -> str | None:
    """The line above a unit's quiz: the cards still to study in the Fast Drill, if any."""
    cards = waiting(queue)
    reason = limit_reason(queue, now, study_day=study_day)
    if cards is None and reason is None:
        return None
    head = (f"Before the quiz, {cards} wait in the Fast Drill." if cards
            else "Every card offered today is done.")
    return head + (f" {reason}" if reason else "")


def all_done(queue: srs.StudyQueue, now: datetime, reviewed: int, *, study_day: StudyDay = UTC_MIDNIGHT) -> str:
    """The drill's end screen when no card is left to show."""
    done = f"You reviewed {plural(reviewed, 'card')} this session. " if reviewed else ""
    reason = limit_reason(queue, now, study_day=study_day)
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
               now: datetime, *, study_day: StudyDay = UTC_MIDNIGHT) -> NextStep:
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
    reason = limit_reason(queue, now, study_day=study_day)
    return NextStep("done", None, reason or "You are up to date. Come back when cards are due.")


def _without_new(queue: srs.StudyQueue) -> srs.StudyQueue:
    return replace(queue, new=())
