"""What a student has done, summed up per unit and over time (for Home and the unit header).

The card counts come from :func:`srs.study_queue`, the function the drill works
from, so Home, the unit header, the quiz's nudge and the drill always agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from studyapp.core import mastery as mastery_mod
from studyapp.core import quiz, srs
from studyapp.core.content import Course, Unit
from studyapp.core.store import Store
from studyapp.core.study_day import UTC_MIDNIGHT, StudyDay


@dataclass(frozen=True)
class UnitProgress:
    """One unit's numbers as Home and the unit header show them."""

    slug: str
    read: frozenset[str]  # slugs of the sections marked as read
    sections_total: int
    cards_seen: int
    cards_total: int
    queue: srs.StudyQueue  # what the unit's drill has left: new, learning, due
    mastered: int  # cards mastered now (core/mastery.py)
    levels: dict  # mastery.Level -> number of the unit's cards at that level
    quiz_right: int
    quiz_total: int
    leeches: int

    @property
    def sections_read(self) -> int:
        return len(self.read)

    @property
    def mastery(self) -> float:
        """Share of the unit's cards mastered now (0..1)."""
        return self.mastered / self.cards_total if self.cards_total else 0.0

    @property
    def new(self) -> int:
        return len(self.queue.new)

    @property
    def learning(self) -> int:
        return len(self.queue.learning)

    @property
    def due(self) -> int:
        return len(self.queue.due)


def mark_read(store: Store, user_id: str, unit_slug: str, section: str, now: datetime) -> None:
    """Record that the student finished reading a section (idempotent).

    Raises:
        StoreError: it could not be saved.
    """
    with store.writing("save your reading progress to") as db:
        db["reading"].insert({"user_id": user_id, "unit_slug": unit_slug, "section": section,
                              "done_at": now.isoformat()}, pk=("user_id", "unit_slug", "section"), ignore=True)


def unmark_read(store: Store, user_id: str, unit_slug: str, section: str) -> None:
    """Forget that a section was read.

    Raises:
        StoreError: it could not be saved.
    """
    with store.writing("save your reading progress to") as db:
        db["reading"].delete_where("user_id = ? and unit_slug = ? and section = ?", [user_id, unit_slug, section])


def sections_read(store: Store, user_id: str, unit_slug: str) -> set[str]:
    """Slugs of the sections of a unit the student marked as read.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select section from reading where user_id = ? and unit_slug = ?", (user_id, unit_slug))
    return {r["section"] for r in rows}


def unit_progress(store: Store, user_id: str, unit: Unit, now: datetime,
                  states: dict[str, srs.CardState] | None = None,
                  new_per_day: int = srs.NEW_CARDS_PER_DAY, **limits) -> UnitProgress:
    """Summarise one unit for one student (``states``: all their card states, when already loaded;
    ``limits``: :func:`srs.study_queue`'s ``study_day`` and ``max_reviews``).

    Raises:
        StoreError: the database cannot be read.
    """
    states = srs.load_states(store, user_id) if states is None else states
    keys = [c.key for c in unit.cards]
    done = sections_read(store, user_id, unit.slug) & {s.slug for s in unit.sections}
    right, total = quiz.score(quiz.latest_results(store, user_id, unit.slug), list(unit.questions))
    return UnitProgress(
        slug=unit.slug, read=frozenset(done), sections_total=len(unit.sections),
        cards_seen=sum(k in states for k in keys), cards_total=len(keys),
        queue=srs.study_queue(store, user_id, keys, now, new_per_day, **limits),
        mastered=mastery_mod.mastered(states, keys, now), levels=dict(mastery_mod.levels(states, keys)),
        quiz_right=right, quiz_total=total, leeches=sum(states[k].is_leech for k in keys if k in states),
    )


def course_progress(store: Store, user_id: str, course: Course, now: datetime,
                    states: dict[str, srs.CardState] | None = None,
                    new_per_day: int = srs.NEW_CARDS_PER_DAY, **limits) -> list[UnitProgress]:
    """Every valid unit's progress, loading the card states once (or using ``states``).

    Raises:
        StoreError: the database cannot be read.
    """
    states = srs.load_states(store, user_id) if states is None else states
    return [unit_progress(store, user_id, unit, now, states, new_per_day, **limits) for unit in course.units]


def activity(store: Store, user_id: str, *, study_day: StudyDay = UTC_MIDNIGHT) -> Counter:
    """Study actions per study day: reviews, reviews while cramming, and quiz answers.

    Raises:
        StoreError: the database cannot be read.
    """
    days = srs.review_days(store, user_id, study_day=study_day)
    days.update(srs.count_by_day(store, "cram_review", "reviewed_at", user_id, study_day))
    days.update(srs.count_by_day(store, "quiz_attempt", "answered_at", user_id, study_day))
    return days


def streak(days: Counter, today: date) -> int:
    """Consecutive days with study ending today (or yesterday, so a streak survives until tonight)."""
    day = today if days.get(today) else today - timedelta(days=1)
    count = 0
    while days.get(day):
        count += 1
        day -= timedelta(days=1)
    return count


def unit_status(stats: UnitProgress) -> str:
    """'done', 'in progress' or 'not started', for the course map."""
    finished = stats.sections_read == stats.sections_total and stats.cards_seen == stats.cards_total
    if finished and stats.quiz_total and stats.quiz_right == stats.quiz_total:
        return "done"
    touched = stats.sections_read or stats.cards_seen or stats.quiz_right
    return "in progress" if touched else "not started"
