"""A unit: read it, drill its cards, take its quiz, keep notes beside it."""

from __future__ import annotations

import streamlit as st

from studyapp.core import progress, srs
from studyapp.core.content import Unit
from studyapp.core.store import StoreError
from studyapp.ui import context, explainers, nav
from studyapp.ui.buddy import panel as buddy_panel
from studyapp.ui.drill import drill
from studyapp.ui.quiz_panel import quiz_panel
from studyapp.ui.scratchpad import scratchpad

course = context.course()
slug = st.query_params.get("unit", "")
unit = course.unit(slug)

if unit is None:
    nav.unit_missing(course, slug)
    st.stop()

store, user, now = context.store(), context.current_user(), context.now()
stats = progress.unit_progress(store, context.scheduler(), user, unit, now)

st.title(unit.title)
st.caption(f"{unit.read_minutes} min read · {len(unit.cards)} recall cards · {len(unit.questions)} quiz questions")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Mastery", f"{stats.mastery:.0%}", help=srs.MASTERY_HELP)
m2.metric("Due now", stats.due, help="Cards you have reviewed that are due again; new cards wait in the Fast Drill.")
m3.metric("Read", f"{stats.sections_read}/{stats.sections_total} sections")
m4.metric("Quiz", f"{stats.quiz_right}/{stats.quiz_total} right")

main, side = st.columns([7, 3], gap="large")


def read_tab(unit: Unit) -> None:
    st.markdown(f"*{unit.summary}*")
    if unit.objectives:
        with st.container(border=True):
            st.markdown("**By the end of this unit you will be able to:**\n" +
                        "\n".join(f"- {o}" for o in unit.objectives))
    for i, block in enumerate(unit.blocks):
        if block.kind == "explainer":
            explainers.render(block.explainer, block.params, key=f"{unit.slug}-explainer-{i}")
        else:
            st.markdown(block.text)
    read = progress.sections_read(store, user, unit.slug)
    st.divider()
    st.markdown("**Mark what you have read**")
    for section in unit.sections:
        done = st.checkbox(section.title, value=section.slug in read, key=f"read-{unit.slug}-{section.slug}")
        if done != (section.slug in read):
            try:
                (progress.mark_read(store, user, unit.slug, section.slug, context.now()) if done
                 else progress.unmark_read(store, user, unit.slug, section.slug))
            except StoreError as exc:
                context.show_store_error(exc)


with main:
    tab_read, tab_drill, tab_quiz = st.tabs([":material/menu_book: Read", ":material/bolt: Fast Drill", ":material/quiz: Knowledge Check"])
    with tab_read:
        read_tab(unit)
    with tab_drill:
        st.subheader("Active recall")
        st.caption("Flip each card, then rate how well you recalled it. Keys: space flips, 1–4 rate, U undoes.")
        drill(list(unit.cards), scope=unit.slug, quiz_hint=True)
    with tab_quiz:
        unreviewed = stats.cards_total - stats.cards_seen
        waiting = [f"{unreviewed} card(s) not yet seen"] * bool(unreviewed) + [f"{stats.due} due"] * bool(stats.due)
        nudge = f"Review core concepts before doing the quiz: {' and '.join(waiting)} in the Fast Drill." if waiting else None
        quiz_panel(unit.slug, list(unit.questions), nudge=nudge)

with side:
    st.subheader(":material/edit_note: Chapter Scratchpad")
    scratchpad(unit.slug)
    buddy_panel(unit.slug)
