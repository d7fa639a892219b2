"""The Lab in a real browser: build and wrap a model, read peft's parameter line."""

from __future__ import annotations

import re

import pytest

from live_server import wait_idle

pytestmark = pytest.mark.browser


def test_build_a_model_and_see_the_parameter_line(server, page):
    page.goto(f"{server.url}/lab-build?model=llama-3-8b")
    wait_idle(page, timeout=90_000)
    page.get_by_text("trainable params: 3,407,872 || all params: 8,033,669,120 || "
                     "trainable%: 0.0424").wait_for()
    box = page.get_by_role("textbox", name="target_modules")
    box.fill("q_proj,k_proj,v_proj,o_proj")
    box.press("Enter")
    wait_idle(page)
    page.get_by_text("trainable params: 6,815,744 || all params: 8,037,076,992 || "
                     "trainable%: 0.0848").wait_for()


def test_unit_text_opens_the_lab_preset(server, page):
    page.goto(f"{server.url}/unit?unit=lora-basics")
    wait_idle(page)
    link = page.get_by_role("link", name="Open this example in the LoRA Lab")
    href = link.get_attribute("href")
    assert "/lab-build?" in href and "model=llama-3-8b" in href
    page.goto(server.url + href[href.index("/lab-build"):])
    wait_idle(page, timeout=90_000)
    page.get_by_text("trainable params: 3,407,872 || all params: 8,033,669,120").wait_for()


def test_live_fine_tune_stopped_keeps_its_curve_and_still_checks_what_it_trained(server, page):
    page.goto(f"{server.url}/lab-train?steps=300")
    wait_idle(page, timeout=90_000)
    page.locator(".st-key-train-start").get_by_role("button").click()
    # the progress line is redrawn every 0.25 s, so wait for any step after the first
    page.get_by_text(re.compile(r"step ([2-9]|\d\d+)/300")).wait_for(timeout=120_000)
    page.locator(".st-key-train-stop").get_by_role("button").click()
    page.get_by_text("After training", exact=True).wait_for(timeout=120_000)
    wait_idle(page, timeout=60_000)
    assert page.get_by_text("(stopped).").count() == 1
    assert page.get_by_text(re.compile(r"against a tolerance of .*: pass")).count() == 1
    assert page.locator(".js-plotly-plot").count() >= 2  # the loss curve and the memory bars
    assert page.locator(".modebar").count() == 0  # no Plotly toolbar over the charts


FITS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const grids = Array.from(document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller'))
    .map((e) => e.scrollWidth - e.clientWidth);
  return {page: document.scrollingElement.scrollWidth - window.innerWidth,
          main: main.scrollWidth - main.clientWidth, grids};
}"""


def _fits(page, what, tables):
    page.locator('[data-testid="stDataFrame"] .dvn-scroller').nth(tables - 1).wait_for()
    fit = page.evaluate(FITS)
    assert fit["page"] <= 0 and fit["main"] <= 0, (what, fit)  # no sideways scroll of the page
    # nor inside a table
    assert len(fit["grids"]) == tables and all(extra <= 1 for extra in fit["grids"]), (what, fit)


def test_every_lab_table_fits_a_390_px_phone(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/lab-build")
        wait_idle(page, timeout=120_000)
        page.get_by_text("All 64 modules").click()
        _fits(page, "build", 2)
        page.goto(f"{server.url}/lab-memory")
        wait_idle(page, timeout=120_000)
        page.locator(".st-key-mem-measure").get_by_role("button").click()
        page.get_by_text("differ by at most").wait_for(timeout=240_000)
        _fits(page, "memory", 2)
        page.goto(f"{server.url}/lab-train?steps=5")
        wait_idle(page, timeout=120_000)
        page.get_by_text("Both, to compare").click()
        wait_idle(page)
        page.locator(".st-key-train-start").get_by_role("button").click()
        page.get_by_text("After training", exact=True).wait_for(timeout=300_000)
        wait_idle(page, timeout=60_000)
        _fits(page, "train", 1)
    finally:
        context.close()
