"""Browser fixtures: a live server per test and one Chromium for the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from live_server import CHROMIUM, CHROMIUM_ARGS, Server


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "browser.sqlite3")
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) or apt-get install chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
