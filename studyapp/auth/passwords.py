"""Password hashing with argon2id (argon2-cffi). Passwords are never logged or stored.

Parameters: OWASP's Password Storage Cheat Sheet minimum for argon2id (19 MiB of
memory, 2 iterations, 1 lane), which keeps a verify near 50 ms on a 2-core server,
so a class signing in at 9 am does not queue behind the hashing. A hash made with
other parameters still verifies, and is upgraded on the next successful sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 8
MAX_LENGTH = 1024  # argon2 takes any length; this bounds the work one request can ask for
# Verified when the username does not exist, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash("studyapp: no such user")


class PasswordError(ValueError):
    """A new password that is not acceptable; the message says what to change."""


def check_new_password(password: str) -> None:
    """Raise :class:`PasswordError` when ``password`` is too short or too long."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"Choose a password of at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"Choose a password of at most {MAX_LENGTH} characters.")


def hash_password(password: str) -> str:
    """The argon2id hash of a new password (checked first).

    Raises:
        PasswordError: the password is too short or too long.
    """
    check_new_password(password)
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; a missing hash costs the same time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
