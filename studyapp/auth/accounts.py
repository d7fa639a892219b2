"""Accounts in the study database: create, find, authenticate, roles, passwords, delete, adopt.

A user's ``id`` is what every row of theirs carries as ``user_id``: the username for a
local account, ``oidc:<hash of issuer and subject>`` for a school sign-in (a student is
keyed by issuer and subject, never by e-mail, which can change or be reused), and
``local`` for the solo profile of a laptop install.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from studyapp.auth import passwords
from studyapp.core.store import DEFAULT_USER, Store

ROLES = ("student", "instructor")
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
RESERVED_USERNAMES = frozenset({DEFAULT_USER, "admin", "root", "system"})
MAX_DISPLAY_NAME = 60
# Tables whose rows are the user themselves or their sign-in machinery, not study data.
ACCOUNT_TABLES = frozenset({"users", "auth_session", "sign_in_failure", "schema_migrations"})


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    """A user as the app needs them: who, how they are shown, what they may see."""

    id: str
    username: str | None
    display_name: str
    role: str
    provider: str  # "local" (solo laptop), "password" (local account) or "oidc"
    created_at: str

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


def normalize_username(raw: str) -> str:
    """Usernames compare case-insensitively: 'Ada' and 'ada' are one account."""
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


def username_problem(username: str) -> str | None:
    """Why ``username`` (normalized) cannot be used, or None when it can."""
    if not USERNAME.match(username):
        return ("Usernames are 2 to 32 characters: lowercase letters, digits, '.', '_' or '-', "
                "starting with a letter.")
    if username in RESERVED_USERNAMES:
        return f"'{username}' is reserved; choose another username."
    return None


def clean_display_name(raw: str, fallback: str) -> str:
    """A display name with control characters removed and spaces collapsed.

    Raises:
        AccountError: the name is longer than MAX_DISPLAY_NAME characters.
    """
    text = "".join(ch for ch in unicodedata.normalize("NFKC", raw or "")
                   if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())
    if len(text) > MAX_DISPLAY_NAME:
        raise AccountError(f"Display names are at most {MAX_DISPLAY_NAME} characters.")
    return text or fallback


def _account(row: dict) -> Account:
    return Account(row["id"], row.get("username"), row.get("display_name") or row["id"],
                   row.get("role") or "student", row.get("provider") or "local", row.get("created_at") or "")


def get_account(store: Store, user_id: str) -> Account | None:
    """The account with this id, or None."""
    rows = store.query("select * from users where id = ?", (user_id,))
    return _account(rows[0]) if rows else None


def find_account(store: Store, username: str) -> Account | None:
    """The local account with this username (any case), or None."""
    rows = store.query("select * from users where username = ?", (normalize_username(username),))
    return _account(rows[0]) if rows else None


def list_accounts(store: Store) -> list[Account]:
    """Every user, by username (the solo profile included when it exists)."""
    rows = store.query("select * from users order by coalesce(username, id)")
    return [_account(r) for r in rows]


def create_account(store: Store, username: str, password: str, now: datetime, *,
                   display_name: str = "", role: str = "student") -> Account:
    """Create a local account with an argon2id password hash.

    Raises:
        AccountError: the username is invalid or taken, the role unknown, the name too long.
        passwords.PasswordError: the password is too short or too long.
    """
    name = normalize_username(username)
    problem = username_problem(name)
    if problem:
        raise AccountError(problem)
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    row = {"id": name, "username": name, "display_name": clean_display_name(display_name, name),
           "role": role, "provider": "password", "password_hash": passwords.hash_password(password),
           "created_at": now.isoformat()}
    with store.writing("create the account in") as db:
        taken = list(db.query("select 1 from users where id = ? or username = ?", (name, name)))
        if taken:
            raise AccountError(f"The username '{name}' is taken; choose another.")
        db["users"].insert(row)
    return _account(row)


def authenticate(store: Store, username: str, password: str) -> Account | None:
    """The account when the password is right, else None (the same cost either way)."""
    rows = store.query("select * from users where username = ? and provider = 'password'",
                       (normalize_username(username),))
    stored = rows[0]["password_hash"] if rows else None
    if not passwords.verify_password(stored, password):
        return None
    if passwords.needs_rehash(stored):
        _set_hash(store, rows[0]["id"], passwords.hash_password(password))
    return _account(rows[0])


def _set_hash(store: Store, user_id: str, new_hash: str) -> None:
    with store.writing("save the password in") as db:
        db.execute("update users set password_hash = ? where id = ?", (new_hash, user_id))


def set_password(store: Store, user_id: str, new_password: str, now: datetime) -> None:
    """Replace a local account's password and sign it out everywhere.

    Raises:
        AccountError: there is no local account with this id.
        passwords.PasswordError: the new password is too short or too long.
    """
    from studyapp.auth import sessions

    new_hash = passwords.hash_password(new_password)
    with store.writing("save the password in") as db:
        changed = db.execute("update users set password_hash = ? where id = ? and provider = 'password'",
                             (new_hash, user_id)).rowcount
        if not changed:
            raise AccountError(f"There is no local account '{user_id}'.")
        sessions.revoke_all_in(db, user_id, now)


def change_password(store: Store, user_id: str, current: str, new_password: str, now: datetime) -> None:
    """A student changes their own password: the current one must be right.

    Raises:
        AccountError: the current password is wrong.
        passwords.PasswordError: the new password is too short or too long.
    """
    account = get_account(store, user_id)
    if account is None or account.username is None or authenticate(store, account.username, current) is None:
        raise AccountError("Your current password is not right.")
    set_password(store, user_id, new_password, now)


def set_role(store: Store, username: str, role: str) -> Account:
    """Make a user a student or an instructor.

    Raises:
        AccountError: unknown user or role.
    """
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    account = find_account(store, username) or get_account(store, username)
    if account is None:
        raise AccountError(f"There is no user '{username}'.")
    with store.writing("save the role in") as db:
        db.execute("update users set role = ? where id = ?", (role, account.id))
    return get_account(store, account.id)


def set_display_name(store: Store, user_id: str, display_name: str) -> Account:
    """Change how a user is shown (cleaned; the username stays).

    Raises:
        AccountError: no such user, or the name is too long.
    """
    account = get_account(store, user_id)
    if account is None:
        raise AccountError(f"There is no user '{user_id}'.")
    name = clean_display_name(display_name, account.username or account.id)
    with store.writing("save your name in") as db:
        db.execute("update users set display_name = ? where id = ?", (name, user_id))
    return get_account(store, user_id)


def study_tables(store: Store) -> list[str]:
    """Every table holding a student's own rows (found by its user_id column, so new ones count)."""
    return [t for t in store.db.table_names()
            if t not in ACCOUNT_TABLES and "user_id" in store.db[t].columns_dict]


def delete_user(store: Store, user_id: str) -> dict[str, int]:
    """Remove a user and every row of theirs; return rows removed per table.

    Raises:
        AccountError: there is no such user.
    """
    if get_account(store, user_id) is None:
        raise AccountError(f"There is no user '{user_id}'.")
    removed = {}
    with store.writing("delete the user from") as db:
        for table in [*study_tables(store), "auth_session"]:
            removed[table] = db.execute(f"delete from [{table}] where user_id = ?", (user_id,)).rowcount
        db.execute("delete from sign_in_failure where key = ?", (f"user:{user_id}",))
        db.execute("delete from users where id = ?", (user_id,))
    return removed


def adopt_local(store: Store, user_id: str) -> dict[str, int]:
    """Move the solo profile's progress ("local") to ``user_id``; return rows moved per table.

    Raises:
        AccountError: ``user_id`` already has study rows (nothing is merged or overwritten).
    """
    moved = {}
    with store.writing("move your solo progress in") as db:
        tables = study_tables(store)
        if any(list(db.query(f"select 1 from [{t}] where user_id = ? limit 1", (user_id,))) for t in tables):
            raise AccountError(f"'{user_id}' already has progress; adopt the solo profile into a new account.")
        for table in tables:
            moved[table] = db.execute(f"update [{table}] set user_id = ? where user_id = ?",
                                      (user_id, DEFAULT_USER)).rowcount
    return moved


def oidc_user_id(issuer: str, subject: str) -> str:
    """The stable id of a school sign-in: a hash of (issuer, subject), never the e-mail."""
    digest = hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()[:20]
    return f"oidc:{digest}"


def oidc_account(store: Store, issuer: str, subject: str, display_name: str, now: datetime) -> Account:
    """The account of an OpenID Connect identity, created on its first sign-in."""
    user_id = oidc_user_id(issuer, subject)
    with store.writing("save the profile in") as db:
        db["users"].insert({"id": user_id, "display_name": clean_display_name((display_name or "")[:MAX_DISPLAY_NAME], "Student"),
                            "role": "student", "provider": "oidc", "issuer": issuer, "subject": subject,
                            "created_at": now.isoformat()}, ignore=True)
    return get_account(store, user_id)
