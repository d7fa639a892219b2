"""A student's journey in a real browser against a real server, across reloads and restarts."""

from __future__ import annotations

import pytest

from studyapp.core import notes, quiz, srs
from studyapp.core.content import load_course
from studyapp.core.store import open_store

from live_server import ROOT, wait_idle

pytestmark = pytest.mark.browser
UNIT = "lora-basics"
NOTE = "B starts at zero, so step 0 equals the base model."


def open_unit(page, server) -> None:
    page.goto(f"{server.url}/unit?unit={UNIT}")
    wait_idle(page)
    page.get_by_role("heading", name="LoRA: Low-Rank Adaptation Explained").wait_for()


def button(page, key: str):
    """The visible button of a keyed Streamlit button (Streamlit also renders a hidden measuring copy)."""
    return page.locator(f".st-key-{key}").get_by_role("button")


def left(page, new: int, learning: int, due: int):
    """The drill's remaining counts, once they read as given."""
    return page.get_by_text(f"Left in this session: {new} new · {learning} learning · {due} due")


def scratchpad(page):
    """The scratchpad's text area, once its script has put the saved note in it."""
    page.locator(".pad[data-ready] textarea.pad-text").wait_for()
    return page.locator("textarea.pad-text")


def pad_status(page):
    return page.locator(".pad-status")


def db_now(server):
    from datetime import datetime, timezone
    return open_store(server.db, datetime.now(timezone.utc))


def test_read_drill_quiz_note_reload_restart(server, page):
    unit = load_course(ROOT / "content").unit(UNIT)
    open_unit(page, server)
    page.locator(".js-plotly-plot").first.wait_for()  # the explainer is drawn

    # Fast Drill: flip by tapping the card, rate with the button that shows the interval.
    page.get_by_role("tab", name="Fast Drill").click()
    left(page, _new_today(unit), 0, 0).wait_for()
    page.locator(".st-key-drill-card").click()
    page.get_by_text(unit.cards[0].back[:40]).wait_for()
    button(page, "drill-rate-3").click()
    left(page, _new_today(unit) - 1, 1, 0).wait_for()  # Good on a new card: its 10-minute step

    # Keyboard as in Anki: space flips, 4 rates Easy.
    page.keyboard.press(" ")
    page.locator(".st-key-drill-rate-4").wait_for()
    page.keyboard.press("4")
    left(page, _new_today(unit) - 2, 1, 0).wait_for()

    # Knowledge Check: answer the first question and see the explanation.
    first = unit.questions[0]
    page.get_by_role("tab", name="Knowledge Check").click()
    _answer_first_question(page, first)
    button(page, "quiz-check").click()
    page.get_by_text("Correct.").wait_for()

    # Scratchpad: type, wait for "Saved" without leaving the field.
    scratchpad(page).click()
    scratchpad(page).press_sequentially(NOTE, delay=5)
    _wait_saved(page)

    # Reload: the note is there.
    open_unit(page, server)
    assert scratchpad(page).input_value() == NOTE

    # Restart the server: reviews, answer and note survive.
    server.kill()
    server.start()
    open_unit(page, server)
    assert scratchpad(page).input_value() == NOTE
    store = db_now(server)
    assert srs.load_state(store, "local", unit.cards[0].key).reps == 1
    assert srs.load_state(store, "local", unit.cards[1].key).reps == 1
    assert quiz.latest_results(store, "local", UNIT) == {first.key: True}
    page.get_by_role("tab", name="Fast Drill").click()
    left(page, _new_today(unit) - 2, 1, 0).wait_for()


def _answer_first_question(page, question) -> None:
    if question.kind == "single":
        page.get_by_role("radiogroup").get_by_text(question.answer, exact=True).click()
    elif question.kind == "multi":
        for choice in question.answer:
            page.get_by_text(choice, exact=True).click()
            wait_idle(page)
    else:
        box = page.get_by_label("Your answer")
        box.fill(str(question.answer))
        box.press("Enter")
    wait_idle(page)


def _wait_saved(page) -> None:
    page.locator(".pad-status", has_text="Saved").wait_for(timeout=15000)


def test_sigkill_right_after_each_write_loses_nothing(server, page):
    unit = load_course(ROOT / "content").unit(UNIT)
    open_unit(page, server)
    scratchpad(page).fill("typed, then the server died")
    scratchpad(page).press("End")
    scratchpad(page).press_sequentially("!", delay=5)
    _wait_saved(page)
    server.kill()
    assert notes.load_note(db_now(server), "local", UNIT).text == "typed, then the server died!"

    server.start()
    open_unit(page, server)
    page.get_by_role("tab", name="Fast Drill").click()
    button(page, "drill-flip").click()
    button(page, "drill-rate-1").click()
    left(page, _new_today(unit) - 1, 1, 0).wait_for()
    server.kill()
    assert srs.load_state(db_now(server), "local", unit.cards[0].key).reps == 1

    server.start()
    open_unit(page, server)
    page.get_by_role("tab", name="Knowledge Check").click()
    _answer_first_question(page, unit.questions[0])
    button(page, "quiz-check").click()
    page.get_by_text("Correct.").wait_for()
    server.kill()
    assert quiz.latest_results(db_now(server), "local", UNIT) == {unit.questions[0].key: True}


def test_switching_page_mid_typing_keeps_the_note(server, page):
    open_unit(page, server)
    scratchpad(page).press_sequentially("typed, then left at once", delay=5)
    page.get_by_role("link", name="Home").first.click()  # well inside the one-second debounce
    wait_idle(page)
    page.get_by_role("link", name="LoRA: Low-Rank Adaptation Explained").first.click()
    assert scratchpad(page).input_value() == "typed, then left at once"
    _wait_saved(page)
    assert notes.load_note(db_now(server), "local", UNIT).text == "typed, then left at once"
    open_unit(page, server)  # a plain reload neither empties nor duplicates it
    assert scratchpad(page).input_value() == "typed, then left at once"
    assert [r.text for r in notes.revisions(db_now(server), "local", UNIT)] == ["typed, then left at once"]


def _new_today(unit) -> int:
    """The unit's new cards the drill offers today: all of them, up to the daily limit."""
    from studyapp.core import srs

    return min(len(unit.cards), srs.NEW_CARDS_PER_DAY)
