"""Asynchronous jobs: submit, poll, fetch the image.

A job id is a random UUID and works as a capability: anyone holding it may read the job and its
image (so it can be embedded), except that a caller authenticated as another account gets 404.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect

from api.errors import ApiError
from api.extensions import services
from api.openapi import PAYMENT_REQUIRED, doc, image_response
from api.rendering import job_document, read_image, status_url, submit
from api.routes import chart, finance, quickchart, webhooks
from api.routes.common import chartjs_request, etag_matches, json_body, principal_for_request, quoted_etag
from api.schemas.jobs import JobSchema
from api.schemas.render import IdempotencyHeaderSchema, JobRequestSchema
from api.theming import decorate
from core.db import utcnow
from core.models import JobStatus, RenderJob
from core.models.webhooks import MAX_URL_LENGTH
from core.services import quotas
from core.services.keys import Principal
from core.storage import StorageError

bp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs")


@bp.post("")
@doc(
    summary="Submit an asynchronous render",
    description="202 with the job; poll `statusUrl` or pass `webhookUrl`. Retries with the same "
    "Idempotency-Key and body return the first job and are not charged again. An Image-Charts chart "
    'is submitted as `{"dialect": "imagecharts", "params": {...} or "cht=...&chd=..."}`.',
    tags=["Jobs"],
    body=JobRequestSchema,
    headers=IdempotencyHeaderSchema,
    responses={
        202: JobSchema,
        402: PAYMENT_REQUIRED,
        403: "The key lacks the render scope, or the plan has no webhooks.",
        422: "Idempotency-Key reused with a different body.",
    },
)
def create_job():
    payload = json_body()
    if isinstance(payload, dict) and payload.get("dialect") == "imagecharts":
        req = chart.job_request(payload)
        params = payload.get("params")
        if isinstance(params, str):
            params = chart.parse_form(params.removeprefix("?").encode("utf-8"))
        req = decorate(req, params, with_card=False)  # brandKitId
    elif isinstance(payload, dict) and payload.get("dialect") == "finance":
        req = finance.job_request(payload)
    elif isinstance(payload, dict) and payload.get("dialect") == "quickchart":
        req = quickchart.job_request(payload)
    else:
        req, payload = chartjs_request("async")
        req = decorate(req, payload)  # brandKitId and card
    req = dataclasses.replace(req, webhook_url=_webhook_url(payload.get("webhookUrl")))
    job, _cache, _ = submit(req, wait=False)
    response = jsonify(job_document(job))
    response.status_code = 202
    response.headers["Location"] = status_url(job)
    return response


@bp.get("/<uuid:job_id>")
@doc(
    summary="A job's status, and its image URL once done",
    tags=["Jobs"],
    responses={200: JobSchema, 404: "Unknown job (or another account's)."},
)
def get_job(job_id: uuid.UUID):
    job = _visible_job(job_id, principal_for_request())
    return jsonify(job_document(job))


@bp.get("/<uuid:job_id>/image")
@doc(
    summary="A job's image",
    description="A 302 to a presigned URL (S3) or the bytes (local storage).",
    tags=["Jobs"],
    responses={
        200: image_response("The image."),
        302: {
            "description": "Redirect to the image in object storage.",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        304: "Not modified.",
        404: "Unknown job (or another account's).",
        409: "The job has not succeeded.",
        410: "The image expired.",
        503: "Storage unavailable.",
    },
)
def get_job_image(job_id: uuid.UUID):
    job = _visible_job(job_id, principal_for_request())
    if job.status != JobStatus.SUCCEEDED.value:
        detail = {"jobId": str(job.id), "status": job.status}
        if job.error:
            detail["jobError"] = job.error
        raise ApiError(409, f"The job is {job.status}; its image is not available", **detail)
    if job.expires_at and job.expires_at <= utcnow():
        raise ApiError(410, "The image has expired", jobId=str(job.id), expiredAt=job.expires_at.isoformat())
    if etag_matches(job.cache_key):
        response = Response(status=304)
    else:
        store = services().store
        try:
            direct = store.presigned_url(job.object_key, dt.timedelta(seconds=services().settings.url_ttl))
        except StorageError:
            direct = None
        response = (
            redirect(direct, code=302) if direct else Response(read_image(job), mimetype=job.content_type)
        )
    response.headers["ETag"] = quoted_etag(job.cache_key)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _visible_job(job_id: uuid.UUID, principal: Principal) -> RenderJob:
    with services().sessions() as session:
        job = session.get(RenderJob, job_id)
    if job is None or (principal.account_id and job.account_id and job.account_id != principal.account_id):
        raise ApiError(404, "Job not found", jobId=str(job_id))
    return job


def _webhook_url(value: object) -> str | None:
    """Shape and address safety (the SSRF rules, checked again at each attempt)."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        raise ApiError(
            400,
            f"webhookUrl must be an http(s) URL of at most {MAX_URL_LENGTH} characters",
            field="webhookUrl",
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, "webhookUrl must be an absolute http(s) URL", field="webhookUrl")
    # The plan first (403), as for any render option; then where the URL leads (resolves the host).
    with services().sessions() as session:
        terms = quotas.terms_for(session, principal_for_request())
    if not terms.webhooks_allowed:
        raise ApiError(
            403,
            f"Webhooks are not available on the {terms.name} plan",
            field="webhookUrl",
            plan=terms.name,
            upgradeUrl=quotas.UPGRADE_URL,
        )
    return webhooks.check_destination(value, field="webhookUrl")
