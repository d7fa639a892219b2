"""Browser fixtures; ``server`` (a live server per test) and ``browser`` are in tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def page_in_zone(browser):
    """A desktop page whose browser reports the time zone ``zone`` (a factory: call it with the zone)."""
    contexts = []

    def open_in(zone: str):
        contexts.append(browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id=zone))
        return contexts[-1].new_page()

    yield open_in
    for context in contexts:
        context.close()
