"""The Lab in a real browser: build and wrap a model, read peft's parameter line."""

from __future__ import annotations

import re

import pytest

from live_server import wait_idle

pytestmark = pytest.mark.browser


def test_build_a_model_and_see_the_parameter_line(server, page):
    page.goto(f"{server.url}/lab-build?model=llama-3-8b")
    wait_idle(page, timeout=90_000)
    page.get_by_text("trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424").wait_for()
    box = page.get_by_role("textbox", name="target_modules")
    box.fill("q_proj,k_proj,v_proj,o_proj")
    box.press("Enter")
    wait_idle(page)
    page.get_by_text("trainable params: 6,815,744 || all params: 8,037,076,992 || trainable%: 0.0848").wait_for()


def test_unit_text_opens_the_lab_preset(server, page):
    page.goto(f"{server.url}/unit?unit=lora-basics")
    wait_idle(page)
    link = page.get_by_role("link", name="Open this example in the LoRA Lab")
    href = link.get_attribute("href")
    assert "/lab-build?" in href and "model=llama-3-8b" in href
    page.goto(server.url + href[href.index("/lab-build"):])
    wait_idle(page, timeout=90_000)
    page.get_by_text("trainable params: 3,407,872 || all params: 8,033,669,120").wait_for()


def test_live_fine_tune_can_be_stopped_and_keeps_its_curve(server, page):
    page.goto(f"{server.url}/lab-train?steps=300")
    wait_idle(page, timeout=90_000)
    page.locator(".st-key-train-start").get_by_role("button").click()
    # the progress line is redrawn every 0.3 s, so wait for any step after the first
    page.get_by_text(re.compile(r"step ([2-9]|\d\d+)/300")).wait_for(timeout=90_000)
    page.locator(".st-key-train-stop").get_by_role("button").click()
    wait_idle(page)
    page.get_by_text("(stopped).").wait_for()
    assert page.locator(".js-plotly-plot").count() >= 1
    assert page.get_by_text("After training").count() == 0  # it stopped before the checks
