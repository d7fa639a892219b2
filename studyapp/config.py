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


def resolve_db(flag: Path | None, settings: dict | None = None) -> Path:
    """The database a command uses: --db, else $STUDYAPP_DB, else the settings file's
    [server] db, else ./data/studyapp.sqlite3 (absolute)."""
    server = (settings or {}).get("server", {})
    chosen = flag or os.environ.get(DB_ENV) or server.get("db") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def content_dir() -> Path:
    """The course folder: $STUDYAPP_CONTENT, else the bundled content/."""
    return Path(os.environ.get(CONTENT_ENV) or DEFAULT_CONTENT).expanduser()


def new_cards_per_day(default: int) -> int:
    """The daily limit of new cards: $STUDYAPP_NEW_CARDS_PER_DAY, else ``default``."""
    value = os.environ.get(NEW_CARDS_ENV, "")
    return int(value) if value.isdigit() else default


SETTINGS_ENV = "STUDYAPP_SETTINGS"
DEFAULT_SETTINGS = Path("studyapp.toml")


def settings_file(path: Path | None = None) -> Path | None:
    """The settings file: ``path``, else $STUDYAPP_SETTINGS, else ./studyapp.toml when it exists."""
    if path is not None:
        return path.expanduser()
    if os.environ.get(SETTINGS_ENV):
        return Path(os.environ[SETTINGS_ENV]).expanduser()
    return DEFAULT_SETTINGS if DEFAULT_SETTINGS.is_file() else None


def load_settings(path: Path | None) -> dict:
    """The settings file as a dict of tables ({} when there is none).

    Raises:
        ValueError: the file is missing or not valid TOML (the message names the file).
    """
    import tomllib

    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read the settings file {path}: {exc}") from exc
