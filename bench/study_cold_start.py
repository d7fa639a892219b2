"""Cold start of `studyapp run` to a healthy server (/_stcore/health). Goal: < 4 s.

Run: .venv/bin/python bench/study_cold_start.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from live_server import Server  # noqa: E402


def main(runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        server = Server(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        try:
            times.append(server.start())
        finally:
            server.kill()
    print(f"cold start to healthy, {runs} runs: p50 {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
