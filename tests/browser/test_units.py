"""Every unit in a real browser: the text and its explainer chart render, its cards and quiz load."""

from __future__ import annotations

import pytest

from live_server import ROOT, wait_idle
from studyapp.core.content import load_course

pytestmark = pytest.mark.browser
UNITS = load_course(ROOT / "content").units


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    from live_server import Server

    srv = Server(tmp_path_factory.mktemp("units") / "units.sqlite3")
    srv.start()
    yield srv
    srv.kill()


@pytest.mark.parametrize("unit", UNITS, ids=[u.slug for u in UNITS])
def test_unit_renders_with_explainer_cards_and_quiz(shared_server, page, unit):
    page.goto(f"{shared_server.url}/unit?unit={unit.slug}")
    wait_idle(page)
    page.get_by_role("heading", name=unit.title).wait_for()
    if any(b.kind == "explainer" for b in unit.blocks):
        page.locator(".js-plotly-plot").first.wait_for(state="visible")
    else:
        assert "](/lab-" in unit.body, f"{unit.slug} has neither an explainer nor a Lab link"
    page.get_by_role("tab", name="Fast Drill").click()
    page.get_by_text(f"Left in this session: ").first.wait_for()
    page.get_by_text(unit.cards[0].front, exact=False).first.wait_for()
    page.get_by_role("tab", name="Knowledge Check").click()
    page.get_by_text(f"Question 1 of {len(unit.questions)}").wait_for()
