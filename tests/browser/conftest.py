"""Browser fixtures: a live server per test (the session's one Chromium is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from live_server import Server


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "browser.sqlite3")
    srv.start()
    yield srv
    srv.kill()
