"""The FSRS optimizer on 5,000 reviews (and on 600, the test's size): wall time of the fit, and the
whole "Optimize my scheduler" (fit + scoring + saving + rescheduling every card). Report only.

The reviews come from the seeded simulated student (tests/simulated_student.py). torch's
import is timed apart: a fresh process pays it once, at the first fit.

Run: .venv/bin/python bench/anki_optimizer.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import simulated_student as sim  # noqa: E402
from studyapp.core import optimizer, study_settings  # noqa: E402
from studyapp.core.store import open_store  # noqa: E402

START = datetime(2025, 1, 6, 8, tzinfo=timezone.utc)


def main() -> None:
    started = time.perf_counter()
    import torch  # noqa: F401

    print(f"import torch: {time.perf_counter() - started:.1f} s (threads: {torch.get_num_threads()})")
    for reviews, cards in ((600, 40), (5000, 300)):
        made = sim.history(reviews, cards=cards, start=START, seed=0)
        store = open_store(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        sim.fill(store, made)
        started = time.perf_counter()
        fit = optimizer.optimize(store, "local", study_settings.StudySettings(), made[-1].at + timedelta(hours=1))
        total = time.perf_counter() - started
        print(f"{reviews:,} reviews of {cards} cards ({fit.reviews:,} counted): fit {fit.seconds:.1f} s, whole "
              f"optimize {total:.1f} s; log loss {fit.log_loss_before:.4f} -> {fit.log_loss_after:.4f}, "
              f"RMSE (bins) {fit.rmse_before:.2%} -> {fit.rmse_after:.2%}, {fit.rescheduled} cards rescheduled")


if __name__ == "__main__":
    main()
