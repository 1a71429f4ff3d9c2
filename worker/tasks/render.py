"""The render task: claim the job, draw it, store it, mark it done, tell the waiter.

Idempotent by construction: a Postgres advisory lock keeps two deliveries of one job apart (a
killed worker's lock disappears with its connection), the claim refuses finished jobs, the object
key is deterministic, and the success transition only happens from ``running``.
"""

from __future__ import annotations

import logging
import time

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine, utcnow
from core.models import JobStatus
from core.queue import RENDER_TASK
from core.services import events, jobs
from core.services.webhooks import deliveries as webhook_deliveries
from core.specs.model import ChartSpec
from core.storage import StorageError, object_key
from worker.context import get_context
from worker.render import RenderError, brand_assets, render_chart

log = logging.getLogger(__name__)
STORAGE_RETRY_DELAYS = (1, 2, 5, 10, 30, 60, 120, 300)  # seconds; about nine minutes in all


@shared_task(name=RENDER_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def render_job(self, job_id: str, outbox_id: int | None = None) -> str:
    ctx = get_context()
    # One connection for the whole task: it holds the job's advisory lock (released by Postgres if
    # this process dies) and carries two transactions: lock + claim, then result + unlock.
    with get_engine(ctx.settings.database_url).connect() as conn:
        run = _JobRun(ctx, conn, job_id, outbox_id)
        try:
            return run.execute(self)
        finally:
            run.release()


class _JobRun:
    def __init__(self, ctx, conn, job_id: str, outbox_id: int | None):
        self.ctx = ctx
        self.outbox_id = outbox_id
        self.conn = conn
        self.job_id = job_id
        self.lock = jobs.job_lock_id(job_id)
        self.locked = False
        self.may_notify = True  # until the claim tells us whether anyone can be subscribed

    def _session(self) -> Session:
        return Session(bind=self.conn, expire_on_commit=False)

    def _finish(self, change) -> bool:
        """Record the outcome, the webhook messages announcing it, and drop the lock, in one
        transaction; the webhook messages are published after the commit."""
        with self._session() as session, session.begin():
            result = change(session)
            hooks = self._webhooks(session) if result and self.may_notify else []
            session.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.lock})
        self.locked = False
        _dispatch(self.ctx, hooks)
        return result

    def _webhooks(self, session: Session) -> list:
        return webhook_deliveries.enqueue_job_event(session, self.job_id, self.ctx.settings, utcnow())

    def release(self) -> None:
        if self.locked:
            self.conn.rollback()
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.lock})
            self.conn.commit()
            self.locked = False

    def execute(self, task) -> str:
        ctx, settings, job_id = self.ctx, self.ctx.settings, self.job_id
        with self._session() as session, session.begin():
            # Whatever happens next, this message has been handled: the relay must not resend it.
            jobs.consume_outbox(session, self.outbox_id)
            self.locked = session.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.lock}).scalar()
            if not self.locked:
                # Another delivery is rendering it; if that one dies, its message comes back.
                return "busy"
            claim = jobs.claim_job(session, job_id, ctx.name, settings.max_attempts)
            self.may_notify = claim.may_notify
            hooks = self._webhooks(session) if claim.outcome == "dead" else []
        _dispatch(ctx, hooks)
        if claim.outcome == "dead":
            _announce(ctx, job_id, JobStatus.DEAD)
            return "dead"
        if claim.outcome != "claimed":
            return claim.outcome

        spec = ChartSpec.from_dict(claim.spec)
        started = time.perf_counter()
        try:
            if settings.fault_render_delay:
                time.sleep(settings.fault_render_delay)
            image = render_chart(spec, brand_assets(ctx.store, spec))
            stored = ctx.store.put(object_key(claim.spec_hash, spec.format), image.data, image.content_type)
        except RenderError as exc:
            return self._fail(f"render failed: {exc}")
        except SoftTimeLimitExceeded:
            return self._fail(f"render exceeded the time limit of {settings.render_soft_limit}s")
        except StorageError as exc:
            # An outage of the object store says nothing about the job: it is retried with backoff
            # without spending its attempts (those are for jobs that crash workers).
            retries = task.request.retries or 0
            reason = f"storage unavailable: {exc}"
            if retries >= len(STORAGE_RETRY_DELAYS):
                return self._fail(f"{reason} (gave up after {retries} retries)")
            delay = STORAGE_RETRY_DELAYS[retries]
            log.warning("job %s: %s; retry %d in %ss", job_id, reason, retries + 1, delay)
            self._finish(lambda session: jobs.requeue(session, job_id, reason))
            raise task.retry(countdown=delay, exc=exc) from exc
        render_ms = round((time.perf_counter() - started) * 1000)

        done = self._finish(
            lambda session: jobs.mark_succeeded(
                session,
                job_id,
                object_key=stored.key,
                size=stored.size,
                etag=stored.etag,
                content_type=stored.content_type,
                render_ms=render_ms,
                retention_days=settings.retention_days,
            )
        )
        if done:
            entry = {
                "object_key": stored.key,
                "size": stored.size,
                "etag": stored.etag,
                "content_type": stored.content_type,
            }
            try:
                events.announce_rendered(
                    ctx.redis,
                    settings.redis_prefix,
                    job_id,
                    claim.spec_hash,
                    entry,
                    settings.retention_days * 86400,
                )
            except Exception:
                log.warning("could not announce the completion of job %s", job_id, exc_info=True)
        return "succeeded"

    def _fail(self, error: str) -> str:
        self._finish(lambda session: jobs.mark_failed(session, self.job_id, error))
        _announce(self.ctx, self.job_id, JobStatus.FAILED)
        return "failed"


def _dispatch(ctx, messages: list) -> None:
    for message in messages:
        jobs.dispatch(current_app, ctx.settings, message)


def _announce(ctx, job_id: str, status: JobStatus) -> None:
    try:
        events.publish_job_event(ctx.redis, ctx.settings.redis_prefix, job_id, status.value)
    except Exception:
        log.warning("could not publish the completion event of job %s", job_id, exc_info=True)
