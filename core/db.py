"""Database engine, sessions and the declarative base.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy) so the worker and CLI use the same code as the api.
Engines are created per process: call ``dispose_engines()`` after a fork.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, DateTime, Executable, MetaData, Row, create_engine, event, text
from sqlalchemy import exc as exc_mod
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: DateTime(timezone=True),
        uuid.UUID: UUID(as_uuid=True),
        dict[str, Any]: JSONB,
    }


_engines: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """One pooled engine per URL per process."""
    engine = _engines.get(url)
    if engine is None:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800, future=True)
        _ping_when_idle(engine)

        @event.listens_for(engine, "connect")
        def _set_timeouts(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute("SET TIME ZONE 'UTC'")
            dbapi_conn.commit()

        _engines[url] = engine
    return engine


def execute_alone(conn: Connection, statement: Executable, params: dict[str, Any]) -> Row | None:
    """``statement`` as a transaction of its own, in one round trip: ``conn`` (outside any
    transaction) runs it in autocommit mode, so neither BEGIN nor COMMIT is sent, and then goes
    back to its transactional mode. Returns the first row. For the worker's per-job statements,
    where a BEGIN and a COMMIT each cost what the statement itself does."""
    conn.execution_options(isolation_level="AUTOCOMMIT")
    try:
        return conn.execute(statement, params).first()
    finally:
        conn.rollback()  # ends SQLAlchemy's record of the statement; the database has nothing to undo
        if not conn.invalidated:
            conn.execution_options(isolation_level=conn.default_isolation_level)


PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling without a round trip on every checkout: a pooled connection
    is pinged only when it sat idle long enough for a database restart or failover to have
    happened. A dead one is replaced by the pool before the caller sees it."""

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            with dbapi_conn.cursor() as cur:
                cur.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception as exc:
            raise exc_mod.DisconnectionError(str(exc)) from exc


def dispose_engines() -> None:
    """Drop inherited connections (call in a forked child before using the database)."""
    for engine in _engines.values():
        engine.dispose(close=False)
    _engines.clear()


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False, future=True)


@contextlib.contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits at the end of the block or rolls back on error."""
    with factory() as session, session.begin():
        yield session


@contextlib.contextmanager
def statement_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session of ``factory``'s engine whose statements are each a transaction of their own
    (autocommit): for a unit of work that is one statement, no BEGIN and no COMMIT round trip.
    What it ran is committed statement by statement, whether or not the session commits."""
    with factory.kw["bind"].connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when the pool takes it back
        with Session(bind=conn, expire_on_commit=False) as session:
            yield session


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist. Returns True when created."""
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}
            ).scalar()
            if exists:
                return False
            conn.execute(text(f'CREATE DATABASE "{_safe_identifier(u.database)}"'))
            return True
    finally:
        admin.dispose()


def _safe_identifier(name: str | None) -> str:
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(f"unsafe database name {name!r}")
    return name


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
        if isinstance(current, (exc_mod.DisconnectionError, exc_mod.TimeoutError)):
            return True
        if isinstance(current, exc_mod.DBAPIError):
            if current.connection_invalidated:
                return True
            if isinstance(current, (exc_mod.OperationalError, exc_mod.InterfaceError)):
                state = getattr(current.orig, "sqlstate", None)
                return state is None or state.startswith(_UNAVAILABLE_STATES)
        current = current.__cause__ or current.__context__
        seen += 1
    return False
