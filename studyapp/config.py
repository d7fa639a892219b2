"""Where the app finds its course and its database: defaults, overridable by CLI flags or env vars.

The CLI passes its flags to the Streamlit server as environment variables, so the
pages (which Streamlit runs in its own process) read the same settings.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
DEFAULT_CONTENT = PACKAGE_ROOT.parent / "content"
DEFAULT_DB = Path.cwd() / "data" / "studyapp.sqlite3"

DB_ENV = "STUDYAPP_DB"
CONTENT_ENV = "STUDYAPP_CONTENT"
NEW_CARDS_ENV = "STUDYAPP_NEW_CARDS_PER_DAY"


def db_path() -> Path:
    """The SQLite file for progress: $STUDYAPP_DB, else ./data/studyapp.sqlite3."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB).expanduser()


def content_dir() -> Path:
    """The course folder: $STUDYAPP_CONTENT, else the bundled content/."""
    return Path(os.environ.get(CONTENT_ENV) or DEFAULT_CONTENT).expanduser()


def new_cards_per_day(default: int) -> int:
    """The daily limit of new cards: $STUDYAPP_NEW_CARDS_PER_DAY, else ``default``."""
    value = os.environ.get(NEW_CARDS_ENV, "")
    return int(value) if value.isdigit() else default
