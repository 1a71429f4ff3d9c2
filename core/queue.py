"""The one place that knows queue and task names, and the Celery app factory.

The api enqueues by task *name* (it never imports worker code); the worker registers tasks under
these names. Celery carries ids only; Postgres holds the state.
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from core.config import Settings

RENDER_TASK = "chartfleet.render"
OUTBOX_RELAY_TASK = "chartfleet.outbox_relay"
SWEEP_STUCK_TASK = "chartfleet.sweep_stuck_jobs"
EXPIRE_OBJECTS_TASK = "chartfleet.expire_objects"
MARKET_ROLLUP_TASK = "chartfleet.market_rollup"
WEBHOOK_DELIVER_TASK = "chartfleet.webhook_deliver"
WEBHOOK_SCAN_TASK = "chartfleet.webhook_scan"
FLUSH_HITS_TASK = "chartfleet.flush_hits"

# Renders by class of work, so a flood of one never waits in front of another; each class can be
# given its own workers (Procfile: `worker` takes interactive renders, `batch` the other two).
RENDER_QUEUE = "render"  # interactive: synchronous renders someone is waiting for
BATCH_QUEUE = "render-batch"  # asynchronous jobs
HEAVY_QUEUE = "render-heavy"  # GIF, PDF and very large images, sync or not
RENDER_QUEUES = (RENDER_QUEUE, BATCH_QUEUE, HEAVY_QUEUE)
HEAVY_FORMATS = frozenset({"gif", "pdf"})
HEAVY_PIXELS = 4_000_000  # CSS pixels (width x height) from which a render counts as heavy
WEBHOOKS_QUEUE = "webhooks"
MAINTENANCE_QUEUE = "maintenance"
LOGICAL_QUEUES = (*RENDER_QUEUES, WEBHOOKS_QUEUE, MAINTENANCE_QUEUE)

# Where each task goes: the Celery routes and the outbox both read this.
TASK_QUEUES = {
    RENDER_TASK: RENDER_QUEUE,
    OUTBOX_RELAY_TASK: MAINTENANCE_QUEUE,
    SWEEP_STUCK_TASK: MAINTENANCE_QUEUE,
    EXPIRE_OBJECTS_TASK: MAINTENANCE_QUEUE,
    MARKET_ROLLUP_TASK: MAINTENANCE_QUEUE,
    WEBHOOK_DELIVER_TASK: WEBHOOKS_QUEUE,
    WEBHOOK_SCAN_TASK: MAINTENANCE_QUEUE,
    FLUSH_HITS_TASK: MAINTENANCE_QUEUE,
}


def queue_name(settings: Settings, logical: str) -> str:
    """The broker queue for a logical queue (prefixed so test suites can share a broker)."""
    return f"{settings.queue_prefix}{logical}"


def make_celery(settings: Settings, name: str = "chartfleet") -> Celery:
    """A Celery app configured for Chartfleet's reliability rules (see ARCHITECTURE.md)."""
    app = Celery(name, broker=settings.effective_broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,  # Postgres is the truth, not a result backend
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=1000,
        # Memory a large render leaves behind is given back by replacing the child after that task.
        worker_max_memory_per_child=settings.worker_max_memory_mb * 1024,  # KiB
        worker_hijack_root_logger=False,
        task_default_queue=queue_name(settings, RENDER_QUEUE),
        task_queues=[Queue(queue_name(settings, q)) for q in LOGICAL_QUEUES],
        task_routes={task: {"queue": queue_name(settings, q)} for task, q in TASK_QUEUES.items()},
        task_soft_time_limit=settings.render_soft_limit,
        task_time_limit=settings.render_hard_limit,
        broker_connection_retry_on_startup=True,
        # A message whose worker vanished entirely comes back after this (the sweeper requeues its
        # job within CHARTFLEET_DEAD_WORKER_AFTER; the redelivered copy then finds the job finished).
        # It must outlast the longest task and a message reserved behind it (four hard limits), or a
        # live task would be delivered twice (harmless, but wasted).
        broker_transport_options={"visibility_timeout": visibility_timeout(settings)},
        broker_pool_limit=10,
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            "outbox-relay": {"task": OUTBOX_RELAY_TASK, "schedule": settings.outbox_interval},
            "sweep-stuck-jobs": {
                "task": SWEEP_STUCK_TASK,
                "schedule": max(1.0, min(settings.stuck_after / 3, settings.dead_worker_after / 2)),
                "options": {
                    "expires": max(1.0, min(settings.stuck_after / 3, settings.dead_worker_after / 2))
                },
            },
            # Webhook retries that are due, and first deliveries whose message was lost.
            "webhook-scan": {
                "task": WEBHOOK_SCAN_TASK,
                "schedule": settings.webhook_scan_interval,
                "options": {"expires": settings.webhook_scan_interval},
            },
            # Cache hits recorded in Redis into render history (core.services.hit_log).
            "flush-hits": {
                "task": FLUSH_HITS_TASK,
                "schedule": settings.hit_flush_interval,
                "options": {"expires": max(1.0, settings.hit_flush_interval)},
            },
            "expire-objects": {"task": EXPIRE_OBJECTS_TASK, "schedule": 3600.0},
            # Candle roll-ups; until a run, queries compute the unfinished tail on the fly. A run
            # that would overlap the next is dropped (expires), not queued behind it.
            "market-rollup": {
                "task": MARKET_ROLLUP_TASK,
                "schedule": settings.market_rollup_interval,
                "options": {"expires": settings.market_rollup_interval},
            },
        },
    )
    return app


def render_queue(mode: str, fmt: str, width: int, height: int) -> str:
    """The logical queue of a render job by its class of work."""
    if fmt in HEAVY_FORMATS or width * height >= HEAVY_PIXELS:
        return HEAVY_QUEUE
    return RENDER_QUEUE if mode == "sync" else BATCH_QUEUE


def visibility_timeout(settings: Settings) -> int:
    """Seconds before the broker hands an unacknowledged message to another worker."""
    return int(max(300, 4 * settings.render_hard_limit))


def queue_depth(celery: Celery, settings: Settings, logical: str) -> int:
    """Messages waiting in a logical queue of the Redis broker (not those a worker has reserved)."""
    with celery.connection_for_write() as conn:
        return int(conn.default_channel.client.llen(queue_name(settings, logical)))
