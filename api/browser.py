"""Browser sessions of the dashboard: the session cookie and CSRF tokens.

The cookie ``cf_session`` holds a random token (HttpOnly, SameSite=Lax, Secure when the public URL
is https); Postgres keeps only its SHA-256, so log-out really ends it. CSRF tokens are HMACs keyed
with CHARTFLEET_SECRET_KEY: of the session token once logged in, of a random ``cf_csrf`` cookie
before (sign-up and log-in forms). Forms send the token as ``csrf_token``; scripts calling the JSON
management API with the cookie send it in ``X-CSRF-Token``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import Flask, Response, g, request

from api.extensions import services
from core.services.members import DashboardSession, resolve_session

SESSION_COOKIE = "cf_session"
CSRF_COOKIE = "cf_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def init_app(app: Flask) -> None:
    app.after_request(_set_csrf_cookie)
    app.jinja_env.globals["csrf_token"] = csrf_token


def load_session(svc, client_ip: str) -> DashboardSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with svc.sessions() as session:
        return resolve_session(session, token, client_ip)


def _secret() -> bytes:
    return services().settings.secret_key.encode()


def _mac(purpose: str, value: str) -> str:
    return hmac.new(_secret(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The CSRF token for the current browser (creates the pre-login cookie when needed)."""
    token = request.cookies.get(SESSION_COOKIE) if g.get("dashboard") is not None else None
    if g.get("new_session_token"):
        token = g.new_session_token
    if token:
        return _mac("session", token)
    nonce = g.get("csrf_nonce") or request.cookies.get(CSRF_COOKIE)
    if not nonce or len(nonce) > 100:
        nonce = secrets.token_urlsafe(24)
        g.csrf_nonce = nonce
    return _mac("anonymous", nonce)


def csrf_valid(presented: str | None) -> bool:
    if not presented:
        return False
    candidates = []
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token and g.get("dashboard") is not None:
        candidates.append(_mac("session", session_token))
    nonce = request.cookies.get(CSRF_COOKIE)
    if nonce and g.get("dashboard") is None:
        candidates.append(_mac("anonymous", nonce))
    return any(hmac.compare_digest(presented, c) for c in candidates)


def _secure() -> bool:
    return services().settings.public_url.startswith("https://")


def _set_csrf_cookie(response: Response) -> Response:
    nonce = g.get("csrf_nonce")
    if nonce:
        response.set_cookie(
            CSRF_COOKIE, nonce, httponly=True, samesite="Lax", secure=_secure(), max_age=86400, path="/"
        )
    return response


def set_session_cookie(response: Response, token: str, ttl: dt.timedelta) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=_secure(),
        max_age=int(ttl.total_seconds()),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", samesite="Lax", secure=_secure(), httponly=True)
