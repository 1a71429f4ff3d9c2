"""The render task: claim the job, draw it, store it, mark it done, tell the waiter.

Idempotent by construction: a Postgres advisory lock keeps two deliveries of one job apart (a
killed worker's lock disappears with its connection), the claim refuses finished jobs, the object
key is deterministic, and the success transition only happens from ``running``.
"""

from __future__ import annotations

import functools
import logging
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import JobStatus
from core.queue import RENDER_TASK
from core.services import events, jobs
from core.specs.model import ChartSpec
from core.storage import StorageError, object_key
from worker.context import get_context
from worker.render import RenderError, render_chart

log = logging.getLogger(__name__)
RETRY_DELAYS = (1, 5, 30)


@shared_task(name=RENDER_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def render_job(self, job_id: str) -> str:  # noqa: ANN001 - Celery binds the task instance
    ctx = get_context()
    engine = get_engine(ctx.settings.database_url)
    # One connection for the whole task: it holds the job's advisory lock (released by Postgres if
    # this process dies) and carries the claim and completion transactions.
    with engine.connect() as conn:
        lock = jobs.job_lock_id(job_id)
        got_lock = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock}).scalar()
        conn.commit()
        if not got_lock:
            return "busy"  # another delivery is rendering it; if that one dies, its message comes back
        try:
            return _run(self, ctx, job_id, functools.partial(Session, bind=conn, expire_on_commit=False))
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock})
            conn.commit()


def _run(task, ctx, job_id: str, sessions) -> str:  # noqa: ANN001
    settings = ctx.settings
    with sessions() as session, session.begin():
        claim = jobs.claim_job(session, job_id, ctx.name, settings.max_attempts)
    spec_data, cache_key, attempts = claim.spec, claim.spec_hash, claim.attempts
    if claim.outcome == "dead":
        _announce(ctx, job_id, JobStatus.DEAD)
        return "dead"
    if claim.outcome != "claimed":
        return claim.outcome

    spec = ChartSpec.from_dict(spec_data)
    started = time.perf_counter()
    try:
        if settings.fault_render_delay:
            time.sleep(settings.fault_render_delay)
        image = render_chart(spec)
        stored = ctx.store.put(object_key(cache_key, spec.format), image.data, image.content_type)
    except RenderError as exc:
        return _fail(ctx, sessions, job_id, f"render failed: {exc}")
    except SoftTimeLimitExceeded:
        return _fail(
            ctx, sessions, job_id, f"render exceeded the time limit of {settings.render_soft_limit}s"
        )
    except StorageError as exc:
        delay = RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]
        log.warning("job %s: storage error (%s); retrying in %ss", job_id, exc, delay)
        with sessions() as session, session.begin():
            jobs.requeue(session, job_id, f"storage unavailable: {exc}")
        raise task.retry(countdown=delay, exc=exc) from exc
    render_ms = round((time.perf_counter() - started) * 1000)

    with sessions() as session, session.begin():
        done = jobs.mark_succeeded(
            session,
            job_id,
            object_key=stored.key,
            size=stored.size,
            etag=stored.etag,
            content_type=stored.content_type,
            render_ms=render_ms,
            retention_days=settings.retention_days,
        )
    if done:
        events.remember_rendered(
            ctx.redis,
            settings.redis_prefix,
            cache_key,
            {
                "object_key": stored.key,
                "size": stored.size,
                "etag": stored.etag,
                "content_type": stored.content_type,
            },
            ttl=settings.retention_days * 86400,
        )
        _announce(ctx, job_id, JobStatus.SUCCEEDED)
    return "succeeded"


def _fail(ctx, sessions, job_id: str, error: str) -> str:  # noqa: ANN001
    with sessions() as session, session.begin():
        jobs.mark_failed(session, job_id, error)
    _announce(ctx, job_id, JobStatus.FAILED)
    return "failed"


def _announce(ctx, job_id: str, status: JobStatus) -> None:  # noqa: ANN001
    try:
        events.publish_job_event(ctx.redis, ctx.settings.redis_prefix, job_id, status.value)
    except Exception:  # noqa: BLE001 - waiters fall back to polling Postgres
        log.warning("could not publish the completion event of job %s", job_id, exc_info=True)
