"""Per-student settings: validation that says how to fix a value, storage per student, and a scheduler
built from them (fuzzing off, fixed dates) whose intervals follow the desired retention and steps."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from studyapp.core import reschedule, srs, study_settings
from studyapp.core.study_settings import SettingsError, StudySettings
from test_srs import review


def intervals(settings: StudySettings, now, state=None) -> dict[str, str]:
    outcomes = srs.preview(srs.scheduler_for(settings, enable_fuzzing=False), state, now)
    return {r.name: srs.format_interval(o.interval) for r, o in outcomes.items()}


def test_a_higher_desired_retention_shortens_every_review_interval(now):
    """Pinned with fuzzing off: Easy on a new card, then each rating of that card when it falls due."""
    found = {}
    for retention in (0.8, 0.9, 0.95):
        settings = StudySettings(desired_retention=retention)
        easy = srs.preview(srs.scheduler_for(settings, False), None, now)[srs.Rating.Easy]
        due = srs.CardState("u/c", easy.card, 1, 0)
        found[retention] = (easy.interval.days, intervals(settings, now + easy.interval, due))
    assert found == {
        0.8: (28, {"Again": "10m", "Hard": "5.3mo", "Good": "8.2mo", "Easy": "1.2y"}),
        0.9: (8, {"Again": "10m", "Hard": "27d", "Good": "1.3mo", "Easy": "2.2mo"}),
        0.95: (3, {"Again": "10m", "Hard": "7d", "Good": "9d", "Easy": "14d"}),
    }


def test_learning_steps_are_the_students(now):
    assert intervals(StudySettings(), now) == {"Again": "1m", "Hard": "6m", "Good": "10m", "Easy": "8d"}
    mine = StudySettings(learning_steps=(300, 3600))
    assert intervals(mine, now) == {"Again": "5m", "Hard": "32m", "Good": "1h", "Easy": "8d"}
    # No learning steps: Good on a new card graduates at once, to a day-long interval.
    assert intervals(StudySettings(learning_steps=()), now)["Good"] == "2d"


def test_relearning_steps_are_the_students(store, now):
    settings = StudySettings(relearning_steps=(1800,))
    scheduler = srs.scheduler_for(settings, False)
    state, outcome = review(store, scheduler, "u/c", srs.Rating.Easy, now)
    assert intervals(settings, now + outcome.interval, state)["Again"] == "30m"


def test_one_scheduler_per_settings_value():
    a, b = StudySettings(desired_retention=0.85), StudySettings(desired_retention=0.85)
    assert srs.scheduler_for(a) is srs.scheduler_for(b)  # equal values share one
    assert srs.scheduler_for(a) is not srs.scheduler_for(replace(a, desired_retention=0.9))
    assert srs.scheduler_for(a).desired_retention == 0.85


def test_steps_are_written_as_in_anki():
    assert study_settings.parse_steps("1m 10m") == (60, 600)
    assert study_settings.parse_steps(" 30s, 1.5h 1d ") == (30, 5400, 86400)
    assert study_settings.parse_steps("") == ()
    assert study_settings.format_steps((60, 600, 5400, 86400, 30)) == "1m 10m 90m 1d 30s"
    with pytest.raises(SettingsError, match="“10” is not a step: write a number and a unit, e.g. 1m 10m"):
        study_settings.parse_steps("10 minutes")


def test_bad_values_are_refused_with_what_to_do():
    bad = StudySettings(desired_retention=0.99, new_per_day=-1, learning_steps=(0,), time_zone="Mars/Base",
                        day_start_hour=24, parameters=(1.0,) * 3)
    with pytest.raises(SettingsError) as caught:
        bad.checked()
    assert caught.value.problems == [
        "Desired retention: 0.99 is outside 0.7–0.97; choose a value in that range.",
        "New cards a day: -1 is outside 0–999; choose a value in that range.",
        "Next day starts at: 24 is outside 0–23; choose a value in that range.",
        "Learning steps: each step must be between 1s and 1d; FSRS schedules longer gaps itself.",
        "Time zone: “Mars/Base” is not a time zone name; pick one such as Europe/Berlin, America/New_York "
        "or Asia/Kolkata.",
        "FSRS parameters: 3 numbers; FSRS-6 needs 21. Run “Optimize my scheduler” again, or reset them to "
        "the defaults.",
    ]
    assert StudySettings().checked() == StudySettings()


def test_each_student_keeps_their_own_settings(store, now):
    base = study_settings.defaults(new_per_day=7)
    study_settings.save(store, "ada", replace(base, desired_retention=0.8, time_zone="Asia/Tokyo"), now)
    assert study_settings.load(store, "ada", base).desired_retention == 0.8
    assert study_settings.load(store, "bob", base) == base  # bob saved nothing: the server's defaults
    with pytest.raises(SettingsError):
        study_settings.save(store, "bob", replace(base, max_reviews_per_day=0), now)
    assert store.query("select user_id from study_settings") == [{"user_id": "ada"}]  # nothing saved for bob


def test_a_stored_value_that_no_longer_validates_falls_back_and_says_so(store, now):
    stored = {**json.loads(study_settings.to_json(StudySettings(new_per_day=5))), "desired_retention": 3,
              "learning_steps": "oops", "unknown": 1}
    with store.writing("fill") as db:
        db["study_settings"].insert({"user_id": "ada", "settings_json": json.dumps(stored), "updated_at": ""})
    settings, dropped = study_settings.load_checked(store, "ada", StudySettings())
    assert (settings.new_per_day, settings.desired_retention, settings.learning_steps) == (5, 0.9, (60, 600))
    assert dropped == ["Desired retention (stored value 3) is not valid, so the default is used.",
                       "Learning steps (stored value 'oops') is not valid, so the default is used."]


def test_saving_with_reschedule_replays_the_cards_with_the_new_retention(store, now):
    scheduler = srs.scheduler_for(StudySettings(), False)
    review(store, scheduler, "u/c", srs.Rating.Easy, now)  # due in 8 days at 0.9
    tighter = StudySettings(desired_retention=0.95)
    assert reschedule.save_settings(store, "local", tighter, now) == 0  # not asked: cards stay as they are
    assert srs.load_state(store, "local", "u/c").card.due == now + timedelta(days=8)
    assert reschedule.save_settings(store, "local", tighter, now, reschedule_cards=True, enable_fuzzing=False) == 1
    state = srs.load_state(store, "local", "u/c")
    assert state.card.due == now + timedelta(days=3)  # Easy's interval at 0.95
    assert state.reps == 1 and len(store.query("select * from review_log")) == 1  # history untouched
