"""The Settings, Statistics and Cards pages through AppTest from the entry point, signed in as two
students: each sees and changes only their own settings, cards and statistics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from apptest_helpers import class_environment, open_page, sign_in, texts
from studyapp.core import card_control, cram, srs, study_settings
from studyapp.core.store import open_store

ADA, BOB = ("ada", "correct horse"), ("bob", "battery staple")


@pytest.fixture
def db(app_env):
    return app_env


@pytest.fixture
def two_students(db, monkeypatch):
    class_environment(monkeypatch, db, ADA, BOB)
    return db


def opened(path):
    return open_store(path, datetime.now(timezone.utc))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_each_student_saves_their_own_settings_and_their_drill_follows_them(two_students, course):
    ada = sign_in(*ADA, page="views/settings.py")
    assert not ada.exception
    assert "Workload at 0.90: about" in texts(ada) and "It assumes you study every day" in texts(ada)
    ada.slider(key="settings-desired_retention").set_value(0.8).run()
    assert "Workload at 0.80: about" in texts(ada) and "at your saved 0.90:" in texts(ada)
    ada.number_input(key="settings-new_per_day").set_value(5)
    ada.button(key="settings-save").click().run()
    assert "Saved. They apply from each card's next review." in texts(ada)
    bob = sign_in(*BOB, page="views/settings.py")
    assert bob.slider(key="settings-desired_retention").value == 0.9  # ada's change is not his
    bob.slider(key="settings-desired_retention").set_value(0.95)
    bob.button(key="settings-save").click().run()
    store = opened(two_students)
    base = study_settings.StudySettings()
    mine, his = study_settings.load(store, "ada", base), study_settings.load(store, "bob", base)
    assert (mine.desired_retention, mine.new_per_day, his.desired_retention, his.new_per_day) == (0.8, 5, 0.95, 20)
    # The drill schedules with each student's own scheduler: Easy on a new card is about 28 days
    # at 0.80 and 3 at 0.95; the app fuzzes day intervals (fsrs gives 2-5 days for a 3-day
    # interval, a few days either side of 28), so each range allows for it and the two never overlap.
    for who, low, high in ((ADA, 24, 33), (BOB, 2, 5)):
        at = sign_in(*who, page="views/unit.py", unit="lora-basics")
        limit = 5 if who is ADA else 20  # ada's own new-card limit; bob's is the default
        assert f"**{min(limit, len(course.unit('lora-basics').cards))} new" in texts(at)
        at.button(key="drill-flip").click().run()
        at.button(key="drill-rate-4").click().run()
        state = srs.load_state(store, who[0], course.unit("lora-basics").cards[0].key)
        assert low <= (state.card.due - state.card.last_review).days <= high


def test_settings_that_do_not_validate_are_refused_and_nothing_is_saved(db):
    at = open_page("views/settings.py")
    at.text_input(key="settings-learning_steps").input("10 minutes")
    at.button(key="settings-save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "“10” is not a step: write a number and a unit, e.g. 1m 10m (s seconds, m minutes, h hours, d days)."]
    assert opened(db).query("select * from study_settings") == []
    at.text_input(key="settings-learning_steps").input("2m 15m")
    at.button(key="settings-save").click().run()
    assert study_settings.load(opened(db), "local", study_settings.StudySettings()).learning_steps == (120, 900)


def test_the_optimizer_says_how_many_reviews_are_still_needed(db):
    at = open_page("views/settings.py")
    assert "you have 0 of the 512 it needs, so 512 more are needed" in texts(at)
    assert at.button(key="settings-optimize").disabled


def test_the_optimizer_button_fits_and_shows_old_against_new(db):
    import simulated_student as sim

    store = opened(db)
    sim.fill(store, sim.history(600, cards=40, start=datetime(2025, 1, 6, tzinfo=timezone.utc), seed=0))
    at = open_page("views/settings.py", timeout=120)
    assert not at.button(key="settings-optimize").disabled
    at.button(key="settings-optimize").click().run(timeout=120)
    assert not at.exception
    shown = metrics(at)
    run = store.query("select * from optimizer_run")[0]
    assert shown["Log loss"] == f"{run['log_loss_after']:.4f}" and run["log_loss_after"] < run["log_loss_before"]
    assert "the new parameters predict your reviews better, so they are saved" in texts(at)
    assert "Parameters in use: fitted to your reviews" in texts(at)


def test_statistics_are_each_students_own(two_students, course):
    store = opened(two_students)
    now = datetime.now(timezone.utc)
    scheduler = srs.make_scheduler(enable_fuzzing=False)
    key = course.unit("lora-basics").cards[0].key
    for minutes in (30, 20, 10):
        outcome = srs.preview(scheduler, srs.load_state(store, "ada", key), now - timedelta(minutes=minutes))
        srs.record_review(store, "ada", key, outcome[srs.Rating.Good], now - timedelta(minutes=minutes), 6000)
    cram.record(store, "ada", key, srs.Rating.Again, now, 1000)
    ada = sign_in(*ADA, page="views/stats.py")
    assert not ada.exception
    assert metrics(ada)["Reviews today"] == "3" and metrics(ada)["Time today"] == "0.3 min"
    assert metrics(ada)["Studied cards"] == f"1 / {len(course.cards)}"
    drawn = {}
    for tab in [t.label for t in ada.tabs]:  # only the open tab is drawn
        ada.session_state["stats-tabs"] = tab
        ada.run()
        assert not ada.exception
        drawn[tab] = len(ada.get("plotly_chart"))
    assert drawn == {"True retention": 1, "Reviews and time": 2, "Forecast and calendar": 2, "Your cards": 3}
    ada.session_state["stats-tabs"] = "True retention"
    ada.selectbox(key="stats-scope").set_value("qlora").run()
    assert not ada.exception and metrics(ada)["Reviews today"] == "0"  # the card is in unit 1
    ada.segmented_control(key="stats-grouping").set_value("month").run()
    assert not ada.exception
    bob = sign_in(*BOB, page="views/stats.py")
    assert metrics(bob)["Reviews today"] == "0" and metrics(bob)["Studied cards"] == f"0 / {len(course.cards)}"


def test_the_card_browser_acts_on_the_students_selection_only(two_students, course):
    ada = sign_in(*ADA, page="views/cards.py")
    assert not ada.exception and f"{len(course.cards)} cards of {len(course.cards)}" in texts(ada)
    ada.session_state["cards-table"] = {"selection": {"rows": [0, 2], "columns": [], "cells": []}}
    ada.run()
    assert "2 cards selected" in texts(ada)
    ada.button(key="cards-suspend").click().run()
    assert "Suspend: 2 cards." in texts(ada)
    ada.button(key="cards-flag-1").click().run()
    table = ada.dataframe[0].value
    assert list(table["suspended"][:3]) == [True, False, True] and list(table["flag"][:3]) == ["red", "", "red"]
    store = opened(two_students)
    first, third = course.cards[0].key, course.cards[2].key
    assert card_control.held_out(store, "ada", datetime.now(timezone.utc)) == {first, third}
    bob = sign_in(*BOB, page="views/cards.py")
    assert not bob.dataframe[0].value["suspended"].any() and card_control.controls(store, "bob") == {}
    ada.selectbox(key="cards-show").set_value("suspended").run()
    assert f"2 cards of {len(course.cards)}" in texts(ada)
    ada.session_state["cards-table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    ada.run()
    ada.button(key="cards-unsuspend").click().run()
    assert card_control.held_out(store, "ada", datetime.now(timezone.utc)) == {third}
    # The drill never shows a suspended card: ada's unit starts at the second card.
    drill = sign_in(*ADA, page="views/unit.py", unit=course.cards[0].unit_slug)
    assert course.cards[0].front in texts(drill)  # unsuspended again
    assert f"**{len(course.units[0].cards) - 1} new" in texts(drill)


def test_reset_asks_first_and_makes_the_cards_new(db, course):
    store = opened(db)
    now = datetime.now(timezone.utc)
    key = course.cards[0].key
    srs.record_review(store, "local", key, srs.preview(srs.make_scheduler(), None, now)[srs.Rating.Easy], now)
    at = open_page("views/cards.py")
    assert at.dataframe[0].value["state"][0] == "review"
    at.session_state["cards-table"] = {"selection": {"rows": [0], "columns": [], "cards": []}}
    at.run()
    assert "Make 1 card new again?" in texts(at)
    at.button(key="cards-reset").click().run()
    assert at.dataframe[0].value["state"][0] == "new" and srs.load_state(store, "local", key) is None


def test_home_lists_leeches_and_links_to_them(db, course):
    store = opened(db)
    key = course.cards[1].key
    now = datetime.now(timezone.utc)
    srs.record_review(store, "local", key, srs.preview(srs.make_scheduler(), None, now)[srs.Rating.Easy], now)
    with store.writing("fill") as conn:
        conn.execute("update card_state set lapses = 8 where card_key = ?", (key,))
    card_control.suspend(store, "local", [key], now)
    at = open_page()
    page = texts(at)
    assert "1 leech**" in page and course.cards[1].front in page and "forgotten 8 times, suspended" in page
    assert "1 leech card" in page  # the unit's line on the course map
    cards = open_page("views/cards.py", show="leeches")
    assert f"1 card of {len(course.cards)}" in texts(cards)


def test_the_drill_buries_suspends_and_flags_the_card_on_screen(db, course):
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    at.button(key="drill-bury").click().run()
    assert unit.cards[1].front in texts(at) and f"**{len(unit.cards) - 1} new" in texts(at)
    at.button(key="drill-suspend").click().run()
    assert unit.cards[2].front in texts(at)
    at.button(key="drill-flag").click().run()
    assert at.button(key="drill-flag").label == "Unflag"
    store = opened(db)
    controls = card_control.controls(store, "local")
    assert controls[unit.cards[0].key].buried(datetime.now(timezone.utc))
    assert controls[unit.cards[1].key].suspended and controls[unit.cards[2].key].flag == 1


def test_a_leech_rating_says_so_in_the_drill(db, course):
    unit = course.unit("lora-basics")
    key = unit.cards[0].key
    store = opened(db)
    now = datetime.now(timezone.utc)
    srs.record_review(store, "local", key, srs.preview(srs.make_scheduler(), None, now - timedelta(days=30))[
        srs.Rating.Easy], now - timedelta(days=30))
    with store.writing("fill") as conn:
        conn.execute("update card_state set lapses = 7 where card_key = ?", (key,))
    at = open_page("views/unit.py", unit="lora-basics")
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-1").click().run()
    assert "That card is a leech: you have forgotten it 8 times, so it is suspended" in texts(at)
    assert key in card_control.held_out(store, "local", datetime.now(timezone.utc))
    at.button(key="drill-undo").click().run()
    assert key not in card_control.held_out(store, "local", datetime.now(timezone.utc))
    assert "is a leech" not in texts(at)


def test_cramming_a_unit_never_changes_its_schedule(db, course):
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-1").click().run()  # Again: wrong lately
    store = opened(db)
    before = store.query("select * from card_state"), store.query("select * from review_log")
    assert not [b for b in at.button if b.key == "cram-start"]  # drawn only once the student opens it
    at.session_state["cram-offer-lora-basics"] = True  # open "Review this unit now"
    at.run()
    assert "Only the ones you got wrong lately (1)" in at.radio(key="cram-which-lora-basics").options
    at.radio(key="cram-which-lora-basics").set_value(cram.WRONG).run()
    at.button(key="cram-start").click().run()
    assert "Cramming this unit** · 1 left of 1" in texts(at) and unit.cards[0].front in texts(at)
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-3").click().run()
    assert "Cram done." in texts(at)
    assert (store.query("select * from card_state"), store.query("select * from review_log")) == before
    assert metrics(at)["New · Learning · Due"] == f"{len(unit.cards) - 1} · 1 · 0"
    at.button(key="cram-end").click().run()
    assert "Left in this session" in texts(at)


def test_the_drill_says_the_daily_review_maximum_holds_cards_back_not_all_caught_up(db, course):
    store, now = opened(db), datetime.now(timezone.utc)
    unit = course.unit("lora-basics")
    scheduler, month_ago = srs.make_scheduler(enable_fuzzing=False), now - timedelta(days=30)
    for card in unit.cards:  # every card of the unit seen a month ago and due again by now
        outcome = srs.preview(scheduler, srs.load_state(store, "local", card.key), month_ago)[srs.Rating.Easy]
        srs.record_review(store, "local", card.key, outcome, month_ago)
    study_settings.save(store, "local", study_settings.StudySettings(max_reviews_per_day=1), now)
    at = open_page("views/unit.py", unit="lora-basics")
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-3").click().run()
    waiting = len(unit.cards) - 1
    notice = [i.value for i in at.info if "maximum of 1 review is reached" in i.value]
    assert notice and f"so {waiting} due cards wait" in notice[0], texts(at)
    assert not [s.value for s in at.success if "caught up" in s.value.lower()]
    assert "drill-more-new" not in [b.key for b in at.button]  # the new-card limit is not the reason
