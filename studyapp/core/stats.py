"""A student's statistics, as Anki's Statistics screen counts them, per unit or for the course.

- **True retention**: among reviews of cards in the *review* state (not new, not in
  learning or relearning steps), the share recalled (Hard, Good or Easy), per day,
  week or month and over Anki's periods, beside the desired retention. Split
  young/mature by the card's FSRS stability just before the review, at
  ``mastery.MATURE_STABILITY_DAYS`` (21 days, the line core/mastery.py draws): the
  log keeps each card as it was before a review, not its level then, and the
  level's second test (a recall a day or more apart) is met by every review-state
  review but a handful on the day a card graduates.
- **Reviews a day and time spent**: every rating (the drill and the buddy's quiz),
  split into new/learning and review, from ``duration_ms``; cramming is shown apart.
- **Forecast, levels and distributions**: of the cards' current FSRS states
  (stability in days, difficulty 1-10, retrievability now); suspended and buried
  cards are not due in the forecast.

Days are the student's study days (``StudyDay``), grouped by SQLite: the page stays
fast at 100,000 reviews.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import Scheduler, State

from studyapp.core import card_control, mastery, srs
from studyapp.core.store import Store
from studyapp.core.study_day import StudyDay

PERIODS = (("Today", 0, 1), ("Yesterday", 1, 2), ("Last 7 days", 0, 7), ("Last 30 days", 0, 30),
           ("Last 365 days", 0, 365), ("All time", 0, None))  # (label, from days ago, to days ago)
GROUPINGS = ("day", "week", "month")


@dataclass(frozen=True)
class Day:
    """One study day's reviews (cramming apart)."""

    reviews: int = 0  # every rating that was a review of the schedule
    milliseconds: int = 0  # time spent on them (reviews without a duration count 0)
    young: int = 0  # reviews of young cards in the review state
    young_passed: int = 0
    mature: int = 0
    mature_passed: int = 0
    cram: int = 0  # cram answers (never a review of the schedule)
    cram_milliseconds: int = 0

    @property
    def review_state(self) -> int:
        return self.young + self.mature

    @property
    def learning(self) -> int:
        """New cards and cards in their learning or relearning steps."""
        return self.reviews - self.review_state


@dataclass(frozen=True)
class Retention:
    """True retention over some reviews: passed of total, young and mature."""

    label: str
    young_passed: int
    young: int
    mature_passed: int
    mature: int

    @property
    def passed(self) -> int:
        return self.young_passed + self.mature_passed

    @property
    def total(self) -> int:
        return self.young + self.mature

    @staticmethod
    def share(passed: int, total: int) -> float | None:
        """passed / total, or None when there were no reviews."""
        return passed / total if total else None


@dataclass(frozen=True)
class CardFigures:
    """One studied card's current FSRS figures."""

    card_key: str
    stability: float  # days for predicted recall to fall to 90%
    difficulty: float  # 1 (easy) .. 10 (hard)
    retrievability: float  # predicted recall now, 0..1


@dataclass(frozen=True)
class Statistics:
    """Everything the Statistics page draws, for one scope."""

    today: date
    days: dict[date, Day]
    cards: tuple[CardFigures, ...]
    levels: dict  # mastery.Level -> cards of the scope at that level
    forecast: list[tuple[date, int]]
    desired_retention: float

    def retention_table(self) -> list[Retention]:
        """True retention over Anki's periods (today, yesterday, 7/30/365 days, all time)."""
        rows = []
        for label, start, end in PERIODS:
            first = None if end is None else self.today - timedelta(days=end - 1)
            last = self.today - timedelta(days=start)
            rows.append(_sum(label, [d for k, d in self.days.items() if (first is None or k >= first) and k <= last]))
        return rows

    def retention_series(self, grouping: str) -> list[tuple[date, Retention]]:
        """True retention per day, week (from Monday) or month, oldest first (periods with reviews).

        Raises:
            ValueError: ``grouping`` is not one of :data:`GROUPINGS`.
        """
        if grouping not in GROUPINGS:
            raise ValueError(f"grouping={grouping!r}: choose one of {', '.join(GROUPINGS)}")
        groups: dict[date, list[Day]] = {}
        for day, row in sorted(self.days.items()):
            groups.setdefault(_period_start(day, grouping), []).append(row)
        series = [(start, _sum(start.isoformat(), rows)) for start, rows in groups.items()]
        return [(start, r) for start, r in series if r.total]


def _period_start(day: date, grouping: str) -> date:
    if grouping == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if grouping == "month" else day


def _sum(label: str, rows: list[Day]) -> Retention:
    return Retention(label, sum(r.young_passed for r in rows), sum(r.young for r in rows),
                     sum(r.mature_passed for r in rows), sum(r.mature for r in rows))


def statistics(store: Store, user_id: str, card_keys: list[str], now: datetime, scheduler: Scheduler,
               study_day: StudyDay, forecast_days: int = 30) -> Statistics:
    """The student's statistics for ``card_keys`` (a unit's, or the course's) now.

    Raises:
        StoreError: the database cannot be read.
    """
    states = {k: s for k, s in srs.load_states(store, user_id).items() if k in set(card_keys)}
    held = card_control.held_out(store, user_id, now)
    days = daily(store, user_id, card_keys, study_day)
    figures = tuple(CardFigures(k, s.card.stability or 0.0, s.card.difficulty or 0.0,
                                srs.retrievability(scheduler, s, now)) for k, s in states.items())
    return Statistics(study_day.today(now), days, figures, dict(mastery.levels(states, card_keys)),
                      srs.forecast(states, card_keys, now, forecast_days, study_day=study_day, held=held),
                      scheduler.desired_retention)


def daily(store: Store, user_id: str, card_keys: list[str], study_day: StudyDay) -> dict[date, Day]:
    """Each study day's :class:`Day` for ``card_keys`` (days without reviews left out).

    Raises:
        StoreError: the database cannot be read.
    """
    keys = json.dumps(list(card_keys))
    reviews = _grouped(store, "review_log", REVIEW_COLUMNS, user_id, keys, study_day)
    crams = _grouped(store, "cram_review", CRAM_COLUMNS, user_id, keys, study_day)
    result = {}
    for day in sorted(set(reviews) | set(crams)):
        r, c = reviews.get(day, {}), crams.get(day, {})
        result[day] = Day(r.get("n", 0), r.get("ms", 0), r.get("rs", 0) - r.get("mat", 0),
                          r.get("rp", 0) - r.get("matp", 0), r.get("mat", 0), r.get("matp", 0),
                          c.get("n", 0), c.get("ms", 0))
    return result


_REVIEW, _MATURE = int(State.Review), mastery.MATURE_STABILITY_DAYS
# Every column read here is in the index review_log_by_day (migration 5): no table row is read.
_IS_MATURE = f"(state_before = {_REVIEW} and coalesce(stability_before, 0) >= {_MATURE})"
REVIEW_COLUMNS = (
    "count(*) as n, coalesce(sum(duration_ms), 0) as ms,"
    f" sum(state_before = {_REVIEW}) as rs, sum(state_before = {_REVIEW} and rating >= 2) as rp,"
    f" sum({_IS_MATURE}) as mat, sum({_IS_MATURE} and rating >= 2) as matp"
)
CRAM_COLUMNS = "count(*) as n, coalesce(sum(duration_ms), 0) as ms"


def _grouped(store: Store, table: str, columns: str, user_id: str, keys: str,
             study_day: StudyDay) -> dict[date, dict]:
    span = store.query(f"select min(reviewed_at) as first, max(reviewed_at) as last from {table} "
                       "where user_id = ?", (user_id,))[0]
    if span["first"] is None:
        return {}
    day_sql = study_day.sql_day("reviewed_at", datetime.fromisoformat(span["first"]),
                                datetime.fromisoformat(span["last"]))
    rows = store.query(f"select {day_sql} as day, {columns} from {table} where user_id = ? "
                       "and card_key in (select value from json_each(?)) group by day", (user_id, keys))
    return {date.fromisoformat(r["day"]): r for r in rows}


def activity(stats: Statistics) -> Counter:
    """Reviews and cram answers per study day (the calendar heatmap)."""
    return Counter({day: d.reviews + d.cram for day, d in stats.days.items()})
