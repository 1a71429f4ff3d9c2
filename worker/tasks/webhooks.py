"""Webhook tasks: deliver one message (``webhooks`` queue, an I/O pool) and the beat scan that
queues retries as they come due.

A delivery holds the message's advisory lock on its own connection for the whole attempt, so two
copies of one message never send at once, and a killed worker's lock vanishes with its connection
(the scan then queues the message again: receivers de-duplicate by ``webhook-id``).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable
from typing import Any

from celery import current_app, shared_task
from sqlalchemy.orm import Session

from core import metrics
from core.config import Settings
from core.db import get_engine, utcnow
from core.locks import HeldLock, LockSpace, lock_id
from core.queue import WEBHOOK_DELIVER_TASK, WEBHOOK_SCAN_TASK, WEBHOOKS_QUEUE, queue_depth, queue_name
from core.services import outbox
from core.services.webhooks import deliveries
from core.services.webhooks.addresses import AddressPolicy, Resolver, system_resolver
from worker import webhook_sender
from worker.context import get_context

log = logging.getLogger(__name__)


@shared_task(
    name=WEBHOOK_DELIVER_TASK, acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90
)
def deliver(message_id: str, outbox_id: int | None = None) -> str:
    ctx = get_context()
    return deliver_message(ctx.settings, message_id, outbox_id)


def deliver_message(
    settings: Settings,
    message_id: str,
    outbox_id: int | None = None,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    resolve: Resolver = system_resolver,
    rng: random.Random | Any = random,
) -> str:
    """Make one attempt of a due message and record it; returns what happened."""
    mid = uuid.UUID(message_id)
    with get_engine(settings.database_url).connect() as conn:
        lock = HeldLock(conn, lock_id(LockSpace.WEBHOOK_MESSAGE, mid))
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                outbox.consume(session, outbox_id)
                if not lock.try_acquire(session):
                    return deliveries.NotSent.BUSY.value
                prepared = deliveries.prepare(session, mid, settings, clock())
            delivery = prepared.delivery
            if delivery is None:
                return str(prepared.reason)
            answer = webhook_sender.send(
                delivery.url,
                delivery.body,
                delivery.headers,
                AddressPolicy(settings),
                settings.webhook_timeout,
                resolve,
            )
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                status = deliveries.record(session, mid, answer, settings, clock(), rng)
            metrics.WEBHOOK_DELIVERIES.labels(str(status)).inc()
            if answer.latency_ms is not None:
                metrics.WEBHOOK_SECONDS.observe(answer.latency_ms / 1000)
            log.info(
                "webhook %s to %s: %s (%s)",
                deliveries.webhook_id(mid),
                delivery.url,
                status,
                answer.status_code or answer.error,
            )
            return status
        finally:
            lock.release()


@shared_task(name=WEBHOOK_SCAN_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def scan() -> int:
    ctx = get_context()
    idle = queue_depth(current_app, ctx.settings, WEBHOOKS_QUEUE) == 0
    return scan_due(ctx.sessions, current_app, ctx.settings, queue_idle=idle)


def scan_due(
    sessions, celery, settings: Settings, *, queue_idle: bool, now: dt.datetime | None = None
) -> int:
    """Queue every due message (see ``deliveries.due_messages``); publishes after commit."""
    with sessions() as session, session.begin():
        due = deliveries.due_messages(session, settings, now or utcnow(), queue_idle)
    for mid in due:
        celery.send_task(
            WEBHOOK_DELIVER_TASK,
            kwargs={"message_id": str(mid)},
            queue=queue_name(settings, WEBHOOKS_QUEUE),
        )
    return len(due)
