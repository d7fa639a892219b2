"""SIGKILL a writing process at random moments: how many acknowledged writes survive.

A process rates cards, answers questions and saves a note as fast as it can, printing
each write once it returned (committed); it is SIGKILLed 0.05-0.6 s into each of 30
rounds on the same file. After each kill: integrity_check, every acknowledged rating and
answer present, the note at least as new as the last acknowledged save, and each card's
reps equal to its review_log rows. Goal: 0 lost, 0 half written, integrity ok every time.

Run: .venv/bin/python bench/reliability_sigkill.py
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reliability"))
sys.path.insert(0, str(ROOT))

import acker  # noqa: E402
from studyapp.core import notes  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402

ROUNDS = 30


def one_round(db: Path, first: int, delay: float) -> list[tuple[int, str]]:
    script = ROOT / "tests" / "reliability" / "acker.py"
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(first)], stdout=subprocess.PIPE,
                            text=True)
    lines = [proc.stdout.readline()]
    threading.Timer(delay, os.kill, (proc.pid, signal.SIGKILL)).start()
    lines += proc.stdout.readlines()
    proc.wait(10)
    return [(int(n), kind) for n, kind in (line.split() for line in lines if line.endswith("\n"))]


def check(db: Path, acked: list[tuple[int, str]]) -> tuple[bool, int, int]:
    """(integrity ok, acknowledged writes missing, cards whose reps disagree with the log)."""
    store = open_store(db)
    ok = store.query("pragma integrity_check")[0]["integrity_check"] == "ok"
    present = {r["t"] for r in store.query("select reviewed_at as t from review_log union "
                                           "select answered_at from quiz_attempt")}
    missing = sum(acker.moment(i).isoformat() not in present for i, kind in acked if kind != "note")
    notes_acked = [i for i, kind in acked if kind == "note"]
    if notes_acked and int(notes.load_note(store, acker.USER, acker.UNIT).text.split()[1]) < max(notes_acked):
        missing += 1
    torn = store.query("select count(*) as n from card_state s where reps != (select count(*) "
                       "from review_log l where l.user_id = s.user_id and l.card_key = s.card_key)")[0]["n"]
    store.close()
    return ok, missing, torn


def main() -> None:
    db, rng, acked = Path(tempfile.mkdtemp()) / "killed.sqlite3", random.Random(8), []
    sound, lost, torn = 0, 0, 0
    for round_ in range(ROUNDS):
        acked += one_round(db, 10_000 * round_, rng.uniform(0.05, 0.6))
        ok, missing, bad = check(db, acked)
        sound, lost, torn = sound + ok, max(lost, missing), max(torn, bad)
    print(f"{ROUNDS} SIGKILLs mid-write: {len(acked)} writes acknowledged, {lost} lost, {torn} half written, "
          f"integrity_check ok after {sound} of {ROUNDS} kills")


if __name__ == "__main__":
    main()
