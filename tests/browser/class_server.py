"""Helpers for browser tests of a class server: start one, sign a student in, drive the study pages."""

from __future__ import annotations

from pathlib import Path

from live_server import Server, wait_idle

COOKIE = "studyapp_session"
SECRET = "browser-test-secret-" + "x" * 24
JOIN_CODE = "owl-42"


def class_server(db: Path, *args: str) -> Server:
    """A `studyapp run --auth accounts` server with a join code (not started)."""
    return Server(db, args=("--auth", "accounts", "--join-code", JOIN_CODE, *args), env={"STUDYAPP_SECRET": SECRET})


def button(page, key: str):
    """The visible button of a keyed Streamlit button."""
    return page.locator(f".st-key-{key}").get_by_role("button")


def create_account(page, server: Server, username: str, password: str, display: str = "") -> None:
    """Sign up through "Create account" with the class join code."""
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("tab", name="Create account").click()
    panel = page.get_by_role("tabpanel", name="Create account")
    panel.get_by_role("textbox", name="Username").fill(username)
    if display:
        panel.get_by_role("textbox", name="Display name").fill(display)
    panel.get_by_role("textbox", name="Password", exact=True).fill(password)
    panel.get_by_role("textbox", name="Repeat the password").fill(password)
    panel.get_by_role("textbox", name="Class join code").fill(JOIN_CODE)
    panel.get_by_role("button", name="Create account").click()
    signed_in(page)


def sign_in(page, server: Server, username: str, password: str, path: str = "") -> None:
    """Sign in through the sign-in form (at ``path``, to land there)."""
    page.goto(server.url + path)
    wait_idle(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    signed_in(page)


def signed_in(page, timeout: float = 30) -> None:
    """Wait for the account menu (the sign-in page has none) and for the session cookie."""
    import time

    account_menu(page).wait_for()
    deadline = time.monotonic() + timeout
    while COOKIE not in {c["name"] for c in page.context.cookies()}:
        assert time.monotonic() < deadline, "the session cookie was never set"
        page.wait_for_timeout(100)
    wait_idle(page)


def account_menu(page):
    """The account menu: the popover in the sidebar (the page may have popovers of its own)."""
    return page.get_by_test_id("stSidebarUserContent").get_by_test_id("stPopover")


def sign_out(page) -> None:
    account_menu(page).get_by_role("button").first.click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in", exact=True).wait_for()


def scratchpad(page):
    """The scratchpad's text area, once its script has put the saved note in it."""
    page.locator(".pad[data-ready] textarea.pad-text").wait_for()
    return page.locator("textarea.pad-text")


def type_note(page, text: str) -> None:
    pad = scratchpad(page)
    pad.click()
    pad.press_sequentially(text, delay=5)
    page.locator(".pad-status", has_text="Saved").wait_for(timeout=30_000)


def rate_first_card(page, rating: int = 3) -> None:
    """On a unit page: open the Fast Drill, flip the card and rate it (1-4)."""
    page.get_by_role("tab", name="Fast Drill").click()
    button(page, "drill-flip").click()
    button(page, f"drill-rate-{rating}").click()
    wait_idle(page)
