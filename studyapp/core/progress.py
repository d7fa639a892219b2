"""What a student has done, summed up per unit and over time (for Home and the unit header)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import Scheduler

from studyapp.core import quiz, srs
from studyapp.core.content import Course, Unit
from studyapp.core.store import Store


@dataclass(frozen=True)
class UnitProgress:
    """One unit's numbers as Home shows them."""

    slug: str
    sections_read: int
    sections_total: int
    cards_seen: int
    cards_total: int
    due: int
    mastery: float  # 0..1, see srs.mastery
    quiz_right: int
    quiz_total: int
    leeches: int


def mark_read(store: Store, user_id: str, unit_slug: str, section: str, now: datetime) -> None:
    """Record that the student finished reading a section (idempotent)."""
    with store.writing("save your reading progress to") as db:
        db["reading"].insert({"user_id": user_id, "unit_slug": unit_slug, "section": section,
                              "done_at": now.isoformat()}, pk=("user_id", "unit_slug", "section"), ignore=True)


def unmark_read(store: Store, user_id: str, unit_slug: str, section: str) -> None:
    """Forget that a section was read."""
    with store.writing("save your reading progress to") as db:
        db["reading"].delete_where("user_id = ? and unit_slug = ? and section = ?", [user_id, unit_slug, section])


def sections_read(store: Store, user_id: str, unit_slug: str) -> set[str]:
    """Slugs of the sections of a unit the student marked as read."""
    rows = store.query("select section from reading where user_id = ? and unit_slug = ?", (user_id, unit_slug))
    return {r["section"] for r in rows}


def unit_progress(store: Store, scheduler: Scheduler, user_id: str, unit: Unit, now: datetime,
                  states: dict[str, srs.CardState] | None = None, due_keys: set[str] | None = None) -> UnitProgress:
    """Summarise one unit for one student."""
    states = srs.load_states(store, user_id) if states is None else states
    keys = [c.key for c in unit.cards]
    done = sections_read(store, user_id, unit.slug) & {s.slug for s in unit.sections}
    if due_keys is None:
        due_keys = {k for k in keys if k in states and states[k].card.due <= now}
    right, total = quiz.score(quiz.latest_results(store, user_id, unit.slug), list(unit.questions))
    return UnitProgress(
        slug=unit.slug, sections_read=len(done), sections_total=len(unit.sections),
        cards_seen=sum(k in states for k in keys), cards_total=len(keys),
        due=sum(k in due_keys for k in keys), mastery=srs.mastery(scheduler, states, keys, now),
        quiz_right=right, quiz_total=total, leeches=sum(states[k].is_leech for k in keys if k in states),
    )


def course_progress(store: Store, scheduler: Scheduler, user_id: str, course: Course, now: datetime,
                    states: dict[str, srs.CardState] | None = None) -> list[UnitProgress]:
    """Every valid unit's progress, loading the card states once (or using ``states``)."""
    states = srs.load_states(store, user_id) if states is None else states
    return [unit_progress(store, scheduler, user_id, unit, now, states) for unit in course.units]


def activity(store: Store, user_id: str) -> Counter:
    """Study actions per UTC day: reviews plus quiz answers."""
    days = srs.review_days(store, user_id)
    rows = store.query("select substr(answered_at, 1, 10) as day, count(*) as n from quiz_attempt "
                       "where user_id = ? group by day", (user_id,))
    days.update({date.fromisoformat(r["day"]): r["n"] for r in rows})
    return days


def streak(days: Counter, today: date) -> int:
    """Consecutive days with study ending today (or yesterday, so a streak survives until tonight)."""
    day = today if days.get(today) else today - timedelta(days=1)
    count = 0
    while days.get(day):
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class NextStep:
    """What Home suggests studying next."""

    kind: str  # "review" | "read" | "new-cards" | "done"
    unit_slug: str | None
    message: str


def study_next(units: list[Unit], rows: dict[str, UnitProgress], due_reviews: int, new_waiting: int) -> NextStep:
    """Due cards first (memory decays), then the next unit not fully read, then new cards."""
    if due_reviews:
        return NextStep("review", None, f"Review {due_reviews} due card{'s' if due_reviews != 1 else ''} first.")
    for unit in units:
        stats = rows[unit.slug]
        if stats.sections_read < stats.sections_total:
            verb = "Continue" if stats.sections_read else "Start"
            return NextStep("read", unit.slug, f"{verb} unit {unit.order}: {unit.title}.")
    if new_waiting:
        return NextStep("new-cards", None, f"Learn {new_waiting} new card{'s' if new_waiting != 1 else ''}.")
    return NextStep("done", None, "You are up to date. Come back when cards are due.")


def unit_status(stats: UnitProgress) -> str:
    """'done', 'in progress' or 'not started', for the course map."""
    finished = stats.sections_read == stats.sections_total and stats.cards_seen == stats.cards_total
    if finished and stats.quiz_total and stats.quiz_right == stats.quiz_total:
        return "done"
    touched = stats.sections_read or stats.cards_seen or stats.quiz_right
    return "in progress" if touched else "not started"
