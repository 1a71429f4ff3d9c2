"""Periodic work scheduled by beat: outbox relay, stuck-job sweeper, expiry of stored images."""

from __future__ import annotations

import logging

from celery import current_app, shared_task

from core.queue import (
    EXPIRE_OBJECTS_TASK,
    OUTBOX_RELAY_TASK,
    RENDER_QUEUE,
    SWEEP_STUCK_TASK,
    queue_name,
)
from core.services import expiry, jobs, short_charts
from worker.context import get_context

log = logging.getLogger(__name__)


@shared_task(name=OUTBOX_RELAY_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def relay_outbox() -> int:
    ctx = get_context()
    with current_app.connection_for_write() as conn:
        client = conn.default_channel.client
        return jobs.relay_outbox(
            ctx.sessions,
            current_app,
            ctx.settings,
            lambda logical: client.llen(queue_name(ctx.settings, logical)),
        )


@shared_task(name=SWEEP_STUCK_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_stuck_jobs() -> dict[str, int]:
    ctx = get_context()
    with current_app.connection_for_write() as conn:
        depth = conn.default_channel.client.llen(queue_name(ctx.settings, RENDER_QUEUE))
    counts = jobs.sweep_stuck_jobs(ctx.sessions, current_app, ctx.settings, render_queue_depth=depth)
    if any(counts.values()):
        log.info("stuck-job sweep: %s", counts)
    return counts


@shared_task(name=EXPIRE_OBJECTS_TASK, acks_late=True, soft_time_limit=600, time_limit=660)
def expire_objects() -> int:
    ctx = get_context()
    with ctx.sessions() as session, session.begin():
        short_charts.delete_expired(session)  # QuickChart short URLs past their retention
    return expiry.expire_objects(ctx.sessions, ctx.store, ctx.redis, ctx.settings)
