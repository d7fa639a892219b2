"""`studyapp export anki|notes|backup` and `studyapp import backup` (issue 12.8), in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest

from studyapp.core.store import open_store

from data_helpers import account, dump, fill_student
from paths import ROOT


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studyapp.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.mark.parametrize("command", [["export", "--help"], ["import", "--help"]])
def test_help(command):
    out = _cli(*command)
    assert out.returncode == 0 and "--user" in out.stdout and "--db" in out.stdout
    assert "anki" in out.stdout if command[0] == "export" else "backup" in out.stdout


@pytest.fixture
def school(tmp_path, now, course):
    path = tmp_path / "school.sqlite3"
    store = open_store(path, now)
    account(store, "ada", now)
    fill_student(store, course, "ada", now, reviews=12)
    fill_student(store, course, "local", now + timedelta(hours=1), reviews=5)
    store.close()
    return path


def test_every_export_writes_its_file(school, tmp_path):
    for kind, name in (("anki", "ada.apkg"), ("notes", "notes.zip"), ("backup", "ada.json")):
        out = _cli("export", kind, "--user", "ada", "--db", str(school), "-o", str(tmp_path / name))
        assert out.returncode == 0, out.stderr
        assert f"Wrote {tmp_path / name}" in out.stdout
    assert "collection.anki2" in zipfile.ZipFile(tmp_path / "ada.apkg").namelist()
    assert zipfile.ZipFile(tmp_path / "notes.zip").namelist()
    assert json.loads((tmp_path / "ada.json").read_text())["user_id"] == "ada"


def test_backup_and_import_round_trip_into_a_new_database_for_the_solo_student(school, tmp_path):
    assert _cli("export", "backup", "--user", "local", "--db", str(school), "-o", str(tmp_path / "b.json")
                ).returncode == 0
    fresh = tmp_path / "fresh.sqlite3"
    out = _cli("import", "backup", str(tmp_path / "b.json"), "--user", "local", "--db", str(fresh))
    assert out.returncode == 0, out.stderr
    assert "review_log: 5 added" in out.stdout
    source, target = open_store(school), open_store(fresh)
    assert dump(target, "local") == dump(source, "local")
    again = _cli("import", "backup", str(tmp_path / "b.json"), "--user", "local", "--db", str(fresh))
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    source.close(), target.close()


def test_import_refuses_a_foreign_or_damaged_file_and_changes_nothing(school, tmp_path):
    assert _cli("export", "backup", "--user", "ada", "--db", str(school), "-o", str(tmp_path / "ada.json")
                ).returncode == 0
    store = open_store(school)
    before = dump(store)
    store.close()
    foreign = _cli("import", "backup", str(tmp_path / "ada.json"), "--user", "local", "--db", str(school))
    assert foreign.returncode == 1 and "belongs to 'ada', not to 'local'" in foreign.stderr
    (tmp_path / "cut.json").write_bytes((tmp_path / "ada.json").read_bytes()[:500])
    cut = _cli("import", "backup", str(tmp_path / "cut.json"), "--user", "ada", "--db", str(school))
    assert cut.returncode == 1 and "Nothing was changed" in cut.stderr and "Traceback" not in cut.stderr
    store = open_store(school)
    assert dump(store) == before
    store.close()


def test_an_unknown_user_or_a_missing_file_is_one_line(school, tmp_path):
    out = _cli("export", "notes", "--user", "nobody", "--db", str(school), "-o", str(tmp_path / "n.zip"))
    assert out.returncode == 1 and "there is no user 'nobody'" in out.stderr
    assert not (tmp_path / "n.zip").exists()
    missing = _cli("import", "backup", str(tmp_path / "none.json"), "--user", "ada", "--db", str(school))
    assert missing.returncode == 1 and "No such file" in missing.stderr and "Traceback" not in missing.stderr
