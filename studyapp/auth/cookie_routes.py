"""The two HTTP routes that put the session cookie in the browser and take it out.

A Streamlit script talks to the browser over a websocket and cannot set an HttpOnly
cookie. So after a sign-in the page is handed a one-time *ticket* (random, in this
process's memory for a minute, never in the database or a log); the browser posts it
to ``/api/studyapp/session`` and the response sets the signed session cookie. Page
JavaScript never sees the session token itself. ``/api/studyapp/signout`` deletes it.
Both refuse requests from another site (their Origin must be this server).
"""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlsplit

from studyapp.auth.sessions import COOKIE_NAME

TICKET_SECONDS = 60
SESSION_PATH = "/api/studyapp/session"
SIGNOUT_PATH = "/api/studyapp/signout"
_pending: dict[str, tuple[str, int, float]] = {}  # ticket -> (cookie value, max-age s, deadline)
_lock = threading.Lock()


def hand_over(cookie_value: str, max_age_seconds: int) -> str:
    """Park a signed cookie value behind a fresh one-time ticket; return the ticket."""
    ticket = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for stale in [t for t, (_, _, deadline) in _pending.items() if deadline < now]:
            del _pending[stale]
        _pending[ticket] = (cookie_value, max_age_seconds, now + TICKET_SECONDS)
    return ticket


def _redeem(ticket: str) -> tuple[str, int] | None:
    with _lock:
        entry = _pending.pop(ticket, None)
    if entry is None or entry[2] < time.monotonic():
        return None
    return entry[0], entry[1]


def _same_origin(request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.url.netloc


def _secure(request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def _set_session(request):
    from starlette.responses import Response

    if not _same_origin(request):
        return Response(status_code=403)
    body = await request.json() if request.headers.get("content-type", "").startswith("application/json") else {}
    redeemed = _redeem(str(body.get("ticket", ""))) if isinstance(body, dict) else None
    if redeemed is None:
        return Response(status_code=404)
    response = Response(status_code=204)
    response.set_cookie(COOKIE_NAME, redeemed[0], max_age=redeemed[1], path="/", httponly=True,
                        samesite="lax", secure=_secure(request))
    return response


async def _sign_out(request):
    from starlette.responses import Response

    if not _same_origin(request):
        return Response(status_code=403)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def routes() -> list:
    """Starlette routes for st.App."""
    from starlette.routing import Route

    return [Route(SESSION_PATH, _set_session, methods=["POST"]),
            Route(SIGNOUT_PATH, _sign_out, methods=["POST"])]
