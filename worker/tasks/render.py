"""The render task: claim the job, draw it, store it, mark it done, tell the waiter.

Idempotent by construction: a Postgres advisory lock keeps two deliveries of one job apart (a
killed worker's lock disappears with its connection), the claim refuses finished jobs, the object
key is deterministic, and the success transition only happens from ``running``.
"""

from __future__ import annotations

import functools
import logging
import time

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.orm import Session

from core import metrics
from core.db import get_engine, is_unavailable, utcnow
from core.locks import HeldLock, LockSpace, lock_id
from core.models import JobStatus
from core.queue import RENDER_TASK
from core.services import events, jobs, outbox
from core.services.webhooks import deliveries as webhook_deliveries
from core.specs.model import ChartSpec
from core.storage import StorageError, object_key
from worker import faults
from worker.context import get_context
from worker.render import RenderError, brand_assets, render_chart

log = logging.getLogger(__name__)


@shared_task(name=RENDER_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def render_job(self, job_id: str, outbox_id: int | None = None) -> str:
    ctx = get_context()
    try:
        # One connection for the whole task: it holds the job's advisory lock (released by
        # Postgres if this process dies) and carries two statements, each its own transaction:
        # ack + lock + claim, then result + unlock.
        with get_engine(ctx.settings.database_url).connect() as conn:
            run = _JobRun(ctx, conn, job_id, outbox_id)
            try:
                return run.execute(self)
            finally:
                run.release()
    except Exception as exc:
        if is_unavailable(exc):
            # The job stays in Postgres with its message unconsumed (the relay sends it again);
            # whoever waits for it hears now that it cannot finish yet.
            events.announce_database_down(ctx.redis, ctx.settings.redis_prefix)
        raise


class _JobRun:
    def __init__(self, ctx, conn, job_id: str, outbox_id: int | None):
        self.ctx = ctx
        self.outbox_id = outbox_id
        self.conn = conn
        self.job_id = job_id
        self.lock = HeldLock(conn, lock_id(LockSpace.RENDER_JOB, job_id))
        self.may_notify = True  # until the claim tells us whether anyone can be subscribed

    def _session(self) -> Session:
        return Session(bind=self.conn, expire_on_commit=False)

    def _finish(self, change) -> bool:
        """Record the outcome, the webhook messages announcing it, and drop the lock, in one
        transaction; the webhook messages are published after the commit. ``change`` may drop the
        lock itself (in its own statement); otherwise it is dropped here."""
        with self._session() as session, session.begin():
            result = change(session)
            hooks = self._webhooks(session) if result and self.may_notify else []
            if self.lock.held:
                self.lock.release_in(session)
        _dispatch(self.ctx, hooks)
        return result

    def _webhooks(self, session: Session) -> list:
        return webhook_deliveries.enqueue_job_event(session, self.job_id, self.ctx.settings, utcnow())

    def release(self) -> None:
        self.lock.release()

    def execute(self, task) -> str:
        ctx, settings, job_id = self.ctx, self.ctx.settings, self.job_id
        # One round trip: the message is acknowledged (the relay must not resend it, whatever
        # happens next), the job's lock taken and the job claimed (core.services.jobs.claim_job).
        claim = jobs.claim_job(self.conn, job_id, self.outbox_id, self.lock, ctx.name, settings.max_attempts)
        if claim is None:  # the lock is ours but the job was not claimable: say why
            with self._session() as session, session.begin():
                claim = jobs.settle_unclaimed(session, job_id)
                hooks = self._webhooks(session) if claim.outcome == jobs.ClaimOutcome.DEAD else []
            _dispatch(ctx, hooks)
        self.may_notify = claim.may_notify
        if claim.outcome == jobs.ClaimOutcome.DEAD:
            _announce(ctx, job_id, JobStatus.DEAD)
            metrics.JOB_OUTCOMES.labels(JobStatus.DEAD.value).inc()
            return "dead"
        if claim.outcome != jobs.ClaimOutcome.CLAIMED:
            return claim.outcome.value  # busy (another delivery renders it), finished or missing

        spec = ChartSpec.from_dict(claim.spec)
        started = time.perf_counter()
        try:
            faults.before_render(settings)
            image = render_chart(spec, brand_assets(ctx.store, spec))
            stored = ctx.store.put(object_key(claim.cache_key, spec.format), image.data, image.content_type)
        except RenderError as exc:
            return self._fail(f"render failed: {exc}")
        except SoftTimeLimitExceeded:
            return self._fail(f"render exceeded the time limit of {settings.render_soft_limit}s")
        except StorageError as exc:
            # An outage of the object store says nothing about the job: it goes back to Postgres
            # without spending an attempt (those are for jobs that crash workers); every process
            # learns the store is down, so sync renders fail fast and the sweeper waits.
            reason = f"storage unavailable: {exc}"
            log.warning("job %s: %s; back to the queue until storage answers", job_id, reason)
            try:
                events.mark_storage_down(ctx.redis, settings.redis_prefix, settings.storage_retry_after)
            except Exception:
                log.warning("could not record the storage outage", exc_info=True)
            self._finish(lambda session: jobs.requeue(session, job_id, reason))
            _announce(ctx, job_id, JobStatus.QUEUED, reason=events.STORAGE_UNAVAILABLE)
            return "requeued"
        render_ms = round((time.perf_counter() - started) * 1000)
        metrics.RENDER_SECONDS.labels(claim.dialect, spec.format).observe(render_ms / 1000)

        succeed = functools.partial(
            jobs.mark_succeeded,
            job_id=job_id,
            stored=stored,
            render_ms=render_ms,
            retention_days=settings.retention_days,
            unlock=self.lock,
        )
        # Nobody to notify (the common anonymous job): the transition and the unlock are one
        # statement sent alone; otherwise the webhook messages join them in one transaction.
        done = self._finish(succeed) if self.may_notify else succeed(self.conn)
        if done:
            try:
                events.announce_rendered(
                    ctx.redis,
                    settings.redis_prefix,
                    job_id,
                    claim.cache_key,
                    jobs.image_columns(stored),
                    settings.retention_days * 86400,
                )
            except Exception:
                log.warning("could not announce the completion of job %s", job_id, exc_info=True)
        metrics.JOB_OUTCOMES.labels(JobStatus.SUCCEEDED.value).inc()
        return "succeeded"

    def _fail(self, error: str) -> str:
        metrics.JOB_OUTCOMES.labels(JobStatus.FAILED.value).inc()
        self._finish(lambda session: jobs.mark_failed(session, self.job_id, error))
        _announce(self.ctx, self.job_id, JobStatus.FAILED)
        return "failed"


def _dispatch(ctx, messages: list) -> None:
    for message in messages:
        outbox.dispatch(current_app, ctx.settings, message)


def _announce(ctx, job_id: str, status: JobStatus, reason: str | None = None) -> None:
    try:
        events.publish_job_event(ctx.redis, ctx.settings.redis_prefix, job_id, status.value, reason)
    except Exception:
        log.warning("could not publish the completion event of job %s", job_id, exc_info=True)
