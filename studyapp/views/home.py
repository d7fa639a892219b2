"""Home: every unit with its progress, what to study next, the forecast and the study calendar."""

from __future__ import annotations

import streamlit as st

from studyapp.core import card_control, mastery, nudges, progress, srs
from studyapp.ui import charts, chart_style, context, guard, leeches, levels, nav

course = context.course()
store, user, now = context.store(), context.current_user(), context.now()
settings = guard.read(context.study_settings, what="your study settings")
limits, day = context.limits(settings), context.study_day(settings)

st.title("Learn LoRA and QLoRA")
st.caption("Read a unit, recall its cards, check yourself with the quiz, and come back when cards are due.")

all_keys = [c.key for c in course.cards]
states = guard.read(lambda: srs.load_states(store, user), what="your progress")
queue = guard.read(lambda: srs.study_queue(store, user, all_keys, now, **limits), what="your cards")
days = guard.read(lambda: progress.activity(store, user, study_day=day), what="your study calendar")
units = guard.read(lambda: progress.course_progress(store, user, course, now, states, **limits),
                   what="your progress in each unit")
controls = guard.read(lambda: card_control.controls(store, user), what="your suspended cards")
held = {k for k, c in controls.items() if c.held(now)}
rows = {p.slug: p for p in units}

with st.container(horizontal=True, key="home-metrics", gap="medium"):
    st.metric("New", len(queue.new),
              help="Cards you have not seen yet that today's new-card limit still admits.")
    st.metric("Learning", len(queue.learning), help="Cards in their first minutes, or rated Again: the drill "
                                                   "keeps them until you pass them.")
    st.metric("Due", len(queue.due), help="Reviews whose interval has passed.")
    st.metric("Mastered", f"{mastery.mastered(states, all_keys, now)} / {len(all_keys)}",
              help=mastery.MASTERY_HELP)
    st.metric("Study streak", nudges.plural(progress.streak(days, day.today(now)), "day"),
              help=f"Days in a row with study; a day starts at {day.label()} (Settings).")

step = nudges.study_next(list(course.units), rows, queue, now, study_day=day)
with st.container(border=True, key="study-next"):
    st.markdown(f"**What to study next:** {step.message}")
    if step.kind in ("review", "new-cards"):
        st.page_link("views/review.py", label=f"Open the review ({nudges.counts(queue)})",
                     icon=":material/bolt:")
    elif step.kind == "read":
        nav.unit_link(step.unit_slug, "Open the unit", icon=":material/menu_book:")

STATUS_ICONS = {"done": ":material/check_circle:", "in progress": ":material/pending:",
                "not started": ":material/radio_button_unchecked:"}
st.subheader("Course map", anchor=False)
st.caption(f"Each bar shows a unit's cards by level. {mastery.MASTERY_HELP}")
for unit in course.units:
    stats = rows[unit.slug]
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            nav.unit_link(unit.slug, f"{unit.order}. {unit.title}", icon=STATUS_ICONS[progress.unit_status(stats)])
            st.caption(f"{unit.read_minutes} min read · {unit.summary}")
        with right:
            st.markdown(f"**Mastered {stats.mastery:.0%}** · {stats.mastered} of {stats.cards_total} cards")
            levels.bar(stats.levels, key=unit.slug)
            st.caption(f"Now: {nudges.counts(stats.queue)} · "
                       f"Read {stats.sections_read}/{stats.sections_total} · "
                       f"quiz {stats.quiz_right}/{stats.quiz_total}"
                       + (f" · {nudges.plural(stats.leeches, 'leech card')}" if stats.leeches else ""))
for broken in course.broken:
    with st.container(border=True):
        nav.unit_link(broken.slug, f"{broken.order}. {broken.title}", icon=":material/warning:")
        st.caption(f"This unit has {nudges.plural(len(broken.problems), 'error')} "
                   "and is hidden until they are fixed.")

leeches.listing(course, states, controls)

left, right = st.columns(2)
with left:
    chart_style.show(charts.forecast_figure(srs.forecast(states, all_keys, now, study_day=day, held=held)),
                     key="forecast")
with right:
    chart_style.show(charts.calendar_figure(days, day.today(now)), key="calendar")
