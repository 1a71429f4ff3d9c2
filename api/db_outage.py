"""While Postgres cannot be reached, every request that needs it is answered 503 with Retry-After
and a short JSON body, not a 500 and a traceback per request.

Each api process keeps one flag, "database down since": the first connection failure sets it and
logs one line; the next statement that succeeds anywhere in the process (any request, or a
/readyz probe) clears it and logs one line with the outage's length. Nothing else is logged while
it is down. Errors that are not about reaching the database (a constraint, a bug) keep the usual
500 path with its traceback.

The flag is per process, but an outage is not: every 503 of this kind also announces the outage
over Redis (at most once a second per process), so a sync render waiting in any process, whose
worker cannot finish, ends with the same 503 at once (``api.rendering._wait``). Workers announce
what they see too (``worker.tasks.render``).
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
from api.extensions import services
from core.db import is_unavailable
from core.services import events

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


def note_failure(exc: BaseException) -> bool:
    """Record ``exc`` if it is an outage (logged once per outage); returns whether it was."""
    if not is_unavailable(exc):
        return False
    STATE.failed(exc)
    return True


def unavailable_response(exc: BaseException) -> Any:
    STATE.failed(exc)
    _announce()
    return error_response(
        503,
        MESSAGE,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
        code="database_unavailable",
        retryAfter=RETRY_AFTER_SECONDS,
    )


def _announce() -> None:
    """Wake every sync render waiting on a worker, in any process (``events.JobWaiter``): a render
    waiting in another process would otherwise wait for its timeout, its worker unable to finish."""
    svc = services()
    events.announce_database_down(svc.redis, svc.settings.redis_prefix)


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
