"""The FSRS optimizer on a seeded simulated student whose memory follows known parameters.

The fit of 600 reviews takes about 2-4 s on one core (torch, 5 epochs).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import ReviewLog
from fsrs.scheduler import DEFAULT_PARAMETERS

import simulated_student as sim
from studyapp.cli import main
from studyapp.core import card_control, optimizer, srs, study_settings
from studyapp.core.store import open_store

START = datetime(2025, 1, 6, 8, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def history():
    """600 reviews of 40 cards by the simulated student (seed 0)."""
    return sim.history(600, cards=40, start=START, seed=0)


@pytest.fixture(scope="module")
def fitted(history):
    return optimizer.fit(_by_card(history))


def _by_card(made) -> optimizer.History:
    found = {}
    for r in made:
        found.setdefault(r.card_key, []).append((r.at, r.rating, r.duration_ms))
    return found


def _distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


def _gap(history, parameters) -> float:
    """Mean |predicted recall - the generating model's predicted recall| over the counted reviews."""
    truth = [p for p, _ in optimizer.predictions(history, sim.GENERATING)]
    found = [p for p, _ in optimizer.predictions(history, parameters)]
    return sum(abs(a - b) for a, b in zip(found, truth)) / len(truth)


def test_the_fit_moves_towards_the_generating_parameters(history, fitted):
    by_card = _by_card(history)
    assert fitted.reviews == optimizer.counted_reviews(by_card) == 560  # every review after a card's first
    assert fitted.parameters_before == DEFAULT_PARAMETERS and len(fitted.parameters_after) == 21
    # Closer to the parameters that made the history, in parameter space (Euclidean)...
    assert _distance(fitted.parameters_after, sim.GENERATING) < _distance(DEFAULT_PARAMETERS, sim.GENERATING)
    # ...and in what they predict: recall probabilities nearer the generating model's at every review.
    assert _gap(by_card, fitted.parameters_after) < 0.7 * _gap(by_card, DEFAULT_PARAMETERS)
    assert fitted.improved and fitted.log_loss_after < fitted.log_loss_before
    assert fitted.rmse_after < fitted.rmse_before


def test_the_scores_are_what_the_optimizer_minimises(history, fitted):
    """Our log loss (no torch) is the optimizer's own loss, at the defaults and at the fit."""
    from fsrs.optimizer import Optimizer

    by_card = _by_card(history)
    ids = {k: i + 1 for i, k in enumerate(sorted(by_card))}
    theirs = Optimizer([ReviewLog(ids[k], r, at, d) for k, rows in by_card.items() for at, r, d in rows])
    for params, ours in ((DEFAULT_PARAMETERS, fitted.log_loss_before), (fitted.parameters_after, fitted.log_loss_after)):
        assert theirs._compute_batch_loss(parameters=list(params)) == pytest.approx(ours, rel=1e-9)


def test_rmse_bins_is_calibration_error():
    assert optimizer.rmse_bins([(0.9, 1)] * 9 + [(0.9, 0)]) == pytest.approx(0.0)  # 90% said, 90% recalled
    assert optimizer.rmse_bins([(0.9, 1)] * 5 + [(0.9, 0)] * 5) == pytest.approx(0.4)
    assert optimizer.rmse_bins([(0.05, 0), (0.95, 1)]) == pytest.approx(0.05)


def test_below_512_reviews_it_says_how_many_are_missing(store, now):
    made = sim.history(300, cards=20, start=START, seed=1)
    sim.fill(store, made)
    counted = optimizer.count_reviews(store, "local")
    # Every review after a card's first is a day or more later; only a card's first 64 count.
    expected = sum(min(len(rows), optimizer.MAX_SEQ_LEN) - 1 for rows in _by_card(made).values())
    assert counted == optimizer.counted_reviews(optimizer.review_history(store, "local")) == expected == 268
    with pytest.raises(optimizer.NotEnoughReviews) as caught:
        optimizer.optimize(store, "local", study_settings.StudySettings(), now)
    assert caught.value.needed == 512 - 268
    assert "you have 268 of the 512 it needs, so 244 more are needed" in str(caught.value)
    assert store.query("select * from study_settings") == [] and store.query("select * from optimizer_run") == []


def test_the_sql_count_matches_fsrs_rule_with_resets_and_exact_days(store, now):
    at = START
    rows = [(at, 3), (at + timedelta(hours=23, minutes=59), 3), (at + timedelta(days=2), 3),  # 23:59 apart: not
            (at + timedelta(days=3), 1)]  # exactly one day after the one before: counted
    with store.writing("fill") as db:
        db["review_log"].insert_all([{"user_id": "local", "card_key": "u/a", "rating": r, "reviewed_at": t.isoformat(),
                                      "duration_ms": 1, "state_before": 2, "interval_days": 1, "card_before": None}
                                     for t, r in rows])
    assert optimizer.count_reviews(store, "local") == optimizer.counted_reviews(
        optimizer.review_history(store, "local")) == 2
    card_control.reset(store, "local", ["u/a"], at + timedelta(days=2, hours=1))
    assert optimizer.count_reviews(store, "local") == 0  # only the review after the reset is its memory
    assert len(optimizer.review_history(store, "local")["u/a"]) == 1


def test_optimize_saves_the_parameters_and_reschedules_the_cards(tmp_path, history, fitted):
    store = open_store(tmp_path / "fit.sqlite3")
    sim.fill(store, history, "ada")
    sim.fill(store, history[:50], "bob")
    now = history[-1].at + timedelta(hours=1)
    before, bobs = srs.load_states(store, "ada"), srs.load_states(store, "bob")
    result = optimizer.optimize(store, "ada", study_settings.StudySettings(), now, enable_fuzzing=False)
    assert result.parameters_after == fitted.parameters_after  # the same fit: seeded and deterministic
    saved = study_settings.load(store, "ada", study_settings.StudySettings())
    assert saved.parameters == fitted.parameters_after
    after = srs.load_states(store, "ada")
    assert result.rescheduled == len(after) == 40
    scheduler = srs.scheduler_for(saved, enable_fuzzing=False)
    for key, state in after.items():  # each card is its log replayed with the new parameters
        logs = optimizer.review_history(store, "ada")[key]
        replayed = scheduler.reschedule_card(before[key].card, [
            ReviewLog(before[key].card.card_id, r, at, None) for at, r, _ in logs])
        assert state.card.to_dict() == replayed.to_dict()
        assert (state.reps, state.lapses) == (before[key].reps, before[key].lapses)
    assert sum(after[k].card.due != before[k].card.due for k in after) > 20
    assert study_settings.load(store, "bob", study_settings.StudySettings()).parameters is None
    assert srs.load_states(store, "bob") == bobs  # another student's cards are not touched
    run = optimizer.latest_run(store, "ada")
    assert (run["reviews"], run["log_loss_after"]) == (560, result.log_loss_after)


def test_new_parameters_that_predict_worse_are_not_saved(tmp_path, history, fitted):
    """A student whose parameters already fit: the run is recorded, nothing else changes."""
    store = open_store(tmp_path / "keep.sqlite3")
    sim.fill(store, history)
    mine = study_settings.StudySettings(parameters=sim.GENERATING)  # the truth: nothing predicts better
    study_settings.save(store, "local", mine, START)
    before = srs.load_states(store, "local")
    result = optimizer.optimize(store, "local", study_settings.StudySettings(), history[-1].at)
    assert not result.improved and result.rescheduled == 0
    assert study_settings.load(store, "local", study_settings.StudySettings()).parameters == sim.GENERATING
    assert srs.load_states(store, "local") == before
    assert len(store.query("select * from optimizer_run")) == 1


def test_the_command_line_fits_a_named_student(tmp_path, history, capsys):
    db = tmp_path / "cli.sqlite3"
    store = open_store(db)
    sim.fill(store, history)
    store.close()
    assert main(["srs", "optimize", "--user", "local", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["user"] == "local" and out["reviews"] == 560 and out["improved"] is True
    assert out["log_loss_after"] < out["log_loss_before"] and out["rescheduled"] == 40
    assert main(["srs", "optimize", "--user", "nobody", "--db", str(db)]) == 1
    assert "there is no user 'nobody'" in capsys.readouterr().err


def test_the_command_line_says_how_many_reviews_are_missing(tmp_path, capsys):
    db = tmp_path / "empty.sqlite3"
    assert main(["srs", "optimize", "--user", "local", "--db", str(db), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"user": "local", "ok": False, "reviews": 0, "needed": 512,
                                        "message": str(optimizer.NotEnoughReviews(0))}
    assert "so 512 more are needed" in captured.err
