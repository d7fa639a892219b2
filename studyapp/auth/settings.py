"""How this server signs students in: ``none`` (one local profile), ``accounts`` or ``oidc``.

Each setting comes from, in order: the ``studyapp run`` flag, the environment
(``STUDYAPP_AUTH``, ``STUDYAPP_SECRET``, ``STUDYAPP_JOIN_CODE``, ``STUDYAPP_SESSION_DAYS``),
the settings file's ``[auth]`` table, then the default. ``studyapp run`` resolves them
once and hands them to the server process as those environment variables.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

MODES = ("none", "accounts", "oidc")
ENV = {"mode": "STUDYAPP_AUTH", "secret": "STUDYAPP_SECRET", "join_code": "STUDYAPP_JOIN_CODE",
       "session_days": "STUDYAPP_SESSION_DAYS"}
MIN_SECRET = 32
GENERATE = "python3 -c \"import secrets; print(secrets.token_urlsafe(32))\""


@dataclass(frozen=True)
class AuthSettings:
    """The sign-in settings of one server."""

    mode: str = "none"
    secret: str = ""  # signs session cookies (accounts mode)
    join_code: str = ""  # when set, "Create account" asks for it
    session_days: float = 14.0  # a session ends this long after sign-in

    @property
    def signs_in(self) -> bool:
        """True when students sign in (accounts or oidc), False for the solo profile."""
        return self.mode != "none"

    def problems(self) -> list[str]:
        """Why this server must not start with these settings, each with its fix ([] when fine)."""
        found = []
        if self.mode not in MODES:
            found.append(f"auth mode {self.mode!r} is not one of {', '.join(MODES)}.")
        if self.mode == "accounts" and len(self.secret) < MIN_SECRET:
            found.append(
                f"--auth accounts needs a secret of at least {MIN_SECRET} characters to sign session "
                f"cookies: set STUDYAPP_SECRET, or `secret` under [auth] in the settings file. "
                f"Generate one with: {GENERATE}")
        if not (math.isfinite(self.session_days) and 0 < self.session_days <= 365):
            found.append(f"session_days must be between 0 and 365 days, not {self.session_days}.")
        return found

    def to_env(self) -> dict[str, str]:
        """The environment that carries these settings to the server process."""
        return {ENV["mode"]: self.mode, ENV["secret"]: self.secret, ENV["join_code"]: self.join_code,
                ENV["session_days"]: repr(self.session_days)}


def resolve(flags: Mapping[str, object], environ: Mapping[str, str], file: Mapping[str, object]) -> AuthSettings:
    """Settings from flags, then environment, then the settings file's [auth] table, then defaults.

    Raises:
        ValueError: session_days is not a number.
    """
    def pick(name: str) -> object:
        for source in (flags.get(name), environ.get(ENV[name]), file.get(name)):
            if source not in (None, ""):
                return source
        return getattr(AuthSettings, name)

    return AuthSettings(mode=str(pick("mode")), secret=str(pick("secret")), join_code=str(pick("join_code")),
                        session_days=float(pick("session_days")))


def from_environ(environ: Mapping[str, str] | None = None) -> AuthSettings:
    """The settings a server process was started with (what the pages read)."""
    try:
        return resolve({}, os.environ if environ is None else environ, {})
    except ValueError:
        return AuthSettings(mode=(environ or os.environ).get(ENV["mode"], "none"))
