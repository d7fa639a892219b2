"""Spooky's chat, drawn on the unit page (compact, beside the scratchpad) and on the Study buddy page.

The chat runs in a fragment, so asking a question reruns only the chat, not the unit
around it. Drawing the chat reads the student's history (one query) and nothing else:
the course index is built, and the Lab's torch imported, only when a question needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from studyapp.buddy import history, llm, quiz
from studyapp.buddy.answer import COMPUTED, FOUND, Answer, ask
from studyapp.core import srs
from studyapp.ui import context, guard

AVATAR, STUDENT_AVATAR = ":material/support_agent:", ":material/person:"
BUDDY_PAGE = "views/buddy.py"
UNIT_PAGE = "views/unit.py"
COMPACT_HISTORY = 6  # messages the unit page's panel shows; the Study buddy page shows all
GREETING = (
    "Hi! I'm Spooky, your study buddy. Ask me about the course, ask for a number "
    "(“does llama-2-7b fit a T4 in 4-bit?”), or say **quiz me**."
)


@st.cache_resource(show_spinner="Spooky is reading the course…", max_entries=4)
def _index(signature: tuple):
    from studyapp.buddy.index import build_index

    # The course is already cached per content signature; the index follows it.
    return build_index(context.course())


def course_index():
    """The buddy's index of the current course version (built on the first question)."""
    return _index(context.course_signature())


@dataclass
class QuizState:
    """A quiz-me run in the chat: the cards, where we are, and the card on screen."""

    keys: list[str]
    pos: int = 0
    typed: str | None = None  # the student's answer to the current card, once given
    outcomes: dict = field(default_factory=dict)  # srs.preview of the current card, computed when answered
    shown_at: float = 0.0
    ratings: list[str] = field(default_factory=list)

    @property
    def current(self) -> str | None:
        return self.keys[self.pos] if self.pos < len(self.keys) else None


def mode_line() -> str:
    """The header's honest statement of where answers come from."""
    config = llm.LlmConfig.from_env()
    return f"Connected to {config.model}" if config else "Answers from the course"


def panel(unit_slug: str) -> None:
    """The unit page's buddy: a compact chat that knows which unit the student is reading."""
    st.subheader(f"{AVATAR} Spooky, your study buddy")
    chat(unit_slug=unit_slug, key="buddy-unit", compact=True)


@st.fragment
def chat(unit_slug: str = "", key: str = "buddy", compact: bool = False) -> None:
    """The conversation, the quiz in progress, and the box to ask in."""
    store, user = context.store(), context.current_user()
    st.caption(f":material/{'cloud' if llm.LlmConfig.from_env() else 'menu_book'}: {mode_line()}")
    past = guard.read(lambda: history.messages(store, user, COMPACT_HISTORY if compact else None),
                      what="your conversation with Spooky", fallback=None)
    if past is None:
        return
    box = st.container(height=420 if compact else "content", border=compact)
    with box:
        if not past:
            with st.chat_message("assistant", avatar=AVATAR):
                st.markdown(GREETING)
        for message in past:
            _draw_message(message, key, compact)
    state = st.session_state.get(f"{key}-quiz")
    placeholder = (
        "Your answer (or “skip”, “stop”)…"
        if state and state.current and state.typed is None
        else "Ask Spooky about the course…"
    )
    prompt = st.chat_input(placeholder, key=f"{key}-input")
    with box:
        if prompt:
            _handle(prompt, unit_slug, key, compact)
        _draw_quiz(key)
    _toolbar(unit_slug, key, compact)


def _handle(prompt: str, unit_slug: str, key: str, compact: bool) -> None:
    store, user, now = context.store(), context.current_user(), context.now()
    state = st.session_state.get(f"{key}-quiz")
    saved = guard.action(f"{key}-message", lambda: history.add_message(
        store, user, history.STUDENT, prompt, now, unit_slug=unit_slug),
        headline="Your question was not saved.", then="Ask it again in a moment.")
    if saved is guard.FAILED:
        guard.pending(f"{key}-message")
        return
    with st.chat_message("user", avatar=STUDENT_AVATAR):
        st.markdown(prompt)
    if state and state.current and state.typed is None:
        _quiz_answer(state, prompt, key)
    elif quiz.is_quiz_request(prompt):
        _start_quiz(key, unit_slug)
    else:
        _answer(prompt, unit_slug, key, compact)


def _answer(prompt: str, unit_slug: str, key: str, compact: bool) -> None:
    with st.chat_message("assistant", avatar=AVATAR):
        with st.spinner("Looking it up…"):
            answer = ask(course_index(), prompt, unit=unit_slug or None)
        config = llm.LlmConfig.from_env()
        if config and answer.kind == FOUND and answer.citations:
            answer = _stream_llm(answer, config)
        draw_answer(answer, f"{key}-new", compact, chat_key=key)
    _save_buddy(answer.text, unit_slug, {"answer": answer.to_dict(marks=True)})


def _stream_llm(answer: Answer, config: llm.LlmConfig) -> Answer:
    """Stream the model's reply; on any failure, clear it and keep the offline answer."""
    spot = st.empty()
    with spot.container():
        stream = llm.open_stream(config, answer)
        st.write_stream(stream)
    final = llm.finish(answer, config, stream)
    spot.empty()  # draw_answer shows the kept reply (or the offline one) with its passages
    return final


def _save_buddy(text: str, unit_slug: str, payload: dict) -> None:
    saved = guard.action("buddy-reply", lambda: history.add_message(
        context.store(), context.current_user(), history.BUDDY, text, context.now(),
        unit_slug=unit_slug, payload=payload),
        headline="Spooky's reply was not saved in your history.", then="It is shown here; ask again to keep it.")
    if saved is guard.FAILED:
        guard.pending("buddy-reply")


def _draw_message(message: history.Message, key: str, compact: bool) -> None:
    if message.role == history.STUDENT:
        with st.chat_message("user", avatar=STUDENT_AVATAR):
            st.markdown(message.text)
        return
    with st.chat_message("assistant", avatar=AVATAR):
        if "answer" in message.payload:
            draw_answer(
                Answer.from_dict(message.payload["answer"]), f"{key}-{message.id}", compact, chat_key=key
            )
        elif "quiz" in message.payload:
            _draw_reveal(message.payload["quiz"])
        else:
            st.markdown(message.text)


def draw_answer(answer: Answer, key: str, compact: bool = False, chat_key: str | None = None) -> None:
    """One answer: the reply, its cited passages with links, the cards to drill, the Lab link.

    ``chat_key`` is the chat the answer is in; its "Quiz me on these" button starts a quiz there.
    """
    if answer.notice:
        st.caption(f":material/cloud_off: {answer.notice}")
    st.markdown(answer.text)
    for i, cite in enumerate(answer.citations):
        st.page_link(
            UNIT_PAGE,
            label=f"[{cite.n}] {cite.where}",
            icon=":material/menu_book:",
            query_params={"unit": cite.unit, **({"section": cite.section_slug} if cite.section_slug else {})},
        )
        if i == 0 and not compact:
            st.markdown(cite.markdown())
        else:
            with st.expander("The passage", expanded=i == 0):
                st.markdown(cite.markdown())
    if answer.cards:
        st.markdown("**Drill these now:**\n" + "\n".join(f"- {card.front}" for card in answer.cards))
        if chat_key:
            st.button(
                "Quiz me on these",
                key=f"{key}-drill",
                icon=":material/bolt:",
                on_click=_begin_quiz,
                args=(chat_key, answer.unit, [c.key for c in answer.cards]),
            )
    if answer.lab_url and answer.kind != COMPUTED:
        st.markdown(f":material/science: [Work it out in the LoRA Lab]({answer.lab_url})")


# ---- quiz me ---------------------------------------------------------------------------------


def _start_quiz(key: str, unit_slug: str) -> None:
    """The student typed "quiz me": begin, and say so in the chat."""
    text = _begin_quiz(key, unit_slug)
    if text:
        with st.chat_message("assistant", avatar=AVATAR):
            st.markdown(text)


def _begin_quiz(key: str, unit_slug: str, keys: list[str] | None = None) -> str | None:
    """Choose the cards (these ``keys``, or the due and weakest), save the intro; return its text."""
    course, store, user, now = context.course(), context.store(), context.current_user(), context.now()
    unit = course.unit(unit_slug) if unit_slug else None
    scope = [c.key for c in (unit.cards if unit else course.cards)]
    chosen = guard.action(f"{key}-quiz", lambda: (quiz.askable(store, user, keys, now) if keys
                                                  else quiz.quiz_queue(store, context.scheduler(), user, scope, now)),
                          headline="The quiz could not start.", then="Press Quiz me again.")
    if chosen is guard.FAILED:
        return None
    st.session_state[f"{key}-quiz"] = QuizState(list(chosen), shown_at=now.timestamp())
    where = "on this topic" if keys else (f"from {unit.title}" if unit else "from the whole course")
    text = (
        f"Quiz time: {len(chosen)} card(s) {where}"
        + ("" if keys else ", due ones first, then your weakest")
        + ". Type your answer in the box; I'll show the card's answer beside yours and you rate it."
    )
    _save_buddy(text, unit_slug, {})
    return text


def _quiz_answer(state: QuizState, typed: str, key: str) -> None:
    if typed.strip().lower() in ("stop", "stop quiz", "quit", "end"):
        with st.chat_message("assistant", avatar=AVATAR):
            st.markdown(_end_quiz(state, key))
        return
    state.typed = "" if typed.strip().lower() == "skip" else typed
    stored = srs.load_state(context.store(), context.current_user(), state.current)
    state.outcomes = srs.preview(context.scheduler(), stored, context.now())


def _draw_quiz(key: str) -> None:
    state = st.session_state.get(f"{key}-quiz")
    if not state or state.current is None:
        return
    card = context.course().card(state.current)
    if card is None:  # removed from the course since the quiz began
        state.pos += 1
        return
    with st.chat_message("assistant", avatar=AVATAR):
        st.caption(f"QUIZ · card {state.pos + 1} of {len(state.keys)}")
        st.markdown(f"**{card.front}**")
        if state.typed is None:
            st.caption("Type your answer below.")
            return
        _draw_reveal({"answer": state.typed, "back": card.back})
        columns = st.columns(4)
        for column, rating in zip(columns, srs.RATINGS):
            column.button(
                state.outcomes[rating].label,
                key=f"{key}-quiz-rate-{int(rating)}",
                width="stretch",
                on_click=_rate,
                args=(state, key, rating),
                type="primary" if rating == srs.Rating.Good else "secondary",
            )


def _draw_reveal(quiz_payload: dict) -> None:
    if quiz_payload.get("front"):
        st.markdown(f"**{quiz_payload['front']}**")
    mine, card = st.columns(2)
    mine.caption("YOUR ANSWER")
    mine.markdown(quiz_payload.get("answer") or "*(skipped)*")
    card.caption("THE CARD SAYS")
    card.markdown(quiz_payload["back"])
    if quiz_payload.get("rating"):
        st.caption(f"You rated it **{quiz_payload['rating']}**.")


def _rate(state: QuizState, key: str, rating) -> None:
    store, user, now = context.store(), context.current_user(), context.now()
    card = context.course().card(state.current)
    duration_ms = int(max(0.0, now.timestamp() - state.shown_at) * 1000)
    if guard.action(f"{key}-quiz", lambda: srs.record_review(store, user, state.current, state.outcomes[rating],
                                                              now, duration_ms),
                    headline="Your rating was not saved.", then="Press the rating again.") is guard.FAILED:
        return  # the card stays revealed: the student can press the rating again
    label = srs.RATING_LABELS[rating]
    payload = {
        "quiz": {
            "key": state.current,
            "front": card.front,
            "back": card.back,
            "answer": state.typed,
            "rating": label,
        }
    }
    _save_buddy(f"Quiz: {card.front} — rated {label}", "", payload)
    state.ratings.append(label)
    state.pos, state.typed, state.outcomes, state.shown_at = state.pos + 1, None, {}, now.timestamp()
    if state.current is None:
        _end_quiz(state, key)


def _end_quiz(state: QuizState, key: str) -> str:
    """Close the quiz with a summary message; return its text."""
    counts = {
        label: state.ratings.count(label) for label in srs.RATING_LABELS.values() if label in state.ratings
    }
    done = ", ".join(f"{n} {label}" for label, n in counts.items()) or "no cards rated"
    text = f"Quiz over: {done}. Your ratings are in your review schedule, as in the Fast Drill."
    _save_buddy(text, "", {})
    st.session_state.pop(f"{key}-quiz", None)
    return text


def _toolbar(unit_slug: str, key: str, compact: bool) -> None:
    guard.pending(f"{key}-quiz")
    left, right = st.columns(2) if compact else st.columns([1, 1, 4])[:2]
    left.button(
        "Quiz me",
        key=f"{key}-quiz-start",
        icon=":material/bolt:",
        on_click=_begin_quiz,
        width="stretch",
        args=(key, unit_slug),
        help="Your due cards, then your weakest, one at a time",
    )
    with right.popover("Clear", icon=":material/delete:", help="Delete this conversation", width="stretch"):
        st.caption("This deletes your whole conversation with Spooky. Your reviews stay.")
        st.button("Delete my conversation", key=f"{key}-clear", type="primary", on_click=_clear, args=(key,))
    if compact:
        st.page_link(BUDDY_PAGE, label="Open the full Study buddy page", icon=":material/open_in_full:")


def _clear(key: str) -> None:
    if guard.action(f"{key}-quiz", lambda: history.clear(context.store(), context.current_user()),
                    headline="Your conversation was not deleted.", then="Press Delete again.") is guard.FAILED:
        return
    st.session_state.pop(f"{key}-quiz", None)
