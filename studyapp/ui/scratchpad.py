"""The Chapter Scratchpad: a text area that saves itself while the student types.

``st.text_area`` reports its value only on blur or Ctrl+Enter, so a student who
types and closes the tab would lose the note. This small Components-v2 text
area sends an ``edit`` event about a second after typing stops (and at once on
blur and when the page is hidden), and shows "Saving…", "Saved" or the error.
Until the server acknowledges an edit, the text also waits in the browser's
localStorage (an outbox), and is sent again when the scratchpad next mounts: a
page switch or a closed tab in the second before a save loses nothing.

Edits carry the mount id, a sequence number and an attempt number. The server
echoes them back in ``data`` once the note is committed (or refused), so only the
text area that made an edit shows it as saved, and only for the text it sent.
A refused save (the database locked past its busy timeout, read-only, full) is
sent again with back-off, 1 s doubling to 30 s, until the server takes it; a send
with no answer at all is repeated too. The text area sets its own text only when
first mounted or when the server says the note was replaced (a restored
revision): a rerun or a page switch can never push an empty or stale value over
what the student typed. Times are shown in the student's own time zone.
"""

from __future__ import annotations

import streamlit as st

from studyapp.core import local_time, notes
from studyapp.core.store import BUSY_TIMEOUT_MS, StoreError
from studyapp.ui import context, guard

DEBOUNCE_MS = 1000
# A save answers within the busy timeout (or fails); past this with no answer at all
# (a lost message, a reconnecting socket) the text area sends its text again.
ANSWER_WITHIN_MS = BUSY_TIMEOUT_MS + 10_000

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
  const show = (text, error) => { status.textContent = text; status.classList.toggle("error", !!error); };
  if (!root.__pad) {
    // seq counts edits; acked is the last edit the server committed; attempt numbers every send,
    // so each answer is told apart from the one before (the same error twice is still news).
    const pad = root.__pad = { mount: Math.random().toString(36).slice(2), seq: 0, sent: 0, acked: 0,
                               attempt: 0, answered: null, failures: 0, timer: null,
                               replaced: data.replaced };
    const stopTimer = () => { if (pad.timer) { clearTimeout(pad.timer); pad.timer = null; } };
    const send = () => {
      stopTimer();
      if (pad.seq === pad.acked) return;
      pad.sent = pad.seq;
      pad.attempt += 1;
      setTriggerValue("edit", { text: area.value, mount: pad.mount, seq: pad.seq, attempt: pad.attempt });
      // No answer at all (a lost message, a reconnecting socket): send again; saves are idempotent.
      pad.timer = setTimeout(send, data.answer_within_ms);
    };
    const edited = () => {
      pad.seq += 1;
      writeOutbox(area.value);
      if (!status.classList.contains("error")) show("Saving…", false);
      stopTimer();
      pad.timer = setTimeout(send, %(debounce)d);
    };
    const flush = () => { if (pad.seq !== pad.sent) send(); };
    pad.send = send;
    pad.stopTimer = stopTimer;
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
    // The server replaced the note (a restored revision): show it, and drop what was pending.
    pad.replaced = data.replaced;
    pad.stopTimer();
    area.value = data.text || "";
    pad.seq += 1; pad.sent = pad.acked = pad.seq; pad.failures = 0;
    try { localStorage.removeItem(outboxKey); } catch (e) {}
    show(data.replaced_label || "Restored", false);
    return;
  }
  const ack = data.saved || {};
  if (ack.mount === pad.mount && ack.attempt !== pad.answered) {
    pad.answered = ack.attempt;
    if (data.error && !data.retry) {
      // Refused for what the text is (too long): sending it again cannot help; the next edit will.
      pad.stopTimer();
      show("Not saved: " + data.error + " Your text is kept here.", true);
    } else if (data.error) {
      // Refused (locked, read-only, full): retry with back-off, 1 s doubling to 30 s, until it lands.
      pad.failures += 1;
      const wait = Math.min(1000 * 2 ** (pad.failures - 1), 30000);
      show("Not saved: " + data.error + " Your text is kept here and sent again in " +
           Math.round(wait / 1000) + " s.", true);
      pad.stopTimer();
      pad.timer = setTimeout(pad.send, wait);
    } else {
      pad.failures = 0;
      pad.acked = Math.max(pad.acked, ack.seq);
      if (ack.seq === pad.seq) {
        // Only now, with the server's word that this very text is committed, is it "Saved".
        pad.stopTimer();
        clearOutbox(area.value);
        show("Saved " + (data.saved_at_label || ""), false);
      } else {
        show("Saving…", false);  // newer typing is on its way
      }
    }
  } else if (pad.seq === 0) {
    show(data.saved_at_label ? "Saved " + data.saved_at_label : "Auto-saves as you type", false);
  }
}
""" % {"debounce": DEBOUNCE_MS}

_component = st.components.v2.component("studyapp_scratchpad", html=_HTML, css=_CSS, js=_JS)


def _state_key(unit_slug: str) -> str:
    return f"pad:{unit_slug}"


def _on_edit(unit_slug: str) -> None:
    """Save the edit the text area just sent (runs before the fragment redraws).

    The answer echoes the edit's mount, sequence number and attempt, and is set only
    after the note is committed (or refused), so the text area shows "Saved" for
    exactly the text the database holds.
    """
    event = (st.session_state.get(f"scratchpad-{unit_slug}") or {}).get("edit")
    if not event:
        return
    state = st.session_state.setdefault(_state_key(unit_slug), {})
    ack = {"mount": event.get("mount"), "seq": event.get("seq"), "attempt": event.get("attempt")}
    try:
        notes.save_note(context.store(), context.current_user(), unit_slug, str(event.get("text", "")),
                        context.now())
        state.update(saved=ack, error=None, retry=True)
    except notes.NoteTooLong as exc:
        state.update(saved=ack, error=str(exc), retry=False)
    except StoreError as exc:  # told inside the text area itself, where the student is typing
        state.update(saved=ack, error=str(exc), retry=True)


@st.fragment
def scratchpad(unit_slug: str) -> None:
    """The unit's scratchpad with its revision history."""
    store, user = context.store(), context.current_user()
    state = st.session_state.setdefault(_state_key(unit_slug), {})
    note = guard.read(lambda: notes.load_note(store, user, unit_slug), what="your note for this unit",
                      fallback=None)
    if note is None:
        return
    saved_at = f"at {_when(note.updated_at)}" if note.updated_at else ""
    _component(
        key=f"scratchpad-{unit_slug}",
        data={"text": note.text, "outbox": f"{user}:{unit_slug}", "saved": state.get("saved"),
              "error": state.get("error"), "retry": state.get("retry", True),
              "replaced": state.get("replaced", 0), "replaced_label": state.get("replaced_label", ""),
              "saved_at_label": saved_at, "answer_within_ms": ANSWER_WITHIN_MS},
        on_edit_change=lambda: _on_edit(unit_slug),
    )
    _history(store, user, unit_slug, state)


def _when(iso: str) -> str:
    """A stored UTC time in the student's own time zone (their Study settings', else the
    browser's), labelled with the zone."""
    chosen = guard.read(lambda: context.study_settings().time_zone, what="your time zone", fallback="")
    zone = local_time.student_zone(chosen or st.context.timezone, st.context.timezone_offset)
    return local_time.label(iso, zone, context.now())


def _history(store, user: str, unit_slug: str, state: dict) -> None:
    past = guard.read(lambda: notes.revisions(store, user, unit_slug)[1:],  # the newest is the current text
                      what="the earlier versions of your note", fallback=None)
    if past is None:
        return
    with st.expander(f"Earlier versions ({len(past)})"):
        if not past:
            st.caption("Earlier versions appear here as you write.")
        for revision in past[:10]:
            preview = (revision.text[:80] + "…") if len(revision.text) > 80 else (revision.text or "(empty)")
            st.caption(f"Saved {_when(revision.saved_at)}")
            st.text(preview)
            if st.button("Restore this version", key=f"restore-{revision.id}"):
                _restore(store, user, unit_slug, revision, state)


def _restore(store, user: str, unit_slug: str, revision: notes.Revision, state: dict) -> None:
    restored = guard.action(f"restore-{unit_slug}",
                            lambda: notes.restore_revision(store, user, unit_slug, revision.id, context.now()),
                            headline="The version was not restored.", then="Press Restore again to retry.")
    if restored is guard.FAILED:
        guard.pending(f"restore-{unit_slug}")
        return
    state["replaced"] = state.get("replaced", 0) + 1
    state["replaced_label"] = f"Restored the version saved {_when(revision.saved_at)}"
    st.rerun(scope="fragment")
