"""Postgres advisory locks: one way to derive their ids and to take and drop them.

A worker holds a *session* lock on its own connection for as long as it works on a job or a webhook
message: a second delivery of the same message sees the lock and backs off, and a killed worker's
lock disappears with its connection. Scans (sweeper, webhook scan) probe with a *transaction* lock,
which Postgres drops at commit.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


class LockSpace(enum.IntEnum):
    """Namespaces of advisory-lock ids, mixed into the id so a job and a webhook message with
    colliding uuids never share a lock."""

    RENDER_JOB = 0
    WEBHOOK_MESSAGE = 0x5745_4248_4F4F_4B53  # "WEBHOOKS"


def lock_id(space: LockSpace, item: uuid.UUID | str) -> int:
    """A signed 64-bit advisory-lock id for ``item`` in ``space``."""
    value = (uuid.UUID(str(item)).int >> 64) ^ space.value
    return value - (1 << 64) if value >= (1 << 63) else value


def try_transaction_lock(session: Session, key: int) -> bool:
    """Take ``key`` until the session's transaction ends, unless someone holds it."""
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


class HeldLock:
    """A session-level advisory lock on one connection, taken and dropped inside that connection's
    transactions so the lock changes hands atomically with the state it guards."""

    def __init__(self, conn: Connection, key: int):
        self.conn = conn
        self.key = key
        self.held = False

    def try_acquire(self, session: Session) -> bool:
        self.held = bool(session.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
        return self.held

    def release_in(self, session: Session) -> None:
        """Drop the lock in ``session``'s transaction (committed with the outcome it guards)."""
        session.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        self.held = False

    def release(self) -> None:
        """Drop the lock if it is still held (after an error): own transaction, after a rollback."""
        if self.held:
            self.conn.rollback()
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self.conn.commit()
            self.held = False
