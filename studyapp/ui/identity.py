"""Who is studying: resolved once per page run from the server-side session, never from the browser.

With ``--auth none`` it is the solo profile. With ``--auth accounts`` it reads the session
cookie (HttpOnly, signed) and checks its session row. With ``--auth oidc`` Streamlit's
``st.login`` signed the student in through the school's provider, and the student is keyed
by the ID token's issuer and subject. Every later ``current_user()`` call re-checks the
session, so "Sign out" in one tab, a password change or an expiry stops the next write in
every other tab. Starting and ending sessions (and the cookie that carries them) is here;
the sign-in page is ``ui/signin.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import streamlit as st

from studyapp.auth import accounts, cookie_routes, sessions
from studyapp.auth.accounts import Account
from studyapp.core.store import StoreError
from studyapp.ui import context, guard

_STATE = "_studyapp_signin"
_FLASH = "_studyapp_signin_flash"
_COOKIE_ACTION = "_studyapp_cookie_action"
_NEXT = "_studyapp_after_signin"


@dataclass
class SignedIn:
    """Who this browser tab is signed in as (kept in the server-side Streamlit session)."""

    user_id: str
    session_id: int | None  # the auth_session row (accounts); None for a school sign-in (oidc)
    issued_at: float | None = None  # oidc: when the provider signed the student in (epoch seconds)


class SignedOut(PermissionError):
    """A write was attempted after the session ended (signed out elsewhere, expired)."""


def resolve() -> Account | None:
    """The signed-in account for this run, or None (then the sign-in page is drawn).

    Stops the page with a message when the database cannot be read.
    """
    try:
        return _resolve(context.auth_settings(), context.store(), context.now())
    except StoreError as exc:
        st.error(guard.message("Sign-in is unavailable right now.", exc, "Reload the page to try again."),
                 icon=":material/error:")
        st.stop()


def remember_destination() -> None:
    # Signed out, no page is registered, so Streamlit forgets the page path; keep it for after.
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    wanted = getattr(getattr(ctx, "pages_manager", None), "intended_page_name", None)
    if wanted:
        st.session_state[_NEXT] = wanted


def destination(pages: list) -> None:
    """After signing in, go to the page the student first asked for (its query is kept)."""
    wanted = st.session_state.pop(_NEXT, None)
    page = next((p for p in pages if wanted and p.url_path == wanted), None)
    if page is not None:
        st.switch_page(page, query_params=st.query_params.to_dict())


def signed_in_user_id() -> str:
    """The current student's id, re-checked against the session.

    Raises:
        SignedOut: nobody is signed in on this tab any more.
    """
    state = st.session_state.get(_STATE)
    if state is None or not _still_valid(state, context.store(), context.now()):
        st.session_state.pop(_STATE, None)
        raise SignedOut("You are signed out. Reload the page and sign in again; nothing was saved.")
    return state.user_id


def _resolve(settings, store, now: datetime) -> Account | None:
    state = st.session_state.get(_STATE)
    if state is not None and not _still_valid(state, store, now):
        st.session_state.pop(_STATE, None)
        _flash("Your sign-in has ended (signed out, password changed or expired). Please sign in again.")
        state = None
    if state is None:
        state = _from_oidc(settings, store, now) if settings.mode == "oidc" else _from_cookie(settings, store, now)
        if state is None:
            return None
        st.session_state[_STATE] = state
    return accounts.get_account(store, state.user_id)


def _still_valid(state: SignedIn, store, now: datetime) -> bool:
    if state.session_id is not None:
        return sessions.get(store, state.session_id, now) is not None
    account = store.query("select signed_out_before from users where id = ?", (state.user_id,))
    return bool(account) and _oidc_fresh(state.issued_at, account[0]["signed_out_before"], now)


def _oidc_fresh(issued_at: float | None, signed_out_before: str | None, now: datetime) -> bool:
    if issued_at is None:
        return False
    issued = datetime.fromtimestamp(issued_at, now.tzinfo)
    if signed_out_before and issued <= datetime.fromisoformat(signed_out_before):
        return False
    return now - issued < timedelta(days=context.auth_settings().session_days)


def _from_cookie(settings, store, now: datetime) -> SignedIn | None:
    raw = st.context.cookies.get(sessions.COOKIE_NAME)
    if not isinstance(raw, str) or not raw:  # (AppTest's stand-in cookies are not strings)
        return None
    token = sessions.unsign(raw, settings.secret)
    session = sessions.find(store, token, now) if token else None
    if session is None:
        # Tampered, signed with an old secret, expired or revoked: clear it and say so once.
        _flash("Your sign-in has ended (signed out, expired or no longer valid). Please sign in again.")
        st.session_state[_COOKIE_ACTION] = {"action": "clear", "nonce": time.time()}
        return None
    return SignedIn(session.user_id, session.id)


def _from_oidc(settings, store, now: datetime) -> SignedIn | None:
    if not st.user.is_logged_in:
        return None
    issuer, subject = str(st.user.get("iss") or ""), str(st.user.get("sub") or "")
    issued_at = st.user.get("iat")
    if not issuer or not subject or not isinstance(issued_at, (int, float)):
        _flash("Your school's sign-in did not say who you are (no issuer or subject). Ask your instructor.")
        return None
    account = accounts.oidc_account(store, issuer, subject, str(st.user.get("name") or st.user.get("email") or ""),
                                    now)
    state = SignedIn(account.id, None, float(issued_at))
    if not _still_valid(state, store, now):
        _flash(f"Your sign-in has ended (after {settings.session_days:g} days, or you signed out). "
               "Please sign in again.")
        return None
    return state


def _flash(message: str) -> None:
    st.session_state[_FLASH] = message


def take_flash() -> str | None:
    """The one-time message for the sign-in page (why the student is signed out), if any."""
    return st.session_state.pop(_FLASH, None)


# --- starting a session ------------------------------------------------------

def start_session(store, account: Account, now: datetime) -> None:
    """Sign ``account`` in on this tab and have the browser keep a cookie for the next visit."""
    settings = context.auth_settings()
    lifetime = timedelta(days=settings.session_days)
    token, session = sessions.issue(store, account.id, now, lifetime)
    st.session_state[_STATE] = SignedIn(account.id, session.id)
    ticket = cookie_routes.hand_over(sessions.sign(token, settings.secret), int(lifetime.total_seconds()))
    st.session_state[_COOKIE_ACTION] = {"action": "set", "ticket": ticket, "nonce": time.time()}
    st.session_state.pop(_FLASH, None)


def sign_out(store, now: datetime) -> None:
    """End this tab's session (and the cookie); a school sign-in also ends at the provider."""
    state = st.session_state.pop(_STATE, None)
    if context.auth_settings().mode == "oidc":
        st.logout()
        return
    if state is not None and state.session_id is not None:
        sessions.revoke(store, state.session_id, now)
    st.session_state[_COOKIE_ACTION] = {"action": "clear", "nonce": time.time()}
    _flash("You are signed out.")


def after_password_change() -> None:
    """The password changed and every session ended: clear this tab's cookie and say why."""
    st.session_state.pop(_STATE, None)
    st.session_state[_COOKIE_ACTION] = {"action": "clear", "nonce": time.time()}
    _flash("Your password was changed, and you were signed out everywhere. Sign in with the new password.")


_COOKIE_JS = """
export default function (component) {
  const { data, parentElement } = component;
  if (!data || !data.action || parentElement.__nonce === data.nonce) return;
  parentElement.__nonce = data.nonce;
  const url = data.action === "set" ? "%(set)s" : "%(clear)s";
  fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
               body: JSON.stringify({ ticket: data.ticket || "" }) })
    .then((reply) => { parentElement.dataset.cookie = data.action + ":" + reply.status; })
    .catch(() => { parentElement.dataset.cookie = data.action + ":failed"; });
}
""" % {"set": cookie_routes.SESSION_PATH, "clear": cookie_routes.SIGNOUT_PATH}

_cookie_component = st.components.v2.component("studyapp_session_cookie", js=_COOKIE_JS)


def cookie_instruction() -> None:
    """Have the browser set or clear the session cookie, when a sign-in or sign-out asked for it.

    Called after any page switch of the run, so the instruction is not lost with a discarded run.
    """
    action = st.session_state.pop(_COOKIE_ACTION, None)
    if action:
        _cookie_component(key=f"session-cookie-{action['nonce']}", data=action, height=0)
