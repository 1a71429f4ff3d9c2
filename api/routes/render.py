"""Synchronous rendering: ``POST /api/v1/render`` (JSON spec) and ``GET /api/v1/render`` (embeds)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify, request

from api.errors import ApiError
from api.rendering import job_document, submit
from api.routes.common import (
    chartjs_request,
    etag_matches,
    flag,
    principal_for_request,
    quoted_etag,
    warnings_header,
)
from core.services.jobs import RenderRequest
from core.specs.chartjs import parse_query
from core.specs.model import FILE_EXTENSIONS

bp = Blueprint("render", __name__, url_prefix="/api/v1")
MAX_GET_URL = 2000


@bp.post("/render")
def post_render():
    started = time.perf_counter()
    req, payload = chartjs_request("sync")
    return_url = flag(payload.get("returnUrl", False))
    return _respond(req, return_url, started)


@bp.get("/render")
def get_render():
    started = time.perf_counter()
    length = len(request.full_path.rstrip("?"))
    if length > MAX_GET_URL:
        raise ApiError(
            414,
            f"URL is {length} characters; the limit is {MAX_GET_URL}. "
            "Send the chart with POST /api/v1/render",
            limit=MAX_GET_URL,
        )
    principal = principal_for_request()
    parsed = parse_query(request.args)
    req = RenderRequest(
        spec=parsed.spec, dialect="chartjs", principal=principal, mode="sync", warnings=parsed.warnings
    )
    return _respond(req, flag(request.args.get("returnUrl", False)), started)


def _respond(req: RenderRequest, return_url: bool, started: float) -> Response:
    if not return_url and etag_matches(req.cache_key):
        response = Response(status=304)
        response.headers["ETag"] = quoted_etag(req.cache_key)
        response.headers["X-Cache"] = "HIT"
        return response
    job, cache, data = submit(req, wait=True)
    if return_url:
        response = jsonify(job_document(job))
    else:
        response = Response(data, mimetype=job.content_type)
        response.headers["Content-Disposition"] = f'inline; filename="chart.{FILE_EXTENSIONS[job.format]}"'
        response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["ETag"] = quoted_etag(job.spec_hash)
    response.headers["X-Cache"] = cache
    response.headers["X-Job-Id"] = str(job.id)
    response.headers["X-Render-Time-Ms"] = str(round((time.perf_counter() - started) * 1000))
    warnings_header(response, job.warnings or [])
    return response
