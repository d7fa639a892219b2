"""Fixtures for the reliability suite: live servers and Chromium, as tests/browser/ has them.

The live-server module lives in tests/browser/; it is put on the path here so both
suites start servers the same way (one module, not two copies of it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from live_server import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "reliability.sqlite3")
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory):
    """One server for the tests that neither restart it nor share a unit (each uses its own)."""
    srv = Server(tmp_path_factory.mktemp("shared") / "shared.sqlite3")
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
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
