"""Periodic work scheduled by beat: outbox relay, stuck-job sweeper, expiry of stored images."""

from __future__ import annotations

import logging

import redis
from celery import current_app, shared_task

from core.db import utcnow
from core.queue import (
    EXPIRE_OBJECTS_TASK,
    FLUSH_HITS_TASK,
    OUTBOX_RELAY_TASK,
    RENDER_QUEUES,
    SWEEP_STUCK_TASK,
    queue_depth,
)
from core.services import events, expiry, hit_log, jobs, outbox, short_charts
from core.services.webhooks import deliveries as webhook_deliveries
from worker.context import get_context

log = logging.getLogger(__name__)


@shared_task(name=OUTBOX_RELAY_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def relay_outbox() -> int:
    ctx = get_context()
    return outbox.relay(
        ctx.sessions,
        current_app,
        ctx.settings,
        lambda logical: queue_depth(current_app, ctx.settings, logical),
    )


@shared_task(name=SWEEP_STUCK_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_stuck_jobs() -> dict[str, int]:
    ctx = get_context()
    depth = sum(queue_depth(current_app, ctx.settings, q) for q in RENDER_QUEUES)
    try:
        storage_down = events.storage_down_for(ctx.redis, ctx.settings.redis_prefix) > 0
    except redis.RedisError:
        storage_down = False  # Redis trouble: sweep as usual
    counts = jobs.sweep_stuck_jobs(
        ctx.sessions, current_app, ctx.settings, render_queue_depth=depth, storage_down=storage_down
    )
    if any(counts.values()):
        log.info("stuck-job sweep: %s", counts)
    return counts


@shared_task(name=EXPIRE_OBJECTS_TASK, acks_late=True, soft_time_limit=600, time_limit=660)
def expire_objects() -> int:
    ctx = get_context()
    with ctx.sessions() as session, session.begin():
        short_charts.delete_expired(session)  # QuickChart short URLs past their retention
    return expiry.expire_objects(ctx.sessions, ctx.store, ctx.redis, ctx.settings)


@shared_task(name=FLUSH_HITS_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def flush_hits() -> int:
    """Cache hits recorded in Redis into render history, with their webhooks (exactly once)."""
    ctx = get_context()

    def publish(messages: list) -> None:
        for message in messages:
            outbox.dispatch(current_app, ctx.settings, message)

    return hit_log.flush(
        ctx.redis,
        ctx.sessions,
        ctx.settings.redis_prefix,
        claim_after=ctx.settings.hit_claim_after,
        on_commit=publish,
        webhooks=lambda session, job_id: webhook_deliveries.enqueue_job_event(
            session, job_id, ctx.settings, utcnow()
        ),
    )
