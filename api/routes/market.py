"""Market data in and out: GET /api/v1/candles (the candles-endpoint contract), POST /api/v1/trades
and POST /api/v1/candles/import (ingestion, for the accounts in CHARTFLEET_MARKET_WRITERS)."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from api.auth import public
from api.errors import ApiError
from api.extensions import services
from api.jsonbody import parse_json
from api.market_auth import database_failure
from api.openapi import doc
from api.routes.common import principal_for_request
from api.schemas.market import (
    CandlesErrorSchema,
    CandlesQuerySchema,
    CandlesSchema,
    IngestResultSchema,
    KlinesBodySchema,
    KlinesResultSchema,
    TradesBodySchema,
    json_response,
)
from core.db import get_engine, utcnow
from core.models import Account
from core.services.keys import Principal
from core.services.market import klines, stream, trades
from core.services.market.candles import Candle, WindowTooLarge, read_candles
from core.services.market.intervals import (
    CANDLE_INTERVALS,
    WIDTHS,
    floor_bucket,
    iso_millis,
    lookback_start,
    parse_time,
)
from core.services.market.symbols import resolve, resolve_many

log = logging.getLogger(__name__)
bp = Blueprint("market", __name__, url_prefix="/api/v1")
TAGS = ["Market data"]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def candle_document(c: Candle) -> dict[str, Any]:
    return {
        "time": iso_millis(c.bucket),
        "open": float(c.open),
        "high": float(c.high),
        "low": float(c.low),
        "close": float(c.close),
        "volume": float(c.volume),
        "trade_count": c.trade_count,
    }


def _internal_error(exc: Exception) -> Any:
    log.error("GET /api/v1/candles failed", exc_info=exc)
    response = jsonify({"error": "Internal server error", "message": database_failure(exc)})
    response.status_code = 500
    return response


def _bad_request(body: dict[str, Any]) -> Any:
    response = jsonify(body)
    response.status_code = 400
    return response


@bp.get("/candles")
@public  # authenticates itself, so that a database outage gets the documented 500 body
@doc(
    summary="Candles of a symbol (candles-endpoint contract)",
    description="Candles overlapping the window [from, to), ascending. Without from/to: the last 24 h "
    "(1m), 7 d (5m), 14 d (15m), 1 month (30m), 3 months (1h), 1 year (4h), 5 years (1d). An unknown "
    "symbol has no candles. Anonymous, or with an API key.",
    tags=TAGS,
    query=CandlesQuerySchema,
    responses={
        200: CandlesSchema,
        400: json_response(
            "Missing parameters, invalid interval (allowedIntervals), bad window.", CandlesErrorSchema
        ),
        401: "A key was sent but is not valid.",
        429: "Rate limit exceeded.",
        500: json_response("Internal server error (message: the cause).", CandlesErrorSchema),
    },
    security=[{}, {"bearerAuth": []}, {"apiKeyHeader": []}, {"apiKeyQuery": []}],
)
def get_candles():
    svc = services()
    try:
        principal_for_request()
    except ApiError:
        raise
    except Exception as exc:  # noqa: BLE001 - the documented 500 body
        return _internal_error(exc)
    symbol = request.args.get("symbol", "").strip()
    interval = request.args.get("interval", "").strip()
    if not symbol or not interval:
        return _bad_request({"error": "Missing required query parameters: symbol and interval"})
    if interval not in CANDLE_INTERVALS:
        return _bad_request({"error": "Invalid interval value", "allowedIntervals": list(CANDLE_INTERVALS)})
    try:
        end = parse_time(request.args["to"]) if request.args.get("to") else utcnow()
    except ValueError as exc:
        return _bad_request({"error": f"Invalid 'to' value: {exc}"})
    try:
        start = (
            parse_time(request.args["from"]) if request.args.get("from") else lookback_start(interval, end)
        )
    except ValueError as exc:
        return _bad_request({"error": f"Invalid 'from' value: {exc}"})
    if start >= end:
        return _bad_request({"error": "'from' must be before 'to'"})
    minutes = WIDTHS[interval]
    try:
        with svc.sessions() as session:
            info = resolve(session, symbol)
        candles = []
        if info is not None:
            with get_engine(svc.settings.database_url).connect() as conn:
                # Candles overlapping [from, to): the first one may open before `from`.
                candles = read_candles(conn, info.id, minutes, floor_bucket(start, minutes), end)
    except WindowTooLarge as exc:
        return _bad_request({"error": f"Time range too large: {exc}", "maxCandles": exc.limit})
    except Exception as exc:  # noqa: BLE001 - the documented 500 body
        return _internal_error(exc)
    return jsonify(
        symbol=symbol,
        dbSymbol=info.name if info else symbol.upper(),
        interval=interval,
        **{"from": iso_millis(start), "to": iso_millis(end)},
        count=len(candles),
        data=[candle_document(c) for c in candles],
    )


def _require_writer(principal: Principal) -> None:
    if principal.account_id is None:
        raise ApiError(401, "An API key is required to write market data")
    allowed = {w.strip() for w in services().settings.market_writers.split(",") if w.strip()}
    if "*" in allowed or str(principal.account_id) in allowed:
        return
    with services().sessions() as session:
        name = session.scalar(select(Account.name).where(Account.id == principal.account_id))
    if name not in allowed:
        raise ApiError(
            403,
            "This account may not write market data",
            detail="Operators allow accounts with CHARTFLEET_MARKET_WRITERS",
        )


def _rows(field: str) -> tuple[dict[str, Any] | None, list[Any]]:
    """The JSON body (numbers kept as exact decimals) and its list under ``field`` (or the body
    itself when it is a list)."""
    raw = request.get_data(cache=True)
    payload = parse_json(raw, parse_float=Decimal) if raw.strip() else None
    rows = payload.get(field) if isinstance(payload, dict) else payload
    if not isinstance(rows, list) or not rows:
        raise ApiError(400, f'Send {{"{field}": [...]}} with at least one item', field=field)
    limit = services().settings.market_max_batch
    if len(rows) > limit:
        raise ApiError(400, f"At most {limit} items per request", field=field, maxBatch=limit)
    return (payload if isinstance(payload, dict) else None), rows


def writer_rows(field: str) -> tuple[list[Any], dict]:
    """A market writer's batch under ``field`` and the symbols its rows name (resolved in one query)."""
    _require_writer(principal_for_request())
    _payload, rows = _rows(field)
    names = [r.get("symbol") for r in rows if isinstance(r, dict) and isinstance(r.get("symbol"), str)]
    with services().sessions() as session:
        return rows, resolve_many(session, names)


@bp.post("/trades")
@doc(
    summary="Ingest a batch of trades",
    description="Idempotent by symbol and trade id; bad rows are reported by index and the good ones kept "
    "(400 only when none is valid). For accounts in CHARTFLEET_MARKET_WRITERS.",
    tags=TAGS,
    body=TradesBodySchema,
    responses={
        200: IngestResultSchema,
        401: "No valid API key.",
        403: "This account may not write market data.",
    },
)
def post_trades():
    rows, symbols = writer_rows("trades")
    svc = services()
    batch = trades.validate_trades(rows, symbols)
    if not batch.trades:
        raise ApiError(400, "No valid trades in the request", rejected=len(batch.errors), errors=batch.errors)
    engine = get_engine(svc.settings.database_url)
    trades.ensure_partitions(engine, min(t.time for t in batch.trades), max(t.time for t in batch.trades))
    with engine.begin() as conn:
        new = trades.insert_trades(conn, batch.trades)
    try:  # after the commit: streams only ever show stored trades
        stream.publish_trades(
            svc.redis,
            svc.settings.redis_prefix,
            ((t.symbol.feed_id, float(t.price), t.time.timestamp()) for t in new),
        )
    except Exception:
        log.warning("could not publish %d trades to the live streams", len(new), exc_info=True)
    return jsonify(
        received=len(rows),
        inserted=len(new),
        duplicates=len(batch.trades) - len(new) + batch.repeated,
        rejected=len(batch.errors),
        errors=batch.errors,
    )


@bp.post("/candles/import")
@doc(
    summary="Import klines (an exchange's candles)",
    description="Stored as the truth for their buckets and rolled up into the wider intervals. Idempotent.",
    tags=TAGS,
    body=KlinesBodySchema,
    responses={
        200: KlinesResultSchema,
        401: "No valid API key.",
        403: "This account may not write market data.",
        404: "Unknown symbol.",
    },
)
def import_candles():
    _require_writer(principal_for_request())
    payload, rows = _rows("candles")
    payload = payload or {}
    symbol, interval = payload.get("symbol"), payload.get("interval")
    if not isinstance(symbol, str) or not symbol.strip():
        raise ApiError(400, "symbol is required", field="symbol")
    if interval not in WIDTHS:
        raise ApiError(400, "Invalid interval value", field="interval", allowedIntervals=list(WIDTHS))
    svc = services()
    with svc.sessions() as session:
        info = resolve(session, symbol)
    if info is None:
        raise ApiError(404, "Unknown symbol", symbol=symbol)
    minutes = WIDTHS[interval]
    valid, errors = klines.validate_klines(rows, minutes)
    if not valid:
        raise ApiError(400, "No valid candles in the request", rejected=len(errors), errors=errors)
    with get_engine(svc.settings.database_url).begin() as conn:
        written = klines.import_klines(conn, info.id, minutes, valid)
    return jsonify(
        symbol=symbol,
        dbSymbol=info.name,
        interval=interval,
        received=len(rows),
        written=written,
        rejected=len(errors),
        errors=errors,
    )
