"""Statistics, the card browser's rows and the workload estimate, on review logs built by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, State

import simulated_student as sim
from studyapp.core import card_control, card_table, srs, stats, study_settings, workload
from studyapp.core.mastery import Level
from studyapp.core.study_day import UTC_MIDNIGHT, StudyDay
from test_srs import review

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def log(store, key, rating, at, state_before=2, stability=5.0, ms=4000, user="local"):
    snapshot = json.dumps({"card": {"stability": stability}, "reps": 1, "lapses": 0}) if state_before else None
    with store.writing("fill") as db:
        db["review_log"].insert({"user_id": user, "card_key": key, "rating": rating, "reviewed_at": at.isoformat(),
                                 "duration_ms": ms, "state_before": state_before, "interval_days": 1.0,
                                 "card_before": snapshot, "stability_before": stability if state_before else None})


def test_true_retention_counts_review_state_cards_young_and_mature(store):
    today = NOW
    log(store, "u/a", 3, today)  # young, passed
    log(store, "u/b", 1, today)  # young, forgotten
    log(store, "u/c", 2, today, stability=30.0)  # mature (stability 30 days before the review), passed
    log(store, "u/d", 1, today, stability=21.0)  # mature, forgotten
    log(store, "u/e", 1, today, state_before=0)  # a new card: not a review of a review-state card
    log(store, "u/f", 3, today, state_before=1)  # a learning step: neither
    log(store, "u/a", 4, today - timedelta(days=1), ms=None)
    log(store, "v/z", 3, today)  # another unit
    days = stats.daily(store, "local", ["u/a", "u/b", "u/c", "u/d", "u/e", "u/f"], UTC_MIDNIGHT)
    assert days == {
        date(2026, 3, 1): stats.Day(reviews=1, milliseconds=0, young=1, young_passed=1),
        date(2026, 3, 2): stats.Day(reviews=6, milliseconds=24000, young=2, young_passed=1, mature=2,
                                    mature_passed=1),
    }
    assert days[date(2026, 3, 2)].learning == 2


def test_retention_over_periods_and_groupings(store, scheduler):
    for i in range(40):  # one passed and one forgotten review a day, 40 days back
        at = NOW - timedelta(days=i)
        log(store, "u/a", 3, at)
        log(store, "u/a", 1 if i % 2 else 3, at, stability=25.0)
    found = stats.statistics(store, "local", ["u/a"], NOW, scheduler, UTC_MIDNIGHT)
    table = {r.label: (r.young_passed, r.young, r.mature_passed, r.mature) for r in found.retention_table()}
    assert table == {"Today": (1, 1, 1, 1), "Yesterday": (1, 1, 0, 1), "Last 7 days": (7, 7, 4, 7),
                     "Last 30 days": (30, 30, 15, 30), "Last 365 days": (40, 40, 20, 40), "All time": (40, 40, 20, 40)}
    weeks = found.retention_series("week")
    assert weeks[-1][0] == date(2026, 3, 2)  # a Monday: this week has one day so far
    assert all(start.weekday() == 0 for start, _ in weeks)
    months = found.retention_series("month")
    assert [m for m, _ in months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert sum(r.total for _, r in months) == 80
    with pytest.raises(ValueError, match="choose one of day, week, month"):
        found.retention_series("year")


def test_days_are_the_students_local_days(store):
    berlin = StudyDay(ZoneInfo("Europe/Berlin"), 4)
    log(store, "u/a", 3, datetime(2026, 3, 2, 2, 30, tzinfo=timezone.utc))  # 03:30 CET: 1 March's day
    log(store, "u/a", 3, datetime(2026, 3, 2, 3, 30, tzinfo=timezone.utc))  # 04:30 CET: 2 March's
    assert {d: r.reviews for d, r in stats.daily(store, "local", ["u/a"], berlin).items()} == {
        date(2026, 3, 1): 1, date(2026, 3, 2): 1}


def test_cramming_is_counted_apart(store):
    from studyapp.core import cram

    cram.record(store, "local", "u/a", srs.Rating.Good, NOW, 3000)
    day = stats.daily(store, "local", ["u/a"], UTC_MIDNIGHT)[NOW.date()]
    assert (day.reviews, day.cram, day.cram_milliseconds) == (0, 1, 3000)


def test_card_figures_levels_and_forecast_of_a_scope(store, scheduler):
    review(store, scheduler, "u/a", srs.Rating.Easy, NOW - timedelta(days=1))
    review(store, scheduler, "u/b", srs.Rating.Good, NOW)
    review(store, scheduler, "v/c", srs.Rating.Easy, NOW)  # outside the scope
    card_control.suspend(store, "local", ["u/a"], NOW)
    found = stats.statistics(store, "local", ["u/a", "u/b", "u/x"], NOW, scheduler, UTC_MIDNIGHT, forecast_days=10)
    figures = {c.card_key: c for c in found.cards}
    assert set(figures) == {"u/a", "u/b"}
    state = srs.load_state(store, "local", "u/a")
    assert figures["u/a"].stability == state.card.stability
    assert figures["u/a"].retrievability == pytest.approx(scheduler.get_card_retrievability(state.card, NOW))
    assert found.levels == {Level.NEW: 1, Level.LEARNING: 1, Level.YOUNG: 1, Level.MATURE: 0}
    assert sum(n for _, n in found.forecast) == 1  # u/b; the suspended u/a is not coming due
    assert found.desired_retention == 0.9


def test_the_browser_lists_every_card_with_its_schedule_and_controls(store, scheduler, course):
    first, second, third = course.cards[:3]
    review(store, scheduler, first.key, srs.Rating.Easy, NOW)
    card_control.suspend(store, "local", [second.key], NOW)
    card_control.set_flag(store, "local", [third.key], 3)
    rows = card_table.rows(course, srs.load_states(store, "local"), card_control.controls(store, "local"),
                           scheduler, NOW)
    assert [r.key for r in rows] == [c.key for c in course.cards]
    a, b, c = rows[:3]
    assert (a.state, a.level, a.due, a.reps, a.lapses) == ("review", "young", NOW + timedelta(days=8), 1, 0)
    assert a.retrievability == pytest.approx(1.0)
    assert (b.state, b.suspended, b.due, b.stability) == ("new", True, None, None)
    assert (c.flag, c.suspended) == ("green", False)
    assert card_table.select(rows, NOW, show="suspended") == [b]
    assert card_table.select(rows, NOW, show="flagged") == [c]
    assert card_table.select(rows, NOW, states=("review",)) == [a]
    assert card_table.select(rows, NOW + timedelta(days=9), show="due") == [a]
    assert card_table.select(rows, NOW, text=first.front.split()[1].upper(), unit=first.unit_slug)[0] == a
    assert len(card_table.select(rows, NOW, unit=course.units[1].slug)) == len(course.units[1].cards)


def test_new_cards_start_at_the_daily_limit_in_the_workload(now):
    w = workload.estimate([], 5, 2, srs.scheduler_for(study_settings.StudySettings(), False), now, UTC_MIDNIGHT,
                          days=10)
    assert w.new_cards == 5
    # Two new cards a day, each seen twice on its first day (Good at first sight, then its 10-minute step).
    assert w.per_day[:2] == (4.0, 4.0)
    assert w.per_day[2] >= 2.0  # the fifth card's two steps, plus the first cards' first reviews


def test_a_card_due_later_adds_nothing_before_its_day(now):
    card = Card(card_id=1, state=State.Review, stability=100.0, difficulty=5.0, due=now + timedelta(days=10),
                last_review=now - timedelta(days=90))
    w = workload.estimate([card], 0, 0, srs.scheduler_for(study_settings.StudySettings(), False), now, UTC_MIDNIGHT)
    assert w.per_day[:10] == (0.0,) * 10 and w.per_day[10] >= 1.0 and sum(w.per_day[11:]) < 1


def test_a_higher_retention_implies_more_reviews_a_day():
    made = sim.history(3000, cards=200, start=datetime(2025, 9, 1, tzinfo=timezone.utc), seed=3)
    cards = {r.card_key: r.card_after for r in made}
    now = made[-1].at
    means = [workload.estimate(list(cards.values()), 50, 10, srs.scheduler_for(
        study_settings.StudySettings(desired_retention=r), False), now, UTC_MIDNIGHT).mean
        for r in (0.75, 0.85, 0.9, 0.95)]
    assert means == sorted(means) and means[-1] > 1.5 * means[0]


def test_migration_5_fills_the_stability_before_each_review_from_the_log(store, scheduler):
    from studyapp.core.store import open_store

    review(store, scheduler, "u/a", srs.Rating.Easy, NOW - timedelta(days=30))
    review(store, scheduler, "u/a", srs.Rating.Good, NOW - timedelta(days=22))
    expected = [r["stability_before"] for r in store.query("select stability_before from review_log order by id")]
    assert expected[0] is None and expected[1] == pytest.approx(8.2956)  # FSRS-6's Easy stability (w3)
    with store.writing("make it a database from before migration 5") as db:
        db.execute("drop index review_log_by_day")
        db.execute("alter table review_log drop column stability_before")
        for table in ("study_settings", "optimizer_run", "card_control", "cram_review"):
            db.execute(f"drop table {table}")
        db.execute("delete from schema_migrations where version = 5")
    reopened = open_store(store.path)
    try:
        got = [r["stability_before"] for r in reopened.query("select stability_before from review_log order by id")]
        assert got == expected
        plan = " ".join(str(r) for r in reopened.query(
            "explain query plan select date(reviewed_at) as d, sum(stability_before >= 21), sum(duration_ms) "
            "from review_log where user_id = 'local' and card_key in (select value from json_each('[]')) group by d"))
        assert "COVERING INDEX review_log_by_day" in plan  # no table row is read for the statistics
    finally:
        reopened.close()
