"""The one auth path: who is calling (API key or anonymous client IP)."""

from __future__ import annotations

from flask import Request

from api.errors import ApiError
from core.config import Settings
from core.services.keys import Principal, find_active_key


def client_ip(request: Request, trusted_proxies: int) -> str:
    """The caller's address. X-Forwarded-For is believed only as far as ``trusted_proxies`` hops:
    each trusted proxy appends the address it saw, so the client is that many entries from the end."""
    remote = request.remote_addr or "unknown"
    if trusted_proxies <= 0:
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    if len(hops) >= trusted_proxies:
        return hops[-trusted_proxies]
    return hops[0] if hops else remote


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "Invalid API key", detail="Authorization must be 'Bearer <key>'")
        return value.strip()
    for value in (request.headers.get("X-Api-Key"), request.args.get("key"), request.args.get("apiKey")):
        if value is not None:
            return value.strip()
    return None


def authenticate(request: Request, settings: Settings, sessions) -> Principal:  # noqa: ANN001
    """Resolve the principal; a key that is present but not valid (malformed, unknown, revoked) is 401."""
    ip = client_ip(request, settings.trusted_proxies)
    key = presented_key(request)
    if key is None:
        return Principal(client_ip=ip)
    with sessions() as session, session.begin():
        api_key = find_active_key(session, key)
        if api_key is None:
            raise ApiError(401, "Invalid API key")
        return Principal(client_ip=ip, account_id=api_key.account_id, api_key_id=api_key.id)
