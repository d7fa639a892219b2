"""A unit: read it, drill its cards, take its quiz, keep notes beside it.

``?section=SECTION_SLUG`` opens the Read tab at that ``##`` section.
"""

from __future__ import annotations

import uuid

import streamlit as st

from studyapp.core import nudges, progress, reading
from studyapp.core.content import Unit
from studyapp.core.mastery import MASTERY_HELP
from studyapp.ui import anchors, context, cram, explainers, guard, nav
from studyapp.ui.buddy import panel as buddy_panel
from studyapp.ui.drill import drill
from studyapp.ui.quiz_panel import quiz_panel
from studyapp.ui.scratchpad import scratchpad

TABS = (":material/menu_book: Read", ":material/bolt: Fast Drill", ":material/quiz: Knowledge Check")

course = context.course()
slug = st.query_params.get("unit", "")
unit = course.unit(slug)

if unit is None:
    nav.unit_missing(course, slug)
    st.stop()

store, user, now = context.store(), context.current_user(), context.now()
nav.mark_current_unit(unit.slug)
# Read after every callback of this run (a rating, a tick, an answer), so each figure includes it.
settings = guard.read(context.study_settings, what="your study settings")
stats = guard.read(lambda: progress.unit_progress(store, user, unit, now, **context.limits(settings)),
                   what="your progress in this unit", fallback=None)

st.title(unit.title)
st.caption(f"{unit.read_minutes} min read · {len(unit.cards)} recall cards · {len(unit.questions)} quiz questions")
if stats is not None:
    with st.container(horizontal=True, key="unit-metrics", gap="medium"):
        st.metric("Mastered", f"{stats.mastery:.0%}", help=MASTERY_HELP)
        st.metric("New · Learning · Due", f"{stats.new} · {stats.learning} · {stats.due}",
                  help="What the Fast Drill has left, as Anki counts it: new cards within today's limit, "
                       "cards in their learning steps, and reviews whose interval has passed.")
        st.metric("Read", f"{stats.sections_read}/{stats.sections_total}", help="Sections ticked as read")
        st.metric("Quiz", f"{stats.quiz_right}/{stats.quiz_total}",
                  help="Questions whose latest answer is right")
with st.container(key="jump-to-notes"):
    st.markdown("[:material/edit_note: Jump to your notes](#chapter-scratchpad)")


def _section_key(part_slug: str | None, used: set[str]) -> str:
    key = f"sec-{part_slug or 'intro'}"
    while key in used:  # two sections with one title: the link opens at the first
        key += "-again"
    used.add(key)
    return key


def read_tab(unit: Unit, read: frozenset[str]) -> None:
    st.markdown(f"*{unit.summary}*")
    if unit.objectives:
        with st.container(border=True):
            st.markdown("**By the end of this unit you will be able to:**\n" +
                        "\n".join(f"- {o}" for o in unit.objectives))
    used, explainer = set(), 0
    for part in reading.parts(unit):
        with st.container(key=_section_key(part.slug, used)):
            for block in part.blocks:
                if block.kind == "explainer":
                    explainers.render(block.explainer, block.params, key=f"{unit.slug}-explainer-{explainer}")
                    explainer += 1
                else:
                    st.markdown(block.text)
    st.divider()
    st.markdown("**Mark what you have read**")
    guard.pending(f"read:{unit.slug}")
    for section in unit.sections:
        key = f"read-{unit.slug}-{section.slug}"
        st.checkbox(section.title, value=section.slug in read, key=key, on_change=_toggle_read,
                    args=(unit.slug, section.slug, key))


def _toggle_read(unit_slug: str, section: str, key: str) -> None:
    done = st.session_state[key]
    saved = guard.action(f"read:{unit_slug}", lambda: (
        progress.mark_read(store, user, unit_slug, section, context.now()) if done
        else progress.unmark_read(store, user, unit_slug, section)),
        headline="Your reading progress was not saved.", then="Tick the box again to retry.")
    if saved is guard.FAILED:
        st.session_state[key] = not done  # the box shows what is stored


def open_at_section(unit: Unit) -> None:
    """Honour ``?section=``: scroll to it once, then drop it from the address so reruns stay put."""
    wanted = st.query_params.get("section")
    if not wanted:
        return
    del st.query_params["section"]
    if wanted in {s.slug for s in unit.sections}:
        anchors.scroll_to(f"sec-{wanted}", token=uuid.uuid4().hex)
    else:
        st.info(f"This unit has no section called “{wanted}”, so it opens at the top.",
                icon=":material/info:")


main, side = st.columns([7, 3], gap="large")
with main:
    open_at_section(unit)
    tab_read, tab_drill, tab_quiz = st.tabs(TABS, key="unit-tabs")
    with tab_read:
        read_tab(unit, stats.read if stats else frozenset())
    with tab_drill:
        st.subheader("Active recall", anchor=False)
        st.caption("Flip each card, then rate how well you recalled it.")
        if not cram.panel(list(unit.cards), scope=unit.slug):  # a cram session takes the drill's place
            drill(list(unit.cards), scope=unit.slug, quiz_hint=True)
            cram.offer(list(unit.cards), scope=unit.slug)
    with tab_quiz:
        nudge = nudges.quiz_nudge(stats.queue, now, study_day=context.study_day(settings)) if stats else None
        quiz_panel(unit.slug, list(unit.questions), nudge=nudge)

with side:
    st.subheader(":material/edit_note: Chapter Scratchpad", anchor="chapter-scratchpad")
    scratchpad(unit.slug)
    buddy_panel(unit.slug)
