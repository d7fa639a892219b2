"""What only the browser decides on the study pages: the sidebar's current unit, keyboard study,
opening a unit at a section, the Tab order, contrast of computed styles, maths on cards and
questions, and code that scrolls. One server for the module, on a copy of the course whose
first card and first question carry KaTeX maths."""

from __future__ import annotations

import shutil

import pytest

from studyapp.core import srs
from playwright.sync_api import expect

from a11y import low_contrast, tab_stops
from live_server import CHROMIUM, CHROMIUM_ARGS, ROOT, Server, wait_idle
from studyapp.core.content import load_course

pytestmark = pytest.mark.browser
UNIT = "lora-basics"
MATH_CARD = """- id: math-shapes
  front: 'With $W_0 \\in \\mathbb{R}^{d \\times k}$, what shapes do $B$ and $A$ have?'
  back: '$B \\in \\mathbb{R}^{d \\times r}$ and $A \\in \\mathbb{R}^{r \\times k}$, so $BA$ is $d \\times k$.'

"""
MATH_QUESTION = """- id: math-shapes
  kind: single
  prompt: 'With $W_0 \\in \\mathbb{R}^{d \\times k}$ and $\\Delta W = BA$, what is the shape of $A$?'
  choices:
    - '$r \\times k$'
    - '$d \\times r$'
    - '$k \\times d$'
  answer: '$r \\times k$'
  explanation: 'A acts on the input first: $A x \\in \\mathbb{R}^{r}$ needs
    $A \\in \\mathbb{R}^{r \\times k}$.'

"""


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", content)
    unit_dir = content / "units" / "01-lora-basics"
    for name, head in (("cards.yaml", MATH_CARD), ("quiz.yaml", MATH_QUESTION)):
        (unit_dir / name).write_text(head + (unit_dir / name).read_text())
    course = load_course(content)
    assert not course.problems, course.problems
    return content, course


@pytest.fixture(scope="module")
def study_server(course_copy, tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("study") / "study.sqlite3", content=course_copy[0])
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture(autouse=True)
def fresh_student(study_server):
    """Each test starts as a new student: the server and its course are shared, the progress is not."""
    import sqlite3

    yield
    conn = sqlite3.connect(study_server.db, timeout=30)
    with conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        progress = {"card_state", "review_log", "quiz_attempt", "quiz_run", "reading", "new_card_extra"}
        for table in progress & tables:
            conn.execute(f"delete from {table}")
    conn.close()


def open_unit(page, server, unit: str = UNIT, **query) -> None:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    page.goto(f"{server.url}/unit?unit={unit}{extra}")
    wait_idle(page)
    page.locator("h1").first.wait_for()


def visible_button(page, key: str):
    return page.locator(f".st-key-{key}").get_by_role("button")


def tap_card(page) -> None:
    """Tap the recall card, once the drill's key and tap listener is installed."""
    page.wait_for_function("window.__studyappDrillKeys === true")
    page.locator(".st-key-drill-card").click()


def left(page, text: str):
    return page.get_by_text(f"Left in this session: {text}")


def test_the_sidebar_marks_only_the_current_unit_and_ellipsises_long_titles(study_server, page, course_copy):
    course = course_copy[1]
    open_unit(page, study_server, unit=course.units[1].slug)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name=course.units[0].title).wait_for()
    marked = page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stSidebar"] a[href*="unit?unit="]')].filter((a) => a.offsetParent)
        .map((a) => [new URLSearchParams(a.href.split('?')[1]).get('unit'),
                     getComputedStyle(a).backgroundColor, getComputedStyle(a.querySelector('p')).fontWeight])""")
    assert len(marked) == len(course.units)
    current = [slug for slug, bg, _ in marked if bg not in ("rgba(0, 0, 0, 0)", "transparent")]
    assert current == [course.units[1].slug], marked
    assert {w for slug, _, w in marked if slug != course.units[1].slug} == {"400"}
    longest = max(course.units, key=lambda u: len(u.title))
    label = sidebar.get_by_role("link", name=longest.title).locator("p")
    cut = label.evaluate("p => [p.scrollWidth > p.clientWidth, getComputedStyle(p).textOverflow]")
    assert cut == [True, "ellipsis"]  # cut with an ellipsis, not mid-letter
    label.hover()
    page.locator('[data-testid="stTooltipContent"]', has_text=longest.title).wait_for()  # the full title


def test_keyboard_only_study_flips_rates_undoes_and_goes_on(study_server, page, course_copy):
    """Issue 8.10: Space flips the first card right after the Fast Drill tab is clicked."""
    unit = course_copy[1].unit(UNIT)
    new = min(len(unit.cards), srs.NEW_CARDS_PER_DAY)  # today's new cards: the daily limit caps them
    open_unit(page, study_server)
    page.get_by_role("tab", name="Fast Drill").click()
    visible_button(page, "drill-flip").wait_for()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tab"  # focus stays on the tab
    page.wait_for_function("window.__studyappDrillKeys === true")
    page.keyboard.press(" ")
    visible_button(page, "drill-rate-1").wait_for()
    left(page, f"{new} new · 0 learning · 0 due").wait_for()
    page.keyboard.press("1")  # Again
    left(page, f"{new - 1} new · 1 learning · 0 due").wait_for()
    page.keyboard.press("u")  # undo: the card is back, new again
    left(page, f"{new} new · 0 learning · 0 due").wait_for()
    assert visible_button(page, "drill-undo").is_disabled()  # nothing left to undo
    page.keyboard.press(" ")
    visible_button(page, "drill-rate-3").wait_for()
    page.keyboard.press("3")
    left(page, f"{new - 1} new · 1 learning · 0 due").wait_for()

    # The quiz by keyboard: after "Check answer", Enter goes to the next question.
    page.get_by_role("tab", name="Knowledge Check").click()
    page.get_by_text(f"Question 1 of {len(unit.questions)}").wait_for()
    page.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelectorAll('[role=radiogroup] input:checked').length === 1")
    check = visible_button(page, "quiz-check")
    expect(check).to_be_enabled(timeout=30_000)  # looked up again: reruns replace the button
    check.focus()
    page.keyboard.press("Enter")
    visible_button(page, "quiz-next").wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.closest('.st-key-quiz-next')")
    page.keyboard.press("Enter")
    page.get_by_text(f"Question 2 of {len(unit.questions)}").wait_for()


def test_a_section_link_opens_the_read_tab_at_that_section(study_server, page, course_copy):
    unit = course_copy[1].unit(UNIT)
    section = unit.sections[-2]
    open_unit(page, study_server, section=section.slug)
    target = page.locator(f".st-key-sec-{section.slug}")
    target.and_(page.locator("[data-scrolled-to]")).wait_for()
    target.get_by_role("heading", name=section.title).wait_for()
    page.wait_for_function(  # the heading rests at the top of the view, below Streamlit's header
        """(key) => { const h = document.querySelector(`.st-key-${key} h2`); if (!h) return false;
                    const top = h.getBoundingClientRect().top, head = document.querySelector('header');
                    const below = head ? head.getBoundingClientRect().bottom : 0;
                    return top >= below - 1 && top < below + 120; }""", arg=f"sec-{section.slug}")
    assert page.get_by_role("tab", name="Read").get_attribute("aria-selected") == "true"
    assert "section=" not in page.url  # dropped once handled, so a rating does not scroll back
    page.locator('[data-testid="stCheckbox"]').first.click()  # tick the first section as read
    wait_idle(page)
    page.locator('[data-testid="stCheckbox"] input:checked').first.wait_for(state="attached")
    stray = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
        .filter((e) => e.innerText.trim() === 'None').length""")
    assert stray == 0  # Streamlit's magic once printed the value of the tick's expression: "None"
    open_unit(page, study_server, section="no-such-section")
    page.get_by_text("This unit has no section called “no-such-section”").wait_for()


def test_tab_order_skips_heading_anchors_and_chart_toolbars(study_server, page):
    for url in ("/", f"/unit?unit={UNIT}"):
        page.goto(study_server.url + url)
        wait_idle(page)
        page.locator(".js-plotly-plot").first.wait_for()
        page.locator("h1, h2, h3").first.wait_for()
        stops = tab_stops(page)
        assert stops and not [s for s in stops if s["anchor"] or s["toolbar"]], url
        page.evaluate("document.activeElement && document.activeElement.blur()")
        for _ in range(25):  # and the real Tab key agrees
            page.keyboard.press("Tab")
            where = page.evaluate("""() => { const e = document.activeElement;
                return !!(e.closest('[data-testid="stHeaderActionElements"]') || e.closest('.modebar')); }""")
            assert not where, url


def test_small_text_meets_aa_contrast_on_every_study_page(study_server, page, course_copy):
    unit = course_copy[1].unit(UNIT)
    checked = []
    for url in ("/", "/review", f"/unit?unit={UNIT}"):
        page.goto(study_server.url + url)
        wait_idle(page)
        page.locator('[data-testid="stSidebar"] a').first.wait_for()
        if url == "/":
            page.locator(".js-plotly-plot .xtick").first.wait_for()
        checked.append((url, low_contrast(page)))
    page.get_by_role("tab", name="Fast Drill").click()
    tap_card(page)
    visible_button(page, "drill-rate-4").wait_for()
    checked.append(("drill, flipped", low_contrast(page, ".st-key-drill-card")))
    assert [(where, bad) for where, bad in checked if bad] == []
    page.get_by_role("tab", name="Knowledge Check").click()
    question = unit.questions[0]
    page.get_by_role("radiogroup").locator("label").nth(1).click()  # a wrong answer, most likely
    wait_idle(page)
    visible_button(page, "quiz-check").click()
    page.locator('[class*="st-key-quizmark-right-"]').first.wait_for()
    checked.append(("quiz, checked", low_contrast(page, '[data-testid="stTabs"]')))
    assert [(where, bad) for where, bad in checked if bad] == []
    right = page.locator('[class*="st-key-quizmark-right-"]').first
    assert "Correct answer" in right.inner_text() and right.locator(".katex").count() >= 1
    assert question.answer.strip("$") and right.evaluate("e => getComputedStyle(e).borderTopWidth") == "2px"


def test_cards_and_questions_render_markdown_and_katex_like_units(study_server, page):
    open_unit(page, study_server)
    page.get_by_role("tab", name="Fast Drill").click()
    front = page.locator(".st-key-drill-card")
    front.locator(".katex").first.wait_for()
    assert "\\mathbb" not in front.inner_text()
    tap_card(page)
    page.locator(".st-key-drill-card .katex").nth(3).wait_for()  # the answer's maths too
    page.get_by_role("tab", name="Knowledge Check").click()
    page.locator(".st-key-quiz-prompt .katex").first.wait_for()
    page.get_by_role("radiogroup").locator(".katex").nth(2).wait_for()  # every choice is maths
    page.get_by_role("radiogroup").locator("label").first.click()
    wait_idle(page)
    visible_button(page, "quiz-check").click()
    page.get_by_text("A acts on the input first").wait_for()
    explanation = page.locator('[data-testid="stMarkdownContainer"]', has_text="A acts on the input first")
    assert explanation.locator(".katex").count() >= 2
    assert page.locator('[class*="st-key-quizmark-"] .katex').count() == 3


def test_code_blocks_scroll_sideways_with_a_visible_scrollbar(study_server, browser):
    """Streamlit paints code scrollbars transparent until hovered: a wide block looked cut off.
    Headless Chromium also hides scrollbars (--hide-scrollbars); a student's browser does not."""
    shown = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                        ignore_default_args=["--hide-scrollbars"])
    try:
        page = shown.new_page(viewport={"width": 1400, "height": 1000})
        open_unit(page, study_server)
        page.locator('[data-testid="stMarkdownContainer"] pre').first.wait_for()
        blocks = page.evaluate("""() => [...document.querySelectorAll(
                '[data-testid="stMarkdownContainer"] pre')].filter((p) => p.scrollWidth > p.clientWidth + 1)
            .map((p) => [getComputedStyle(p).overflowX, p.offsetHeight - p.clientHeight,
                         getComputedStyle(p).scrollbarColor])""")
    finally:
        shown.close()
    assert blocks, "the unit has code wider than the reading column"
    for overflow, bar, colours in blocks:
        thumb, track = (_rgb(c) for c in colours.split(") ", 1))
        assert overflow in ("auto", "scroll") and bar >= 6
        assert thumb[3] == 1 and _contrast(thumb, track) >= 3  # WCAG 1.4.11: UI parts at 3:1


def _rgb(css: str) -> tuple[float, ...]:
    parts = [float(x) for x in css.replace("rgba(", "").replace("rgb(", "").rstrip(")").split(",")]
    return tuple(parts) if len(parts) == 4 else (*parts, 1.0)


def _contrast(a, b) -> float:
    def lum(c):
        f = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
