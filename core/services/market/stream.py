"""Live trades over Redis pub/sub, fanned out inside each process.

Ingestion publishes one message per committed batch on ``<prefix>market:trades``. Every process
that serves streams holds a single subscription to that channel (``TradeHub``) and hands each trade
to the local streams that asked for its feed, so any number of api and streaming processes each
stream every trade, and a process with hundreds of open streams still uses one Redis connection
for them. Written with plain ``threading``/``queue``: in a gevent worker those are green.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
QUEUE_LIMIT = 10_000  # trades waiting for one slow client before its stream is ended


def trades_channel(prefix: str) -> str:
    """The Redis channel every committed trade batch is published on."""
    return f"{prefix}market:trades"


def publish_trades(client: redis.Redis, prefix: str, trades: Iterable[tuple[str, float, float]]) -> int:
    """Announce committed trades as (feed id, price, unix time); returns how many were sent."""
    items = [[fid, price, when] for fid, price, when in trades]
    if items:
        client.publish(trades_channel(prefix), json.dumps({"t": items}, separators=(",", ":")))
    return len(items)


class Subscription:
    """The trades of some feeds, for one stream. ``get`` returns (feed id, price, time) tuples,
    None on timeout, or raises ``Overflow`` when the client fell too far behind."""

    def __init__(self, hub: TradeHub, feed_ids: frozenset[str]):
        self.hub = hub
        self.feed_ids = feed_ids
        self._queue: queue.Queue[tuple[str, float, float] | None] = queue.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def offer(self, item: tuple[str, float, float]) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.overflowed = True
            while not self._queue.empty():  # only the hub thread offers, so this terminates
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    def get(self, timeout: float) -> tuple[str, float, float] | None:
        try:
            item = self._queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if item is None and self.overflowed:
            raise Overflow()
        return item

    def close(self) -> None:
        self.hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Overflow(Exception):
    """The stream's client did not keep up."""


class TradeHub:
    """One Redis subscription per process, shared by every stream of the process."""

    def __init__(self, client_factory: Callable[[], redis.Redis], prefix: str):
        self._client_factory = client_factory
        self._channel = trades_channel(prefix)
        self._lock = threading.Lock()
        self._by_feed: dict[str, set[Subscription]] = {}
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def open_streams(self) -> int:
        with self._lock:
            return len({s for subs in self._by_feed.values() for s in subs})

    def subscribe(self, feed_ids: Iterable[str], ready_timeout: float = 5.0) -> Subscription:
        """Register a stream; returns once the process's Redis subscription is active, so every
        trade published after this call reaches the stream."""
        sub = Subscription(self, frozenset(feed_ids))
        with self._lock:
            for fid in sub.feed_ids:
                self._by_feed.setdefault(fid, set()).add(sub)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="trade-hub", daemon=True)
                self._thread.start()
        if not self._listening.wait(ready_timeout):
            log.warning("trade hub: Redis subscription not active after %.1fs", ready_timeout)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            for fid in sub.feed_ids:
                subs = self._by_feed.get(fid)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._by_feed[fid]

    def _dispatch(self, data: bytes) -> None:
        try:
            items = json.loads(data)["t"]
        except (ValueError, KeyError, TypeError):
            log.warning("trade hub: ignoring a malformed message")
            return
        with self._lock:
            targets = [(tuple(item), self._by_feed.get(item[0], ())) for item in items]
            deliveries = [(item, list(subs)) for item, subs in targets if subs]
        for item, subs in deliveries:
            for sub in subs:
                sub.offer(item)  # type: ignore[arg-type]

    def _run(self) -> None:
        delay = 0.5
        while True:
            pubsub = None
            try:
                pubsub = self._client_factory().pubsub(ignore_subscribe_messages=False)
                pubsub.subscribe(self._channel)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._listening.set()
                        delay = 0.5
                    elif message["type"] == "message":
                        self._dispatch(message["data"])
            except Exception:
                self._listening.clear()
                log.warning("trade hub: Redis subscription lost; retrying in %.1fs", delay, exc_info=True)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001, S110 - closing a broken connection
                        pass


def trade_message(label: str, feed_id: str, price: float, when: float) -> dict[str, Any]:
    """The streaming API's trade object (``s`` is always 1, as the API documents)."""
    return {"f": "t", "i": label, "fid": feed_id, "p": price, "t": when, "s": 1}


def heartbeat_message(now: float | None = None) -> dict[str, int]:
    """The streaming API's heartbeat object."""
    return {"heartbeat": int(now if now is not None else time.time())}
