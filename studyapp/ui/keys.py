"""Keyboard study, as Anki users expect: space flips, 1-4 rate, U undoes; Enter goes on in the quiz.

A tiny Components-v2 element with no UI installs one document-level listener
that clicks the drill's own buttons (found by their ``st-key-*`` classes), so
the keys and the mouse take exactly the same path through the server. Tapping
the card clicks "Show answer" the same way.

The listener runs in the capture phase: the tab bar's own key handling
(react-aria) stops a Space pressed on the "Fast Drill" tab from bubbling, so a
bubbling listener never saw it and the first card would not flip right after the
tab was clicked. Space is taken only where it would do nothing else (the page,
a tab, the card): on a focused button or link it keeps its native meaning.
Only a visible button is pressed, so a drill in a hidden tab never reacts.

:func:`focus_when_shown` moves the keyboard focus to a control that replaced
the one just used (the quiz's "Next question" after "Check answer"), but only
when the focus was lost with the replaced button: it never pulls the focus out
of the scratchpad or any other field.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function () {
  if (window.__studyappDrillKeys) return;
  window.__studyappDrillKeys = true;
  const visible = (selector) => [...document.querySelectorAll(selector + " button")]
    .find((b) => b.offsetParent !== null && !b.disabled);
  const press = (selector) => {
    const button = visible(selector);
    if (button) { button.click(); return true; }
    return false;
  };
  const typing = (t) => t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  const spaceIsFree = (t) => {
    if (!t || t === document.body || !t.closest) return true;
    if (t.getAttribute("role") === "tab" || t.closest(".st-key-drill-card")) return true;
    return !t.closest("button, a, summary, [role=button]");
  };
  document.addEventListener("keydown", (event) => {
    // composedPath()[0] sees into shadow roots: a text area inside a component is retargeted otherwise.
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || typing(target)) return;
    let selector = null;
    if (event.key === " " && spaceIsFree(target)) selector = ".st-key-drill-flip";
    else if (["1", "2", "3", "4"].includes(event.key)) selector = ".st-key-drill-rate-" + event.key;
    else if (event.key === "u" || event.key === "U") selector = ".st-key-drill-undo";
    if (selector && press(selector)) { event.preventDefault(); event.stopPropagation(); }
  }, true);
  document.addEventListener("click", (event) => {
    const card = event.target.closest && event.target.closest(".st-key-drill-card");
    if (card && !event.target.closest("a, button")) press(".st-key-drill-flip");
  });
}
"""

_FOCUS_JS = """
export default function (component) {
  const { data } = component;
  window.__studyappFocused = window.__studyappFocused || {};
  if (window.__studyappFocused[data.selector] === data.token) return;
  // The focus was lost with the control just used (it left the page, or is being replaced):
  // only then is it moved. Focus anywhere else (the scratchpad, a link) is the student's.
  const lost = (a) => !a || a === document.body || !a.isConnected || a.offsetParent === null
    || (data.replaced && a.closest && a.closest(data.replaced));
  const started = Date.now();
  const tryFocus = () => {
    if (!lost(document.activeElement)) { window.__studyappFocused[data.selector] = data.token; return; }
    const el = [...document.querySelectorAll(data.selector)].find((e) => e.offsetParent !== null);
    if (el) {
      el.focus({ preventScroll: false });
      window.__studyappFocused[data.selector] = data.token;
      return;
    }
    if (Date.now() - started < 10000) setTimeout(tryFocus, 50);
  };
  tryFocus();
}
"""

_component = st.components.v2.component("studyapp_drill_keys", js=_JS)
_focus = st.components.v2.component("studyapp_focus", js=_FOCUS_JS)


def shortcuts() -> None:
    """Mount the (invisible) shortcut listener; harmless to mount on every rerun."""
    _component(key="drill-keys", height=0)


def focus_when_shown(selector: str, token: str, key: str, replaced: str = "") -> None:
    """Focus the first visible element matching ``selector`` once per ``token``, if the focus was
    lost (on the page itself, or still on the control matching ``replaced`` that it takes over from)."""
    _focus(key=key, data={"selector": selector, "token": token, "replaced": replaced}, height=0)


def hint(text: str, key: str) -> None:
    """A keyboard hint: hidden on touch screens (see ui/style.py), where there is no keyboard."""
    with st.container(key=f"kbd-hint-{key}"):
        st.caption(text)
