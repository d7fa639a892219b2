"""A database that cannot be written still serves the course and says that progress is not kept (issue 8.7)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from studyapp.core import progress
from studyapp.core.store import open_store

PROBE = Path(__file__).with_name("readonly_probe.py")


def _as_user_who_cannot_write(command: list[str], env: dict, home: Path) -> list[str]:
    # root ignores file permissions, so as root the probe runs as 'nobody' (CI runs as root).
    if os.geteuid() != 0:
        return command
    shutil.chown(home, "nobody")
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]


def test_read_only_database_shows_the_course_and_says_progress_cannot_be_saved(now):
    folder = Path(tempfile.mkdtemp(prefix="studyapp-ro-"))
    home = folder / "home"
    home.mkdir()
    db = folder / "data" / "study.sqlite3"
    store = open_store(db, now)
    progress.mark_read(store, "local", "lora-basics", "the-low-rank-update", now)
    store.close()
    for f in db.parent.iterdir():
        f.chmod(0o444)
    db.parent.chmod(0o555)
    folder.chmod(0o755)
    env = dict(os.environ, STUDYAPP_DB=str(db), HOME=str(home), PYTHONPATH=str(Path(__file__).parents[2]))
    try:
        out = subprocess.run(_as_user_who_cannot_write([sys.executable, str(PROBE)], env, home), env=env,
                             capture_output=True, text=True, timeout=180)
    finally:
        db.parent.chmod(0o755)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["exceptions"] == []
    for page in ("home", "unit"):
        assert "Progress cannot be saved right now" in seen[page] and str(db) in seen[page]
    assert "Course map" in seen["home"] and "LoRA: Low-Rank Adaptation Explained" in seen["unit"]
    assert any("not saved" in e and "read-only" in e for e in seen["errors"]), seen["errors"]
    assert progress.sections_read(open_store(db), "local", "lora-basics") == {"the-low-rank-update"}
