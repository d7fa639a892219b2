"""The Knowledge Check: question N of M, instant feedback with the explanation, a score.

Every answer is stored when the student checks it, with the pass itself
(``quiz.QuizRun``), so a reload resumes at the same question. After "Check
answer" the choices are shown marked, not as greyed-out widgets: the correct
choice and the student's own are labelled in words and colour (AA contrast, see
ui/style.py). Prompts, choices and explanations are Markdown with KaTeX maths,
as in the unit text. At the end the student can retry only the questions they
missed, or start over.
"""

from __future__ import annotations

import random

import streamlit as st

from studyapp.core import quiz
from studyapp.core.content import Question
from studyapp.ui import context, guard, keys


def _slot(unit_slug: str) -> str:
    return f"quiz:{unit_slug}"


def quiz_panel(unit_slug: str, questions: list[Question], nudge: str | None = None) -> None:
    """The quiz for one unit."""
    if not questions:
        st.info("This unit has no quiz yet.")
        return
    if nudge:
        st.info(nudge, icon=":material/lightbulb:")
    store, user = context.store(), context.current_user()
    run = guard.read(lambda: quiz.load_run(store, user, unit_slug, questions), what="your place in the quiz",
                     fallback=None)
    if run is None:
        return
    by_key = {q.key: q for q in questions}
    if run.finished:
        _summary(unit_slug, run, by_key)
        return
    if run.index == 0 and not run.results:
        _offer_missed_before(unit_slug, questions, run)
    _question(unit_slug, run, by_key[run.keys[run.index]])


def _question(unit_slug: str, run: quiz.QuizRun, question: Question) -> None:
    st.caption(f"Question {run.index + 1} of {len(run.keys)}")
    with st.container(key="quiz-prompt"):
        st.markdown(question.prompt)
    graded = run.results.get(question.key)
    widget_key = f"quiz-answer-{run.serial}-{run.index}"
    if graded is None:
        given = _answer_input(question, widget_key)
        if st.session_state.get(f"quiz-blank:{unit_slug}"):
            st.warning("Give an answer first.", icon=":material/edit:")
        guard.pending(_slot(unit_slug))
        st.button("Check answer", key="quiz-check", type="primary",
                  disabled=question.kind == "single" and given is None,
                  on_click=_check, args=(unit_slug, run, question, widget_key))
        return
    _marked(question, run.given.get(question.key), graded, widget_key)
    _feedback(question, graded)
    guard.pending(_slot(unit_slug))
    label = "Next question" if run.index + 1 < len(run.keys) else "See my score"
    st.button(label, key="quiz-next", type="primary", on_click=_save, args=(unit_slug, run.advanced()))
    keys.focus_when_shown(".st-key-quiz-next button", f"{run.serial}-{run.index}", key="quiz-focus-next",
                          replaced=".st-key-quiz-check")


def shuffled(choices: tuple[str, ...], seed: str) -> list[str]:
    """Choices in an order fixed for one pass (so reruns and reloads keep it) but new for the next pass."""
    return random.Random(seed).sample(list(choices), len(choices))


def _offer_missed_before(unit_slug: str, questions: list[Question], run: quiz.QuizRun) -> None:
    """Coming back to a quiz: offer the questions whose latest stored answer was wrong."""
    results = guard.read(lambda: quiz.latest_results(context.store(), context.current_user(), unit_slug),
                         what="your earlier answers", fallback={})
    wrong = [q.key for q in quiz.missed(questions, results)]
    if wrong and wrong != list(run.keys):
        st.button(f"Retry the {len(wrong)} I missed last time", key="quiz-retry-stored",
                  on_click=_save, args=(unit_slug, quiz.QuizRun(tuple(wrong))))


def _answer_input(question: Question, widget_key: str):
    if question.kind == "single":
        return st.radio("Your answer", shuffled(question.choices, widget_key), index=None, key=widget_key,
                        label_visibility="collapsed")
    if question.kind == "multi":
        st.caption("Select all that apply.")
        for choice in shuffled(question.choices, widget_key):
            st.checkbox(choice, key=f"{widget_key}-{question.choices.index(choice)}")
        return _given(question, widget_key)
    label = f"Your answer ({question.unit})" if question.unit else "Your answer"
    return st.text_input(label, key=widget_key, placeholder="a number, e.g. 65536 or 0.25")


def _given(question: Question, widget_key: str):
    """The answer as the widgets hold it now (read in callbacks, so a just-typed number counts)."""
    if question.kind == "multi":
        return [c for i, c in enumerate(question.choices) if st.session_state.get(f"{widget_key}-{i}")]
    return st.session_state.get(widget_key)


def _blank(question: Question, given) -> bool:
    return given in (None, "", []) if question.kind != "multi" else False


def _check(unit_slug: str, run: quiz.QuizRun, question: Question, widget_key: str) -> None:
    given = _given(question, widget_key)
    if _blank(question, given):
        st.session_state[f"quiz-blank:{unit_slug}"] = True
        return
    st.session_state.pop(f"quiz-blank:{unit_slug}", None)
    store, user = context.store(), context.current_user()
    guard.action(_slot(unit_slug), lambda: quiz.answer(store, user, run, question, given, context.now()),
                 headline="Your answer was not saved.",
                 then="It is still selected: press Check answer again.")


def _save(unit_slug: str, run: quiz.QuizRun) -> None:
    store, user = context.store(), context.current_user()
    guard.action(_slot(unit_slug), lambda: quiz.save_run(store, user, unit_slug, run, context.now()),
                 headline="Your place in the quiz was not saved.", then="Press the button again to retry.")


def _marked(question: Question, given, graded: quiz.Grade, widget_key: str) -> None:
    """The choices after checking: the correct ones and the student's marked in words and colour."""
    if question.kind == "numeric":
        mark = "right" if graded.correct else "wrong"
        with st.container(key=f"quizmark-{mark}-given"):
            st.markdown(f"**Your answer:** {given}")
        return
    chosen = set(given or ()) if question.kind == "multi" else {given}
    correct = set(question.answer) if question.kind == "multi" else {question.answer}
    for i, choice in enumerate(shuffled(question.choices, widget_key)):
        mine, right = choice in chosen, choice in correct
        mark = "right" if right else ("wrong" if mine else "plain")
        with st.container(key=f"quizmark-{mark}-{i}"):
            st.markdown(_mark_label(mine, right))
            st.markdown(choice)


def _mark_label(mine: bool, right: bool) -> str:
    if right and mine:
        return ":material/check_circle: **Correct answer · your choice**"
    if right:
        return ":material/check_circle: **Correct answer · you did not choose it**"
    if mine:
        return ":material/cancel: **Your choice · not correct**"
    return ":material/radio_button_unchecked: Not chosen"


def _feedback(question: Question, graded: quiz.Grade) -> None:
    if graded.correct:
        st.success("**Correct.**", icon=":material/check_circle:")
    else:
        st.error(f"**Not quite.** The answer is: {graded.expected}", icon=":material/cancel:")
    st.markdown(question.explanation)


def _summary(unit_slug: str, run: quiz.QuizRun, by_key: dict[str, Question]) -> None:
    total = len(run.keys)
    st.metric("Your score", f"{run.right} / {total}", help="Counted over this pass through the quiz.")
    st.progress(run.right / total if total else 0.0)
    wrong = run.missed
    if wrong:
        st.markdown("**Missed:**\n\n" + "\n".join(_list_item(by_key[k].prompt) for k in wrong))
    cols = st.columns(2)
    if wrong:
        cols[0].button(f"Retry the {len(wrong)} I missed", key="quiz-retry", type="primary",
                       on_click=_save, args=(unit_slug, quiz.QuizRun(tuple(wrong))))
    else:
        st.balloons()
    cols[1].button("Start over", key="quiz-restart", on_click=_save,
                   args=(unit_slug, quiz.QuizRun(tuple(by_key))))
    guard.pending(_slot(unit_slug))


def _list_item(text: str) -> str:
    """One Markdown list item; continuation lines indented so a multi-line prompt stays in it."""
    return "- " + text.strip().replace("\n", "\n  ")
