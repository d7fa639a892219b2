"""Study buddy: Spooky's full page. Answers from the course with sources, numbers from the Lab, quiz-me."""

from __future__ import annotations

import streamlit as st

from studyapp.ui import buddy, context

st.title(":material/support_agent: Spooky, your study buddy")
st.caption(
    "Ask anything about the course: every answer cites the sections it comes from, and numbers "
    "are computed with the LoRA Lab, never guessed. Your conversation is yours alone."
)
course = context.course()
slugs = [""] + [u.slug for u in course.units]
titles = {"": "The whole course", **{u.slug: f"{u.order}. {u.title}" for u in course.units}}
unit = st.selectbox(
    "Studying",
    slugs,
    format_func=titles.get,
    key="buddy-page-unit",
    help="Sections of this unit win near-ties, and quiz-me takes its cards.",
)
buddy.chat(unit_slug=unit, key="buddy-page")
