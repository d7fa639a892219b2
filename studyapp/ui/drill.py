"""The Fast Drill: one recall card at a time, flip, rate, undo, with Anki's keys.

The drill runs in a fragment, so a rating reruns only the drill, not the unit
text around it. The four outcomes are computed once when a card is shown and
the button pressed saves that outcome, so the interval on the button is the
interval the card gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from studyapp.core import srs
from studyapp.core.content import Card
from studyapp.core.store import StoreError
from studyapp.ui import context, keys

RATING_HELP = {
    srs.Rating.Again: "Forgot it: see it again soon (key 1)",
    srs.Rating.Hard: "Recalled with effort (key 2)",
    srs.Rating.Good: "Recalled (key 3)",
    srs.Rating.Easy: "Recalled at once (key 4)",
}


@dataclass
class DrillSession:
    """What the drill remembers between reruns for one scope (a unit, or all units)."""

    reviewed: int = 0
    current: str | None = None
    flipped: bool = False
    shown_at: float = 0.0  # epoch seconds, for review duration
    outcomes: dict = field(default_factory=dict)
    lapses: int = 0
    error: str | None = None


def _session(scope: str) -> DrillSession:
    return st.session_state.setdefault(f"drill:{scope}", DrillSession())


@st.fragment
def drill(cards: list[Card], scope: str, quiz_hint: bool = False) -> None:
    """Show the due queue of ``cards`` one card at a time."""
    store, user, now = context.store(), context.current_user(), context.now()
    session = _session(scope)
    keys_in_scope = [c.key for c in cards]
    try:
        queue = srs.due_queue(store, user, keys_in_scope, now, context.new_cards_per_day())
    except StoreError as exc:
        context.show_store_error(exc)
        return
    by_key = {c.key: c for c in cards}
    if session.error:
        st.error(session.error, icon=":material/warning:")
    if not queue:
        _all_done(store, user, keys_in_scope, now, session, quiz_hint)
        return
    if session.current not in queue:
        _show_card(session, store, user, queue[0], now)
    card = by_key[session.current]
    st.caption(f"Card {session.reviewed + 1} of {session.reviewed + len(queue)}")
    _card_face(card, session.flipped, session.lapses)
    _controls(session, scope, store, user, card)
    keys.shortcuts()


def _show_card(session: DrillSession, store, user: str, card_key: str, now) -> None:
    state = srs.load_state(store, user, card_key)
    session.current = card_key
    session.flipped = False
    session.shown_at = now.timestamp()
    session.outcomes = srs.preview(context.scheduler(), state, now)
    session.lapses = state.lapses if state else 0


def _card_face(card: Card, flipped: bool, lapses: int = 0) -> None:
    with st.container(border=True, key="drill-card"):
        st.caption("QUESTION")
        st.subheader(card.front, anchor=False)
        if flipped:
            st.divider()
            st.caption("ANSWER")
            st.markdown(card.back)
        else:
            st.caption("Tap the card or press space to flip")
        if lapses:
            leech = " · leech: consider rewriting this card or reading its section again" if lapses >= srs.LEECH_LAPSES else ""
            st.caption(f"Forgotten {lapses} time{'s' if lapses != 1 else ''}{leech}")


def _controls(session: DrillSession, scope: str, store, user: str, card: Card) -> None:
    if not session.flipped:
        st.button("Show answer", key="drill-flip", type="primary", width="stretch",
                  on_click=_flip, args=(session,), help="Space")
    else:
        columns = st.columns(4)
        for column, rating in zip(columns, srs.RATINGS):
            outcome = session.outcomes[rating]
            column.button(outcome.label, key=f"drill-rate-{int(rating)}", width="stretch",
                          help=RATING_HELP[rating], on_click=_rate, args=(session, store, user, card.key, rating),
                          type="primary" if rating == srs.Rating.Good else "secondary")
    _undo_button(session, store, user)


def _undo_button(session: DrillSession, store, user: str) -> None:
    st.button("↶ Undo last rating", key="drill-undo", on_click=_undo, args=(session, store, user),
              help="U: put the last rated card back as it was", type="tertiary")


def _flip(session: DrillSession) -> None:
    session.flipped = True


def _rate(session: DrillSession, store, user: str, card_key: str, rating) -> None:
    now = context.now()
    duration_ms = int(max(0.0, now.timestamp() - session.shown_at) * 1000)
    try:
        srs.record_review(store, user, card_key, session.outcomes[rating], now, duration_ms)
    except StoreError as exc:
        # The card stays on screen, flipped, so the student can press the rating again.
        session.error = f"**Your rating was not saved.** {exc}"
        return
    session.error = None
    session.reviewed += 1
    session.current = None


def _undo(session: DrillSession, store, user: str) -> None:
    try:
        card_key = srs.undo_last_review(store, user)
    except StoreError as exc:
        session.error = f"**Undo failed.** {exc}"
        return
    if card_key is None:
        st.toast("Nothing to undo yet.")
        return
    session.error = None
    session.reviewed = max(0, session.reviewed - 1)
    _show_card(session, store, user, card_key, context.now())


def _all_done(store, user: str, card_keys: list[str], now, session: DrillSession, quiz_hint: bool) -> None:
    following = srs.next_due(store, user, card_keys, now)
    done = f"You reviewed {session.reviewed} card{'s' if session.reviewed != 1 else ''} this session. " if session.reviewed else ""
    when = f"The next card is due in {srs.format_interval(following - now)}." if following else ""
    st.success(f"**All caught up.** {done}{when}", icon=":material/celebration:")
    if quiz_hint:
        st.caption("Ready for the Knowledge Check tab.")
    if session.reviewed:
        _undo_button(session, store, user)
