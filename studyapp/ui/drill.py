"""The Fast Drill: one recall card at a time, flip, rate, undo, with Anki's keys.

It works through :func:`srs.study_queue` as Anki does: learning cards whose step
is over, due reviews, new cards, and, when nothing else is left, the learning
card due soonest, so a card rated Again comes back in the same session until it
passes. What is left is shown as Anki shows it, new · learning · due.

The four outcomes are computed once when a card is shown and the button pressed
saves that outcome, so the interval on the button is the interval the card gets.
Ratings and undo run as button callbacks, before the page is drawn, so every
figure on the page (the unit header too) already includes them.

Under the card, as in Anki's review screen: bury it until tomorrow, suspend it, or
flag it. A rating that makes the card a leech (8 lapses) suspends it, and the drill
says so; undo takes that back too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from studyapp.core import card_control, nudges, srs
from studyapp.core.content import Card
from studyapp.ui import context, guard, keys

RATING_HELP = {
    srs.Rating.Again: "Forgot it: see it again in this session (key 1)",
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
    flag: int = 0  # the current card's flag (card_control.FLAGS)
    notice: str | None = None  # said once after a rating: the card just became a leech
    # Cards rated in this session, newest last: what undo takes back, one by one.
    rated: list[str] = field(default_factory=list)


def _session(scope: str) -> DrillSession:
    return st.session_state.setdefault(f"drill:{scope}", DrillSession())


def _slot(scope: str) -> str:
    return f"drill:{scope}"


def drill(cards: list[Card], scope: str, quiz_hint: bool = False) -> None:
    """Show the study queue of ``cards`` one card at a time."""
    store, user, now = context.store(), context.current_user(), context.now()
    session = _session(scope)
    keys_in_scope = [c.key for c in cards]
    settings = guard.read(context.study_settings, what="your study settings", fallback=None)
    if settings is None:
        return
    queue = guard.read(lambda: srs.study_queue(store, user, keys_in_scope, now, **context.limits(settings)),
                       what="your cards", fallback=None)
    if queue is None:
        return
    guard.pending(_slot(scope))
    if session.notice:
        st.warning(session.notice, icon=":material/pest_control:")
    if queue.empty:
        _all_done(queue, scope, session, quiz_hint, context.study_day(settings))
        return
    if session.current not in (*queue.learning, *queue.due, *queue.new):
        shown = guard.read(lambda: _show_card(session, store, user, queue.next_card(), now),
                           what="this card", fallback=guard.FAILED)
        if shown is guard.FAILED:
            return
    _remaining(queue)
    by_key = {c.key: c for c in cards}
    card_face(by_key[session.current], session.flipped, session.lapses)
    _controls(session, scope, store, user, by_key[session.current])
    _card_actions(session, scope, store, user)
    keys.shortcuts()


def _remaining(queue: srs.StudyQueue) -> None:
    with st.container(key="drill-counts"):
        st.caption(f"Left in this session: **{nudges.counts(queue)}**",
                   help="As Anki counts them. New: cards you have not seen yet, within today's new-card "
                        "limit. Learning: cards in their first minutes, or rated Again; they come back "
                        "until you pass them. Due: cards whose interval has passed.")


def _show_card(session: DrillSession, store, user: str, card_key: str, now) -> None:
    state = srs.load_state(store, user, card_key)
    session.current = card_key
    session.flipped = False
    session.shown_at = now.timestamp()
    session.outcomes = srs.preview(context.scheduler(), state, now)
    session.lapses = state.lapses if state else 0
    session.flag = card_control.controls(store, user).get(card_key, card_control.Control(card_key)).flag


def card_face(card: Card, flipped: bool, lapses: int = 0) -> None:
    """The card, front and (once flipped) back; keyed as the shortcuts and the style sheet expect
    (the cram session draws its cards with it too: only one of the two is on a page at a time)."""
    with st.container(border=True, key="drill-card"):
        st.caption("QUESTION")
        with st.container(key="drill-front"):
            st.markdown(card.front)
        if flipped:
            st.divider()
            st.caption("ANSWER")
            with st.container(key="drill-back"):
                st.markdown(card.back)
        else:
            st.caption("Tap the card to see the answer")
        if lapses:
            leech = (" · leech: consider rewriting this card or reading its section again"
                     if lapses >= srs.LEECH_LAPSES else "")
            st.caption(f"Forgotten {nudges.plural(lapses, 'time')}{leech}")


def _controls(session: DrillSession, scope: str, store, user: str, card: Card) -> None:
    if not session.flipped:
        st.button("Show answer", key="drill-flip", type="primary", width="stretch",
                  on_click=_flip, args=(session,), help="Space")
    else:
        with st.container(horizontal=True, key="drill-ratings", gap="small"):
            for rating in srs.RATINGS:
                st.button(session.outcomes[rating].label, key=f"drill-rate-{int(rating)}", width="stretch",
                          help=RATING_HELP[rating], on_click=_rate,
                          args=(session, scope, store, user, card.key, rating),
                          type="primary" if rating == srs.Rating.Good else "secondary")
    _undo_button(session, scope, store, user)
    keys.hint("Keys: Space flips · 1 Again · 2 Hard · 3 Good · 4 Easy · U undoes", key=f"drill-{scope}")


def _undo_button(session: DrillSession, scope: str, store, user: str) -> None:
    st.button("↶ Undo last rating", key="drill-undo", on_click=_undo, args=(session, scope, store, user),
              disabled=not session.rated, type="tertiary",
              help="U: put the last card you rated in this session back as it was" if session.rated
              else "Nothing to undo yet in this session")


def _flip(session: DrillSession) -> None:
    session.flipped = True


def _rate(session: DrillSession, scope: str, store, user: str, card_key: str, rating) -> None:
    now = context.now()
    duration_ms = int(max(0.0, now.timestamp() - session.shown_at) * 1000)
    outcome = session.outcomes[rating]
    saved = guard.action(_slot(scope),
                         lambda: srs.record_review(store, user, card_key, outcome, now, duration_ms),
                         headline="Your rating was not saved.",
                         then="The card stays here: press the rating again.")
    if saved is guard.FAILED:
        return  # the card stays on screen, flipped, so the student can press the rating again
    session.notice = _leech_notice(saved) if card_control.is_new_leech(session.lapses, saved.lapses) else None
    session.reviewed += 1
    session.rated.append(card_key)
    session.current = None


def _leech_notice(saved: srs.CardState) -> str:
    return (f"**That card is a leech: you have forgotten it {saved.lapses} times, so it is suspended** "
            "(as Anki does) and will not come back by itself. Rewrite it in your own words in the "
            "scratchpad, or read its section again; unsuspend it in Cards when you are ready. "
            "Undo brings it back now.")


def _card_actions(session: DrillSession, scope: str, store, user: str) -> None:
    """Bury, suspend and flag the card on screen (each a callback, like the ratings)."""
    flagged = session.flag != 0
    with st.container(horizontal=True, key="drill-actions", gap="small"):
        st.button("Bury until tomorrow", key="drill-bury", type="tertiary", icon=":material/bedtime:",
                  on_click=_act, args=(session, scope, store, user, "bury"),
                  help="Hide this card until your next study day begins (Settings: next day starts at).")
        st.button("Suspend", key="drill-suspend", type="tertiary", icon=":material/pause_circle:",
                  on_click=_act, args=(session, scope, store, user, "suspend"),
                  help="Take this card out of every review until you unsuspend it in Cards.")
        st.button("Unflag" if flagged else "Flag", key="drill-flag", type="tertiary",
                  icon=":material/flag:", on_click=_act, args=(session, scope, store, user, "flag"),
                  help="A red flag to find the card again in Cards" if not flagged else "Take the flag off")


def _act(session: DrillSession, scope: str, store, user: str, what: str) -> None:
    key, now = session.current, context.now()
    calls = {
        "bury": lambda: card_control.bury(store, user, [key], context.study_day().next_start(now)),
        "suspend": lambda: card_control.suspend(store, user, [key], now),
        "flag": lambda: card_control.set_flag(store, user, [key], 0 if session.flag else 1),
    }
    if guard.action(_slot(scope), calls[what], headline="The card was not changed.",
                    then="Press the button again to retry.") is guard.FAILED:
        return
    session.notice = None
    if what == "flag":
        session.flag = 0 if session.flag else 1
    else:
        session.current = None  # the card leaves the queue: show the next one


def _undo(session: DrillSession, scope: str, store, user: str) -> None:
    if not session.rated:
        return
    card_key = session.rated[-1]
    undone = guard.action(_slot(scope), lambda: srs.undo_last_review(store, user, card_keys=[card_key]),
                         headline="Undo failed.", then="Press Undo again to retry.")
    if undone is guard.FAILED:
        return
    session.rated.pop()
    session.reviewed = max(0, session.reviewed - 1)
    session.notice = None
    if undone is not None:
        guard.action(_slot(scope), lambda: _show_card(session, store, user, card_key, context.now()),
                     headline="The card could not be loaded.")


def _all_done(queue: srs.StudyQueue, scope: str, session: DrillSession, quiz_hint: bool, day) -> None:
    now = context.now()
    text = nudges.all_done(queue, now, session.reviewed, study_day=day)
    if queue.held_out:
        text += (f" {nudges.plural(queue.held_out, 'card')} here {'is' if queue.held_out == 1 else 'are'} "
                 "suspended or buried (see Cards).")
    if queue.limit_reached or queue.due_held:
        st.info(text, icon=":material/hourglass_top:")
    if queue.limit_reached:
        st.button(f"Study {srs.MORE_NEW_CARDS} more new cards today", key="drill-more-new",
                  on_click=_more_new, args=(scope,),
                  help="Raises today's new-card limit by "
                       f"{srs.MORE_NEW_CARDS}, for today only. New cards add reviews in the days after.")
    elif not queue.due_held:
        st.success(text, icon=":material/celebration:")
    if quiz_hint:
        st.caption("Ready for the Knowledge Check tab.")
    if session.rated:
        store, user = context.store(), context.current_user()
        _undo_button(session, scope, store, user)
        keys.shortcuts()


def _more_new(scope: str) -> None:
    store, user = context.store(), context.current_user()
    guard.action(_slot(scope), lambda: srs.allow_more_new(store, user, context.now(),
                                                          study_day=context.study_day()),
                headline="Today's new-card limit was not raised.", then="Press the button again to retry.")
