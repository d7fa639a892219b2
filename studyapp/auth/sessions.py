"""Server-side sessions: what keeps a student signed in across reloads and restarts.

A session is a row in ``auth_session`` holding the SHA-256 of a random token, its
expiry and its revocation. The browser holds only the token, in an HttpOnly,
SameSite cookie signed with the server's secret (HMAC-SHA256): a cookie that was
tampered with, signed with another secret, expired or revoked signs nobody in.
A stolen database holds no usable token, and signing out is a row update.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from studyapp.core.store import Store

COOKIE_NAME = "studyapp_session"
DEFAULT_LIFETIME = timedelta(days=14)  # a school term's fortnight; documented in the README


@dataclass(frozen=True)
class Session:
    """One signed-in browser."""

    id: int
    user_id: str
    created_at: str
    expires_at: str


def token_hash(token: str) -> str:
    """What the database stores in place of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(store: Store, user_id: str, now: datetime, lifetime: timedelta = DEFAULT_LIFETIME) -> tuple[str, Session]:
    """Start a session for ``user_id``; return the raw token (for the cookie) and the session."""
    token = secrets.token_urlsafe(32)
    row = {"token_hash": token_hash(token), "user_id": user_id, "created_at": now.isoformat(),
           "expires_at": (now + lifetime).isoformat(), "revoked_at": None}
    with store.writing("save your sign-in in") as db:
        db.execute("delete from auth_session where expires_at < ?", (now.isoformat(),))  # housekeeping
        session_id = db["auth_session"].insert(row).last_pk
    return token, Session(session_id, user_id, row["created_at"], row["expires_at"])


def _valid(rows: list[dict], now: datetime) -> Session | None:
    if not rows or rows[0]["revoked_at"] or rows[0]["expires_at"] <= now.isoformat():
        return None
    r = rows[0]
    return Session(r["id"], r["user_id"], r["created_at"], r["expires_at"])


def find(store: Store, token: str, now: datetime) -> Session | None:
    """The live session a token belongs to (None when unknown, expired or revoked)."""
    rows = store.query("select s.* from auth_session s join users u on u.id = s.user_id "
                       "where s.token_hash = ?", (token_hash(token),))
    return _valid(rows, now)


def get(store: Store, session_id: int, now: datetime) -> Session | None:
    """The session with this id if it is still live."""
    rows = store.query("select s.* from auth_session s join users u on u.id = s.user_id where s.id = ?",
                       (session_id,))
    return _valid(rows, now)


def revoke(store: Store, session_id: int, now: datetime) -> None:
    """Sign one browser out."""
    with store.writing("save your sign-out in") as db:
        db.execute("update auth_session set revoked_at = ? where id = ? and revoked_at is null",
                   (now.isoformat(), session_id))


def revoke_all_in(db, user_id: str, now: datetime) -> None:
    """Sign a user out everywhere, inside the caller's write transaction.

    ``signed_out_before`` also ends school (OIDC) sign-ins made before ``now``.
    """
    db.execute("update auth_session set revoked_at = ? where user_id = ? and revoked_at is null",
               (now.isoformat(), user_id))
    db.execute("update users set signed_out_before = ? where id = ?", (now.isoformat(), user_id))


def revoke_all(store: Store, user_id: str, now: datetime) -> None:
    """Sign a user out of every browser."""
    with store.writing("save your sign-out in") as db:
        revoke_all_in(db, user_id, now)


def sign(token: str, secret: str) -> str:
    """The cookie value: the token and its HMAC-SHA256 under the server's secret."""
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()
    return f"{token}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(value: str | None, secret: str) -> str | None:
    """The token inside a cookie value, or None when it is missing or not signed by ``secret``."""
    if not value or not secret or value.count(".") != 1 or len(value) > 200:
        return None
    token, _ = value.split(".")
    return token if hmac.compare_digest(sign(token, secret), value) else None
