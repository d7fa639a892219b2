"""Shared fixtures: a fixed clock, real SQLite files in tmp_path, the bundled course, one Chromium."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from studyapp.core import srs
from studyapp.core.content import load_course
from studyapp.core.store import open_store

from paths import CONTENT, ROOT  # noqa: F401 - re-exported for fixtures below

# The live-server helpers (tests/browser/live_server.py), for every folder with browser tests.
sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a fixed Monday morning, UTC


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def store(tmp_path, now):
    opened = open_store(tmp_path / "study.sqlite3", now)
    yield opened
    opened.close()


@pytest.fixture
def scheduler():
    return srs.make_scheduler(enable_fuzzing=False)


@pytest.fixture(scope="session")
def course():
    return load_course(CONTENT)


@pytest.fixture
def server(tmp_path):
    """A live studyapp server (tests/browser/live_server.py) on a fresh database in tmp_path."""
    from live_server import Server

    srv = Server(tmp_path / "server.sqlite3")
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture
def app_env(tmp_path, monkeypatch) -> Path:
    """The app, as AppTest runs it, on a fresh database in tmp_path and the bundled course; the db path."""
    db = tmp_path / "app.sqlite3"
    monkeypatch.setenv("STUDYAPP_DB", str(db))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(CONTENT))
    return db


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the bundled course, for tests that break a unit on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


# One Chromium for the whole session, for every folder with browser tests: Playwright's
# sync API runs one event loop per thread, so a second sync_playwright() would fail.
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from live_server import CHROMIUM, CHROMIUM_ARGS

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
