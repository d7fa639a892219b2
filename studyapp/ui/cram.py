"""Cram before a quiz: "Review this unit now" on the unit page (``core/cram.py`` says what it is).

While a cram session runs it takes the Fast Drill's place in the tab (so the same
keys flip and rate: Space, 1-4) and says plainly that nothing it does changes the
schedule. Ratings are logged apart (``cram_review``) in button callbacks, through
the guard, like the drill's.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from studyapp.core import cram, nudges, srs
from studyapp.core.content import Card
from studyapp.ui import context, guard, keys
from studyapp.ui.drill import card_face

CRAM_BUTTONS = {
    srs.Rating.Again: ("Again · see it again", "Not recalled: it comes back at the end of this session (key 1)"),
    srs.Rating.Hard: ("Hard · done", "Recalled with effort: done for this session (key 2)"),
    srs.Rating.Good: ("Good · done", "Recalled: done for this session (key 3)"),
    srs.Rating.Easy: ("Easy · done", "Recalled at once: done for this session (key 4)"),
}
NOT_SCHEDULED = ("Cramming never changes when a card is due: your schedule, due counts and mastery stay "
                 "exactly as they are. Your answers are kept apart, as study on your calendar.")


@dataclass
class _Screen:
    session: cram.CramSession
    flipped: bool = False
    shown_at: float = 0.0


def _slot(scope: str) -> str:
    return f"cram:{scope}"


def panel(cards: list[Card], scope: str) -> bool:
    """Draw the running cram session of ``scope`` and return True, or return False (nothing drawn)."""
    screen = st.session_state.get(_slot(scope))
    if screen is None:
        return False
    guard.pending(_slot(scope))
    by_key = {c.key: c for c in cards}
    with st.container(border=True, key="cram-session"):
        st.markdown(f"**:material/bolt: Cramming this unit** · {len(screen.session.left)} left of "
                    f"{screen.session.total}")
        st.caption(NOT_SCHEDULED)
        if screen.session.done or screen.session.current not in by_key:
            _finished(screen.session, scope)
            return True
        card_face(by_key[screen.session.current], screen.flipped)
        _controls(screen, scope)
        st.button("End cram", key="cram-end", type="tertiary", on_click=_end, args=(scope,))
    keys.shortcuts()
    return True


def offer(cards: list[Card], scope: str) -> None:
    """The "Review this unit now" choice below the drill: all cards, or the ones wrong lately.

    Its contents are read and drawn only while it is open (opening it reruns the page), so the
    drill's reruns do not pay for them.
    """
    box = st.expander(":material/bolt: Review this unit now (cram before the quiz)", key=f"cram-offer-{scope}",
                      on_change="rerun")
    if not box.open:
        return
    store, user, now = context.store(), context.current_user(), context.now()
    unit_keys = [c.key for c in cards]
    day = guard.read(context.study_day, what="your study settings", fallback=None)
    every = guard.read(lambda: cram.cram_cards(store, user, unit_keys, now, cram.ALL, study_day=day),
                       what="this unit's cards", fallback=None) if day else None
    wrong = guard.read(lambda: cram.cram_cards(store, user, unit_keys, now, cram.WRONG, study_day=day),
                       what="the cards you got wrong lately", fallback=None) if every is not None else None
    if wrong is None:
        return
    with box:
        st.caption(f"Run through the unit's cards once, whatever their schedule. {NOT_SCHEDULED}")
        choice = st.radio("Cards", (cram.ALL, cram.WRONG), key=f"cram-which-{scope}", horizontal=True,
                          format_func=lambda w: (f"All {nudges.plural(len(every), 'card')}" if w == cram.ALL
                                                 else f"Only the ones you got wrong lately ({len(wrong)})"),
                          help=f"Wrong lately: rated Again at least once in the last {cram.WRONG_LATELY_DAYS} "
                               "days (today included), in the drill, the buddy's quiz or a cram. Suspended "
                               "and buried cards are left out.")
        chosen = every if choice == cram.ALL else wrong
        st.button("Review this unit now", key="cram-start", icon=":material/play_arrow:", type="primary",
                  disabled=not chosen, on_click=_start, args=(scope, chosen))


def _start(scope: str, chosen: list[str]) -> None:
    st.session_state[_slot(scope)] = _Screen(cram.start(chosen), shown_at=context.now().timestamp())


def _end(scope: str) -> None:
    st.session_state.pop(_slot(scope), None)
    guard.clear(_slot(scope))


def _controls(screen: _Screen, scope: str) -> None:
    if not screen.flipped:
        st.button("Show answer", key="drill-flip", type="primary", width="stretch",
                  on_click=_flip, args=(screen,), help="Space")
        return
    with st.container(horizontal=True, key="drill-ratings", gap="small"):
        for rating, (label, help_text) in CRAM_BUTTONS.items():
            st.button(label, key=f"drill-rate-{int(rating)}", width="stretch", help=help_text,
                      on_click=_rate, args=(screen, scope, rating),
                      type="primary" if rating == srs.Rating.Good else "secondary")


def _flip(screen: _Screen) -> None:
    screen.flipped = True


def _rate(screen: _Screen, scope: str, rating) -> None:
    store, user, now = context.store(), context.current_user(), context.now()
    key = screen.session.current
    duration_ms = int(max(0.0, now.timestamp() - screen.shown_at) * 1000)
    saved = guard.action(_slot(scope), lambda: cram.record(store, user, key, rating, now, duration_ms),
                         headline="Your answer was not saved.", then="Press the rating again.")
    if saved is guard.FAILED:
        return
    screen.session = cram.answer(screen.session, rating)
    screen.flipped, screen.shown_at = False, now.timestamp()


def _finished(session: cram.CramSession, scope: str) -> None:
    again = sum(1 for _, r in session.ratings if r == int(srs.Rating.Again))
    st.success(f"**Cram done.** {nudges.plural(session.total, 'card')}, {nudges.plural(len(session.ratings), 'answer')}"
               f" ({again} Again). Your schedule is unchanged.", icon=":material/celebration:")
    st.button("Back to the Fast Drill", key="cram-end", type="primary", on_click=_end, args=(scope,))
