"""The sign-in gate and the role checks, through AppTest from the real entry point."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from apptest_helpers import APP, texts
from streamlit.testing.v1 import AppTest

from studyapp.auth import accounts, throttle
from studyapp.core import notes
from studyapp.core.store import open_store

SECRET = "k" * 40
PAGES = ["views/home.py", "views/review.py", "views/unit.py", "views/search.py", "views/lab_build.py",
         "views/lab_rank.py", "views/lab_memory.py", "views/lab_train.py", "views/account.py", "views/class_view.py"]


@pytest.fixture
def class_db(tmp_path, monkeypatch):
    db = tmp_path / "class.sqlite3"
    monkeypatch.setenv("STUDYAPP_DB", str(db))
    monkeypatch.setenv("STUDYAPP_AUTH", "accounts")
    monkeypatch.setenv("STUDYAPP_SECRET", SECRET)
    monkeypatch.setenv("STUDYAPP_JOIN_CODE", "owl-42")
    now = datetime.now(timezone.utc)
    store = open_store(db)
    accounts.create_account(store, "ada", "correct horse", now, display_name="Ada", role="instructor")
    accounts.create_account(store, "bea", "battery staple", now, display_name="Bea")
    notes.save_note(store, "bea", "lora-basics", "Bea's private note", now)
    accounts.create_account(store, "cai", "open sesame", now, display_name="Cai Private")
    notes.save_note(store, "cai", "lora-basics", "Cai's private note", now)
    return db


def menu(at: AppTest) -> list[str]:
    """The labels of the popovers on the page (the account menu is one)."""
    return [p.proto.popover.label for p in at.get("popover")]


def fresh() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    return at


def sign_in(username: str, password: str) -> AppTest:
    at = fresh()
    at.text_input(key="signin-username").input(username)
    at.text_input(key="signin-password").input(password)
    at.button(key="FormSubmitter:signin-form-Sign in").click().run()
    return at


def test_a_signed_out_browser_sees_only_the_sign_in_page_on_every_url(class_db):
    for page in PAGES:
        at = fresh()
        at.switch_page(page)
        at.query_params["unit"] = "lora-basics"
        at.run()
        assert not at.exception
        assert [t.label for t in at.text_input][:2] == ["Username", "Password"], page
        assert "Sign in" in [b.label for b in at.button]
        assert "Course map" not in texts(at) and "Mark what you have read" not in texts(at)
        assert not at.get("popover") and not at.dataframe


def test_wrong_password_and_unknown_user_get_the_same_message(class_db):
    wrong = sign_in("bea", "not her password")
    unknown = sign_in("nobody", "not her password")
    assert [e.value for e in wrong.error] == [e.value for e in unknown.error] == [
        "That username and password do not match. Check both and try again."]


def test_five_failures_make_sign_in_wait_with_a_countdown(class_db):
    store = open_store(class_db)
    now = datetime.now(timezone.utc)
    for _ in range(5):
        throttle.record_failure(store, throttle.keys("bea", None), now)
    at = sign_in("bea", "battery staple")  # the right password, but too soon
    assert any("Too many tries" in w.value for w in at.warning)
    assert "Bea" not in menu(at)


def test_signing_in_shows_the_study_pages_and_the_name_in_the_menu(class_db):
    at = sign_in("bea", "battery staple")
    assert not at.exception and "Course map" in texts(at)
    assert menu(at) == ["Bea"]
    assert [b.label for b in at.button if b.label == "Sign out"] == ["Sign out"]


def test_create_account_needs_the_join_code(class_db):
    def create(code: str) -> AppTest:
        at = fresh()
        at.text_input(key="signup-username").input("dee")
        at.text_input(key="signup-password").input("open sesame")
        at.text_input(key="signup-again").input("open sesame")
        at.text_input(key="signup-code").input(code)
        at.button(key="FormSubmitter:signup-form-Create account").click().run()
        return at

    refused = create("owl-41")
    assert any("join code is not right" in e.value for e in refused.error)
    assert accounts.get_account(open_store(class_db), "dee") is None
    made = create("owl-42")
    assert "Course map" in texts(made) and accounts.get_account(open_store(class_db), "dee")


def test_sign_out_returns_to_the_sign_in_page(class_db):
    at = sign_in("bea", "battery staple")
    at.button(key="sign-out").click().run()
    assert "You are signed out." in [i.value for i in at.info]
    assert [t.label for t in at.text_input][:2] == ["Username", "Password"]


def test_a_password_change_signs_the_student_out(class_db):
    at = sign_in("bea", "battery staple")
    at.switch_page("views/account.py").run()
    at.text_input[1].input("battery staple")
    at.text_input[2].input("a new password")
    at.text_input[3].input("a new password")
    at.button(key="FormSubmitter:password-form-Change password").click().run()
    assert any("password was changed" in i.value for i in at.info)
    assert accounts.authenticate(open_store(class_db), "bea", "a new password")


def test_a_student_cannot_open_the_class_page_and_nothing_leaks(class_db):
    at = sign_in("bea", "battery staple")
    at.switch_page("views/class_view.py").run()
    assert [t.value for t in at.title] == ["Not available"]
    page = texts(at)
    assert "Ada" not in page and "Students (" not in page and not at.dataframe


def test_an_instructor_sees_the_class(class_db):
    at = sign_in("ada", "correct horse")
    at.switch_page("views/class_view.py").run()
    assert not at.exception and "Students (2)" in texts(at)  # Ada is the instructor, not a student
    students = at.dataframe[0].value
    assert list(students["Student"]) == ["Bea", "Cai Private"]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_a_student_anything_of_another_student(class_db, page):
    at = sign_in("bea", "battery staple")
    at.switch_page(page)
    at.query_params["unit"] = "lora-basics"
    at.run()
    assert not at.exception, page
    shown = texts(at) + " ".join(str(e.proto) for e in at.get("bidi_component") or [])
    assert "Cai" not in shown and "Cai's private note" not in shown, page
    assert "Bea" in menu(at) and not any("Cai" in label or "Ada" in label for label in menu(at))


# --- OpenID Connect, with AppTest.user standing in for Streamlit's identity cookie -----------

@pytest.fixture
def oidc_db(tmp_path, monkeypatch):
    db = tmp_path / "school.sqlite3"
    monkeypatch.setenv("STUDYAPP_DB", str(db))
    monkeypatch.setenv("STUDYAPP_AUTH", "oidc")
    return db


def school_user(sub: str, name: str, signed_in_ago: timedelta = timedelta(minutes=5)) -> dict:
    issued = datetime.now(timezone.utc) - signed_in_ago
    return {"is_logged_in": True, "iss": "https://idp.school.example", "sub": sub, "name": name,
            "email": "shared@school.example", "iat": int(issued.timestamp())}


def oidc_page(user: dict, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = user
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def test_oidc_signed_out_sees_the_provider_button(oidc_db):
    at = oidc_page({"is_logged_in": False})
    assert "Course map" not in texts(at)
    assert [b.label for b in at.button] == []  # no provider configured in this test: says so
    assert any("No sign-in provider is configured" in e.value for e in at.error)


def test_oidc_students_are_keyed_by_issuer_and_subject(oidc_db):
    first = oidc_page(school_user("s-1", "Ada"))
    second = oidc_page(school_user("s-2", "Bea"))  # the same e-mail claim, another subject
    assert "Course map" in texts(first) and "Course map" in texts(second)
    ids = sorted(a.id for a in accounts.list_accounts(open_store(oidc_db)))
    assert ids == sorted([accounts.oidc_user_id("https://idp.school.example", s) for s in ("s-1", "s-2")])


def test_oidc_sign_in_expires_after_the_session_lifetime(oidc_db):
    at = oidc_page(school_user("s-1", "Ada", signed_in_ago=timedelta(days=15)))
    assert "Course map" not in texts(at) and any("has ended" in i.value for i in at.info)


def test_oidc_role_check_on_the_class_page(oidc_db):
    student = oidc_page(school_user("s-1", "Ada"), "views/class_view.py")
    assert [t.value for t in student.title] == ["Not available"]
    store = open_store(oidc_db)
    accounts.set_role(store, accounts.oidc_user_id("https://idp.school.example", "s-1"), "instructor")
    instructor = oidc_page(school_user("s-1", "Ada"), "views/class_view.py")
    assert [t.value for t in instructor.title] == ["Class"]
