"""The Settings and Statistics pages in a real browser: the browser's time zone is the student's day
until they choose one, a retention saved survives a reload, and every statistics chart draws."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from live_server import wait_idle
from studyapp.core import srs, study_settings
from studyapp.core.store import open_store

pytestmark = pytest.mark.browser
# UTC+09:30 (+10:30 in summer): a day that starts at 04:00 there cannot pass for UTC. (Chromium reports
# some zones by older names, Asia/Kolkata as Asia/Calcutta; this one it names as we do.)
ZONE = "Australia/Adelaide"


def test_settings_follow_the_browsers_zone_and_a_saved_retention_survives_a_reload(server, page_in_zone):
    page = page_in_zone(ZONE)
    page.goto(f"{server.url}/settings")
    wait_idle(page)
    page.get_by_text(f"your days start at 04:00 {ZONE}").wait_for()
    page.get_by_text("Workload at 0.90: about").wait_for()
    slider = page.get_by_role("slider")
    slider.focus()
    for _ in range(5):  # 0.90 -> 0.95, one step of 0.01 a key
        slider.press("ArrowRight")
    page.get_by_text("Workload at 0.95: about").wait_for()
    wait_idle(page)
    page.get_by_text("at your saved 0.90:").wait_for()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Saved. They apply from each card's next review.").wait_for()
    store = open_store(server.db)
    saved = study_settings.load(store, "local", study_settings.StudySettings())
    assert saved.desired_retention == 0.95 and saved.time_zone == ""  # the zone stays "the browser's"
    page.reload()
    wait_idle(page)
    page.get_by_text("Workload at 0.95: about").wait_for()
    assert page.locator("[data-testid='stSliderThumbValue']").inner_text() == "0.95"


def test_statistics_draw_every_chart_for_the_students_reviews(server, page):
    store = open_store(server.db, datetime.now(timezone.utc))
    scheduler = srs.make_scheduler(enable_fuzzing=False)
    now = datetime.now(timezone.utc)
    key = "lora-basics/frozen-weights"
    at = now - timedelta(days=20)
    for rating in (srs.Rating.Good, srs.Rating.Good, srs.Rating.Good, srs.Rating.Again, srs.Rating.Good):
        outcome = srs.preview(scheduler, srs.load_state(store, "local", key), at)[rating]
        srs.record_review(store, "local", key, outcome, at, 5000)
        at = min(at + outcome.interval, now - timedelta(minutes=1))
    page.goto(f"{server.url}/stats")
    wait_idle(page)
    page.get_by_text("True retention per week").wait_for()
    assert page.locator("[data-testid='stDataFrame']").is_visible()  # the true-retention table
    titles = {"Reviews and time": "Time spent a day (minutes), last 30 days",
              "Forecast and calendar": "Reviews a day (cram answers included), 26 weeks",
              "Your cards": "Retrievability now (%)"}
    for tab, title in titles.items():  # each tab draws its charts when opened
        page.get_by_role("tab", name=tab).click()
        page.get_by_text(title).wait_for()
        wait_idle(page)
        plots = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
        assert plots.count() == (3 if tab == "Your cards" else 2)
        assert page.locator("[data-testid='stPlotlyChart'] .modebar").count() == 0  # no Plotly toolbar
    page.get_by_role("tab", name="True retention").click()
    page.get_by_text("True retention per week").wait_for()
    metric = page.locator("[data-testid='stMetric']", has_text="Studied cards")
    assert "1 / " in metric.inner_text()
    page.locator(".st-key-stats-scope").click()
    page.get_by_role("option", name="4. QLoRA: fine-tuning on a 4-bit base").click()
    wait_idle(page)
    page.locator("[data-testid='stMetric']", has_text="Studied cards").get_by_text("0 / ").wait_for()
