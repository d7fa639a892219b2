"""Buddy fixtures: the course index, built once for the session from the bundled course."""

from __future__ import annotations

import pytest

from studyapp.buddy.index import build_index


@pytest.fixture(scope="session")
def index(course):
    return build_index(course)
