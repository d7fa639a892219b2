"""What every page needs: the course, an open store, the student, the time.

The course is cached per process and reloaded when a content file changes, so an
author sees an edit on the next rerun. The store is opened once per
process and database path; it serialises its own statements across threads.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from studyapp import config
from studyapp.core import srs
from studyapp.core.content import Course, load_course
from studyapp.core.store import DEFAULT_USER, Store, StoreError, open_store


def now() -> datetime:
    """The one place pages read the clock (UTC, timezone-aware, as fsrs requires)."""
    return datetime.now(timezone.utc)


def current_user() -> str:
    """The signed-in student; a single local profile until sign-in exists."""
    return st.session_state.get("user_id", DEFAULT_USER)


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


@st.cache_resource(show_spinner=False)
def scheduler():
    return srs.make_scheduler()


def new_cards_per_day() -> int:
    return config.new_cards_per_day(srs.NEW_CARDS_PER_DAY)


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store_cached(path: str) -> Store:
    # A failed open raises, and cache_resource does not cache exceptions: the next run retries.
    return open_store(path)


def store() -> Store:
    """The process's open, migrated store; on failure show why and stop the page."""
    path = config.db_path()
    try:
        opened = _open_store_cached(str(path))
        opened.ensure_user(current_user(), now())
    except StoreError as exc:
        st.error(f"**Your progress cannot be loaded or saved.** {exc}", icon=":material/error:")
        st.stop()
    return opened


def show_store_error(exc: StoreError) -> None:
    """Tell the student a write failed, and that what they did was kept for another try."""
    st.error(f"**Not saved yet.** {exc}", icon=":material/warning:")
