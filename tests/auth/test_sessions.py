"""Server-side sessions and the signed cookie that carries them."""

from __future__ import annotations

from datetime import timedelta

from studyapp.auth import accounts, sessions

SECRET = "s" * 40


def test_a_session_lives_until_it_expires(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    token, session = sessions.issue(store, "ada", now, timedelta(days=14))
    assert sessions.find(store, token, now + timedelta(days=13, hours=23)).id == session.id
    assert sessions.find(store, token, now + timedelta(days=14)) is None
    assert sessions.get(store, session.id, now + timedelta(days=1)).user_id == "ada"


def test_the_database_stores_only_a_hash_of_the_token(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    token, _ = sessions.issue(store, "ada", now)
    row = store.query("select token_hash from auth_session")[0]
    assert token not in "\n".join(store.db.iterdump()) and row["token_hash"] == sessions.token_hash(token)


def test_revoking_one_session_leaves_the_others(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    laptop, first = sessions.issue(store, "ada", now)
    phone, _ = sessions.issue(store, "ada", now)
    sessions.revoke(store, first.id, now)
    assert sessions.find(store, laptop, now) is None and sessions.find(store, phone, now) is not None


def test_revoke_all_ends_every_session_and_marks_the_time(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    tokens = [sessions.issue(store, "ada", now)[0] for _ in range(3)]
    sessions.revoke_all(store, "ada", now + timedelta(seconds=5))
    assert all(sessions.find(store, t, now + timedelta(seconds=6)) is None for t in tokens)
    cutoff = store.query("select signed_out_before from users where id = 'ada'")[0]["signed_out_before"]
    assert cutoff == (now + timedelta(seconds=5)).isoformat()


def test_a_deleted_user_has_no_session(store, now):
    accounts.create_account(store, "ada", "correct horse", now)
    token, _ = sessions.issue(store, "ada", now)
    accounts.delete_user(store, "ada")
    assert sessions.find(store, token, now) is None


def test_cookie_signature_rejects_tampering_and_other_secrets():
    value = sessions.sign("tok-123", SECRET)
    assert sessions.unsign(value, SECRET) == "tok-123"
    token, mac = value.split(".")
    assert sessions.unsign(f"tok-124.{mac}", SECRET) is None
    assert sessions.unsign(value, "t" * 40) is None
    assert sessions.unsign(value + "x", SECRET) is None
    for junk in (None, "", "no-dot", "a.b.c", "x" * 500 + ".y"):
        assert sessions.unsign(junk, SECRET) is None
    assert sessions.unsign(value, "") is None  # no secret configured: nothing verifies
