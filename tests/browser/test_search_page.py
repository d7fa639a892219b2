"""The search page in a real browser: a hostile query stays text, the sidebar box searches,
results lead into the unit."""

from __future__ import annotations

import pytest

from live_server import wait_idle

pytestmark = pytest.mark.browser
PIXEL_URL = "http://127.0.0.1:9/pixel.png"


def test_a_markdown_image_in_the_query_loads_nothing(server, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server.url}/search?q=![x]({PIXEL_URL})")
    wait_idle(page)
    page.get_by_text(f"for “![x]({PIXEL_URL})”").wait_for()
    assert page.locator("img[src*='127.0.0.1:9']").count() == 0
    assert [url for url in requests if url.startswith("http://127.0.0.1:9/")] == []


def test_the_sidebar_box_searches_again_from_the_search_page(server, page):
    page.goto(f"{server.url}/search?q=lora_alpha")
    wait_idle(page)
    page.get_by_text("for “lora_alpha”").wait_for()
    box = page.locator("section[data-testid='stSidebar'] input")
    box.fill("double quantization")
    box.press("Enter")
    page.get_by_text("for “double quantization”").wait_for()
    wait_idle(page)
    assert page.locator("[data-testid='stMain'] input").input_value() == "double quantization"
    assert "q=double+quantization" in page.url or "q=double%20quantization" in page.url
    page.get_by_role("link", name="Open this section").first.click()
    page.wait_for_url("**/unit?unit=*&section=*")
