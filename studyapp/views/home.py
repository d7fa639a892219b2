"""Home: every unit with its progress, what is due, the forecast and the study calendar."""

from __future__ import annotations

import streamlit as st

from studyapp.core import progress, srs
from studyapp.ui import charts, context, nav

course = context.course()
store, user, now = context.store(), context.current_user(), context.now()
scheduler = context.scheduler()

st.title("Learn LoRA and QLoRA")
st.caption("Read a unit, recall its cards, check yourself with the quiz, and come back when cards are due.")

all_keys = [c.key for c in course.cards]
queue = srs.due_queue(store, user, all_keys, now, context.new_cards_per_day())
states = srs.load_states(store, user)
days = progress.activity(store, user)

rows = {p.slug: p for p in progress.course_progress(store, scheduler, user, course, now, states)}
due_reviews = sum(k in states for k in queue)

c1, c2, c3 = st.columns(3)
c1.metric("Cards to review now", len(queue), help="Due cards plus today's new cards, across all units.")
c2.metric("Study streak", f"{progress.streak(days, now.date())} days")
c3.metric("Cards learned", f"{len(states)} / {len(all_keys)}")

step = progress.study_next(list(course.units), rows, due_reviews, len(queue) - due_reviews)
with st.container(border=True, key="study-next"):
    st.markdown(f"**What to study next:** {step.message}")
    if step.kind in ("review", "new-cards"):
        st.page_link("views/review.py", label=f"Open the review ({len(queue)} cards)", icon=":material/bolt:")
    elif step.kind == "read":
        nav.unit_link(step.unit_slug, "Open the unit", icon=":material/menu_book:")

STATUS_ICONS = {"done": ":material/check_circle:", "in progress": ":material/pending:",
                "not started": ":material/radio_button_unchecked:"}
st.subheader("Course map")
for unit in course.units:
    stats = rows[unit.slug]
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            nav.unit_link(unit.slug, f"{unit.order}. {unit.title}", icon=STATUS_ICONS[progress.unit_status(stats)])
            st.caption(f"{unit.read_minutes} min read · {unit.summary}")
        with right:
            st.progress(stats.mastery, text=f"Mastery {stats.mastery:.0%}")
            st.caption(f"Read {stats.sections_read}/{stats.sections_total} · "
                       f"{stats.cards_seen}/{stats.cards_total} cards seen · {stats.due} due · "
                       f"quiz {stats.quiz_right}/{stats.quiz_total}"
                       + (f" · {stats.leeches} leech card(s)" if stats.leeches else ""))
for broken in course.broken:
    with st.container(border=True):
        nav.unit_link(broken.slug, f"{broken.order}. {broken.title}", icon=":material/warning:")
        st.caption(f"This unit has {len(broken.problems)} error(s) and is hidden until they are fixed.")

left, right = st.columns(2)
left.plotly_chart(charts.forecast_figure(srs.forecast(states, all_keys, now)), key="forecast")
right.plotly_chart(charts.calendar_figure(days, now.date()), key="calendar")
st.caption(srs.MASTERY_HELP)
