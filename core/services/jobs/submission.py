"""Submitting a render: the request, its cache key, idempotency, the quota charge and the job row
written with its outbox message in the caller's transaction."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import uuid
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, literal, select, text
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import JobStatus, OutboxMessage, RenderJob
from core.queue import RENDER_TASK, render_queue
from core.services import outbox, quotas
from core.services.keys import Principal
from core.specs.model import ChartSpec, canonical_json, compute_cache_key

MAX_IDEMPOTENCY_KEY = 255  # characters (printable ASCII)


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
        return compute_cache_key(self.spec_dict, self.variant, canonical=self.canonical_spec)


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
        cache_key=req.cache_key,
        format=spec.format,
        width=spec.width,
        height=spec.height,
        warnings=[_storable(w) for w in req.warnings],
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
    _check_terms(req, terms)
    retention_days = terms.retention_days or retention_days
    if cached is None and not req.idempotency_key:
        return _enqueue_charged(session, req, terms, retention_days)
    if cached is not None:
        job = hit_job(req, cached, retention_days)
    else:
        job = _new_job(req, status=JobStatus.QUEUED.value, retention_days=retention_days)
    # Without an Idempotency-Key nothing here can hit a unique constraint and a refused charge
    # undoes the caller's whole transaction, so the savepoint (two round trips) is not needed.
    nested = session.begin_nested() if req.idempotency_key else contextlib.nullcontext()
    try:
        with nested:
            session.add(job)
            session.flush()
            if cached is not None:
                return Recorded(job, None, created=True)
            message = outbox.add(session, RENDER_TASK, queue=queue_for(job), job_id=str(job.id))
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


# The common case of ``create_job`` (a render to queue, no Idempotency-Key) in one statement, one
# round trip: the quota charge (the conditional upsert of ``quotas.charge_render``), the job row
# only if the charge was granted, and its outbox message only if the job row was written. All three
# commit or roll back together with the caller's transaction, as the ORM path's three flushes did;
# the counter row's lock is taken by this same statement and held until the commit that follows.
# Being one statement, it is also a transaction by itself: the api sends it alone
# (``core.db.statement_session``), without a BEGIN or a COMMIT around it.
_ENQUEUE = text(
    f"""
    WITH charge AS ({quotas.CHARGE_SQL}),
    job AS (
        INSERT INTO render_jobs (
            id, account_id, api_key_id, client_ip, owner, dialect, mode, spec, cache_key, format,
            width, height, warnings, status, cache_hit, attempts, idempotency_key, request_hash,
            webhook_url, retention_days
        )
        SELECT
            CAST(:id AS uuid), CAST(:account_id AS uuid), CAST(:api_key_id AS uuid),
            CAST(:client_ip AS text), CAST(:job_owner AS text), CAST(:dialect AS text),
            CAST(:mode AS text), CAST(:spec AS json), CAST(:cache_key AS text),
            CAST(:format AS text), CAST(:width AS integer), CAST(:height AS integer),
            CAST(:warnings AS jsonb), CAST(:status AS text), false, 0, NULL, NULL,
            CAST(:webhook_url AS text), CAST(:retention_days AS integer)
        FROM charge
        RETURNING queued_at
    ),
    message AS (
        INSERT INTO outbox (task, queue, payload, publish_count)
        SELECT CAST(:task AS text), CAST(:queue AS text), CAST(:payload AS jsonb), 0 FROM job
        RETURNING id, created_at
    )
    SELECT job.queued_at, message.id AS message_id, message.created_at AS message_created_at
    FROM job, message
    """  # noqa: S608 - built from constants only (the charge's SQL), never from input
)


def _enqueue_charged(
    session: Session, req: RenderRequest, terms: quotas.PlanTerms, retention_days: int
) -> Recorded:
    """``create_job`` for a render to queue without an Idempotency-Key: one statement (``_ENQUEUE``)
    instead of three ORM flushes. Raises QuotaExceeded when a hard quota is used up."""
    principal, spec = req.principal, req.spec
    job_id = uuid.uuid4()
    queue = render_queue(req.mode, spec.format, spec.width, spec.height)
    payload = {"job_id": str(job_id)}
    warnings = [_storable(w) for w in req.warnings]
    columns = {
        "id": job_id,
        "account_id": principal.account_id,
        "api_key_id": principal.api_key_id,
        "client_ip": principal.client_ip,
        "owner": principal.owner,
        "dialect": req.dialect,
        "mode": req.mode,
        "cache_key": req.cache_key,
        "format": spec.format,
        "width": spec.width,
        "height": spec.height,
        "status": JobStatus.QUEUED.value,
        "webhook_url": req.webhook_url,
        "retention_days": retention_days,
    }
    row = session.execute(
        _ENQUEUE,
        {
            **columns,
            **quotas.charge_params(principal, terms),  # its :owner is the usage owner
            "job_owner": principal.owner,
            "spec": req.canonical_spec,
            "warnings": json.dumps(warnings),
            "task": RENDER_TASK,
            "queue": queue,
            "payload": json.dumps(payload),
        },
    ).first()
    if row is None:
        quotas.refuse_charge(session, principal, terms)
    job = RenderJob(**columns, warnings=warnings, cache_hit=False, attempts=0, queued_at=row.queued_at)
    message = OutboxMessage(
        id=row.message_id,
        task=RENDER_TASK,
        queue=queue,
        payload=payload,
        created_at=row.message_created_at,
        publish_count=0,
    )
    return Recorded(job, message, created=True)


def hit_job(req: RenderRequest, cached: dict[str, Any], retention_days: int, **fields: Any) -> RenderJob:
    """The job row of a cache hit: born succeeded, pointing at the cached object (not persisted)."""
    now = utcnow()
    return _new_job(
        req,
        retention_days=retention_days,
        status=JobStatus.SUCCEEDED.value,
        cache_hit=True,
        attempts=0,
        queued_at=now,
        started_at=now,
        finished_at=now,
        render_ms=0,
        object_key=cached["object_key"],
        size=cached["size"],
        etag=cached["etag"],
        content_type=cached["content_type"],
        expires_at=now + dt.timedelta(days=retention_days),
        **fields,
    )


def record_hit_later(
    req: RenderRequest, cached: dict[str, Any], *, retention_days: int, record: Any
) -> RenderJob:
    """A cache hit whose history row is written later (core.services.hit_log): the plan's terms are
    checked as for any render, nothing is charged (hits are free), and ``record(job)`` appends the
    row to the hit log before the caller answers. Needs the principal's plan snapshot (taken at
    authentication). Returns the (not persisted) job."""
    terms = req.principal.plan
    if terms is None:
        raise ValueError("record_hit_later needs a principal with its plan terms")
    _check_terms(req, terms)
    job = hit_job(req, cached, terms.retention_days or retention_days, id=uuid.uuid4())
    record(job)
    return job


def _check_terms(req: RenderRequest, terms: quotas.PlanTerms) -> None:
    """Raise QuotaExceeded or PlanLimitExceeded unless ``terms`` allow ``req``."""
    quotas.check_render(
        req.principal,
        terms,
        fmt=req.spec.format,
        width=req.spec.width,
        height=req.spec.height,
        webhook=bool(req.webhook_url),
    )


def queue_for(job: RenderJob) -> str:
    """The logical render queue of ``job`` (interactive, batch or heavy)."""
    return render_queue(job.mode, job.format, job.width, job.height)


def _storable(text: str) -> str:
    """``text`` as Postgres can store it in JSONB: no NUL character, no lone surrogate (both can come
    from key names a client sent, echoed in a warning)."""
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
