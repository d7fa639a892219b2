"""Quiz grading and attempts, the scratchpad's revisions, and progress summaries."""

from __future__ import annotations

from datetime import timedelta

from studyapp.core import notes, progress, quiz, srs
from studyapp.core.content import Question


def q(kind, answer, choices=(), tolerance=0.0, id="q1"):
    return Question("u", id, kind, "prompt", "because", answer, tuple(choices), tolerance)


def test_grading_each_kind():
    single = q("single", "b", ["a", "b"])
    multi = q("multi", ("a", "c"), ["a", "b", "c"])
    numeric = q("numeric", 65536.0, tolerance=0)
    close = q("numeric", 8.39, tolerance=0.01)
    assert [quiz.grade(single, "b").correct, quiz.grade(single, "a").correct, quiz.grade(single, None).correct] == [True, False, False]
    assert [quiz.grade(multi, ["c", "a"]).correct, quiz.grade(multi, ["a"]).correct] == [True, False]
    assert [quiz.grade(numeric, "65,536").correct, quiz.grade(numeric, "65537").correct,
            quiz.grade(numeric, "lots").correct] == [True, False, False]
    assert [quiz.grade(close, "8.4").correct, quiz.grade(close, "8.41").correct] == [True, False]
    assert quiz.grade(numeric, "1").expected == "65,536"


def test_attempts_latest_result_score_and_missed(store, now):
    a, b = q("single", "x", ["x", "y"], id="a"), q("single", "x", ["x", "y"], id="b")
    for question, given, at in [(a, "y", now), (a, "x", now + timedelta(minutes=1)), (b, "y", now)]:
        quiz.record_attempt(store, "local", question, given, quiz.grade(question, given), at)
    results = quiz.latest_results(store, "local", "u")
    assert results == {"u/a": True, "u/b": False}
    assert quiz.score(results, [a, b]) == (1, 2)
    assert quiz.missed([a, b], results) == [b]
    assert len(store.query("select * from quiz_attempt")) == 3


def test_note_saves_keep_revisions_and_skip_repeats(store, now):
    for i, text in enumerate(["one", "one two", "one two", ""]):
        notes.save_note(store, "local", "u", text, now + timedelta(seconds=i))
    assert notes.load_note(store, "local", "u").text == ""
    assert [r.text for r in notes.revisions(store, "local", "u")] == ["", "one two", "one"]
    earlier = notes.revisions(store, "local", "u")[1]
    restored = notes.restore_revision(store, "local", "u", earlier.id, now + timedelta(minutes=1))
    assert restored.text == "one two" == notes.load_note(store, "local", "u").text


def test_revisions_are_capped(store, now):
    for i in range(notes.KEEP_REVISIONS + 5):
        notes.save_note(store, "local", "u", f"v{i}", now + timedelta(seconds=i))
    kept = notes.revisions(store, "local", "u")
    assert len(kept) == notes.KEEP_REVISIONS and kept[0].text == f"v{notes.KEEP_REVISIONS + 4}"


def test_notes_are_per_student_and_per_unit(store, now):
    notes.save_note(store, "ada", "u", "ada's", now)
    notes.save_note(store, "bob", "u", "bob's", now)
    notes.save_note(store, "ada", "v", "other unit", now)
    assert notes.load_note(store, "ada", "u").text == "ada's"
    assert notes.load_note(store, "bob", "v") == notes.Note("v", "", None)


def test_unit_progress(store, scheduler, course, now):
    unit = course.unit("lora-basics")
    first = unit.cards[0].key
    outcome = srs.preview(scheduler, None, now)[srs.Rating.Easy]
    srs.record_review(store, "local", first, outcome, now)
    progress.mark_read(store, "local", unit.slug, unit.sections[0].slug, now)
    progress.mark_read(store, "local", unit.slug, unit.sections[0].slug, now)  # idempotent
    question = unit.questions[0]
    quiz.record_attempt(store, "local", question, question.answer, quiz.grade(question, question.answer), now)
    stats = progress.unit_progress(store, scheduler, "local", unit, now)
    assert (stats.sections_read, stats.cards_seen, stats.due, stats.quiz_right) == (1, 1, 0, 1)
    assert stats.mastery == 1 / len(unit.cards)
    progress.unmark_read(store, "local", unit.slug, unit.sections[0].slug)
    assert progress.sections_read(store, "local", unit.slug) == set()


def test_streak_and_activity(store, scheduler, now):
    for days_ago in (0, 1, 2, 4):
        at = now - timedelta(days=days_ago)
        srs.record_review(store, "local", f"u/c{days_ago}", srs.preview(scheduler, None, at)[srs.Rating.Good], at)
    activity = progress.activity(store, "local")
    assert progress.streak(activity, now.date()) == 3
    assert progress.streak(activity, now.date() + timedelta(days=1)) == 3  # not broken until the day ends
    assert progress.streak(activity, now.date() + timedelta(days=2)) == 0


def _row(slug, read=0, total=3, seen=0, cards=4, right=0, quiz=2):
    return progress.UnitProgress(slug, read, total, seen, cards, 0, 0.0, right, quiz, 0)


def test_study_next_due_cards_first_then_next_unread_unit(course):
    units = list(course.units)
    rows = {u.slug: _row(u.slug, read=len(u.sections), total=len(u.sections)) for u in units}
    assert progress.study_next(units, rows, due_reviews=3, new_waiting=5).kind == "review"
    assert progress.study_next(units, rows, 0, 5).kind == "new-cards"
    assert progress.study_next(units, rows, 0, 0).kind == "done"
    last = units[-1]
    rows[last.slug] = _row(last.slug, read=0, total=len(last.sections))
    step = progress.study_next(units, rows, 0, 5)
    assert (step.kind, step.unit_slug) == ("read", last.slug) and step.message.startswith("Start unit")


def test_unit_status():
    assert progress.unit_status(_row("u")) == "not started"
    assert progress.unit_status(_row("u", read=1)) == "in progress"
    assert progress.unit_status(_row("u", read=3, seen=4, right=2)) == "done"
    assert progress.unit_status(_row("u", read=3, seen=4, right=1)) == "in progress"
