"""The stuck-job sweeper: requeue jobs nobody is working on (their worker died, or their message
was lost), and give up on jobs that keep killing workers."""

from __future__ import annotations

import datetime as dt

from celery import Celery
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import utcnow
from core.locks import LockSpace, lock_id, try_transaction_lock
from core.models import JobStatus, RenderJob
from core.queue import RENDER_TASK
from core.services import outbox


def sweep_stuck_jobs(
    factory: sessionmaker[Session], celery: Celery, settings: Settings, render_queue_depth: int
) -> dict[str, int]:
    """Requeue jobs nobody is working on: ``running`` with no live worker holding the job lock, or
    ``queued`` for too long while the render queue is empty (its message was lost). Jobs past the
    attempt limit become ``dead``."""
    cutoff = utcnow() - dt.timedelta(seconds=settings.stuck_after)
    counts = {"requeued": 0, "dead": 0}
    with factory() as session, session.begin():
        candidates = session.scalars(
            select(RenderJob)
            .where(
                ((RenderJob.status == JobStatus.RUNNING.value) & (RenderJob.started_at < cutoff))
                | (
                    (RenderJob.status == JobStatus.QUEUED.value)
                    & (func.coalesce(RenderJob.started_at, RenderJob.queued_at) < cutoff)
                )
            )
            .order_by(RenderJob.queued_at)
            .limit(200)
            .with_for_update(skip_locked=True)
        ).all()
        for job in candidates:
            if job.status == JobStatus.QUEUED.value and render_queue_depth > 0:
                continue  # its message is probably still waiting in the queue
            if not try_transaction_lock(session, lock_id(LockSpace.RENDER_JOB, job.id)):
                continue  # a live worker is rendering it
            if job.attempts >= settings.max_attempts:
                job.status = JobStatus.DEAD.value
                job.finished_at = utcnow()
                job.error = f"gave up after {job.attempts} attempts (worker lost every time)"
                counts["dead"] += 1
                continue
            job.status = JobStatus.QUEUED.value
            outbox.add(session, RENDER_TASK, job_id=str(job.id))
            counts["requeued"] += 1
    return counts
