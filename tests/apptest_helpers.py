"""Helpers to drive the app through Streamlit's AppTest from its real entry point."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "studyapp" / "app.py"


def open_page(page: str | None = None, timeout: float = 60, **query) -> AppTest:
    """Run the app, switch to ``page`` (e.g. "views/unit.py") with query params, and return it."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    return _go_to(at, page, query)


def _go_to(at: AppTest, page: str | None, query: dict) -> AppTest:
    """Switch ``at`` to ``page`` with these query params and run it (no page: stay)."""
    if page:
        at.switch_page(page)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything a student can read on the page, as one string."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "error", "warning")
             for e in getattr(at, kind)]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def sign_in(username: str, password: str, page: str | None = None, timeout: float = 60, **query) -> AppTest:
    """With --auth accounts in the environment: sign in through the form, then open ``page``."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    at.text_input(key="signin-username").input(username)
    at.text_input(key="signin-password").input(password)
    at.button(key="FormSubmitter:signin-form-Sign in").click().run()
    assert at.get("popover"), f"{username} could not sign in: {[e.value for e in at.error]}"
    return _go_to(at, page, query)


def class_environment(monkeypatch, db, *people: tuple[str, str]) -> None:
    """Point the app at ``db`` with --auth accounts and create these (username, password) accounts."""
    from datetime import datetime, timezone

    from studyapp.auth import accounts
    from studyapp.core.store import open_store

    monkeypatch.setenv("STUDYAPP_DB", str(db))
    monkeypatch.setenv("STUDYAPP_AUTH", "accounts")
    monkeypatch.setenv("STUDYAPP_SECRET", "apptest-secret-" + "x" * 24)
    store = open_store(db)
    for username, password in people:
        accounts.create_account(store, username, password, datetime.now(timezone.utc))
    store.close()
