"""The Chapter Scratchpad: a text area that saves itself while the student types.

``st.text_area`` reports its value only on blur or Ctrl+Enter, so a student who
types and closes the tab would lose the note. This small Components-v2 text
area sends an ``edit`` event about a second after typing stops (and at once on
blur and when the page is hidden), and shows "Saving…", "Saved" or the error.
Until the server acknowledges an edit, the text also waits in the browser's
localStorage (an outbox), and is sent again when the scratchpad next mounts: a
page switch or a closed tab in the second before a save loses nothing.

Edits carry the mount id and a sequence number. The server echoes the last
saved pair back in ``data``, so only the text area that made an edit shows it
as saved; the text area sets its own text only when first mounted or when the
server says the note was replaced (a restored revision): a rerun or a page
switch can never push an empty or stale value over what the student typed.
"""

from __future__ import annotations

import streamlit as st

from studyapp.core import notes
from studyapp.core.store import StoreError
from studyapp.ui import context

DEBOUNCE_MS = 1000

_HTML = """
<div class="pad">
  <textarea class="pad-text" spellcheck="true" aria-label="Chapter scratchpad"
    placeholder="Your notes for this unit. They save themselves as you type."></textarea>
  <div class="pad-status" role="status" aria-live="polite"></div>
</div>
"""

_CSS = """
.pad { display: flex; flex-direction: column; gap: 0.35rem; }
.pad-text {
  width: 100%; box-sizing: border-box; min-height: 16rem; resize: vertical;
  font: inherit; font-size: 0.95rem; line-height: 1.5; padding: 0.75rem;
  color: var(--st-text-color); background: var(--st-secondary-background-color);
  border: 1px solid var(--st-border-color, rgba(128,128,128,0.3)); border-radius: 0.5rem;
}
.pad-text:focus { outline: 2px solid var(--st-primary-color); outline-offset: -1px; }
.pad-status { font-size: 0.8rem; min-height: 1.2em; color: var(--st-text-color); opacity: 0.7; }
.pad-status.error { color: #d33; opacity: 1; font-weight: 600; }
"""

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement;
  const area = root.querySelector(".pad-text");
  const status = root.querySelector(".pad-status");
  // Outbox: every keystroke is kept in localStorage until the server acknowledges it,
  // so a page switch, a closed tab or a dead server between typing and saving loses nothing.
  const outboxKey = "studyapp-pad:" + data.outbox;
  const readOutbox = () => { try { return JSON.parse(localStorage.getItem(outboxKey)); } catch (e) { return null; } };
  const writeOutbox = (text) => { try { localStorage.setItem(outboxKey, JSON.stringify({ text })); } catch (e) {} };
  const clearOutbox = (text) => {
    const box = readOutbox();
    if (box && box.text === text) { try { localStorage.removeItem(outboxKey); } catch (e) {} }
  };
  if (!root.__pad) {
    const pad = root.__pad = { mount: Math.random().toString(36).slice(2), seq: 0, sent: 0, timer: null,
                               replaced: data.replaced, acked: null };
    const flush = () => {
      if (pad.timer) { clearTimeout(pad.timer); pad.timer = null; }
      if (pad.seq === pad.sent) return;
      pad.sent = pad.seq;
      setTriggerValue("edit", { text: area.value, mount: pad.mount, seq: pad.seq });
    };
    const edited = () => {
      pad.seq += 1;
      writeOutbox(area.value);
      status.textContent = "Saving…";
      status.classList.remove("error");
      if (pad.timer) clearTimeout(pad.timer);
      pad.timer = setTimeout(flush, %(debounce)d);
    };
    pad.flush = flush;
    area.value = data.text || "";
    const box = readOutbox();
    if (box && typeof box.text === "string" && box.text !== area.value) {
      area.value = box.text;  // typed here but never acknowledged: send it now
      edited();
    }
    area.addEventListener("input", edited);
    area.addEventListener("blur", flush);
    document.addEventListener("visibilitychange", () => { if (document.hidden) flush(); });
    root.querySelector(".pad").dataset.ready = "1";  // tests and assistive tech: the note is loaded
  }
  const pad = root.__pad;
  if (data.replaced !== pad.replaced) {
    // The server replaced the note (a restored revision): show it.
    pad.replaced = data.replaced;
    area.value = data.text || "";
    pad.seq += 1; pad.sent = pad.seq;
    try { localStorage.removeItem(outboxKey); } catch (e) {}
  }
  const ack = data.saved || {};
  if (data.error && ack.mount === pad.mount) {
    status.textContent = "Not saved: " + data.error + " Your text is kept here; it is retried.";
    status.classList.add("error");
    pad.sent = -1;  // the next edit, blur or retry sends again
    if (!pad.timer) pad.timer = setTimeout(pad.flush, 3000);
  } else if (ack.mount === pad.mount && ack.seq === pad.seq) {
    clearOutbox(area.value);
    status.textContent = "Saved " + (data.saved_at_label || "");
    status.classList.remove("error");
  } else if (pad.seq === 0) {
    status.textContent = data.saved_at_label ? "Saved " + data.saved_at_label : "Auto-saves as you type";
  }
}
""" % {"debounce": DEBOUNCE_MS}

_component = st.components.v2.component("studyapp_scratchpad", html=_HTML, css=_CSS, js=_JS)


def _state_key(unit_slug: str) -> str:
    return f"pad:{unit_slug}"


def _on_edit(unit_slug: str) -> None:
    """Save the edit the text area just sent (runs before the fragment redraws)."""
    event = (st.session_state.get(f"scratchpad-{unit_slug}") or {}).get("edit")
    if not event:
        return
    state = st.session_state.setdefault(_state_key(unit_slug), {})
    ack = {"mount": event.get("mount"), "seq": event.get("seq")}
    try:
        notes.save_note(context.store(), context.current_user(), unit_slug, str(event.get("text", "")), context.now())
        state.update(saved=ack, error=None)
    except StoreError as exc:
        state.update(saved=ack, error=str(exc))


@st.fragment
def scratchpad(unit_slug: str) -> None:
    """The unit's scratchpad with its revision history."""
    store, user = context.store(), context.current_user()
    state = st.session_state.setdefault(_state_key(unit_slug), {})
    try:
        note = notes.load_note(store, user, unit_slug)
    except StoreError as exc:
        context.show_store_error(exc)
        return
    _component(
        key=f"scratchpad-{unit_slug}",
        data={"text": note.text, "outbox": f"{user}:{unit_slug}", "saved": state.get("saved"), "error": state.get("error"),
              "replaced": state.get("replaced", 0), "saved_at_label": _label(note.updated_at)},
        on_edit_change=lambda: _on_edit(unit_slug),
    )
    _history(store, user, unit_slug, state)


def _label(updated_at: str | None) -> str:
    return f"at {updated_at[11:16]} UTC" if updated_at else ""


def _history(store, user: str, unit_slug: str, state: dict) -> None:
    past = notes.revisions(store, user, unit_slug)[1:]  # the newest is the current text
    with st.expander(f"Earlier versions ({len(past)})"):
        if not past:
            st.caption("Earlier versions appear here as you write.")
        for revision in past[:10]:
            preview = (revision.text[:80] + "…") if len(revision.text) > 80 else (revision.text or "(empty)")
            st.caption(f"{revision.saved_at[:16].replace('T', ' ')} UTC")
            st.text(preview)
            if st.button("Restore this version", key=f"restore-{revision.id}"):
                notes.restore_revision(store, user, unit_slug, revision.id, context.now())
                state["replaced"] = state.get("replaced", 0) + 1
                st.rerun(scope="fragment")
