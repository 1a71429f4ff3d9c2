"""The audit log: one ``record`` call in the same transaction as every change customers may ask about.

Call ``record(session, ...)`` inside the transaction that makes the change, so the change and its
record commit or roll back together. ``before``/``after`` hold a JSON-able view of what changed;
never put secrets in them (keys, passwords, signing secrets): record *that* they changed.

    from core.services import audit

    audit.record(
        session,
        action="account.signing_secret_rotated",
        account_id=account.id,
        actor=audit.Actor.operator(),
        target=("account", account.id),
        before={"signingSecretRotatedAt": None},
        after={"signingSecretRotatedAt": now.isoformat()},
    )

The table is append-only (migration 0004): reading it back is ``search``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import AuditLog

ACTOR_TYPES = ("member", "api_key", "operator", "system")


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who made a change, and from where."""

    type: str  # member | api_key | operator | system
    id: str | None = None
    label: str | None = None  # an email, a key prefix, an operator's login name
    ip: str | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ACTOR_TYPES:
            raise ValueError(f"actor type must be one of {ACTOR_TYPES}")

    @classmethod
    def operator(cls, name: str | None = None) -> Actor:
        """The person running a ``chartfleet`` command (their login name unless given)."""
        try:
            who = name or getpass.getuser()
        except (KeyError, OSError):  # no passwd entry for the uid, e.g. in some containers
            who = "unknown"
        return cls("operator", id=who, label=who)

    @classmethod
    def system(cls, what: str = "chartfleet") -> Actor:
        return cls("system", id=what, label=what)


def record(
    session: Session,
    action: str,
    actor: Actor,
    account_id: uuid.UUID | None,
    target: tuple[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row in the caller's transaction (flushed, so a failure surfaces here)."""
    row = AuditLog(
        account_id=account_id,
        actor_type=actor.type,
        actor_id=actor.id,
        actor_label=(actor.label or "")[:254] or None,
        action=action,
        target_type=target[0] if target else None,
        target_id=str(target[1]) if target else None,
        ip=actor.ip,
        request_id=actor.request_id,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    session.add(row)
    session.flush()
    return row


@contextlib.contextmanager
def change(
    session: Session,
    action: str,
    actor: Actor,
    account_id: uuid.UUID | None,
    target: tuple[str, Any],
    view: Callable[[], dict[str, Any]],
) -> Iterator[None]:
    """Audit the change the block makes: ``view()`` before it and after it (the change flushed
    first). Nothing is recorded when the block raises."""
    before = view()
    yield
    session.flush()
    record(session, action, actor, account_id, target, before=before, after=view())


def search(
    session: Session,
    account_id: uuid.UUID,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> tuple[list[AuditLog], bool]:
    """An account's audit rows, newest first; returns ``(rows, has_more)``.

    ``action`` matches exactly, or as a prefix when it ends with ``*`` (``api_key.*``); ``actor``
    matches the actor's id or label (an email, a key prefix); ``before_id`` is the page cursor.
    """
    query = select(AuditLog).where(AuditLog.account_id == account_id)
    if action:
        if action.endswith("*"):
            prefix = action[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(AuditLog.action.like(prefix + "%", escape="\\"))
        else:
            query = query.where(AuditLog.action == action)
    if actor:
        query = query.where(or_(AuditLog.actor_id == actor, AuditLog.actor_label == actor))
    if since is not None:
        query = query.where(AuditLog.created_at >= since)
    if until is not None:
        query = query.where(AuditLog.created_at < until)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    rows = session.scalars(query.order_by(AuditLog.id.desc()).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
