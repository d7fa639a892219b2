"""Spooky in a real browser: ask on a unit page, see the cited sections, follow a citation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from live_server import wait_idle

pytestmark = pytest.mark.browser
QUESTION = "how much does double quantization save?"
CITED = "[1] QLoRA: fine-tuning on a 4-bit base › Double quantization"


def _ask(page, text: str) -> None:
    box = page.get_by_placeholder("Ask Spooky about the course…")
    box.fill(text)
    box.press("Enter")
    page.get_by_text("The course covers this in").first.wait_for(timeout=60_000)
    wait_idle(page)


def test_ask_on_a_unit_page_see_cited_sections_and_follow_one(server, page):
    page.goto(f"{server.url}/unit?unit=lora-basics")
    wait_idle(page)
    _ask(page, QUESTION)
    citation = page.get_by_role("link", name=CITED)
    citation.wait_for()
    assert page.get_by_role("link", name="[2] ").count() + page.get_by_role("link", name="[3] ").count() == 2
    link = urlparse(citation.get_attribute("href"))
    assert link.path.endswith("unit") and parse_qs(link.query) == {
        "unit": ["qlora"],
        "section": ["double-quantization"],
    }
    page.locator(".stMarkdown span", has_text="Double quantization").first.wait_for()  # the highlighted words
    citation.click()
    page.get_by_role("heading", name="QLoRA: fine-tuning on a 4-bit base", level=1).wait_for()
    wait_idle(page)


def test_a_citation_on_the_study_buddy_page_opens_the_unit_at_its_section(server, page):
    page.goto(f"{server.url}/buddy")
    wait_idle(page)
    _ask(page, QUESTION)
    page.get_by_role("link", name=CITED).click()
    page.get_by_role("heading", name="QLoRA: fine-tuning on a 4-bit base", level=1).wait_for()
    wait_idle(page)
    # The unit opens at the cited section (it then drops ?section= from the address, so reruns stay put).
    assert urlparse(page.url).path == "/unit" and parse_qs(urlparse(page.url).query)["unit"] == ["qlora"]
    expect(page.get_by_role("heading", name="Double quantization", level=2)).to_be_in_viewport(timeout=15_000)
    # The conversation is still there after the visit (it lives in SQLite, not in the page).
    page.goto(f"{server.url}/buddy")
    wait_idle(page)
    page.get_by_text(QUESTION).first.wait_for()
