"""Cards: every card with its schedule and memory; search, filter, and act on a selection.

``?show=leeches`` (Home's link) opens with that filter.
"""

from __future__ import annotations

from datetime import timezone

import streamlit as st

from studyapp.core import card_control, card_table, nudges, srs
from studyapp.core.study_day import zone_label
from studyapp.ui import context, guard

SLOT, TABLE = "cards", "cards-table"
course = context.course()
store, user, now = context.store(), context.current_user(), context.now()
settings = guard.read(context.study_settings, what="your study settings")
day = context.study_day(settings)

st.title("Cards")
st.caption("Every recall card of the course with what FSRS knows of it. Select rows to suspend, bury, "
           "flag or reset them.")
states = guard.read(lambda: srs.load_states(store, user), what="your cards")
controls = guard.read(lambda: card_control.controls(store, user), what="your suspended and flagged cards")
found = card_table.rows(course, states, controls, srs.scheduler_for(settings), now)

units = {u.slug: f"{u.order}. {u.title}" for u in course.units}
wanted_show = st.query_params.get("show", "all")
with st.container(horizontal=True, key="cards-filters", gap="small"):
    text = st.text_input("Search", key="cards-search", placeholder="words on the front or back")
    unit = st.selectbox("Unit", [None, *units], format_func=lambda s: "All units" if s is None else units[s],
                        key="cards-unit")
    chosen_states = st.multiselect("State", list(card_table.STATES.values()), key="cards-states")
    show = st.selectbox("Show", card_table.SHOW, key="cards-show",
                        index=card_table.SHOW.index(wanted_show) if wanted_show in card_table.SHOW else 0)
shown = card_table.select(found, now, text=text, unit=unit, states=tuple(chosen_states), show=show)


def _table(rows: list[card_table.CardRow]) -> list[dict]:
    zone = day.zone
    return [{"unit": r.unit, "card": r.front, "kind": r.kind, "state": r.state, "level": r.level,
             "due": r.due.astimezone(zone).replace(tzinfo=None) if r.due else None,
             "stability (d)": r.stability, "difficulty": r.difficulty,
             "recall now": None if r.retrievability is None else 100 * r.retrievability,
             "reps": r.reps, "lapses": r.lapses, "suspended": r.suspended, "buried": r.buried,
             "flag": "" if r.flag == "none" else r.flag} for r in rows]


st.caption(f"{nudges.plural(len(shown), 'card')} of {len(found)} · times in {zone_label(day.zone)}")
event = st.dataframe(
    _table(shown), key=TABLE, on_select="rerun", selection_mode="multi-row", hide_index=True,
    column_config={
        "due": st.column_config.DatetimeColumn("due", format="D MMM YYYY, HH:mm"),
        "stability (d)": st.column_config.NumberColumn(format="%.1f", help="Days until predicted recall falls to 90%"),
        "difficulty": st.column_config.NumberColumn(format="%.1f", help="FSRS difficulty, 1 (easy) to 10 (hard)"),
        "recall now": st.column_config.NumberColumn(format="%.0f%%", help="Predicted probability of recall now"),
        "card": st.column_config.TextColumn(width="large"),
    })
# A new selection reruns the page, so the buttons below always carry the cards selected now.
selected = [shown[i].key for i in event.selection.rows if i < len(shown)]


def _act(what: str, picked: list[str], flag: int = 0) -> None:
    when = context.now()
    calls = {
        "suspend": lambda: card_control.suspend(store, user, picked, when),
        "unsuspend": lambda: card_control.unsuspend(store, user, picked),
        "bury": lambda: card_control.bury(store, user, picked, day.next_start(when)),
        "unbury": lambda: card_control.unbury(store, user, picked),
        "flag": lambda: card_control.set_flag(store, user, picked, flag),
        "reset": lambda: card_control.reset(store, user, picked, when),
    }
    done = guard.action(SLOT, calls[what], headline="Your cards were not changed.",
                        then="Select them and press the button again.")
    if done is not guard.FAILED:
        st.session_state["cards-done"] = f"{what.capitalize()}: {nudges.plural(len(picked), 'card')}."


guard.pending(SLOT)
if "cards-done" in st.session_state:
    st.success(st.session_state.pop("cards-done"), icon=":material/check_circle:")
none = not selected
with st.container(horizontal=True, key="cards-actions", gap="small"):
    st.caption(f"{nudges.plural(len(selected), 'card')} selected")
    for what, icon in (("suspend", "pause_circle"), ("unsuspend", "play_circle"), ("bury", "bedtime"),
                       ("unbury", "wb_sunny")):
        st.button(what.capitalize(), key=f"cards-{what}", icon=f":material/{icon}:", disabled=none,
                  on_click=_act, args=(what, selected))
    with st.popover("Flag", icon=":material/flag:", disabled=none, key="cards-flag-menu"):
        for number, name in card_control.FLAGS.items():
            st.button("No flag" if number == 0 else name.capitalize(), key=f"cards-flag-{number}",
                      on_click=_act, args=("flag", selected, number))
    with st.popover("Reset", icon=":material/restart_alt:", disabled=none, key="cards-reset-menu"):
        st.markdown(f"Make {nudges.plural(len(selected), 'card')} new again? What FSRS knows of them "
                    "(stability, difficulty, due date, reps and lapses) is deleted; your review log "
                    "keeps their history. This cannot be undone.")
        st.button("Reset to new", key="cards-reset", type="primary", on_click=_act, args=("reset", selected))
