"""Open a page at a place in it: scroll to a keyed container once per arrival.

Used by the unit page for ``?section=SECTION_SLUG``. The container may not be drawn
yet when the script arrives, and charts drawn above it push it down as they
render, so the script waits for it and keeps it at the top of the view for ten
seconds, unless the student scrolls, taps, clicks or presses a key first: their own
scrolling always wins.
"""

from __future__ import annotations

import streamlit as st

PIN_MS = 10_000  # how long the section is held in place while the page above it finishes drawing

_JS = """
export default function (component) {
  const { data } = component;
  if (window.__studyappArrival === data.token) return;  // this arrival was handled: reruns do not scroll
  window.__studyappArrival = data.token;
  const selector = ".st-key-" + data.target;
  let stopped = false;
  const stop = () => { stopped = true; };
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(
    (e) => window.addEventListener(e, stop, { once: true, capture: true }));
  const started = Date.now();
  let pinnedAt = null;  // where scrollIntoView put it (its scroll-margin below the header)
  const step = () => {
    if (stopped) return;
    const el = document.querySelector(selector);
    if (el) {
      const top = el.getBoundingClientRect().top;
      if (pinnedAt === null || Math.abs(top - pinnedAt) > 2) {  // first time, or pushed by a chart
        el.scrollIntoView({ block: "start" });
        pinnedAt = el.getBoundingClientRect().top;
      }
      el.dataset.scrolledTo = "1";  // tests: the page has opened at this place
    }
    if (Date.now() - started < %(pin_ms)d) setTimeout(step, 100);
  };
  step();
}
""" % {"pin_ms": PIN_MS}

_component = st.components.v2.component("studyapp_scroll_to", js=_JS)


def scroll_to(container_key: str, token: str) -> None:
    """Scroll to the container keyed ``container_key`` once for ``token`` (a new token scrolls again)."""
    _component(key="scroll-to", data={"target": container_key, "token": token}, height=0)
