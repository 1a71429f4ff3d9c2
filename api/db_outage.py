"""While Postgres cannot be reached, every request that needs it is answered 503 with Retry-After
and a short JSON body, not a 500 and a traceback per request.

Each api process keeps one flag, "database down since": the first connection failure sets it and
logs one line; the next statement that succeeds anywhere in the process (any request, or a
/readyz probe) clears it and logs one line with the outage's length. Nothing else is logged while
it is down. Errors that are not about reaching the database (a constraint, a bug) keep the usual
500 path with its traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from api.errors import error_response

log = logging.getLogger("chartfleet.database")
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable; retry shortly"


class DatabaseState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_since: float | None = None

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self, exc: BaseException) -> None:
        if self._down_since is not None:
            return
        with self._lock:
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.error("database unreachable (%s); answering 503 until a query succeeds", _kind(exc))

    def succeeded(self) -> None:
        if self._down_since is None:  # the common case: no lock, no work
            return
        with self._lock:
            if self._down_since is not None:
                log.warning("database reachable again after %.1f s", time.monotonic() - self._down_since)
                self._down_since = None


STATE = DatabaseState()


def _kind(exc: BaseException) -> str:
    """The driver's exception class only: its message names hosts and ports."""
    cause = getattr(exc, "orig", None) or exc.__cause__ or exc
    return type(cause).__name__


# SQLSTATEs of a server that cannot serve: connection exceptions (class 08), shutting down or
# starting up (57P01-57P03). Client-side connection failures carry no SQLSTATE at all.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached (connect refused or timed out, the
    connection dropped, the pool exhausted), as opposed to an error in a statement (a deadlock or a
    constraint is not an outage)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, (sa_exc.DisconnectionError, sa_exc.TimeoutError)):
            return True
        if isinstance(current, sa_exc.DBAPIError):
            if current.connection_invalidated:
                return True
            if isinstance(current, (sa_exc.OperationalError, sa_exc.InterfaceError)):
                state = getattr(current.orig, "sqlstate", None)
                return state is None or state.startswith(_UNAVAILABLE_STATES)
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def note_failure(exc: BaseException) -> bool:
    """Record ``exc`` if it is an outage (logged once per outage); returns whether it was."""
    if not is_unavailable(exc):
        return False
    STATE.failed(exc)
    return True


def unavailable_response(exc: BaseException) -> Any:
    STATE.failed(exc)
    return error_response(
        503,
        MESSAGE,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
        code="database_unavailable",
        retryAfter=RETRY_AFTER_SECONDS,
    )


def _statement_succeeded(*_args: Any) -> None:
    STATE.succeeded()


_installed = False


def init_app(app: Flask) -> None:
    """The 503 for database errors that are outages (others keep the 500 path), and a listener for
    successful statements on every engine of the process (engines are made per process and again
    after a fork, so the listener is on the class)."""
    global _installed
    if not _installed:
        event.listen(Engine, "after_cursor_execute", _statement_succeeded)
        _installed = True

    def _database_error(exc: Exception) -> Any:
        if is_unavailable(exc):
            return unavailable_response(exc)
        logging.getLogger("api.errors").exception("unhandled error")
        return error_response(500, "Internal server error; quote the X-Request-Id when reporting it")

    for kind in (sa_exc.DBAPIError, sa_exc.DisconnectionError, sa_exc.TimeoutError):
        app.register_error_handler(kind, _database_error)
