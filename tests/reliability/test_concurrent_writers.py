"""Several processes and threads writing one database: nothing refused that could wait, nothing lost."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from studyapp.core import notes, srs
from studyapp.core.store import open_store

WRITERS = Path(__file__).with_name("writers.py")


def test_eight_processes_writing_one_file_lose_nothing_and_are_never_refused(tmp_path):
    db, workers, count = tmp_path / "class.sqlite3", 8, 40
    procs = [subprocess.Popen([sys.executable, str(WRITERS), str(db), f"w{n}", str(count)],
                              stdout=subprocess.PIPE, text=True) for n in range(workers)]
    reports = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert [r["refused"] for r in reports] == [0] * workers, [r["errors"] for r in reports]
    assert [r["acked"] for r in reports] == [count] * workers
    store = open_store(db)
    for n in range(workers):
        reviews = store.query("select count(*) as n from review_log where user_id = ?", (f"w{n}",))[0]["n"]
        cards = store.query("select count(*) as n from card_state where user_id = ?", (f"w{n}",))[0]["n"]
        revisions = store.query("select count(*) as n from note_revision where user_id = ?", (f"w{n}",))[0]["n"]
        assert (reviews, cards) == (count // 2, count // 2)
        assert revisions == min(count // 2, notes.KEEP_REVISIONS)
        assert notes.load_note(store, f"w{n}", "unit").text == f"w{n} note {count - 1}"
    assert store.query("pragma integrity_check")[0]["integrity_check"] == "ok"


def test_processes_rating_one_card_of_one_student_lose_no_increment(tmp_path):
    # Four servers (or tabs) rating the same card at once: each rating reads the card's state
    # inside its write transaction, so none is computed from a state another one replaced.
    db, workers, count = tmp_path / "one-card.sqlite3", 4, 25
    procs = [subprocess.Popen([sys.executable, str(WRITERS), str(db), f"w{n}", str(count), "unit/card"],
                              stdout=subprocess.PIPE, text=True) for n in range(workers)]
    reports = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert [r["refused"] for r in reports] == [0] * workers, [r["errors"] for r in reports]
    store = open_store(db)
    state = srs.load_state(store, "shared", "unit/card")
    logged = store.query("select count(*) as n from review_log where user_id = 'shared'")[0]["n"]
    assert (state.reps, logged) == (workers * count, workers * count)


def test_two_ratings_of_one_card_at_once_both_count(tmp_path, now, scheduler):
    # Two tabs rate the same card at the same moment, each through its own connection.
    path = tmp_path / "s.sqlite3"
    tabs = [open_store(path, now) for _ in range(2)]
    rounds, barrier, failures = 30, threading.Barrier(2, timeout=30), []

    def rate(store):
        try:
            for _ in range(rounds):
                barrier.wait()
                outcome = srs.preview(scheduler, None, now)[srs.Rating.Again]
                srs.record_review(store, "local", "u/c", outcome, now)
        except Exception as exc:  # a refused write is a failure of this test, not a hang
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=rate, args=(s,)) for s in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    state = srs.load_state(tabs[0], "local", "u/c")
    logged = tabs[0].query("select count(*) as n from review_log")[0]["n"]
    assert logged == 2 * rounds and state.reps == 2 * rounds


def test_opening_a_new_file_from_many_processes_at_once_migrates_it_once(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    code = "import sys; from studyapp.core.store import open_store; open_store(sys.argv[1]).close(); print('ok')"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [out.strip() for out, _ in results] == ["ok"] * 8, [err[-300:] for _, err in results]
    store = open_store(db)
    versions = [r["version"] for r in store.query("select version from schema_migrations order by version")]
    assert versions == sorted(set(versions))
