"""Quiz grading and attempts, the scratchpad's revisions, and progress summaries."""

from __future__ import annotations

from datetime import timedelta

from studyapp.core import notes, nudges, progress, quiz, srs
from studyapp.core.content import Question
from studyapp.core.mastery import Level


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
    first, second = unit.cards[0].key, unit.cards[1].key
    srs.record_review(store, "local", first, srs.preview(scheduler, None, now)[srs.Rating.Easy], now)
    srs.record_review(store, "local", second, srs.preview(scheduler, None, now)[srs.Rating.Again], now)
    progress.mark_read(store, "local", unit.slug, unit.sections[0].slug, now)
    progress.mark_read(store, "local", unit.slug, unit.sections[0].slug, now)  # idempotent
    question = unit.questions[0]
    quiz.record_attempt(store, "local", question, question.answer, quiz.grade(question, question.answer), now)
    stats = progress.unit_progress(store, "local", unit, now, new_per_day=5)
    assert (stats.sections_read, stats.cards_seen, stats.quiz_right) == (1, 2, 1)
    # Two cards started today, of a limit of 5: three new cards left; the Again card is learning.
    assert (stats.new, stats.learning, stats.due) == (3, 1, 0)
    assert stats.levels == {Level.NEW: len(unit.cards) - 2, Level.LEARNING: 1, Level.YOUNG: 1,
                            Level.MATURE: 0}
    assert (stats.mastered, stats.mastery) == (0, 0.0)  # nothing is known after one look
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


def _queue(new=(), learning=(), due=(), unseen=None, limit=20, started=0):
    unseen = len(new) if unseen is None else unseen
    return srs.StudyQueue(tuple(new), tuple(learning), (), tuple(due), unseen, limit, started, None)


def _row(slug, read=0, total=3, seen=0, cards=4, right=0, quiz=2):
    return progress.UnitProgress(slug, frozenset(f"s{i}" for i in range(read)), total, seen, cards, _queue(),
                                 0, {}, right, quiz, 0)


def test_study_next_due_cards_first_then_next_unread_unit(course, now):
    units = list(course.units)
    rows = {u.slug: _row(u.slug, read=len(u.sections), total=len(u.sections)) for u in units}
    step = nudges.study_next(units, rows, _queue(new=["n"] * 5, due=["d"] * 3, learning=["l"]), now)
    assert (step.kind, step.message) == ("review", "Review your 1 learning and 3 due cards first.")
    assert nudges.study_next(units, rows, _queue(new=["n"] * 5), now).message == "Learn 5 new cards."
    assert nudges.study_next(units, rows, _queue(), now).kind == "done"
    limited = nudges.study_next(units, rows, _queue(unseen=7, limit=20, started=20), now)
    assert limited.kind == "done" and "limit of 20 new cards is reached" in limited.message
    last = units[-1]
    rows[last.slug] = _row(last.slug, read=0, total=len(last.sections))
    step = nudges.study_next(units, rows, _queue(new=["n"] * 5), now)
    assert (step.kind, step.unit_slug) == ("read", last.slug) and step.message.startswith("Start unit")


def test_the_drill_the_quiz_nudge_and_home_give_one_reason(now):
    """22 unseen cards held back by the daily limit: every place says so, with when it resets."""
    queue = _queue(unseen=22, limit=20, started=20)
    reason = nudges.limit_reason(queue, now)
    assert reason == ("Today's limit of 20 new cards is reached (20 started today, across all units), so "
                      "22 unseen cards wait. The limit resets at midnight UTC, in 15h.")
    done = nudges.all_done(queue, now, reviewed=3)
    assert done == f"**No more cards for now.** You reviewed 3 cards this session. {reason}"
    assert nudges.quiz_nudge(queue, now) == f"Every card offered today is done. {reason}"
    both = _queue(new=["a"], learning=["b", "c"], unseen=1)
    assert nudges.quiz_nudge(both, now) == ("Before the quiz, 1 new and 2 learning cards wait in "
                                            "the Fast Drill.")
    assert nudges.quiz_nudge(_queue(), now) is None
    assert nudges.all_done(_queue(), now, reviewed=0) == "**All caught up.**"


def test_plural():
    assert [nudges.plural(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]


def test_unit_status():
    assert progress.unit_status(_row("u")) == "not started"
    assert progress.unit_status(_row("u", read=1)) == "in progress"
    assert progress.unit_status(_row("u", read=3, seen=4, right=2)) == "done"
    assert progress.unit_status(_row("u", read=3, seen=4, right=1)) == "in progress"


def test_a_quiz_pass_is_saved_with_each_answer_and_resumes(store, now):
    a, b = q("single", "x", ["x", "y"], id="a"), q("numeric", 4.0, id="b")
    run = quiz.load_run(store, "local", "u", [a, b])
    assert (run.keys, run.index, run.results) == (("u/a", "u/b"), 0, {})
    run = quiz.answer(store, "local", run, a, "y", now)
    resumed = quiz.load_run(store, "local", "u", [a, b])  # a reload
    assert resumed == run and resumed.given == {"u/a": "y"}
    assert resumed.results["u/a"] == quiz.Grade(False, "x")
    quiz.save_run(store, "local", "u", resumed.advanced(), now)
    resumed = quiz.load_run(store, "local", "u", [a, b])
    assert (resumed.index, resumed.serial, resumed.missed) == (1, run.serial, ["u/a"])
    assert quiz.latest_results(store, "local", "u") == {"u/a": False}
    assert quiz.load_run(store, "bob", "u", [a, b]).index == 0  # another student's pass is their own


def test_an_edited_quiz_starts_a_new_pass(store, now):
    a, b = q("single", "x", ["x", "y"], id="a"), q("single", "x", ["x", "y"], id="b")
    quiz.save_run(store, "local", "u", quiz.QuizRun(("u/a", "u/b"), index=1), now)
    assert quiz.load_run(store, "local", "u", [a]).keys == ("u/a",)  # b was removed from the unit
    assert quiz.load_run(store, "local", "u", [a]).index == 0


def test_an_answer_that_cannot_be_saved_leaves_no_half(store, now, tmp_path):
    import sqlite3

    import pytest

    from studyapp.core.store import StoreError

    a = q("single", "x", ["x", "y"], id="a")
    run = quiz.load_run(store, "local", "u", [a])
    blocker = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    blocker.execute("begin immediate")
    try:
        with pytest.raises(StoreError, match="locked"):
            quiz.answer(store, "local", run, a, "x", now)
    finally:
        blocker.execute("rollback")
        blocker.close()
    assert store.query("select count(*) as n from quiz_attempt")[0]["n"] == 0
    assert quiz.load_run(store, "local", "u", [a]).results == {}
