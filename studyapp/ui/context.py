"""What every page needs: the course, an open store, the student, the time.

The course is cached per process and reloaded when a content file changes, so an
author sees an edit on the next rerun. The store is opened once per process and
database path; it serialises its own statements across threads. The student is
the one the sign-in gate (``ui/signin.py``) resolved from the server-side session.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from studyapp import config
from studyapp.auth import settings as auth_settings_mod
from studyapp.core import srs, study_settings as settings_mod
from studyapp.core.content import Course, load_course
from studyapp.core.store import DEFAULT_USER, Store, StoreError, open_store


def now() -> datetime:
    """The one place pages read the clock (UTC, timezone-aware, as fsrs requires)."""
    return datetime.now(timezone.utc)


@st.cache_resource(show_spinner=False)
def _auth_settings(mode: str, secret: str, join_code: str, days: str) -> auth_settings_mod.AuthSettings:
    return auth_settings_mod.from_environ({"STUDYAPP_AUTH": mode, "STUDYAPP_SECRET": secret,
                                           "STUDYAPP_JOIN_CODE": join_code, "STUDYAPP_SESSION_DAYS": days})


def auth_settings() -> auth_settings_mod.AuthSettings:
    """How this server signs students in (set by `studyapp run`; none by default)."""
    import os

    env = auth_settings_mod.ENV
    return _auth_settings(*(os.environ.get(env[k], "") for k in ("mode", "secret", "join_code", "session_days")))


def current_user() -> str:
    """The signed-in student's id, from the server-side session; the solo profile with --auth none.

    Never taken from the URL, a widget or anything else the browser sends.
    """
    if not auth_settings().signs_in:
        return DEFAULT_USER
    from studyapp.ui import identity

    return identity.signed_in_user_id()


def _content_signature(root: Path) -> tuple:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".md", ".yaml", ".yml"})
    return tuple((str(p), p.stat().st_mtime_ns) for p in files)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_course_cached(root: str, signature: tuple) -> Course:
    from studyapp.lab.claims import catalog  # light: names of Lab pages, models, claim functions

    return load_course(root, lab=catalog())


def course_signature() -> tuple:
    """Changes whenever a file of the course changes (for caches built from the course)."""
    return _content_signature(config.content_dir())


def course() -> Course:
    """The course, reloaded when any unit file changes."""
    return _load_course_cached(str(config.content_dir()), course_signature())


def new_cards_per_day() -> int:
    """The server's default of new cards a day ($STUDYAPP_NEW_CARDS_PER_DAY, else 20)."""
    return config.new_cards_per_day(srs.NEW_CARDS_PER_DAY)


def study_settings() -> settings_mod.StudySettings:
    """The signed-in student's study settings (the server's defaults until they save their own).

    Raises:
        StoreError: the database cannot be read (pages read it through ``ui/guard``).
    """
    return settings_mod.load(store(), current_user(), settings_mod.defaults(new_cards_per_day()))


def scheduler():
    """The signed-in student's FSRS scheduler: their retention, steps and parameters (cached by value).

    Raises:
        StoreError: the database cannot be read.
    """
    return srs.scheduler_for(study_settings())


def limits(settings: settings_mod.StudySettings) -> dict:
    """``srs.study_queue``'s daily limits for these settings: new cards, maximum reviews, the day."""
    return settings.limits(study_day(settings))


def study_day(settings: settings_mod.StudySettings | None = None):
    """The student's study day: their zone (else the browser's, else UTC) and day start hour.

    Raises:
        StoreError: the settings cannot be read (only when ``settings`` is not given).
    """
    return (settings or study_settings()).study_day(st.context.timezone)


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store_cached(path: str) -> Store:
    # A failed open raises, and cache_resource does not cache exceptions: the next run retries.
    return open_store(path, allow_read_only=True)


def store() -> Store:
    """The process's open, migrated store; on failure show why and stop the page.

    A database that can be read but not written still serves the course (see
    :func:`read_only_notice`); only a file that cannot be read at all stops the page.
    """
    path = config.db_path()
    try:
        opened = _open_store_cached(str(path))
        if not auth_settings().signs_in:
            opened.ensure_user(DEFAULT_USER, now(), "You")
    except StoreError as exc:
        from studyapp.ui import guard

        st.error(guard.message("Your progress cannot be loaded or saved.", exc, "Reload the page to try again."),
                 icon=":material/error:")
        st.stop()
    return opened


def read_only_notice() -> None:
    """Say once per page that nothing can be saved, when the database is read-only."""
    try:
        opened = _open_store_cached(str(config.db_path()))
    except StoreError:
        return
    if opened.read_only:
        st.warning(f"**Progress cannot be saved right now.** The study database at {opened.path} is "
                   "read-only, so you can read and practise, but reviews, answers and notes will not be "
                   "kept. Fix the file's permissions (or start with --db pointing to a writable file), "
                   "then reload.", icon=":material/lock:")
