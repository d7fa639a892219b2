"""The Knowledge Check: question N of M, instant feedback with the explanation, a score.

Every answer is stored when the student checks it. At the end the student can
retry only the questions they missed, or start over.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

import streamlit as st

from studyapp.core import quiz
from studyapp.core.content import Question
from studyapp.core.store import StoreError
from studyapp.ui import context


@dataclass
class QuizRun:
    """One pass through a list of questions."""

    keys: list[str]
    index: int = 0
    results: dict = field(default_factory=dict)  # question key -> quiz.Grade
    given: dict = field(default_factory=dict)  # question key -> the student's answer
    error: str | None = None
    serial: str = field(default_factory=lambda: uuid.uuid4().hex[:8])  # fresh widgets per pass

    @property
    def finished(self) -> bool:
        return self.index >= len(self.keys)


def _run(unit_slug: str, questions: list[Question]) -> QuizRun:
    key = f"quiz:{unit_slug}"
    run = st.session_state.get(key)
    valid = {q.key for q in questions}
    if run is None or not set(run.keys) <= valid:  # the unit was edited: start afresh
        run = st.session_state[key] = QuizRun([q.key for q in questions])
    return run


@st.fragment
def quiz_panel(unit_slug: str, questions: list[Question], nudge: str | None = None) -> None:
    """The quiz for one unit."""
    if not questions:
        st.info("This unit has no quiz yet.")
        return
    if nudge:
        st.info(nudge, icon=":material/lightbulb:")
    run = _run(unit_slug, questions)
    by_key = {q.key: q for q in questions}
    if run.finished:
        _summary(unit_slug, run, by_key)
        return
    if run.index == 0 and not run.results:
        _offer_missed_before(unit_slug, questions, run)
    question = by_key[run.keys[run.index]]
    st.caption(f"Question {run.index + 1} of {len(run.keys)}")
    st.markdown(f"**{question.prompt}**")
    graded = run.results.get(question.key)
    widget_key = f"quiz-answer-{run.serial}-{run.index}"
    given = _answer_input(question, widget_key, disabled=graded is not None)
    if run.error:
        st.error(run.error, icon=":material/warning:")
    if graded is None:
        st.button("Check answer", key="quiz-check", type="primary", disabled=question.kind == "single" and given is None,
                  on_click=_check, args=(run, question, widget_key))
    else:
        _feedback(question, graded)
        label = "Next question" if run.index + 1 < len(run.keys) else "See my score"
        st.button(label, key="quiz-next", type="primary", on_click=_advance, args=(run,))


def shuffled(choices: tuple[str, ...], seed: str) -> list[str]:
    """Choices in an order fixed for one pass (so reruns keep it) but new for the next pass."""
    return random.Random(seed).sample(list(choices), len(choices))


def _offer_missed_before(unit_slug: str, questions: list[Question], run: QuizRun) -> None:
    """Coming back to a quiz: offer the questions whose latest stored answer was wrong."""
    try:
        results = quiz.latest_results(context.store(), context.current_user(), unit_slug)
    except StoreError:
        return  # the quiz still works; saving an answer will report the problem
    wrong = [q.key for q in quiz.missed(questions, results)]
    if wrong and wrong != run.keys:
        st.button(f"Retry the {len(wrong)} I missed last time", key="quiz-retry-stored",
                  on_click=_restart, args=(unit_slug, wrong))


def _answer_input(question: Question, widget_key: str, disabled: bool):
    if question.kind == "single":
        return st.radio("Your answer", shuffled(question.choices, widget_key), index=None, key=widget_key,
                        disabled=disabled, label_visibility="collapsed")
    if question.kind == "multi":
        st.caption("Select all that apply.")
        for choice in shuffled(question.choices, widget_key):
            st.checkbox(choice, key=f"{widget_key}-{question.choices.index(choice)}", disabled=disabled)
        return _given(question, widget_key)
    label = f"Your answer ({question.unit})" if question.unit else "Your answer"
    return st.text_input(label, key=widget_key, disabled=disabled, placeholder="a number, e.g. 65536 or 0.25")


def _given(question: Question, widget_key: str):
    """The answer as the widgets hold it now (read in callbacks, so a just-typed number counts)."""
    if question.kind == "multi":
        return [c for i, c in enumerate(question.choices) if st.session_state.get(f"{widget_key}-{i}")]
    return st.session_state.get(widget_key)


def _blank(question: Question, given) -> bool:
    return given in (None, "", []) if question.kind != "multi" else False


def _check(run: QuizRun, question: Question, widget_key: str) -> None:
    given = _given(question, widget_key)
    if _blank(question, given):
        run.error = "Give an answer first."
        return
    result = quiz.grade(question, given)
    try:
        quiz.record_attempt(context.store(), context.current_user(), question, given, result, context.now())
    except StoreError as exc:
        run.error = f"**Your answer was not saved.** {exc} Press Check answer again to retry."
        return
    run.error = None
    run.results[question.key] = result
    run.given[question.key] = given


def _advance(run: QuizRun) -> None:
    run.index += 1


def _feedback(question: Question, graded: quiz.Grade) -> None:
    if graded.correct:
        st.success("**Correct.**", icon=":material/check_circle:")
    else:
        st.error(f"**Not quite.** The answer is: {graded.expected}", icon=":material/cancel:")
    st.markdown(question.explanation)


def _summary(unit_slug: str, run: QuizRun, by_key: dict[str, Question]) -> None:
    right = sum(r.correct for r in run.results.values())
    total = len(run.keys)
    st.metric("Your score", f"{right} / {total}", help="Counted over this pass through the quiz.")
    st.progress(right / total if total else 0.0)
    wrong = [k for k in run.keys if not run.results[k].correct]
    if wrong:
        st.markdown("**Missed:** " + "; ".join(by_key[k].prompt for k in wrong))
    cols = st.columns(2)
    if wrong:
        cols[0].button(f"Retry the {len(wrong)} I missed", key="quiz-retry", type="primary",
                       on_click=_restart, args=(unit_slug, wrong))
    else:
        st.balloons()
    cols[1].button("Start over", key="quiz-restart", on_click=_restart, args=(unit_slug, list(by_key)))


def _restart(unit_slug: str, keys: list[str]) -> None:
    st.session_state[f"quiz:{unit_slug}"] = QuizRun(list(keys))
