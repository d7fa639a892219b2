"""A student's history made through the real core functions, for the backup and export tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from studyapp.auth import accounts
from studyapp.buddy import history
from studyapp.core import card_control, cram, notes, optimizer, progress, quiz, srs, study_settings
from studyapp.core.content import Course
from studyapp.core.store import Store


def fill_student(store: Store, course: Course, user_id: str, start: datetime, reviews: int = 30) -> datetime:
    """Reviews, quiz answers, notes with revisions, reading marks, buddy messages, study settings,
    an optimizer run, suspended, buried and flagged cards and cram answers; returns the time just
    after the last of them."""
    scheduler, cards = srs.make_scheduler(enable_fuzzing=False), course.cards
    now = start
    for i in range(reviews):
        key = cards[i % len(cards)].key
        outcome = srs.preview(scheduler, srs.load_state(store, user_id, key), now)[srs.RATINGS[i % 4]]
        srs.record_review(store, user_id, key, outcome, now, duration_ms=1000 + i)
        now += timedelta(minutes=7)
    unit = course.units[0]
    for question in unit.questions[:3]:
        quiz.record_attempt(store, user_id, question, "x", quiz.grade(question, "x"), now)
        now += timedelta(seconds=30)
    for text in (f"{user_id}: first draft", f"{user_id}: $W_0 + BA$ and **bold**"):
        notes.save_note(store, user_id, unit.slug, text, now)
        now += timedelta(minutes=1)
    notes.save_note(store, user_id, course.units[1].slug, f"{user_id} on unit 2", now)
    progress.mark_read(store, user_id, unit.slug, unit.sections[0].slug, now)
    history.add_message(store, user_id, history.STUDENT, "what is r?", now, unit_slug=unit.slug)
    history.add_message(store, user_id, history.BUDDY, "the rank", now, payload={"cards": []})
    quiz.save_run(store, user_id, unit.slug, quiz.QuizRun(tuple(q.key for q in unit.questions), index=3), now)
    srs.allow_more_new(store, user_id, now)
    study_settings.save(store, user_id, study_settings.StudySettings(desired_retention=0.85, new_per_day=12), now)
    card_control.suspend(store, user_id, [cards[0].key], now)
    card_control.bury(store, user_id, [cards[1].key], now + timedelta(days=1))
    card_control.set_flag(store, user_id, [cards[2].key], 3)
    cram.record(store, user_id, cards[3].key, srs.Rating.Again, now)
    fit = optimizer.Fit(600, (0.1,) * 21, (0.2,) * 21, 0.5, 0.4, 0.1, 0.05, 1.5)
    with store.writing("record an optimizer run in") as db:
        db["optimizer_run"].insert(optimizer.run_row(user_id, fit, now))
    return now + timedelta(minutes=1)


def dump(store: Store, user_id: str | None = None) -> dict[str, list[dict]]:
    """Every study table's rows (one student's, or everyone's), in a fixed order."""
    where = "where user_id = ?" if user_id else ""
    return {t: store.query(f"select * from [{t}] {where} order by rowid", (user_id,) if user_id else ())
            for t in accounts.study_tables(store)}


def account(store: Store, name: str, now: datetime) -> str:
    """A student account (its id is the username)."""
    return accounts.create_account(store, name, "correct horse battery", now).id
