"""Every read and write of the study database made by a study page, guarded one way.

A locked, read-only or broken database raises :class:`StoreError` (its message
names the file and a fix). Here it becomes one message shape, on every study
page: a bold headline saying what did not happen, then the store's own sentence,
then what the student can do. Reads show it where the figure would have been and
draw the rest of the page; writes run in widget callbacks (before the page is
drawn), so their failure (:func:`action`) is kept under a *slot* name and drawn in place by
:func:`pending`, next to the control that failed, with the student's input still
on screen for another try.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from studyapp.core.store import StoreError

T = TypeVar("T")
FAILED = object()  # what action() returns when the store refused (and a fallback for read())
_STOP = object()
_SLOT = "store-error:{}"


def message(headline: str, exc: StoreError, then: str = "") -> str:
    """The one message shape: '**headline** <the store's sentence> <then>'."""
    return f"**{headline}** {exc}" + (f" {then}" if then else "")


def read(call: Callable[[], T], *, what: str, fallback=_STOP) -> T:
    """Run a read; on StoreError show why and return ``fallback`` (no fallback: stop the page).

    ``what`` names what could not be shown ("your progress in this unit").
    """
    try:
        return call()
    except StoreError as exc:
        st.error(message(f"Could not load {what}.", exc, "Reload the page to try again."),
                 icon=":material/error:")
        if fallback is _STOP:
            st.stop()
        return fallback


def action(slot: str, call: Callable[[], T], *, headline: str, then: str = "") -> T:
    """Run what a widget callback does with the store (a write, or a read it needs); return its
    value, or :data:`FAILED` after keeping the message for :func:`pending`.

    ``headline`` says what was not saved ("Your rating was not saved."); ``then`` how to retry.
    A success clears the slot's earlier failure.
    """
    try:
        value = call()
    except StoreError as exc:
        st.session_state[_SLOT.format(slot)] = message(headline, exc, then)
        return FAILED
    st.session_state.pop(_SLOT.format(slot), None)
    return value


def pending(slot: str) -> None:
    """Draw the slot's last write failure, if the write has not succeeded since."""
    text = st.session_state.get(_SLOT.format(slot))
    if text:
        st.error(text, icon=":material/warning:")


def clear(slot: str) -> None:
    """Forget a slot's failure (the student moved on)."""
    st.session_state.pop(_SLOT.format(slot), None)
