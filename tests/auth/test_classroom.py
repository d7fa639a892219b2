"""The instructor's tables, computed from real reviews and answers of several students."""

from __future__ import annotations

from datetime import timedelta

from studyapp.auth import accounts
from studyapp.core import classroom, quiz, srs


def _class(store, now):
    for name, display in (("ada", "Ada"), ("bea", "Bea"), ("cai", "=HYPERLINK(\"http://x\")")):
        accounts.create_account(store, name, "correct horse", now, display_name=display)


def _answer(store, user, question, given, now):
    quiz.record_attempt(store, user, question, given, quiz.grade(question, given), now)


def test_question_rows_first_try_latest_and_the_common_wrong_answer(store, course, now):
    _class(store, now)
    unit = course.units[0]
    q = next(q for q in unit.questions if q.kind == "single")
    wrong = next(c for c in q.choices if c != q.answer)
    _answer(store, "ada", q, q.answer, now)
    _answer(store, "bea", q, wrong, now)
    _answer(store, "bea", q, q.answer, now + timedelta(minutes=1))
    _answer(store, "cai", q, wrong, now)
    _answer(store, "local", q, wrong, now)  # the solo profile is not in the class
    row = next(r for r in classroom.question_rows(store, course, [unit.slug]) if r.question == q.id)
    assert (row.students_answered, round(row.right_first_try, 3), round(row.right_latest, 3)) == (3, 0.333, 0.667)
    assert (row.common_wrong_answer, row.common_wrong_count) == (wrong, 2)


def test_card_rows_put_the_most_forgotten_card_first(store, course, now, scheduler):
    _class(store, now)
    hard, easy = course.units[0].cards[:2]
    for user in ("ada", "bea"):
        for card, later in ((hard, srs.Rating.Again), (easy, srs.Rating.Good)):
            state = srs.record_review(store, user, card.key, srs.preview(scheduler, None, now)[srs.Rating.Easy], now)
            due = state.card.due
            srs.record_review(store, user, card.key, srs.preview(scheduler, state, due)[later], due)
    rows = classroom.card_rows(store, course)
    assert [(r.card, r.students, r.reviews, r.lapse_rate) for r in rows[:2]] == [
        (hard.id, 2, 4, 1.0), (easy.id, 2, 4, 0.0)]


def test_student_rows_count_due_and_overdue_and_last_activity(store, course, now, scheduler):
    _class(store, now)
    card = course.units[0].cards[0]
    srs.record_review(store, "ada", card.key, srs.preview(scheduler, None, now)[srs.Rating.Again], now)
    later = now + timedelta(days=3)
    rows = {r.username: r for r in classroom.student_rows(store, course, later)}
    assert (rows["ada"].cards_seen, rows["ada"].cards_due, rows["ada"].cards_overdue) == (1, 1, 1)
    assert rows["ada"].last_active == now.isoformat() and rows["bea"].last_active == ""
    assert set(rows["ada"].mastery) == {u.slug for u in course.units}
    assert rows["bea"].quiz[course.units[0].slug] == (0, len(course.units[0].questions))


def test_instructors_are_not_counted_as_students(store, course, now, scheduler):
    _class(store, now)
    accounts.set_role(store, "ada", "instructor")
    assert sorted(r.username for r in classroom.student_rows(store, course, now)) == ["bea", "cai"]


def test_csv_has_a_header_and_defuses_formulas(store, course, now, scheduler):
    _class(store, now)
    text = classroom.to_csv(classroom.student_rows(store, course, now))
    lines = text.splitlines()
    assert lines[0].startswith("student,username,last_active,units_read,cards_seen,cards_due,cards_overdue,mastery ")
    assert any(line.startswith("\"'=HYPERLINK") for line in lines[1:])
    assert classroom.to_csv([]) == ""
