"""The stuck-job sweeper: requeue jobs nobody is working on (their worker died, or their message
was lost), and give up on jobs that keep killing workers."""

from __future__ import annotations

import datetime as dt

from celery import Celery
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import utcnow
from core.locks import LockSpace, lock_id, try_transaction_lock
from core.models import JobStatus, OutboxMessage, RenderJob
from core.queue import RENDER_TASK
from core.services import outbox
from core.services.jobs.submission import queue_for

_OUTBOX = OutboxMessage.__table__


def sweep_stuck_jobs(
    factory: sessionmaker[Session],
    celery: Celery,
    settings: Settings,
    render_queue_depth: int,
    *,
    storage_down: bool = False,
) -> dict[str, int]:
    """Requeue jobs nobody is working on: ``running`` with no live worker holding the job lock (the
    lock is the heartbeat: it vanishes with a dead worker's connection, so this is detected within
    ``dead_worker_after``), or ``queued`` for too long while the render queue is empty and no
    message for it is pending in the outbox (its message was lost). Each is requeued once: the new
    outbox message stays pending until a worker takes it. Jobs past the attempt limit become
    ``dead``. While the object store is known to be down, queued jobs are left alone (they would
    only fail again)."""
    now = utcnow()
    stuck = now - dt.timedelta(seconds=settings.stuck_after)
    orphaned = now - dt.timedelta(seconds=settings.dead_worker_after)
    pending_message = (
        select(_OUTBOX.c.id)
        .where(
            _OUTBOX.c.consumed_at.is_(None),
            _OUTBOX.c.task == RENDER_TASK,
            _OUTBOX.c.payload["job_id"].as_string() == cast(RenderJob.id, String),
        )
        .exists()
    )
    counts = {"requeued": 0, "dead": 0}
    with factory() as session, session.begin():
        candidates = session.scalars(
            select(RenderJob)
            .where(
                ((RenderJob.status == JobStatus.RUNNING.value) & (RenderJob.started_at < orphaned))
                | (
                    (RenderJob.status == JobStatus.QUEUED.value)
                    & (func.coalesce(RenderJob.started_at, RenderJob.queued_at) < stuck)
                    & ~pending_message
                )
            )
            .order_by(RenderJob.queued_at)
            .limit(200)
            .with_for_update(skip_locked=True)
        ).all()
        for job in candidates:
            if job.status == JobStatus.QUEUED.value and (render_queue_depth > 0 or storage_down):
                continue  # its message is probably still waiting in the queue, or it would fail
            if not try_transaction_lock(session, lock_id(LockSpace.RENDER_JOB, job.id)):
                continue  # a live worker is rendering it
            if job.attempts >= settings.max_attempts:
                job.status = JobStatus.DEAD.value
                job.finished_at = utcnow()
                job.error = f"gave up after {job.attempts} attempts (worker lost every time)"
                counts["dead"] += 1
                continue
            job.status = JobStatus.QUEUED.value
            job.started_at = None
            job.worker = None
            outbox.add(session, RENDER_TASK, queue=queue_for(job), job_id=str(job.id))
            counts["requeued"] += 1
    return counts
