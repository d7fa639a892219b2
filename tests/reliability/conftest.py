"""Fixtures for the reliability suite: live servers as tests/browser/ starts them (the one
Chromium of the session, ``browser`` and ``page``, is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from live_server import Server


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory):
    """One server for the tests that neither restart it nor share a unit (each uses its own)."""
    srv = Server(tmp_path_factory.mktemp("shared") / "shared.sqlite3")
    srv.start()
    yield srv
    srv.kill()
