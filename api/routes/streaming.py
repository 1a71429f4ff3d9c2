"""GET /api/v1/streaming: live trades of some symbols or feed ids as a chunked stream of JSON
objects, one per line, with ``{"heartbeat": <unix>}`` every 5 seconds.

Served by the streaming process (gevent: thousands of idle connections cost a greenlet each) and,
for a few streams, by the api itself (each stream holds one of its threads, so a per-process cap
keeps ordinary requests flowing; past it the api answers 503 and the client belongs on the
streaming service, which production routes this path to). See docs/market-data.md.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import redis
from flask import Blueprint, Flask, Response, current_app, request

from api.auth import public
from api.extensions import services
from api.market_auth import UdfError, market_principal, udf_route
from api.openapi import doc
from api.schemas.market import StreamingQuerySchema, udf_errors
from core.services.market import stream
from core.services.market.symbols import by_feed_ids, resolve_many

log = logging.getLogger(__name__)
bp = Blueprint("streaming", __name__, url_prefix="/api/v1")
EXTENSION = "chartfleet.streams"
NOT_FOUND = "Not found- Could not find feedID for symbol"
MAX_FEEDS = 100
DRAIN = 500  # trades written per chunk at most


@dataclass
class StreamState:
    hub: stream.TradeHub
    slots: threading.BoundedSemaphore
    limit: int


def init_streams(app: Flask, limit: int) -> StreamState:
    """The process's trade hub and its cap on concurrent streams."""
    settings = app.extensions["chartfleet"].settings
    state = StreamState(
        hub=stream.TradeHub(
            lambda: redis.Redis.from_url(
                settings.redis_url, socket_connect_timeout=2, health_check_interval=30
            ),
            settings.redis_prefix,
        ),
        slots=threading.BoundedSemaphore(limit),
        limit=limit,
    )
    app.extensions[EXTENSION] = state
    return state


_init_lock = threading.Lock()


def _state() -> StreamState:
    state = current_app.extensions.get(EXTENSION)
    if state is None:
        with _init_lock:
            state = current_app.extensions.get(EXTENSION) or init_streams(
                current_app, services().settings.stream_api_limit
            )
    return state


def _line(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


@bp.get("/streaming")
@public
@doc(
    summary="Live trades, chunked",
    description='Newline-delimited JSON objects: `{"f": "t", "i", "fid", "p", "t", '
    '"s": 1}` per new trade of the symbols or feeds asked for, and `{"heartbeat": <unix>}` every 5 s. '
    "Served by the streaming service; the api serves a few streams itself (503 past its limit).",
    tags=["Market data (TradingView-style)"],
    query=StreamingQuerySchema,
    responses={
        200: {
            "description": "The stream.",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        },
        **udf_errors(
            {
                400: "Parse error symbol: One of symbol or feedId must be provided",
                401: "Unauthorized - Authorization header is required || ...",
                404: "Not found- Could not find feedID for symbol",
                429: "Rate limit exceeded",
                500: "Something went wrong. Please try again later.",
                503: "Too many streams on this api process; use the streaming service",
            }
        ),
    },
    security=[{"bearerAuth": []}, {"apiKeyHeader": []}],
)
@udf_route("Something went wrong. Please try again later.")
def streaming():
    market_principal()
    labels = _feeds()
    state = _state()
    if not state.slots.acquire(blocking=False):
        raise UdfError(
            503,
            f"Too many streams on this process ({state.limit}); connect to the streaming service",
            headers={"Retry-After": "5"},
        )
    try:
        subscription = state.hub.subscribe(labels)
    except Exception:
        state.slots.release()
        raise
    body = _Stream(subscription, labels, state, request.environ.get("gunicorn.socket"))
    response = Response(body, mimetype="application/x-ndjson")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass chunks through as they come
    return response


def _feeds() -> dict[str, str]:
    """Feed id -> the label the client used (a symbol as written, or the feed id)."""
    symbols = [s.strip() for s in request.args.get("symbol", "").split(",") if s.strip()]
    feed_ids = [f.strip() for f in request.args.get("feedId", "").split(",") if f.strip()]
    if not symbols and not feed_ids:
        raise UdfError(400, "Parse error symbol: One of symbol or feedId must be provided")
    if len(symbols) + len(feed_ids) > MAX_FEEDS:
        raise UdfError(400, f"Parse error symbol: at most {MAX_FEEDS} symbols and feed ids")
    labels: dict[str, str] = {}
    with services().sessions() as session:
        found = resolve_many(session, symbols)
        feeds = by_feed_ids(session, feed_ids)
    for name in symbols:
        info = found.get(name.upper())
        if info is None:
            raise UdfError(404, NOT_FOUND)
        labels.setdefault(info.feed_id, name)
    for fid in feed_ids:
        info = feeds.get(fid.lower())
        if info is None:
            raise UdfError(404, NOT_FOUND)
        labels.setdefault(info.feed_id, info.name)
    return labels


class _Stream:
    """The stream body. It ends when the client goes away (seen within a second while idle, or at
    the next failed write) or falls too far behind. ``close`` (called by the server in every case,
    even when the body was never iterated) frees the subscription and the slot."""

    def __init__(
        self,
        subscription: stream.Subscription,
        labels: dict[str, str],
        state: StreamState,
        client: socket.socket | None,
    ):
        self.subscription = subscription
        self.labels = labels
        self.state = state
        self.client = client
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._events()
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.subscription.close()
            self.state.slots.release()

    def _events(self) -> Iterator[bytes]:
        subscription, labels = self.subscription, self.labels
        yield _line(stream.heartbeat_message())  # subscribed: every later trade will be sent
        next_beat = time.monotonic() + stream.HEARTBEAT_SECONDS
        try:
            while True:
                item = subscription.get(timeout=min(1.0, next_beat - time.monotonic()))
                if item is not None:
                    chunk = [item]
                    while len(chunk) < DRAIN and (more := subscription.get(timeout=0)) is not None:
                        chunk.append(more)
                    yield b"".join(_line(stream.trade_message(labels[f], f, p, t)) for f, p, t in chunk)
                elif _gone(self.client):
                    return
                now = time.monotonic()
                if now >= next_beat:
                    yield _line(stream.heartbeat_message())
                    next_beat = max(next_beat + stream.HEARTBEAT_SECONDS, now + 1.0)
        except stream.Overflow:
            log.info("ending a stream whose client fell %d trades behind", stream.QUEUE_LIMIT)


def _gone(client: socket.socket | None) -> bool:
    """True once the client closed its end: its socket reads as end-of-file. (A stream's client
    sends nothing after its request, so a readable socket with no data is a hang-up.)"""
    if client is None:
        return False
    try:
        readable, _, _ = select.select([client], [], [], 0)
        return bool(readable) and client.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True
