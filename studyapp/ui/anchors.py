"""Open a page at a place in it: scroll to a keyed container once per arrival.

Used by the unit page for ``?section=SECTION_SLUG``. The container may not be drawn
yet when the script arrives, and charts drawn above it push it down as they
render, so the script waits for it and keeps it at the top of the view until it
has stayed put for 1.5 s (8 s at most), unless the student scrolls, taps, clicks
or presses a key first: their own scrolling always wins.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { data } = component;
  if (window.__studyappArrival === data.token) return;  // this arrival was handled: reruns do not scroll
  window.__studyappArrival = data.token;
  const selector = ".st-key-" + data.target;
  let stopped = false;
  const stop = () => { stopped = true; };
  const events = ["wheel", "touchstart", "keydown", "mousedown"];
  events.forEach((e) => window.addEventListener(e, stop, { once: true, capture: true }));
  const started = Date.now();
  let settledSince = null, lastTop = null;
  const step = () => {
    if (stopped) return;
    const el = document.querySelector(selector);
    if (el) {
      const top = el.getBoundingClientRect().top;
      if (Math.abs(top) > 2) el.scrollIntoView({ block: "start" });
      if (lastTop !== null && Math.abs(top - lastTop) < 1) settledSince = settledSince || Date.now();
      else settledSince = null;
      lastTop = el.getBoundingClientRect().top;
      el.dataset.scrolledTo = "1";  // tests: the page has opened at this place
      if (settledSince && Date.now() - settledSince > 1500) return;
    }
    if (Date.now() - started < 8000) setTimeout(step, 100);
  };
  step();
}
"""

_component = st.components.v2.component("studyapp_scroll_to", js=_JS)


def scroll_to(container_key: str, token: str) -> None:
    """Scroll to the container keyed ``container_key`` once for ``token`` (a new token scrolls again)."""
    _component(key="scroll-to", data={"target": container_key, "token": token}, height=0)
