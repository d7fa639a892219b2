"""Shared fixtures: a fixed clock, real SQLite files in tmp_path, the bundled course."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from studyapp.core import srs
from studyapp.core.content import load_course
from studyapp.core.store import open_store

from paths import CONTENT, ROOT  # noqa: F401 - re-exported for fixtures below
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a fixed Monday morning, UTC


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def store(tmp_path, now):
    opened = open_store(tmp_path / "study.sqlite3", now)
    yield opened
    opened.close()


@pytest.fixture
def scheduler():
    return srs.make_scheduler(enable_fuzzing=False)


@pytest.fixture(scope="session")
def course():
    return load_course(CONTENT)


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the bundled course, for tests that break a unit on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
