"""Class: the instructor's view of every student, quiz question and card (instructors only)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from studyapp.auth import accounts
from studyapp.core import classroom
from studyapp.core.mastery import MASTERY_HELP
from studyapp.ui import chart_style, class_charts, context

store, now, course = context.store(), context.now(), context.course()
viewer = accounts.get_account(store, context.current_user())
if viewer is None or not viewer.is_instructor:
    # Students see nothing of the class, not even how many there are.
    st.title("Not available")
    st.info("This page is not available to you.", icon=":material/lock:")
    st.page_link("views/home.py", label="Back to Home", icon=":material/home:")
    st.stop()

st.title("Class")
st.caption("Every student's progress, the quiz questions the class finds hard, and the hardest cards. "
           "Download any table as CSV.")
titles = {u.slug: f"{u.order}. {u.title}" for u in course.units}
chosen = st.multiselect("Units", list(titles), format_func=titles.get, placeholder="All units", key="class-units")
slugs = chosen or list(titles)



def _student_table(rows, slugs: list[str]) -> list[dict]:
    """What the table shows: readable times, mastery as a bar per unit, quiz as right/total."""
    table = []
    for r in rows:
        row = {"Student": r.student, "Username": r.username,
               "Last active": datetime.fromisoformat(r.last_active) if r.last_active else None,
               "Units read": r.units_read, "Cards seen": r.cards_seen, "Due": r.cards_due, "Overdue": r.cards_overdue}
        for slug in slugs:
            right, total = r.quiz[slug]
            row[f"mastery:{slug}"] = round(100 * r.mastery[slug])
            row[f"quiz:{slug}"] = f"{right}/{total}"
        table.append(row)
    return table


def _student_columns(slugs: list[str], titles: dict[str, str]) -> dict:
    columns = {"Last active": st.column_config.DatetimeColumn(format="distance")}
    for slug in slugs:
        number = titles[slug].split(".")[0]
        columns[f"mastery:{slug}"] = st.column_config.ProgressColumn(
            f"Mastery {number}", help=f"Unit {titles[slug]}: share of its cards mastered", format="%d%%",
            min_value=0, max_value=100)
        columns[f"quiz:{slug}"] = st.column_config.TextColumn(f"Quiz {number}", help=f"Unit {titles[slug]}: right/total")
    return columns


people = classroom.student_rows(store, course, now, slugs, new_per_day=context.new_cards_per_day())
st.subheader(f"Students ({len(people)})")
if not people:
    st.info("No student has signed in yet. Share the server's address (and the join code, if you set one).",
            icon=":material/groups:")
else:
    st.dataframe(_student_table(people, slugs), hide_index=True, key="class-students",
                 column_config=_student_columns(slugs, titles))
    st.download_button("Download students (CSV)", classroom.to_csv(people), "students.csv", "text/csv",
                       key="csv-students", icon=":material/download:")
    chart_style.show(class_charts.mastery_distribution(people, {s: titles[s] for s in slugs}), key="class-mastery")
    st.caption(f"Mastery: the share of a unit's cards a student has mastered. {MASTERY_HELP}")

questions = classroom.question_rows(store, course, slugs)
st.subheader("Quiz questions")
st.dataframe([classroom.flatten(r) for r in questions], hide_index=True, key="class-questions", column_config={
    "unit": "Unit", "question": "Question id", "prompt": "Prompt", "students_answered": "Students",
    "right_first_try": st.column_config.ProgressColumn("Right at first try", format="percent", min_value=0, max_value=1),
    "right_latest": st.column_config.ProgressColumn("Right now", format="percent", min_value=0, max_value=1),
    "common_wrong_answer": "Most common wrong answer", "common_wrong_count": "Times given"})
st.download_button("Download quiz questions (CSV)", classroom.to_csv(questions), "questions.csv", "text/csv",
                   key="csv-questions", icon=":material/download:")

cards = classroom.card_rows(store, course, slugs)
st.subheader("Hardest cards")
st.caption("Lapse rate: the share of a card's reviews (once learned) that ended in Again: forgotten.")
st.dataframe([classroom.flatten(r) for r in cards], hide_index=True, key="class-cards", column_config={
    "unit": "Unit", "card": "Card id", "front": "Front", "students": "Students", "reviews": "Reviews",
    "lapse_rate": st.column_config.ProgressColumn("Lapse rate", format="percent", min_value=0, max_value=1),
    "lapses": "Lapses"})
st.download_button("Download cards (CSV)", classroom.to_csv(cards), "cards.csv", "text/csv",
                   key="csv-cards", icon=":material/download:")
