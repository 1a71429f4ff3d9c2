"""Render jobs: submission (with idempotency and the cache), dispatch through the outbox, and the
worker-side state transitions. Every transition is guarded in SQL so a redelivered message or a
duplicate publish changes nothing twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from celery import Celery
from sqlalchemy import DateTime, Text, cast, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import utcnow
from core.models import JobStatus, OutboxMessage, RenderJob
from core.queue import RENDER_QUEUE, RENDER_TASK, queue_name
from core.services import quotas
from core.services.keys import Principal
from core.specs.model import ChartSpec, canonical_json, spec_hash

log = logging.getLogger(__name__)
# Hot worker-side statements use the tables directly: Core statements skip the ORM's bulk-update
# machinery, which costs more CPU than the statements themselves.
_JOBS = RenderJob.__table__
_OUTBOX = OutboxMessage.__table__


class IdempotencyConflict(Exception):
    """The Idempotency-Key was already used with a different request body."""


@dataclasses.dataclass(frozen=True)
class RenderRequest:
    spec: ChartSpec
    dialect: str
    principal: Principal
    mode: str = "async"
    warnings: tuple[str, ...] = ()
    idempotency_key: str | None = None
    request_hash: str | None = None
    webhook_url: str | None = None
    variant: str = ""  # anything besides the spec that changes the pixels (brand kit...)

    @functools.cached_property
    def spec_dict(self) -> dict[str, Any]:
        return self.spec.to_dict()

    @functools.cached_property
    def canonical_spec(self) -> str:
        return canonical_json(self.spec_dict)

    @functools.cached_property
    def cache_key(self) -> str:
        return spec_hash(self.spec_dict, self.variant, canonical=self.canonical_spec)


def _new_job(req: RenderRequest, **fields: Any) -> RenderJob:
    spec = req.spec
    return RenderJob(
        account_id=req.principal.account_id,
        api_key_id=req.principal.api_key_id,
        client_ip=req.principal.client_ip,
        owner=req.principal.owner,
        dialect=req.dialect,
        mode=req.mode,
        # The canonical JSON is already computed for the hash: hand it to Postgres as is rather
        # than encoding a possibly 50,000-point spec a second time.
        spec=cast(literal(req.canonical_spec, Text), JSON),
        spec_hash=req.cache_key,
        format=spec.format,
        width=spec.width,
        height=spec.height,
        warnings=list(req.warnings),
        idempotency_key=req.idempotency_key,
        request_hash=req.request_hash,
        webhook_url=req.webhook_url,
        **fields,
    )


def find_idempotent(session: Session, req: RenderRequest) -> RenderJob | None:
    """The job an earlier request with the same Idempotency-Key created, if any."""
    if not req.idempotency_key:
        return None
    job = session.scalars(
        select(RenderJob).where(
            RenderJob.owner == req.principal.owner, RenderJob.idempotency_key == req.idempotency_key
        )
    ).first()
    if job is not None and job.request_hash != req.request_hash:
        raise IdempotencyConflict(req.idempotency_key)
    return job


class Recorded(NamedTuple):
    job: RenderJob
    message: OutboxMessage | None  # the render message to publish after commit (None: nothing to render)
    created: bool  # False for an idempotent replay of an earlier request


def create_job(
    session: Session, req: RenderRequest, *, cached: dict[str, Any] | None = None, retention_days: int = 30
) -> Recorded:
    """Record a render request in the caller's transaction.

    The plan's terms are checked first (cache hits included; raises QuotaExceeded or
    PlanLimitExceeded). With ``cached`` (a render-cache entry) the job is born succeeded and is
    neither queued nor charged. Otherwise the quota is charged and the job is inserted with its
    outbox message. The image is kept for the plan's retention (``retention_days`` is the fallback
    for a principal without one). Returns ``(job, message)``; ``message`` is None for cache hits
    and idempotent replays (which are never charged twice).
    """
    existing = find_idempotent(session, req)
    if existing is not None:
        return Recorded(existing, None, created=False)
    terms = quotas.terms_for(session, req.principal)
    quotas.check_render(
        req.principal,
        terms,
        fmt=req.spec.format,
        width=req.spec.width,
        height=req.spec.height,
        webhook=bool(req.webhook_url),
    )
    retention_days = terms.retention_days or retention_days
    if cached is not None:
        now = utcnow()
        job = _new_job(
            req,
            retention_days=retention_days,
            status=JobStatus.SUCCEEDED.value,
            cache_hit=True,
            queued_at=now,
            started_at=now,
            finished_at=now,
            render_ms=0,
            object_key=cached["object_key"],
            size=cached["size"],
            etag=cached["etag"],
            content_type=cached["content_type"],
            expires_at=now + dt.timedelta(days=retention_days),
        )
    else:
        job = _new_job(req, status=JobStatus.QUEUED.value, retention_days=retention_days)
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
            if cached is not None:
                return Recorded(job, None, created=True)
            message = OutboxMessage(task=RENDER_TASK, queue=RENDER_QUEUE, payload={"job_id": str(job.id)})
            session.add(message)
            session.flush()
            # Charged last, inside the savepoint: a refused charge (or a lost Idempotency-Key race
            # above) undoes the job, and the counter row's lock is held only until the commit that
            # follows, since every request of one owner updates that same row.
            quotas.charge_render(session, req.principal, req.spec.format, terms=terms)
    except IntegrityError:
        # A concurrent request with the same Idempotency-Key won the race.
        existing = find_idempotent(session, req)
        if existing is None:
            raise
        return Recorded(existing, None, created=False)
    return Recorded(job, message, created=True)


def dispatch(celery: Celery, settings: Settings, message: OutboxMessage) -> None:
    """Fast path: publish a committed outbox message now. Failure is fine: the relay republishes
    it once the grace period has passed."""
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


def consume_outbox(session: Session, outbox_id: int | None) -> None:
    """Acknowledge a message in the consumer's transaction, so the relay leaves it alone."""
    if outbox_id is not None:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == outbox_id, _OUTBOX.c.consumed_at.is_(None))
            .values(consumed_at=utcnow())
        )


def relay_outbox(
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


def job_lock_id(job_id: uuid.UUID | str) -> int:
    """A signed 64-bit advisory-lock id for a job (held while a worker renders it)."""
    value = uuid.UUID(str(job_id)).int >> 64
    return value - (1 << 64) if value >= (1 << 63) else value


@dataclasses.dataclass(frozen=True)
class Claim:
    outcome: str  # "claimed" | "finished" | "missing" | "dead"
    spec: dict[str, Any] | None = None
    spec_hash: str = ""
    attempts: int = 0
    # False when nobody can be subscribed (anonymous, no webhookUrl): no webhook lookup needed.
    may_notify: bool = True


def claim_job(session: Session, job_id: str, worker: str, max_attempts: int) -> Claim:
    """Move a job to ``running`` and count the attempt, or say why not. Caller holds the job lock.

    The common case is one guarded UPDATE ... RETURNING; only a refused claim looks further.
    """
    jid = uuid.UUID(job_id)
    row = session.execute(
        update(_JOBS)
        .where(
            _JOBS.c.id == jid,
            _JOBS.c.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
            _JOBS.c.attempts < max_attempts,
        )
        .values(
            status=JobStatus.RUNNING.value,
            attempts=_JOBS.c.attempts + 1,
            started_at=utcnow(),
            worker=worker,
        )
        .returning(_JOBS.c.spec, _JOBS.c.spec_hash, _JOBS.c.attempts, _JOBS.c.account_id, _JOBS.c.webhook_url)
    ).first()
    if row is not None:
        may_notify = row.account_id is not None or row.webhook_url is not None
        return Claim("claimed", row.spec, row.spec_hash, row.attempts, may_notify=may_notify)
    current = session.execute(
        select(_JOBS.c.status, _JOBS.c.attempts).where(_JOBS.c.id == jid).with_for_update()
    ).first()
    if current is None:
        return Claim("missing")
    if JobStatus(current.status).finished:
        return Claim("finished", attempts=current.attempts)
    session.execute(
        update(_JOBS)
        .where(_JOBS.c.id == jid)
        .values(
            status=JobStatus.DEAD.value,
            finished_at=utcnow(),
            error=f"gave up after {current.attempts} attempts (the render crashed or timed out every time)",
        )
    )
    return Claim("dead", attempts=current.attempts)


def mark_succeeded(
    session: Session,
    job_id: str,
    *,
    object_key: str,
    size: int,
    etag: str,
    content_type: str,
    render_ms: int,
    retention_days: int,
) -> bool:
    now = utcnow()
    result = session.execute(
        update(_JOBS)
        .where(_JOBS.c.id == uuid.UUID(job_id), _JOBS.c.status == JobStatus.RUNNING.value)
        .values(
            status=JobStatus.SUCCEEDED.value,
            finished_at=now,
            object_key=object_key,
            size=size,
            etag=etag,
            content_type=content_type,
            render_ms=render_ms,
            error=None,
            # The job's own retention (its plan's, when it was created) wins over the default.
            expires_at=literal(now, DateTime(timezone=True))
            + func.make_interval(0, 0, 0, func.coalesce(_JOBS.c.retention_days, retention_days)),
        )
    )
    return result.rowcount == 1


def mark_failed(session: Session, job_id: str, error: str, status: JobStatus = JobStatus.FAILED) -> bool:
    result = session.execute(
        update(_JOBS)
        .where(
            _JOBS.c.id == uuid.UUID(job_id),
            _JOBS.c.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
        )
        .values(status=status.value, finished_at=utcnow(), error=error[:2000])
    )
    return result.rowcount == 1


def requeue(session: Session, job_id: str, error: str) -> None:
    """Back to ``queued`` after an infrastructure failure, refunding the attempt: the caller sends
    the retry message right after this commits (the sweeper covers a retry that never arrives)."""
    session.execute(
        update(_JOBS)
        .where(_JOBS.c.id == uuid.UUID(job_id), _JOBS.c.status == JobStatus.RUNNING.value)
        .values(status=JobStatus.QUEUED.value, error=error[:2000], attempts=_JOBS.c.attempts - 1)
    )


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
            lock = job_lock_id(job.id)
            if not session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock}).scalar():
                continue  # a live worker is rendering it
            if job.attempts >= settings.max_attempts:
                job.status = JobStatus.DEAD.value
                job.finished_at = utcnow()
                job.error = f"gave up after {job.attempts} attempts (worker lost every time)"
                counts["dead"] += 1
                continue
            job.status = JobStatus.QUEUED.value
            session.add(OutboxMessage(task=RENDER_TASK, queue=RENDER_QUEUE, payload={"job_id": str(job.id)}))
            counts["requeued"] += 1
    return counts
