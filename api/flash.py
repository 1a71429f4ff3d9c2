"""One-time messages of the dashboard (Post/Redirect/Get): a form that creates something stores
what the next page must show once (a new API key, a webhook secret, an invite link) and answers
303; the page it redirects to pops it. Reloading that page, or coming back to it, shows nothing,
and reloading never re-submits the form.

Kept server-side in Redis (five minutes, the app's key prefix), keyed by the dashboard session's
id, and encrypted (Fernet) with a key derived from the session cookie's token, which only the
browser holds: a Redis dump alone reveals no secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import g, request

from api import browser
from api.extensions import services

TTL_SECONDS = 300


def _key() -> str:
    return f"{services().settings.redis_prefix}flash:{g.dashboard.session_id}"


def _fernet() -> Fernet:
    token = request.cookies.get(browser.SESSION_COOKIE, "")
    secret = services().settings.secret_key.encode()
    raw = hmac.new(secret, f"flash|{token}".encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def put(kind: str, **data: Any) -> None:
    """Remember ``data`` for the session's next page that pops ``kind``."""
    payload = json.dumps({"kind": kind, **data}, default=str).encode()
    services().redis.set(_key(), _fernet().encrypt(payload), ex=TTL_SECONDS)


def pop(kind: str) -> dict[str, Any] | None:
    """The message stored for ``kind`` (deleted as it is read), or None."""
    client = services().redis
    stored = client.getdel(_key())
    if stored is None:
        return None
    try:
        data = json.loads(_fernet().decrypt(stored))
    except (InvalidToken, ValueError):
        return None
    if data.get("kind") != kind:  # meant for another page: leave it for that one
        client.set(_key(), stored, ex=TTL_SECONDS)
        return None
    return data
