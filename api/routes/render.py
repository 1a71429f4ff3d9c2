"""Synchronous rendering: ``POST /api/v1/render`` (JSON spec) and ``GET /api/v1/render`` (embeds)."""

from __future__ import annotations

import time

from flask import Blueprint, request

from api.errors import ApiError
from api.openapi import PAYMENT_REQUIRED, doc, image_response
from api.rendering import respond_with_image
from api.routes.common import (
    chartjs_request,
    flag,
    principal_for_request,
)
from api.schemas.jobs import JobSchema
from api.schemas.render import ChartRequestSchema, RenderQuerySchema
from api.theming import decorate
from core.services.jobs import RenderRequest
from core.specs.chartjs import parse_query

bp = Blueprint("render", __name__, url_prefix="/api/v1")
MAX_GET_URL = 2000
TAGS = ["Rendering"]
_IMAGE_HEADERS = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in (
        ("ETag", "Canonical SHA-256 of the normalized spec, quoted."),
        ("X-Cache", "HIT when served from storage without a render, else MISS."),
        ("X-Render-Time-Ms", "Time spent in the request, milliseconds."),
        ("X-Job-Id", "The job recording this render."),
        ("X-Chart-Warnings", "Ignored keys, comma-separated and percent-encoded."),
    )
}
_RENDER_RESPONSES = {
    200: image_response(
        "The image (or, with returnUrl, the finished job with its URL).",
        json_schema=JobSchema,
        headers=_IMAGE_HEADERS,
    ),
    304: "Not modified (If-None-Match matched the ETag).",
    402: PAYMENT_REQUIRED,
    403: "The key lacks the render scope.",
    422: "The chart could not be rendered (`jobId` and `code: render_failed` included).",
    504: "The render took longer than the sync timeout; `jobId` and `statusUrl` let you poll.",
}


@bp.post("/render")
@doc(
    summary="Render a chart from a JSON spec",
    description="Returns the image bytes, or JSON with the image URL when `returnUrl` is true. The "
    'QuickChart envelope `{"chart": {...}, "width": ...}` is accepted as well.',
    tags=TAGS,
    body=ChartRequestSchema,
    responses=_RENDER_RESPONSES,
)
def post_render():
    started = time.perf_counter()
    req, payload = chartjs_request("sync")
    req = decorate(req, payload)
    return_url = payload.get("returnUrl", False)
    if not isinstance(return_url, bool):  # a JSON body says true or false; query strings use flag()
        raise ApiError(400, "returnUrl must be true or false", field="returnUrl")
    return respond_with_image(req, started, return_url=return_url)


@bp.get("/render")
@doc(
    summary="Render a chart from URL parameters (for <img src>)",
    description="Either `chart`/`c` (the spec as base64url JSON) or the simple parameters. Pass the key as "
    f"`key` or `apiKey`. URLs over {MAX_GET_URL} characters get 414: use POST.",
    tags=TAGS,
    query=RenderQuerySchema,
    responses={**_RENDER_RESPONSES, 414: f"URL over {MAX_GET_URL} characters; use POST."},
)
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
    req = decorate(req, request.args, with_card=False)
    return respond_with_image(req, started, return_url=flag(request.args.get("returnUrl", False)))
