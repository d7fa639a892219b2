"""Sign-in server time: argon2id verify + a new session row. Goal: p50 < 150 ms.

Measures the core path (accounts.authenticate + sessions.issue on a real SQLite file) and
the whole sign-in form submit through AppTest (the script run that verifies, starts the
session and draws Home).
Run: .venv/bin/python bench/auth_signin.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from studyapp.auth import accounts, sessions  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def core_path(db: Path, runs: int = 40) -> list[float]:
    store = open_store(db)
    now = datetime.now(timezone.utc)
    accounts.create_account(store, "ada", "correct horse battery", now)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        account = accounts.authenticate(store, "ada", "correct horse battery")
        sessions.issue(store, account.id, now)
        times.append((time.perf_counter() - start) * 1000)
    return times


def form_submit(db: Path, runs: int = 15) -> list[float]:
    from streamlit.testing.v1 import AppTest

    from apptest_helpers import APP

    os.environ.update(STUDYAPP_DB=str(db), STUDYAPP_AUTH="accounts", STUDYAPP_SECRET="b" * 40)
    times = []
    for _ in range(runs):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        at.text_input(key="signin-username").input("ada")
        at.text_input(key="signin-password").input("correct horse battery")
        start = time.perf_counter()
        at.button(key="FormSubmitter:signin-form-Sign in").click().run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception and at.get("popover"), "the sign-in did not go through"
    return times


def main() -> None:
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    core = core_path(db)
    print(f"sign-in core (argon2id verify + session row), {len(core)} runs: p50 {statistics.median(core):.1f} ms, "
          f"p95 {percentile(core, 95):.1f} ms")
    form = form_submit(db)
    print(f"sign-in form submit through AppTest (verify, session, draw Home), {len(form)} runs: "
          f"p50 {statistics.median(form):.1f} ms, p95 {percentile(form, 95):.1f} ms")


if __name__ == "__main__":
    main()
