"""Accounts on a real SQLite file: hashing, sign-up rules, roles, passwords, delete and adopt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studyapp.auth import accounts, passwords, sessions
from studyapp.auth.accounts import AccountError
from studyapp.core import notes, quiz, srs
from studyapp.core.content import Question


def test_passwords_are_argon2id_and_never_stored_in_clear(store, now):
    account = accounts.create_account(store, "ada", "correct horse", now)
    stored = store.query("select password_hash from users where id = ?", (account.id,))[0]["password_hash"]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    dumped = "\n".join(store.db.iterdump())
    assert "correct horse" not in dumped


def test_authenticate_right_wrong_and_unknown(store, now):
    accounts.create_account(store, "ada", "correct horse", now, display_name="Ada")
    assert accounts.authenticate(store, "ada", "correct horse").display_name == "Ada"
    assert accounts.authenticate(store, "ADA ", "correct horse").id == "ada"  # usernames ignore case
    assert accounts.authenticate(store, "ada", "wrong horse") is None
    assert accounts.authenticate(store, "nobody", "correct horse") is None


def test_a_hash_made_with_old_parameters_is_upgraded_on_sign_in(store, now):
    from argon2 import PasswordHasher

    accounts.create_account(store, "ada", "correct horse", now)
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse")
    store.db.execute("update users set password_hash = ? where id = 'ada'", (old,))
    assert accounts.authenticate(store, "ada", "correct horse") is not None
    new = store.query("select password_hash from users where id = 'ada'")[0]["password_hash"]
    assert new != old and not passwords.needs_rehash(new)


@pytest.mark.parametrize("name", ["a", "Ada Lovelace", "ada/../x", "1ada", "x" * 33, "local", "admin", ""])
def test_bad_usernames_are_refused_with_the_rule(store, now, name):
    with pytest.raises(AccountError) as err:
        accounts.create_account(store, name, "correct horse", now)
    assert "Usernames are" in str(err.value) or "reserved" in str(err.value)


def test_duplicate_usernames_are_refused_whatever_the_case(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    with pytest.raises(AccountError, match="taken"):
        accounts.create_account(store, "Ada", "another one", now)


def test_short_passwords_are_refused(store, now):
    with pytest.raises(passwords.PasswordError, match="at least 8"):
        accounts.create_account(store, "ada", "short", now)


def test_display_names_lose_control_characters_and_keep_their_text(store, now):
    account = accounts.create_account(store, "ada", "correct horse", now,
                                      display_name="  <b>Ada</b>\u202e\x00  **L**  ")
    assert account.display_name == "<b>Ada</b> **L**"  # kept as text; pages escape it
    with pytest.raises(AccountError, match="at most 60"):
        accounts.set_display_name(store, "ada", "x" * 61)


def test_roles(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    assert accounts.get_account(store, "ada").role == "student"
    assert accounts.set_role(store, "ada", "instructor").is_instructor
    with pytest.raises(AccountError):
        accounts.set_role(store, "ada", "dean")
    with pytest.raises(AccountError):
        accounts.set_role(store, "nobody", "student")


def test_changing_a_password_needs_the_current_one_and_signs_out_everywhere(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    token, _ = sessions.issue(store, "ada", now)
    with pytest.raises(AccountError, match="current password"):
        accounts.change_password(store, "ada", "wrong", "a new password", now)
    assert sessions.find(store, token, now) is not None
    accounts.change_password(store, "ada", "correct horse", "a new password", now + timedelta(minutes=1))
    assert sessions.find(store, token, now + timedelta(minutes=2)) is None
    assert accounts.authenticate(store, "ada", "a new password") is not None
    assert accounts.authenticate(store, "ada", "correct horse") is None


def _study(store, user_id, now, scheduler):
    outcome = srs.preview(scheduler, None, now)[srs.Rating.Good]
    srs.record_review(store, user_id, "u/c1", outcome, now)
    notes.save_note(store, user_id, "u", f"{user_id}'s note", now)
    q = Question("u", "q1", "single", "p", "e", "a", ("a", "b"))
    quiz.record_attempt(store, user_id, q, "a", quiz.grade(q, "a"), now)


def test_delete_removes_every_row_of_the_user_and_nobody_else(store, now, scheduler):
    for name in ("ada", "bea"):
        accounts.create_account(store, name, "correct horse", now)
        _study(store, name, now, scheduler)
        sessions.issue(store, name, now)
    # A table added later (another feature's migration) is covered because it has user_id.
    store.db["later_feature"].insert_all([{"user_id": "ada", "x": 1}, {"user_id": "bea", "x": 2}])
    removed = accounts.delete_user(store, "ada")
    assert removed["card_state"] == 1 and removed["later_feature"] == 1 and removed["auth_session"] == 1
    for table in accounts.study_tables(store) + ["auth_session"]:
        assert store.query(f"select count(*) as n from [{table}] where user_id = 'ada'")[0]["n"] == 0, table
    assert accounts.get_account(store, "ada") is None
    assert notes.load_note(store, "bea", "u").text == "bea's note"
    assert srs.load_state(store, "bea", "u/c1") is not None


def test_adopt_local_moves_the_solo_progress_to_a_new_account(store, now, scheduler):
    _study(store, "local", now, scheduler)
    accounts.create_account(store, "ada", "correct horse", now)
    moved = accounts.adopt_local(store, "ada")
    assert moved["card_state"] == 1 and moved["note"] == 1 and moved["quiz_attempt"] == 1
    assert notes.load_note(store, "ada", "u").text == "local's note"
    assert notes.load_note(store, "local", "u").text == ""
    with pytest.raises(AccountError, match="already has progress"):
        accounts.adopt_local(store, "ada")


def test_oidc_students_are_keyed_by_issuer_and_subject_not_email(store, now):
    first = accounts.oidc_account(store, "https://idp.school", "123", "Ada", now)
    again = accounts.oidc_account(store, "https://idp.school", "123", "Ada Renamed", now)
    other = accounts.oidc_account(store, "https://other.idp", "123", "Ada", now)
    assert first.id == again.id != other.id and first.id.startswith("oidc:")
    assert first.provider == "oidc" and first.role == "student"
