"""The TradingView-style market API (candlestick-udf-api.txt): POST /api/v1/authorize,
GET /api/v1/symbol_info, GET /api/v1/history (columns) and /api/v1/history/rows (rows).

History answers with the candle width its window calls for (<= 24 h: 1m, <= 5 d: 5m, <= 30 d: 30m,
<= 90 d: 1h, <= 6 months: 2h, else 1d); ``resolution`` is required but, as documented, not used.
Candles are time-ascending and every array has one entry per candle (the document's sample shows
neither; clients of such APIs rely on both).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, jsonify, request
from marshmallow import Schema
from sqlalchemy import select

from api import ratelimit
from api.auth import client_ip, public
from api.extensions import services
from api.market_auth import UdfError, market_principal, udf_route
from api.openapi import doc
from api.schemas.market import (
    AuthorizedSchema,
    AuthorizeFormSchema,
    HistoryQuerySchema,
    HistoryRowsSchema,
    HistorySchema,
    SymbolInfoQuerySchema,
    SymbolInfoSchema,
    udf_errors,
)
from core.db import get_engine
from core.models import Account
from core.services.keys import find_active_key
from core.services.market.candles import Candle, WindowTooLarge, read_candles
from core.services.market.intervals import EPOCH, history_minutes, unix_seconds
from core.services.market.symbols import list_symbols, resolve
from core.services.market.tokens import issue_token

bp = Blueprint("udf", __name__, url_prefix="/api/v1")
HISTORY_FAILURE = "Something went wrong. Please try again later."
NOT_FOUND = "Not found- Could not find feedID for symbol"
TAGS = ["Market data (TradingView-style)"]
SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}]
AUTH_ERRORS = {
    401: "Unauthorized - Authorization header is required || Invalid authorization header format || "
    "token signature is invalid: signature is invalid || ...",
    429: "Rate limit exceeded",
}
HISTORY_ERRORS = {
    **AUTH_ERRORS,
    400: "Parse error {param}: missing required field",
    404: NOT_FOUND,
    500: HISTORY_FAILURE,
}
HISTORY_DESCRIPTION = (
    "Bars opening from `from` to `to` (both inclusive), ascending. The width follows the window: <= 24 h "
    "1m, <= 5 d 5m, <= 30 d 30m, <= 90 d 1h, <= 6 months 2h, else 1d. Every array has one entry per bar."
)
MAX_UNIX = 10**11  # later than this is not a time in seconds


@bp.post("/authorize")
@public
@doc(
    summary="A token for the TradingView-style API",
    tags=TAGS,
    body={"application/x-www-form-urlencoded": {"schema": AuthorizeFormSchema}},
    responses={
        200: AuthorizedSchema,
        **udf_errors(
            {
                400: "Parse error - Login/Password: missing required field",
                401: "Unauthorized - Invalid credentials",
                404: "Not found - user not found for id {login}",
                429: "Rate limit exceeded",
                500: "Error - Failed to generate token",
            }
        ),
    },
)
@udf_route("Error - Failed to generate token")
def authorize():
    svc = services()
    ip = client_ip(request, svc.settings.trusted_proxies)
    login = request.form.get("login", "").strip()
    password = request.form.get("password", "").strip()
    missing = [
        f"{name}: missing required field" for name, v in (("Login", login), ("Password", password)) if not v
    ]
    if missing:
        raise UdfError(400, "Parse error - " + ", ".join(missing))
    # The authentication limits (per address and per login), checked before the key is looked at.
    ratelimit.guard_auth(ip, login)
    with svc.sessions() as session, session.begin():
        account_id = None
        if len(login) <= 200 and "\x00" not in login:  # else no account can have that name
            account_id = session.scalar(select(Account.id).where(_account_matches(login)))
        key = find_active_key(session, password) if account_id is not None else None
        key_id = key.id if key is not None and key.account_id == account_id else None
    if key_id is None:
        over = ratelimit.count_auth_failure(ip, login)
        if over is not None:
            raise over
        if account_id is None:
            raise UdfError(404, f"Not found - user not found for id {login}")
        raise UdfError(401, "Unauthorized - Invalid credentials")
    token, expires = issue_token(svc.settings.secret_key, account_id, key_id, svc.settings.market_token_ttl)
    return jsonify(d={"access_token": token, "expiration": expires}, s="ok")


def _account_matches(login: str) -> Any:
    """``login`` is the account id; the account's name is accepted too."""
    try:
        return Account.id == uuid.UUID(login)
    except ValueError:
        return Account.name == login


@bp.get("/symbol_info")
@public
@doc(
    summary="The supported symbols, in columns",
    tags=TAGS,
    query=SymbolInfoQuerySchema,
    responses={200: SymbolInfoSchema, **udf_errors({**AUTH_ERRORS, 500: "Error - Something went wrong"})},
    security=SECURITY,
)
@udf_route("Error - Something went wrong")
def symbol_info():
    market_principal()
    group = request.args.get("group")
    with services().sessions() as session:
        symbols = list_symbols(session, group.strip() if group and group.strip() else None)
    return jsonify(
        {
            "s": "ok",
            "symbol": [s.name for s in symbols],
            "currency": [s.quote_currency for s in symbols],
            "base-currency": [s.base_currency for s in symbols],
        }
    )


def _history_route(path: str, summary: str, schema: type[Schema]):
    """Registers a history view: both layouts take the same query and answer the same errors."""

    def register(view):
        view = udf_route(HISTORY_FAILURE)(view)
        view = doc(
            summary=summary,
            description=HISTORY_DESCRIPTION,
            tags=TAGS,
            query=HistoryQuerySchema,
            responses={200: schema, **udf_errors(HISTORY_ERRORS)},
            security=SECURITY,
        )(view)
        return bp.get(path)(public(view))

    return register


@_history_route("/history", "Candles in column format", HistorySchema)
def history():
    candles = _history_candles()
    return jsonify(
        s="ok",
        t=[unix_seconds(c.bucket) for c in candles],
        c=[float(c.close) for c in candles],
        o=[float(c.open) for c in candles],
        h=[float(c.high) for c in candles],
        l=[float(c.low) for c in candles],
        v=[float(c.volume) for c in candles],
    )


@_history_route("/history/rows", "Candles in row format", HistoryRowsSchema)
def history_rows():
    candles = _history_candles()
    return jsonify(
        s="ok",
        candles=[
            [
                unix_seconds(c.bucket),
                float(c.open),
                float(c.high),
                float(c.low),
                float(c.close),
                float(c.volume),
            ]
            for c in candles
        ],
    )


def _history_candles() -> list[Candle]:
    market_principal()
    values = {}
    for name in ("symbol", "resolution", "from", "to"):
        value = request.args.get(name, "").strip()
        if not value:
            raise UdfError(400, f"Parse error {name}: missing required field")
        values[name] = value
    start, end = (_unix(values[name], name) for name in ("from", "to"))
    if end < start:
        raise UdfError(400, "Parse error to: must not be before from")
    svc = services()
    with svc.sessions() as session:
        info = resolve(session, values["symbol"])
    if info is None:
        raise UdfError(404, NOT_FOUND)
    minutes = history_minutes(start, end)
    try:
        with get_engine(svc.settings.database_url).connect() as conn:
            # Both ends are inclusive: bars opening at `from` ... `to`.
            return read_candles(conn, info.id, minutes, start, end + dt.timedelta(seconds=1))
    except WindowTooLarge as exc:
        raise UdfError(400, f"Parse error to: {exc}") from exc


def _unix(value: str, name: str) -> dt.datetime:
    try:
        seconds = int(value)
    except ValueError:
        seconds = -1
    if not 0 <= seconds < MAX_UNIX:
        raise UdfError(400, f"Parse error {name}: expected a unix timestamp in seconds")
    return EPOCH + dt.timedelta(seconds=seconds)
