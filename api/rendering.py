"""The render flow shared by the sync and async routes: cache, record, dispatch, wait."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import redis
from flask import Response, g, has_request_context, jsonify, url_for

from api import db_outage
from api.errors import ApiError
from api.extensions import services
from api.routes.common import etag_matches, quoted_etag, warnings_header
from core import metrics
from core.db import statement_session, transaction, utcnow
from core.models import JobStatus, RenderJob
from core.services import events, hit_log, jobs, outbox
from core.services.quotas import PlanLimitExceeded, QuotaExceeded
from core.services.webhooks import deliveries as webhook_deliveries
from core.specs.model import FILE_EXTENSIONS
from core.storage import ObjectNotFound, StorageError


def submit(
    req: jobs.RenderRequest, *, wait: bool, lazy_history: bool = False
) -> tuple[RenderJob, str, bytes | None]:
    """Record ``req`` and, for sync callers, wait for it. Returns ``(job, cache, image_bytes)``:
    ``cache`` is "HIT" or "MISS"; bytes are set only for a finished sync render. With
    ``lazy_history`` (the caller never shows the job's URL) a sync cache hit is recorded in the
    hit log (core.services.hit_log) and reaches render history within seconds, without Postgres."""
    job, cache, data = _submit(req, wait=wait, lazy_history=lazy_history)
    metrics.RENDER_REQUESTS.labels(req.dialect, req.spec.format, cache).inc()
    return job, cache, data


@contextlib.contextmanager
def _plan_refusals() -> Iterator[None]:
    """The plan's refusals (and an Idempotency-Key reused for another body) as API errors."""
    try:
        yield
    except jobs.IdempotencyConflict as exc:
        raise ApiError(
            422, "Idempotency-Key was already used with a different request body", idempotencyKey=str(exc)
        ) from exc
    except QuotaExceeded as exc:
        body = dict(exc.body)
        raise ApiError(402, str(body.pop("error")), **body) from exc
    except PlanLimitExceeded as exc:
        raise ApiError(exc.status, exc.message, **exc.detail) from exc


def _submit(
    req: jobs.RenderRequest, *, wait: bool, lazy_history: bool
) -> tuple[RenderJob, str, bytes | None]:
    svc = services()
    settings = svc.settings
    cached = _lookup_cache(req.cache_key, refuse_while_storage_down=wait)
    cached_bytes: bytes | None = None
    if cached is not None and wait:
        try:
            cached_bytes = svc.store.get(cached["object_key"])
        except ObjectNotFound:
            events.forget_rendered(svc.redis, settings.redis_prefix, req.cache_key)
            cached = None
        except StorageError as exc:  # a cache hit needs the store too: 503, and tell every process
            raise storage_unavailable() from exc
    if cached_bytes is not None and lazy_history and not req.idempotency_key and req.principal.plan:
        job = _record_hit(req, cached)
        if job is not None:
            return job, "HIT", cached_bytes
    # A render to queue without an Idempotency-Key is recorded by one statement (quota charge, job
    # row, outbox row: jobs.create_job), which needs no transaction around it.
    alone = cached is None and not req.idempotency_key
    with _plan_refusals(), (statement_session if alone else transaction)(svc.sessions) as session:
        job, message, created = jobs.create_job(
            session, req, cached=cached, retention_days=settings.retention_days
        )
        # A cache hit is a finished render too: its webhooks go out like the worker's would.
        hooks = (
            webhook_deliveries.enqueue_job_event(session, job.id, settings, utcnow())
            if created and job.cache_hit and (job.account_id or job.webhook_url)
            else []
        )

    for hook in hooks:
        outbox.dispatch(svc.celery, settings, hook)
    if message is None and JobStatus(job.status).finished:  # a cache hit, or a replay of a finished job
        if cached is not None:
            events.remember_rendered(
                svc.redis, settings.redis_prefix, req.cache_key, cached, ttl=settings.retention_days * 86400
            )
        label = "HIT" if job.cache_hit else "MISS"
        if not wait:
            return job, label, None
        _raise_if_failed(job)
        same = cached is not None and cached_bytes is not None and job.object_key == cached["object_key"]
        return job, label, cached_bytes if same else read_image(job)
    if not wait:
        if message is not None:
            outbox.dispatch(svc.celery, settings, message)
        return job, "MISS", None

    event = None
    with events.JobWaiter(svc.redis, settings.redis_prefix, job.id) as waiter:
        if message is not None:
            # Subscribed before the message goes out: the job cannot finish unheard, so there is
            # nothing to read back before waiting (a lost event costs the timeout, then the row).
            outbox.dispatch(svc.celery, settings, message)
        else:
            job = _reload(job.id)  # an idempotent replay of a job already on its way
        if not JobStatus(job.status).finished:
            event = _wait(waiter, job.id, settings.sync_timeout)
            done = _succeeded_from_event(job, event) if lazy_history else None
            job = done or _reload(job.id)
    if not JobStatus(job.status).finished and event and event.get("reason") == events.STORAGE_UNAVAILABLE:
        raise ApiError(
            503,
            "Image storage is unavailable; the render is queued and finishes once it is back",
            headers={"Retry-After": str(max(1, round(settings.storage_retry_after)))},
            jobId=str(job.id),
            status=job.status,
            statusUrl=status_url(job),
        )
    if not JobStatus(job.status).finished:
        raise ApiError(
            504,
            f"The render did not finish within {settings.sync_timeout:g}s; poll the job for its result",
            jobId=str(job.id),
            status=job.status,
            statusUrl=status_url(job),
        )
    _raise_if_failed(job)
    return job, "MISS", read_image(job)


def _wait(waiter: events.JobWaiter, job_id, timeout: float) -> dict[str, Any] | None:
    """The job's completion event, or None after ``timeout``. When some process announces that
    Postgres cannot be reached (``events.announce_database_down``), or this one already knows it,
    the job's row is read: that raises the outage's 503 while the cut lasts, instead of holding the
    caller for the whole timeout for a worker that cannot finish; a stale announcement costs one
    query, and a job found finished ends the wait (its event was missed)."""
    deadline = time.monotonic() + timeout
    if db_outage.STATE.down and JobStatus(_reload(job_id).status).finished:
        return None
    while (left := deadline - time.monotonic()) > 0:
        event = waiter.wait(left)
        if event is None or event.get("reason") != events.DATABASE_UNAVAILABLE:
            return event
        if JobStatus(_reload(job_id).status).finished:
            return None
    return None


def respond_with_image(
    req: jobs.RenderRequest, started: float, *, return_url: bool = False, as_data_uri: bool = False
) -> Response:
    """The answer of every synchronous render route: 304 when the caller already has this image
    (If-None-Match), else the image bytes (or, with ``return_url``, the job document with its URL;
    with ``as_data_uri``, QuickChart's ``data:<type>;base64,...`` text), with the cache and timing
    headers."""
    etag = req.cache_key + ("-base64" if as_data_uri else "")
    if not return_url and etag_matches(etag):
        response = Response(status=304)
        response.headers["ETag"] = quoted_etag(etag)
        response.headers["X-Cache"] = "HIT"
        return response
    job, cache, data = submit(req, wait=True, lazy_history=not return_url)
    if return_url:
        response = jsonify(job_document(job))
    elif as_data_uri:
        body = f"data:{job.content_type};base64,{base64.b64encode(data or b'').decode('ascii')}"
        response = Response(body, mimetype="text/plain")
        response.headers["Cache-Control"] = "public, max-age=86400"
    else:
        response = Response(data, mimetype=job.content_type)
        response.headers["Content-Disposition"] = f'inline; filename="chart.{FILE_EXTENSIONS[job.format]}"'
        response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["ETag"] = quoted_etag(job.cache_key + ("-base64" if as_data_uri else ""))
    response.headers["X-Cache"] = cache
    response.headers["X-Job-Id"] = str(job.id)
    response.headers["X-Render-Time-Ms"] = str(round((time.perf_counter() - started) * 1000))
    warnings_header(response, list(req.warnings))  # this request's, also on a cache hit
    return response


def _record_hit(req: jobs.RenderRequest, cached: dict[str, Any]) -> RenderJob | None:
    """The hot path of a sync cache hit: plan checked from the principal's snapshot, history row
    appended to the hit log with the cache entry's refresh, one Redis round trip, no Postgres.
    None when Redis refuses the write (the caller records the hit in Postgres instead)."""
    svc = services()
    prefix = svc.settings.redis_prefix
    pipe = svc.redis.pipeline(transaction=False)

    def record(job: RenderJob) -> None:
        hit_log.record(pipe, prefix, job, req.canonical_spec)
        events.remember_rendered(pipe, prefix, req.cache_key, cached, ttl=svc.settings.retention_days * 86400)
        pipe.execute()

    with _plan_refusals():
        try:
            return jobs.record_hit_later(
                req, cached, retention_days=svc.settings.retention_days, record=record
            )
        except redis.RedisError:
            return None


def _raise_if_failed(job: RenderJob) -> None:
    """A finished render that produced no image. Every such failure comes from the chart itself (it
    cannot be drawn, takes longer than the time limit, or crashed the worker every time), so it is
    a 422 the client can act on, never a 5xx; the job keeps the details."""
    if job.status != JobStatus.SUCCEEDED.value:
        raise ApiError(
            422,
            f"The chart could not be rendered: {job.error}",
            jobId=str(job.id),
            status=job.status,
            code="render_failed",
        )


def _lookup_cache(cache_key: str, *, refuse_while_storage_down: bool) -> dict[str, Any] | None:
    """The render-cache entry of ``cache_key``, in the same round trip as the storage-down flag:
    a sync render cannot be served while the object store is known to be down, so it is told at
    once (503). A Redis outage means a render, not an error (the render may still work)."""
    svc = services()
    try:
        entry, down_for = events.lookup_rendered_and_storage(svc.redis, svc.settings.redis_prefix, cache_key)
    except Exception:  # noqa: BLE001 - a cache outage means a render, not an error
        return None
    if refuse_while_storage_down and down_for:
        raise ApiError(
            503, "Image storage is unavailable; retry shortly", headers={"Retry-After": str(down_for)}
        )
    return entry


def _succeeded_from_event(job: RenderJob, event: dict[str, Any] | None) -> RenderJob | None:
    """``job`` as the worker's success event describes it (its image's columns; the event is sent
    after the row is committed with them), or None when the row must be read (no event, another
    outcome, or an event of an older worker without the columns)."""
    if not event or event.get("status") != JobStatus.SUCCEEDED.value or "object_key" not in event:
        return None
    job.status = JobStatus.SUCCEEDED.value
    for column in ("object_key", "size", "etag", "content_type"):
        setattr(job, column, event[column])
    return job


def _reload(job_id) -> RenderJob:
    with services().sessions() as session:
        return session.get(RenderJob, job_id)


def read_image(job: RenderJob) -> bytes:
    try:
        return services().store.get(job.object_key)
    except ObjectNotFound as exc:
        raise ApiError(410, "The image has expired or was deleted", jobId=str(job.id)) from exc
    except StorageError as exc:
        raise storage_unavailable(jobId=str(job.id)) from exc


def storage_unavailable(**detail: Any) -> ApiError:
    """The 503 of a read the object store failed. The store is marked down for every process (as a
    failed write in a worker does), so the next sync renders are refused at once, not after a wait."""
    svc = services()
    seconds = max(1, round(svc.settings.storage_retry_after))
    try:
        events.mark_storage_down(svc.redis, svc.settings.redis_prefix, seconds)
    except redis.RedisError:
        pass  # a Redis outage is handled by its own rules; this answer is still a 503
    return ApiError(
        503, "Image storage is unavailable; retry shortly", headers={"Retry-After": str(seconds)}, **detail
    )


def status_url(job: RenderJob) -> str:
    return absolute_url(url_for("jobs.get_job", job_id=job.id))


def image_url(job: RenderJob) -> str:
    return absolute_url(url_for("jobs.get_job_image", job_id=job.id))


def absolute_url(path: str) -> str:
    """An absolute URL on the caller's custom domain (``/api/v1/settings/custom-domain``), else on
    CHARTFLEET_PUBLIC_URL."""
    principal = g.get("principal") if has_request_context() else None
    if principal is not None and principal.custom_domain:
        return f"https://{principal.custom_domain}{path}"
    return services().settings.public_url.rstrip("/") + path


def job_document(job: RenderJob, *, with_direct_url: bool = True) -> dict[str, Any]:
    """The job as clients see it (status, timings, and when done its image)."""
    from api.schemas.jobs import job_schema

    data: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "dialect": job.dialect,
        "format": job.format,
        "width": job.width,
        "height": job.height,
        "cache_hit": job.cache_hit,
        "attempts": job.attempts,
        "queued_at": job.queued_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "render_ms": job.render_ms,
        "error": job.error,
        "warnings": job.warnings or [],
        "statusUrl": status_url(job),
    }
    if job.status == JobStatus.SUCCEEDED.value and job.object_key:
        data.update(
            url=image_url(job),
            size=job.size,
            etag=job.cache_key,
            contentType=job.content_type,
            expiresAt=job.expires_at,
        )
        if with_direct_url:
            ttl = dt.timedelta(seconds=services().settings.url_ttl)
            try:
                direct = services().store.presigned_url(job.object_key, ttl)
            except StorageError:
                direct = None
            if direct:
                data.update(directUrl=direct, directUrlExpiresAt=utcnow() + ttl)
    return job_schema.dump(data)
