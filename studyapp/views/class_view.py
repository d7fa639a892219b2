"""Class: the instructor's view of every student, quiz question and card (instructors only)."""

from __future__ import annotations

import streamlit as st

from studyapp.auth import accounts
from studyapp.core import classroom
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

people = classroom.student_rows(store, context.scheduler(), course, now, slugs)
st.subheader(f"Students ({len(people)})")
if not people:
    st.info("No student has signed in yet. Share the server's address (and the join code, if you set one).",
            icon=":material/groups:")
else:
    st.dataframe([classroom.flatten(r) for r in people], hide_index=True, key="class-students")
    st.download_button("Download students (CSV)", classroom.to_csv(people), "students.csv", "text/csv",
                       key="csv-students", icon=":material/download:")
    chart_style.show(class_charts.mastery_distribution(people, {s: titles[s] for s in slugs}), key="class-mastery")
    st.caption("Mastery: the share of a unit's cards a student has mastered (the rule is on Home).")

questions = classroom.question_rows(store, course, slugs)
st.subheader("Quiz questions")
st.dataframe([classroom.flatten(r) for r in questions], hide_index=True, key="class-questions", column_config={
    "right_first_try": st.column_config.ProgressColumn("right at first try", format="percent", min_value=0, max_value=1),
    "right_latest": st.column_config.ProgressColumn("right now", format="percent", min_value=0, max_value=1)})
st.download_button("Download quiz questions (CSV)", classroom.to_csv(questions), "questions.csv", "text/csv",
                   key="csv-questions", icon=":material/download:")

cards = classroom.card_rows(store, course, slugs)
st.subheader("Hardest cards")
st.caption("Lapse rate: the share of a card's reviews (once learned) that ended in Again: forgotten.")
st.dataframe([classroom.flatten(r) for r in cards], hide_index=True, key="class-cards", column_config={
    "lapse_rate": st.column_config.ProgressColumn("lapse rate", format="percent", min_value=0, max_value=1)})
st.download_button("Download cards (CSV)", classroom.to_csv(cards), "cards.csv", "text/csv",
                   key="csv-cards", icon=":material/download:")
