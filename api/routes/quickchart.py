"""QuickChart's HTTP API, so a team that used QuickChart changes only the host name:

* ``GET /chart?c=...`` and ``POST /chart`` (JSON body): dispatched here by ``api.routes.chart``
  when the request names a chart (``c``/``chart``) rather than an Image-Charts ``cht``;
* ``POST /chart/create`` -> ``{"success": true, "url": ".../chart/render/<id>"}`` and
  ``GET /chart/render/<id>`` (with QuickChart's template parameters);
* ``GET /qr``.

Every render goes through the shared pipeline (cache, quota, job row, worker) as the ``quickchart``
dialect. Errors keep QuickChart's form: the status, and the message in ``X-quickchart-error`` (what
QuickChart's client libraries read), with our JSON error body (``error``, ``field``, ``code``).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, Response, g, jsonify, request

from api import auth
from api.errors import ApiError, error_response
from api.extensions import services
from api.openapi import PAYMENT_REQUIRED, doc, image_response
from api.ratelimit import check_rate_limit
from api.rendering import absolute_url, respond_with_image
from api.routes.common import flag, idempotency, json_body, principal_for_request
from api.schemas.quickchart import QrQuerySchema, QuickChartBodySchema, ShortUrlSchema, TemplateQuerySchema
from api.theming import decorate
from core.services import short_charts
from core.services.jobs import RenderRequest
from core.services.keys import Principal
from core.services.plans import account_terms
from core.specs.chartjs import ParseResult
from core.specs.errors import SpecError
from core.specs.model import Theme
from core.specs.qrcode import parse_qr
from core.specs.quickchart import (
    QuickChartRequest,
    apply_template,
    is_template_name,
    kit_background,
    read_request,
    to_spec,
)
from core.specs.values import Warnings

bp = Blueprint("quickchart", __name__)
DIALECT = "quickchart"
ERROR_HEADER = "X-quickchart-error"
MAX_FIELDS = 1000
_CHART_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_ERRORS = (SpecError, ApiError)


def image_or_data_uri(description: str) -> dict[str, Any]:
    """An image response that may also be QuickChart's ``format=base64`` text."""
    response = image_response(description)
    response["content"]["text/plain"] = {
        "schema": {"type": "string", "description": "data:image/png;base64,..."}
    }
    return response


def is_json_post() -> bool:
    """``POST /chart`` with a JSON body is QuickChart's, unless it carries Image-Charts' ``cht``
    (Image-Charts posts forms only: such a body gets its 415)."""
    if request.method != "POST" or request.mimetype != "application/json":
        return False
    body = request.get_json(silent=True, cache=True)
    return not (isinstance(body, dict) and "cht" in body)


def chart_from_query(raw: bytes) -> Response:
    """``GET /chart`` in QuickChart's form. The query is decoded as QuickChart does: percent
    escapes only, a literal ``+`` stays a ``+`` (configs often hold one unencoded)."""
    started = time.perf_counter()
    try:
        params = literal_query(raw)
        principal = principal_for_request()
        qc = read_request(params)
        return _render(qc, principal, started, params)
    except _ERRORS as exc:
        return quickchart_error(exc)


def chart_from_form(params: dict[str, str]) -> Response:
    """``POST /chart`` as a form (QuickChart accepts one too)."""
    started = time.perf_counter()
    try:
        principal = _principal(params.get("key"))
        return _render(read_request(params), principal, started, params)
    except _ERRORS as exc:
        return quickchart_error(exc)


def chart_from_body() -> Response:
    """``POST /chart`` with QuickChart's JSON body."""
    started = time.perf_counter()
    try:
        body = json_body()
        principal = _principal(body.get("key") if isinstance(body, dict) else None)
        return _render(read_request(body), principal, started, body)
    except _ERRORS as exc:
        return quickchart_error(exc)


@bp.post("/chart/create")
@doc(
    summary="Create a short URL for a QuickChart chart",
    description="The body of `POST /chart` (QuickChart's form). The chart is validated, stored for the "
    "plan's retention and rendered by `GET /chart/render/<id>`; the answer is QuickChart's "
    '`{"success": true, "url": ...}`.',
    tags=["QuickChart"],
    body=QuickChartBodySchema,
    responses={200: ShortUrlSchema, 400: "The chart is invalid (X-quickchart-error)."},
)
def create_short_chart():
    try:
        body = json_body()
        principal = _principal(body.get("key") if isinstance(body, dict) else None)
        qc = read_request(body)
        to_spec(qc)  # refuse now what could never render
        svc = services()
        with svc.sessions() as session, session.begin():
            chart = short_charts.create(
                session, principal, qc.stored(), retention_days=svc.settings.retention_days
            )
            chart_id = chart.id
    except _ERRORS as exc:
        return quickchart_error(exc, success=False)
    return jsonify(success=True, url=absolute_url(f"/chart/render/{chart_id}"))


@bp.get("/chart/render/<chart_id>")
@auth.public  # a short URL renders for the account that created it (checked below)
@doc(
    summary="Render a chart stored with POST /chart/create",
    description="QuickChart's template parameters replace parts of the stored chart: `title`, `labels`, "
    "and per dataset N (from 1) `dataN`, `labelN`, `backgroundColorN`, `borderColorN`. The render "
    "counts against the account that created the URL (the client's address for anonymous URLs).",
    tags=["QuickChart"],
    query=TemplateQuerySchema,
    responses={
        200: image_or_data_uri("The chart in the stored format."),
        304: "Not modified (If-None-Match matched the ETag).",
        402: PAYMENT_REQUIRED,
        404: "No such chart, or it has expired.",
        429: "Rate limit exceeded.",
        504: "The render took longer than the sync timeout.",
    },
)
def render_short_chart(chart_id: str):
    started = time.perf_counter()
    try:
        svc = services()
        ip = auth.client_ip(request, svc.settings.trusted_proxies)
        with svc.sessions() as session:
            chart = short_charts.find(session, chart_id) if _CHART_ID.fullmatch(chart_id) else None
            if chart is None:
                raise ApiError(404, f"No chart {chart_id[:40]!r}: it does not exist or has expired")
            stored, account_id = chart.request, chart.account_id
            plan = account_terms(session, account_id) if account_id else None
        principal = Principal(client_ip=ip, account_id=account_id, plan=plan)
        if account_id is None:
            principal = principal_for_request()
        else:
            g.principal = principal
            g.rate_limit_headers = check_rate_limit(principal)
        qc = QuickChartRequest.from_stored(stored)
        args = literal_query(request.query_string)
        overrides = {k: v for k, v in args.items() if is_template_name(k)}
        warnings = Warnings()
        warnings.unknown_keys(args, (*overrides, "key", "apiKey"), "")
        config = apply_template(qc.config, overrides, qc.version)
        qc = dataclasses.replace(qc, config=config, warnings=(*qc.warnings, *warnings.as_tuple()))
        return _render(qc, principal, started)
    except _ERRORS as exc:
        return quickchart_error(exc)


@bp.get("/qr")
@doc(
    summary="Render a QR code (QuickChart's /qr)",
    description="QuickChart's QR code parameters; the image is `size` x `size` pixels, quiet zone included.",
    tags=["QuickChart"],
    query=QrQuerySchema,
    responses={
        200: image_response("The QR code (image/png or image/svg+xml)."),
        304: "Not modified (If-None-Match matched the ETag).",
        400: "A parameter is missing or invalid (X-quickchart-error).",
        402: PAYMENT_REQUIRED,
        504: "The render took longer than the sync timeout.",
    },
)
def qr():
    started = time.perf_counter()
    try:
        params = literal_query(request.query_string)
        parsed = parse_qr(params)
        return respond_with_image(_request(parsed, principal_for_request()), started)
    except _ERRORS as exc:
        return quickchart_error(exc)


def literal_query(raw: bytes) -> dict[str, str]:
    """``a=b&c=d`` with percent escapes decoded and ``+`` kept; the first value of a name wins."""
    params: dict[str, str] = {}
    parts = raw.decode("utf-8", "replace").split("&")
    if len(parts) > MAX_FIELDS:
        raise SpecError("", f"more than {MAX_FIELDS} parameters")
    for part in parts:
        if not part:
            continue
        name, _, value = part.partition("=")
        params.setdefault(unquote(name), unquote(value))
    return params


def quickchart_error(exc: SpecError | ApiError, **extra: Any) -> Response:
    """An error in QuickChart's form: the status and ``X-quickchart-error``, plus our JSON body."""
    if isinstance(exc, SpecError):
        message = str(exc)
        headers = {ERROR_HEADER: _header_text(message)}
        return error_response(exc.status, message, headers, field=exc.field, code=exc.code, **extra)
    headers = {**exc.headers, ERROR_HEADER: _header_text(exc.message)}
    return error_response(exc.status, exc.message, headers, **exc.detail, **extra)


def _header_text(message: str) -> str:
    # Header values are latin-1 without control characters: escape the rest so user text cannot
    # break (or smuggle) a header.
    text = message.encode("ascii", "backslashreplace").decode("ascii")
    return "".join(ch if " " <= ch <= "~" else " " for ch in text)[:1000]


def _principal(body_key: Any) -> Principal:
    """The caller; a key sent in a body counts when no header or query string carries one."""
    if not isinstance(body_key, str) or not body_key or auth.presented_key(request) is not None:
        return principal_for_request()
    svc = services()
    ip = auth.client_ip(request, svc.settings.trusted_proxies)
    principal = auth.principal_for_key(svc, body_key, ip)
    if principal is None:
        raise ApiError(401, "Invalid API key", field="key")
    g.principal = principal
    g.rate_limit_headers = check_rate_limit(principal)
    return principal


def _request(parsed: ParseResult, principal: Principal, mode: str = "sync", **fields: Any) -> RenderRequest:
    return RenderRequest(
        spec=parsed.spec, dialect=DIALECT, principal=principal, mode=mode, warnings=parsed.warnings, **fields
    )


def job_request(payload: dict[str, Any]) -> RenderRequest:
    """``POST /api/v1/jobs`` with ``{"dialect": "quickchart", <QuickChart's body>}``: the same
    parameters as ``POST /chart`` (a JS-literal ``chart`` string included), rendered asynchronously.
    Errors are the api's (the jobs route's shape), not QuickChart's."""
    body = {k: v for k, v in payload.items() if k not in ("dialect", "webhookUrl", "key", "apiKey")}
    key, request_hash = idempotency(payload)
    qc = read_request(body)
    req = _request(
        to_spec(qc), principal_for_request(), "async", idempotency_key=key, request_hash=request_hash
    )
    return _themed(decorate(req, body, with_card=False), qc)


def template_request(body: dict[str, Any], principal: Principal, theme: Theme | None) -> RenderRequest:
    """A QuickChart template's request, its overrides applied, in the brand kit ``theme``."""
    qc = read_request(body)
    req = _request(to_spec(qc), principal)
    return _themed(dataclasses.replace(req, spec=dataclasses.replace(req.spec, theme=theme)), qc)


def _themed(req: RenderRequest, qc: QuickChartRequest) -> RenderRequest:
    return dataclasses.replace(req, spec=kit_background(req.spec, qc))


def _render(qc: QuickChartRequest, principal: Principal, started: float, source: Any = None) -> Response:
    """Render ``qc`` in the brand kit ``source`` (the query, form or body) names, if any."""
    req = _themed(decorate(_request(to_spec(qc), principal), source, with_card=False), qc)
    return_url = isinstance(source, Mapping) and flag(source.get("returnUrl", False))
    return respond_with_image(req, started, return_url=return_url, as_data_uri=qc.format == "base64")
