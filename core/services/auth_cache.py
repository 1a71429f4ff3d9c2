"""A process-local cache of who API keys are (key, account, plan terms), invalidated across processes.

Resolving a key costs a Postgres round trip (a join of api_keys, accounts and plans); on the hot
path of a cache hit that round trip costs more than everything else. So each process keeps the
principals it resolved, and forgets all of them the moment any committed statement changes a key,
an account or a plan: a trigger (migration 0013) NOTIFYs ``chartfleet_auth`` and a daemon thread of
this process LISTENs on it. Whoever writes (this api, another api process, the CLI, an operator's
SQL), every process drops its cache within the notification's delivery time, well under a second.

The cache is used only while the listener is connected: before it has subscribed, and from the
moment its connection fails until it has subscribed again (and emptied the cache, since
notifications may have been missed), every lookup goes to Postgres as before. An entry is also
re-read after ``max_age`` seconds (which keeps ``last_used_at`` within a minute) and is never used
past its key's own expiry. Bounded: at most ``max_entries`` principals, least recently used first out.

A lookup records the cache's generation before reading Postgres and stores its answer only if no
invalidation happened meanwhile, so a read that raced a revocation is never cached.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

from core.db import utcnow

log = logging.getLogger(__name__)

CHANNEL = "chartfleet_auth"
HEARTBEAT = 2.0  # seconds between the listener's liveness checks
HEARTBEAT_STALE = 10.0  # the cache is not used when the listener has not been heard from for this long
# libpq: a connection that stops answering fails within seconds instead of hanging.
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 1, "keepalives_count": 3}


@dataclasses.dataclass
class _Entry:
    value: Any
    stored: float
    expires_at: Any  # a datetime, or None: the key never expires


class AuthCache:
    """Principals by key hash (and anonymous plan terms), valid while ``chartfleet_auth`` is heard."""

    def __init__(self, database_url: str, *, max_entries: int = 10_000, max_age: float = 60.0):
        self._conninfo = (
            make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._max_entries = max_entries
        self._max_age = max_age
        self._lock = threading.Lock()
        self._entries: collections.OrderedDict[str, _Entry] = collections.OrderedDict()
        self._generation = 0
        self._listening = False
        self._heard_at = 0.0
        self._pid: int | None = None
        self._stop = threading.Event()

    # -- lookups ---------------------------------------------------------------------------
    def lookup(self, name: str, load: Callable[[], tuple[Any, Any] | None]) -> Any | None:
        """The cached value of ``name``, else ``load()`` (which returns ``(value, expires_at)`` or
        None, and is what runs against Postgres), stored when nothing was invalidated meanwhile."""
        generation = self._current_generation()
        if generation is not None:
            value = self._get(name)
            if value is not None:
                return value
        loaded = load()
        if loaded is None:
            return None
        value, expires_at = loaded
        if generation is not None:
            self._put(name, value, expires_at, generation)
        return value

    def _current_generation(self) -> int | None:
        self._ensure_listener()
        with self._lock:
            # A connection that hangs rather than fails must not pass for a quiet one either.
            alive = time.monotonic() - self._heard_at < HEARTBEAT_STALE
            return self._generation if self._listening and alive else None

    def _get(self, name: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                return None
            if time.monotonic() - entry.stored > self._max_age or (
                entry.expires_at is not None and entry.expires_at <= utcnow()
            ):
                del self._entries[name]
                return None
            self._entries.move_to_end(name)
            return entry.value

    def _put(self, name: str, value: Any, expires_at: Any, generation: int) -> None:
        with self._lock:
            if not self._listening or generation != self._generation:
                return  # something changed while the value was read: it may be stale
            self._entries[name] = _Entry(value, time.monotonic(), expires_at)
            self._entries.move_to_end(name)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def invalidate(self) -> None:
        """Forget everything (a key, an account or a plan changed somewhere)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    # -- the listener ----------------------------------------------------------------------
    def _ensure_listener(self) -> None:
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            # A fresh process (first use, or a fork): nothing inherited can be trusted.
            self._pid = pid
            self._listening = False
            self._entries.clear()
            self._generation += 1
            self._stop = threading.Event()
        threading.Thread(target=self._listen_forever, name="auth-cache-listener", daemon=True).start()

    def close(self) -> None:
        self._stop.set()

    def _listen_forever(self) -> None:
        import psycopg

        stop = self._stop
        failing = False
        while not stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, connect_timeout=5, **_KEEPALIVE
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    with self._lock:  # changes made before LISTEN took effect were not heard
                        self._generation += 1
                        self._entries.clear()
                        self._listening = True
                        self._heard_at = time.monotonic()
                    if failing:
                        log.info("auth cache listener connected again")
                        failing = False
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=HEARTBEAT):
                            self.invalidate()
                        conn.execute("SELECT 1")  # a dead connection must not pass for a quiet one
                        with self._lock:
                            self._heard_at = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - any failure: stop trusting the cache, reconnect
                if not failing:  # one line per outage, not one per attempt
                    log.warning(
                        "auth cache listener disconnected (%s); keys come from Postgres", type(exc).__name__
                    )
                    failing = True
            with self._lock:
                self._listening = False
                self._generation += 1
                self._entries.clear()
            stop.wait(1.0)
