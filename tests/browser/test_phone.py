"""A student on a phone (390 x 844, touch): every study page usable without a keyboard or a wide screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from live_server import ROOT, wait_idle
from studyapp.core.content import load_course

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 390, 844
COURSE = load_course(ROOT / "content")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def box(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); "
                            "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }")


def on_first_screen(locator) -> bool:
    b = box(locator)
    return 0 <= b["top"] and b["bottom"] <= HEIGHT and b["left"] >= 0 and b["right"] <= WIDTH


def no_sideways_scroll(page) -> bool:
    return page.evaluate("""() => [document.documentElement, document.querySelector('[data-testid="stMain"]')]
        .filter(Boolean).every((e) => e.scrollWidth <= e.clientWidth + 1)""")


SIDEBAR_RIGHT = "document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right"


def test_a_phone_journey_through_home_a_unit_its_drill_quiz_and_notes(server, phone):
    unit = COURSE.units[0]
    phone.goto(server.url)
    wait_idle(phone)
    next_step = phone.locator(".st-key-study-next")
    next_step.wait_for()
    assert on_first_screen(next_step), "Home's metrics fill the first screen"
    assert no_sideways_scroll(phone)

    # The sidebar opens over the page and closes once a unit is tapped.
    phone.locator('[data-testid="stExpandSidebarButton"]').tap()
    phone.wait_for_function(f"{SIDEBAR_RIGHT} > 200")
    phone.locator('[data-testid="stSidebar"]').get_by_role("link", name=unit.title).tap()
    phone.get_by_role("heading", name=unit.title, level=1).wait_for()
    phone.wait_for_function(f"{SIDEBAR_RIGHT} <= 0")
    wait_idle(phone)

    # The unit's first screen: title, compact figures and the tabs, not four stacked metrics.
    tabs = phone.get_by_role("tab", name="Fast Drill")
    assert on_first_screen(tabs), box(tabs)
    assert no_sideways_scroll(phone)

    # The scratchpad is one tap away, not at the bottom of a 10,000 px page.
    jump = phone.get_by_role("link", name="Jump to your notes")
    assert on_first_screen(jump)
    jump.tap()
    expect(phone.locator("textarea.pad-text")).to_be_in_viewport(timeout=30_000)

    # The drill by touch: no keyboard hints, tap to flip, Easy on screen with the answer.
    tabs.scroll_into_view_if_needed()
    tabs.tap()
    card = phone.locator(".st-key-drill-card")
    card.wait_for()
    assert not phone.get_by_text("Keys: Space flips").is_visible()
    assert phone.locator('[class*="st-key-kbd-hint-"]').count() >= 1  # there, but hidden on touch
    phone.wait_for_function("window.__studyappDrillKeys === true")
    card.scroll_into_view_if_needed()
    card.tap()
    easy = phone.locator(".st-key-drill-rate-4").get_by_role("button")
    easy.wait_for()
    assert on_first_screen(easy), box(easy)
    easy.tap()
    phone.get_by_text(f"Left in this session: {_new_today(unit) - 1} new · 0 learning · 0 due").wait_for()
    assert no_sideways_scroll(phone)

    # The quiz by touch: the checked answer is marked where the student can see it.
    quiz_tab = phone.get_by_role("tab", name="Knowledge Check")
    quiz_tab.scroll_into_view_if_needed()
    quiz_tab.tap()
    first = unit.questions[0]
    phone.get_by_text(f"Question 1 of {len(unit.questions)}").wait_for()
    if first.kind == "single":
        phone.get_by_role("radiogroup").get_by_text(first.answer, exact=True).tap()
    else:
        pytest.fail("unit 1 starts with a single-choice question; update this journey if that changes")
    wait_idle(phone)
    check = phone.locator(".st-key-quiz-check").get_by_role("button")
    expect(check).to_be_enabled(timeout=30_000)
    check.tap()
    marked = phone.locator('[class*="st-key-quizmark-right-"]')
    marked.wait_for()
    assert "Correct answer · your choice" in marked.inner_text()
    assert no_sideways_scroll(phone)

    # The review page fits too.
    phone.goto(f"{server.url}/review")
    wait_idle(phone)
    phone.locator(".st-key-drill-card").wait_for()
    assert on_first_screen(phone.locator(".st-key-drill-flip").get_by_role("button"))
    assert no_sideways_scroll(phone)


def _new_today(unit) -> int:
    """The unit's new cards the drill offers today: all of them, up to the daily limit."""
    from studyapp.core import srs

    return min(len(unit.cards), srs.NEW_CARDS_PER_DAY)
