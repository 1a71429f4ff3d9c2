"""Authentication and error bodies of the TradingView-style market API (authorize, symbol_info,
history, streaming).

Its routes are ``@public`` to the platform's auth hook because they accept what that hook does not:
``Authorization: Bearer <JWT from /api/v1/authorize>`` as well as an API key (Bearer or
X-Api-Key). Errors keep the API's own shape, ``{"s": "error", "errmsg": "<message>"}``, and its
messages; the request then counts against the caller's rate limit like any other.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from api import ratelimit
from api.auth import client_ip
from api.errors import ApiError
from api.extensions import services
from core.services.keys import Principal, authenticate_key
from core.services.market.tokens import TokenError, key_still_usable, verify_token

log = logging.getLogger(__name__)


class UdfError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def udf_error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Any:
    response = jsonify({"s": "error", "errmsg": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def udf_route(failure: str) -> Callable:
    """Turn UdfError (and the platform's 429/503) into the API's error body, and anything
    unexpected into a 500 with the route's documented ``failure`` message."""

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except UdfError as exc:
                return udf_error_response(exc.status, exc.message, exc.headers)
            except ApiError as exc:
                return udf_error_response(exc.status, exc.message, exc.headers)
            except Exception:
                log.exception("market API request failed")
                return udf_error_response(500, failure)

        return run

    return wrap


def market_principal() -> Principal:
    """The caller of a market API route: a JWT from /api/v1/authorize or an API key."""
    svc = services()
    header = request.headers.get("Authorization")
    if header is None:
        token = request.headers.get("X-Api-Key", "").strip()
        if not token:
            raise UdfError(401, "Unauthorized - Authorization header is required")
    else:
        scheme, _, value = header.strip().partition(" ")
        token = value.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise UdfError(401, "Unauthorized - Invalid authorization header format")
    ip = client_ip(request, svc.settings.trusted_proxies)
    if token.startswith("pk_"):
        with svc.sessions() as session, session.begin():
            principal = authenticate_key(session, token, ip)
        if principal is None:
            raise _failed(ip, "Unauthorized - Invalid API key")
    else:
        try:
            claims = verify_token(svc.settings.secret_key, token)
        except TokenError as exc:
            raise _failed(ip, f"Unauthorized - {exc}") from exc
        with svc.sessions() as session:
            usable = key_still_usable(session, claims)
        if not usable:
            raise _failed(ip, "Unauthorized - token has been revoked")
        principal = Principal(client_ip=ip, account_id=claims.account_id, api_key_id=claims.api_key_id)
    count_request(principal)
    return principal


def _failed(ip: str, message: str) -> Exception:
    """A wrong key or token: counted against the address's failed-authentication limit; the 401,
    or the 429 once the address is over that limit."""
    return ratelimit.count_auth_failure(ip) or UdfError(401, message)


def count_request(principal: Principal) -> None:
    """Apply the caller's rate limit (headers are added to the response by the app)."""
    g.principal = principal
    g.rate_limit_headers = ratelimit.check_rate_limit(principal)


def database_failure(exc: Exception) -> str:
    """A short cause for a 500 body, naming the database when it is the database."""
    return "Database connection failed" if isinstance(exc, SQLAlchemyError) else "Unexpected error"
