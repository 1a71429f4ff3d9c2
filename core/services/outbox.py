"""The transactional outbox: a message is a row written in the transaction that decides to send
it, published right after the commit (fast path), acknowledged by its consumer, and republished by
the relay if nobody consumed it (slow path). So no committed decision is ever lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from celery import Celery
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import utcnow
from core.models import OutboxMessage
from core.queue import TASK_QUEUES, queue_name

log = logging.getLogger(__name__)
_OUTBOX = OutboxMessage.__table__


def add(session: Session, task: str, *, queue: str | None = None, **payload: str) -> OutboxMessage:
    """Record a message for ``task``, for ``queue`` or else the task's own (``core.queue.TASK_QUEUES``)."""
    message = OutboxMessage(task=task, queue=queue or TASK_QUEUES[task], payload=payload)
    session.add(message)
    return message


def dispatch(celery: Celery, settings: Settings, message: OutboxMessage) -> None:
    """Fast path: publish a committed message now. Failure is fine: the relay republishes it once
    the grace period has passed."""
    try:
        _send(celery, settings, message)
    except Exception:
        log.warning("publish of outbox message %s failed; the relay will retry", message.id, exc_info=True)


def _send(celery: Celery, settings: Settings, message: OutboxMessage) -> None:
    celery.send_task(
        message.task,
        kwargs={**message.payload, "outbox_id": message.id},
        queue=queue_name(settings, message.queue),
    )


def consume(session: Session, outbox_id: int | None) -> None:
    """Acknowledge a message in the consumer's transaction, so the relay leaves it alone."""
    if outbox_id is not None:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == outbox_id, _OUTBOX.c.consumed_at.is_(None))
            .values(consumed_at=utcnow())
        )


def relay(
    factory: sessionmaker[Session],
    celery: Celery,
    settings: Settings,
    queue_depth: Callable[[str], int],
    limit: int = 500,
) -> int:
    """Slow path: republish messages nobody consumed within the grace period. A message is only
    considered lost once its queue is empty; while the queue has a backlog it may still be there."""
    cutoff = utcnow() - dt.timedelta(seconds=settings.outbox_grace)
    published = 0
    with factory() as session, session.begin():
        rows = session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.consumed_at.is_(None),
                OutboxMessage.created_at < cutoff,
                (OutboxMessage.published_at.is_(None)) | (OutboxMessage.published_at < cutoff),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        depths: dict[str, int] = {}
        for row in rows:
            if row.queue not in depths:
                depths[row.queue] = queue_depth(row.queue)
            if depths[row.queue] > 0:
                continue
            _send(celery, settings, row)
            row.published_at = utcnow()
            row.publish_count += 1
            published += 1
    if published:
        log.info("outbox relay republished %d message(s)", published)
    return published
