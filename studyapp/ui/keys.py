"""Keyboard shortcuts for the drill, as Anki users expect: space flips, 1-4 rate, u undoes.

A tiny Components-v2 element with no UI installs one document-level listener
that clicks the drill's own buttons (found by their ``st-key-*`` classes), so
the keys and the mouse take exactly the same path through the server. Tapping
the card clicks "Show answer" the same way.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function () {
  if (window.__studyappDrillKeys) return;
  window.__studyappDrillKeys = true;
  const press = (selector) => {
    const button = document.querySelector(selector + " button");
    if (button && !button.disabled) { button.click(); return true; }
    return false;
  };
  document.addEventListener("keydown", (event) => {
    // composedPath()[0] sees into shadow roots: a text area inside a component is retargeted otherwise.
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    let selector = null;
    if (event.key === " ") selector = ".st-key-drill-flip";
    else if (["1", "2", "3", "4"].includes(event.key)) selector = ".st-key-drill-rate-" + event.key;
    else if (event.key === "u" || event.key === "U") selector = ".st-key-drill-undo";
    if (selector && press(selector)) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    const card = event.target.closest && event.target.closest(".st-key-drill-card");
    if (card && !event.target.closest("a, button")) press(".st-key-drill-flip");
  });
}
"""

_component = st.components.v2.component("studyapp_drill_keys", js=_JS)


def shortcuts() -> None:
    """Mount the (invisible) shortcut listener; harmless to mount on every rerun."""
    _component(key="drill-keys", height=0)
