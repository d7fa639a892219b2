"""Local accounts end to end in Chromium: sign up with the join code, study, reload, restart, sign out;
two students at once who never see each other; a tampered cookie."""

from __future__ import annotations

import pytest

from studyapp.auth import accounts, sessions
from studyapp.core import notes, srs
from studyapp.core.store import open_store

from class_server import (account_menu, class_server, create_account, rate_first_card, scratchpad, sign_in,
                          sign_out, type_note)
from live_server import wait_idle

pytestmark = pytest.mark.browser
UNIT = "lora-basics"


@pytest.fixture
def srv(tmp_path):
    server = class_server(tmp_path / "class.sqlite3")
    server.start()
    yield server
    server.kill()


HOSTILE_NAME = "![x](http://127.0.0.1:9/p.png)<img src=x onerror=alert(1)>"


def test_sign_up_study_reload_restart_and_sign_out(srv, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    create_account(page, srv, "ada", "correct horse", HOSTILE_NAME)
    # The display name is shown as the text it is: no image fetched, no markup run.
    assert HOSTILE_NAME in account_menu(page).inner_text()
    assert not [u for u in fetched if "127.0.0.1:9/" in u or u.endswith("/x")]
    cookie = next(c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.goto(f"{srv.url}/unit?unit={UNIT}")
    wait_idle(page)
    rate_first_card(page)
    type_note(page, "ada's note")

    page.reload()
    wait_idle(page)
    assert scratchpad(page).input_value() == "ada's note"  # still signed in after a reload

    srv.kill()
    srv.start()
    page.reload()
    wait_idle(page)
    assert scratchpad(page).input_value() == "ada's note"  # and after a server restart

    store = open_store(srv.db)
    assert len(srs.load_states(store, "ada")) == 1 and srs.load_states(store, "local") == {}
    sign_out(page)
    page.reload()
    wait_idle(page)
    page.get_by_role("button", name="Sign in", exact=True).wait_for()  # the cookie no longer signs in
    assert sessions.COOKIE_NAME not in {c["name"] for c in context.cookies()}
    context.close()


def test_two_students_at_once_never_see_each_other(srv, browser):
    store = open_store(srv.db)
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    accounts.create_account(store, "ada", "correct horse", now, display_name="Ada")
    accounts.create_account(store, "bea", "battery staple", now, display_name="Bea")
    pages = {}
    for name, password in (("ada", "correct horse"), ("bea", "battery staple")):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pages[name] = context.new_page()
        sign_in(pages[name], srv, name, password, f"/unit?unit={UNIT}")
    # Interleaved: both study the same unit at the same time.
    rate_first_card(pages["ada"], 3)
    rate_first_card(pages["bea"], 1)
    type_note(pages["ada"], "ADA-SECRET-NOTE")
    type_note(pages["bea"], "BEA-SECRET-NOTE")

    for me, other in (("ada", "BEA"), ("bea", "ADA")):
        page = pages[me]
        for path in ("/", f"/unit?unit={UNIT}", "/review", "/search?q=secret+note", "/account",
                     "/class", "/lab-build"):
            page.goto(srv.url + path)
            wait_idle(page)
            body = page.locator("body").inner_text()
            assert f"{other}-SECRET-NOTE" not in body, (me, path)
            assert ("Bea" if me == "ada" else "Ada") not in account_menu(page).inner_text()
        page.goto(f"{srv.url}/unit?unit={UNIT}")
        wait_idle(page)
        assert scratchpad(page).input_value() == f"{me.upper()}-SECRET-NOTE"
    store = open_store(srv.db)
    assert {k: s.reps for k, s in srs.load_states(store, "ada").items()} == \
           {k: s.reps for k, s in srs.load_states(store, "bea").items()}  # one review each, same card
    assert notes.load_note(store, "ada", UNIT).text == "ADA-SECRET-NOTE"
    for page in pages.values():
        page.context.close()


def test_a_tampered_cookie_signs_the_student_out_cleanly(srv, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    create_account(page, srv, "ada", "correct horse")
    cookie = next(c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME)
    token, mac = cookie["value"].split(".")
    forged = dict(cookie, value=f"{token[:-1]}{'A' if token[-1] != 'A' else 'B'}.{mac}")
    context.add_cookies([forged])
    page.reload()
    wait_idle(page)
    page.get_by_text("Your sign-in has ended").wait_for()
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    for _ in range(100):  # the page asks the server to delete the bad cookie
        if sessions.COOKIE_NAME not in {c["name"] for c in context.cookies()}:
            break
        page.wait_for_timeout(100)
    assert sessions.COOKIE_NAME not in {c["name"] for c in context.cookies()}
    context.close()
