"""`studyapp users ...` against a real database file, as an operator would run it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studyapp.auth import accounts
from studyapp.core import notes
from studyapp.core.store import open_store


def users(db, *args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "studyapp.cli", "users", *args, "--db", str(db)],
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_add_list_set_role_reset_and_delete(tmp_path):
    db = tmp_path / "class.sqlite3"
    out = users(db, "add", "ada", "--display-name", "Ada L", "--role", "instructor", "--password-stdin",
                stdin="correct horse\n")
    assert out.returncode == 0 and "Added ada (instructor)" in out.stdout
    assert users(db, "add", "bea", "--password-stdin", stdin="battery staple\n").returncode == 0
    listed = json.loads(users(db, "list", "--json").stdout)
    assert [(u["username"], u["role"]) for u in listed] == [("ada", "instructor"), ("bea", "student")]
    assert "correct horse" not in users(db, "list").stdout

    assert users(db, "set-role", "bea", "instructor").returncode == 0
    assert accounts.get_account(open_store(db), "bea").is_instructor

    assert users(db, "reset-password", "bea", "--password-stdin", stdin="a new password\n").returncode == 0
    store = open_store(db)
    assert accounts.authenticate(store, "bea", "a new password") is not None

    assert users(db, "delete", "bea", stdin="no\n").returncode == 1  # the confirmation is not the username
    assert accounts.get_account(open_store(db), "bea") is not None
    out = users(db, "delete", "bea", stdin="bea\n")
    assert out.returncode == 0 and accounts.get_account(open_store(db), "bea") is None
    assert users(db, "delete", "ada", "--yes").returncode == 0


def test_errors_are_one_line_without_a_traceback(tmp_path):
    db = tmp_path / "class.sqlite3"
    users(db, "add", "ada", "--password-stdin", stdin="correct horse\n")
    for args, stdin, text in [(("add", "ada", "--password-stdin"), "another pass\n", "taken"),
                              (("add", "bob", "--password-stdin"), "short\n", "at least 8"),
                              (("add", "Bad Name", "--password-stdin"), "correct horse\n", "Usernames are"),
                              (("set-role", "nobody", "student"), None, "no user"),
                              (("reset-password", "nobody", "--password-stdin"), "correct horse\n", "no local account")]:
        out = users(db, *args, stdin=stdin)
        assert out.returncode == 1 and text in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)


def test_adopt_local_moves_a_solo_install_to_an_account(tmp_path, now):
    db = tmp_path / "solo.sqlite3"
    notes.save_note(open_store(db, now), "local", "lora-basics", "my solo notes", now)
    out = users(db, "add", "ada", "--adopt-local", "--password-stdin", stdin="correct horse\n")
    assert out.returncode == 0 and "1 rows of note" in out.stdout
    assert notes.load_note(open_store(db), "ada", "lora-basics").text == "my solo notes"


@pytest.mark.parametrize("sub", ["add", "list", "set-role", "reset-password", "delete"])
def test_every_users_command_has_help_and_takes_db(sub):
    out = subprocess.run([sys.executable, "-m", "studyapp.cli", "users", sub, "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "--db" in out.stdout
