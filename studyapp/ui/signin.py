"""The sign-in page ("Username", "Password", "Sign in"; "Create account" with the join code;
a "Sign in with ..." button per school provider) and the sidebar's account menu.

``gate()`` runs before any page: it returns the signed-in account, or draws this page.
"""

from __future__ import annotations

import hmac
import math

import streamlit as st

from studyapp.auth import accounts, passwords, throttle
from studyapp.auth.accounts import Account, AccountError
from studyapp.core.markdown_escape import escape_markdown
from studyapp.core.store import StoreError
from studyapp.ui import context, guard, identity

WRONG = "That username and password do not match. Check both and try again."


def gate() -> Account | None:
    """The signed-in account for this run, or None after drawing the sign-in page."""
    account = identity.resolve()
    if account is None:
        identity.cookie_instruction()
        identity.remember_destination()
        _signin_page(context.auth_settings(), context.store())
    return account



_CARD_CSS = "<style>.st-key-signin-card { max-width: 30rem; margin: 0 auto; }</style>"


def _signin_page(settings, store) -> None:
    st.html(_CARD_CSS)
    with st.container(key="signin-card"):
        _signin_card(settings, store)


def _signin_card(settings, store) -> None:
    st.title("Sign in to studyapp")
    st.caption("Your recall cards, quiz answers and notes are kept for you alone.")
    flash = identity.take_flash()
    if flash:
        st.info(flash, icon=":material/info:")
    if settings.mode == "oidc":
        _provider_buttons()
        return
    sign_in, create = st.tabs(["Sign in", "Create account"])
    with sign_in:
        _password_form(store)
    with create:
        _create_form(settings, store)


def _provider_buttons() -> None:
    providers = _providers()
    for name, title in providers:
        if st.button(f"Sign in with {title}", key=f"login-{name}", type="primary"):
            st.login(name if name != "default" else None)
    if not providers:
        st.error("No sign-in provider is configured: the [auth] section of .streamlit/secrets.toml lists "
                 "none. Ask your instructor.", icon=":material/error:")


def _providers() -> list[tuple[str, str]]:
    auth = st.secrets.get("auth", {}) if st.secrets.load_if_toml_exists() else {}
    named = [(k, k.replace("_", " ").title()) for k, v in auth.items() if hasattr(v, "get")]
    return named or ([("default", "your school account")] if auth.get("client_id") else [])


def _password_form(store) -> None:
    with st.form("signin-form", border=False):
        username = st.text_input("Username", key="signin-username", autocomplete="username")
        password = st.text_input("Password", type="password", key="signin-password",
                                 autocomplete="current-password")
        pressed = st.form_submit_button("Sign in", type="primary")
    wait = _waiting(store, username)
    if wait:
        _countdown(wait)
    elif pressed:
        _try_password(store, username, password)


def _waiting(store, username: str) -> float:
    counters = throttle.keys(accounts.normalize_username(username), st.context.ip_address)
    return throttle.retry_after(store, counters, context.now())


def _countdown(seconds: float) -> None:
    st.session_state["_signin_retry_at"] = context.now().timestamp() + seconds
    _countdown_line()


@st.fragment(run_every=1)
def _countdown_line() -> None:
    left = math.ceil(st.session_state.get("_signin_retry_at", 0) - context.now().timestamp())
    if left <= 0:
        st.rerun()  # the whole page: the form takes sign-ins again
    st.warning(f"Too many tries. You can sign in again in **{left} s**.", icon=":material/timer:")


def _try_password(store, username: str, password: str) -> None:
    now = context.now()
    name = accounts.normalize_username(username)
    try:
        account = accounts.authenticate(store, name, password)
        if account is None:
            throttle.record_failure(store, throttle.keys(name, st.context.ip_address), now)
            st.error(WRONG, icon=":material/block:")
            return
        throttle.clear(store, name)
        identity.start_session(store, account, now)
    except StoreError as exc:
        st.error(guard.message("Could not sign you in.", exc, "Try again in a moment."), icon=":material/error:")
        return
    st.rerun()


def _create_form(settings, store) -> None:
    with st.form("signup-form", border=False):
        username = st.text_input("Username", key="signup-username", autocomplete="username",
                                 help="2 to 32 characters: lowercase letters, digits, '.', '_' or '-'.")
        display = st.text_input("Display name", key="signup-display", max_chars=accounts.MAX_DISPLAY_NAME,
                                help="How your instructor sees you (optional).")
        password = st.text_input("Password", type="password", key="signup-password",
                                 autocomplete="new-password", help=f"At least {passwords.MIN_LENGTH} characters.")
        again = st.text_input("Repeat the password", type="password", key="signup-again",
                              autocomplete="new-password")
        code = st.text_input("Class join code", type="password", key="signup-code",
                             help="Your instructor gives it out.") if settings.join_code else ""
        pressed = st.form_submit_button("Create account", type="primary")
    if pressed:
        _try_create(settings, store, username, display, password, again, code)


def _try_create(settings, store, username, display, password, again, code) -> None:
    if settings.join_code and not hmac.compare_digest(code.encode(), settings.join_code.encode()):
        st.error("That join code is not right. Ask your instructor for the class's code.", icon=":material/key:")
        return
    if password != again:
        st.error("The two passwords differ. Type the same password twice.", icon=":material/block:")
        return
    now = context.now()
    try:
        account = accounts.create_account(store, username, password, now, display_name=display)
        identity.start_session(store, account, now)
    except (AccountError, passwords.PasswordError) as exc:
        st.error(str(exc), icon=":material/block:")
        return
    except StoreError as exc:
        st.error(guard.message("Could not create the account.", exc, "Try again in a moment."),
                 icon=":material/error:")
        return
    st.rerun()


# --- the sidebar account menu ------------------------------------------------

def account_menu(account: Account) -> None:
    """The student's name with "Sign out" (and the account and class pages) in the sidebar."""
    with st.sidebar:
        st.divider()
        with st.popover(escape_markdown(account.display_name), icon=":material/account_circle:", width="stretch"):
            st.caption(f"Signed in as {escape_markdown(account.username or account.display_name)} · {account.role}")
            st.page_link("views/account.py", label="Account and password", icon=":material/manage_accounts:")
            if account.is_instructor:
                st.page_link("views/class_view.py", label="Class", icon=":material/groups:")
            pressed = st.button("Sign out", key="sign-out", icon=":material/logout:")
    if pressed:
        try:
            identity.sign_out(context.store(), context.now())  # st.logout() for a school sign-in
        except StoreError as exc:
            st.error(guard.message("You were not signed out.", exc, "Press Sign out again."),
                     icon=":material/warning:")
            return
        st.rerun()
