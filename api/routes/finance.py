"""Finance snapshots at CHART-IMG's paths (``/v3/coinglass/advanced-chart`` and ``.../storage``),
their GET forms for ``<img src>``, the study catalogue, and the ``finance`` dialect of
``POST /api/v1/jobs``.

Errors keep the document's shapes: 400 ``{"message": "Invalid Request"}`` for a body that is not
JSON, 403 for a missing or bad key, 422 ``{"message": "Invalid Symbol"}`` and 422
``{"errors": [{"type": "field", ...}]}``. Platform refusals (402 quota, 429 rate limit, 504 render
timeout, ...) carry their usual detail with the text under ``message``.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for

from api import auth
from api.errors import ApiError
from api.extensions import services
from api.openapi import doc
from api.ratelimit import check_rate_limit
from api.rendering import read_image, respond_with_image, submit
from api.routes.common import flag, idempotency, principal_for_request, quoted_etag
from api.theming import theme_for
from core.db import get_engine, utcnow
from core.models import JobStatus, RenderJob
from core.services.jobs import RenderRequest
from core.services.keys import Principal
from core.services.market.snapshots import InvalidSymbol, snapshot_spec
from core.services.plans import ANONYMOUS
from core.specs.errors import SpecError
from core.specs.finance import SnapshotFieldErrors, SnapshotRequest, parse_snapshot, query_to_body
from core.specs.finance_studies import catalog_document
from core.specs.model import FILE_EXTENSIONS, Theme

bp = Blueprint("finance", __name__)
PATH = "/v3/coinglass/advanced-chart"


class _Refusal(Exception):
    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(status)
        self.status = status
        self.body = body


@bp.errorhandler(_Refusal)
def _refusal(exc: _Refusal):
    response = jsonify(exc.body)
    response.status_code = exc.status
    return response


@bp.errorhandler(ApiError)
def _platform_error(exc: ApiError):
    response = jsonify({"message": exc.message, **exc.detail})
    response.status_code = exc.status
    for name, value in exc.headers.items():
        response.headers[name] = value
    return response


def _principal() -> Principal:
    """The key is required (403 without a valid one); failures count against the client's address."""
    svc = services()
    try:
        key = auth.presented_key(request)
        principal = auth.authenticate(request, svc) if key else None
    except ApiError:
        principal = None
    if principal is None:
        ip = auth.client_ip(request, svc.settings.trusted_proxies)
        terms = auth.anonymous_plan_terms(svc, ANONYMOUS)
        g.rate_limit_headers = check_rate_limit(Principal(client_ip=ip, plan=terms))
        raise _Refusal(403, {"message": "Forbidden"})
    g.principal = principal
    g.rate_limit_headers = check_rate_limit(principal)
    return principal


def _body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}  # every field is optional: no body means the defaults
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Refusal(400, {"message": "Invalid Request"}) from exc
    if not isinstance(body, dict):
        raise _Refusal(400, {"message": "Invalid Request"})
    return body


def snapshot_request(
    body: dict[str, Any],
    principal: Principal,
    mode: str,
    location: str = "body",
    brand_kit: Any = None,
    **fields: Any,
) -> RenderRequest:
    """Parse, resolve and load a snapshot; the render request of the ``finance`` dialect. A brand
    kit (``brandKitId``, beyond the document) recolours the chart: background, text, grid, and its
    positive/negative colours for rising and falling candles."""
    svc = services()
    if isinstance(body, dict) and "brandKitId" in body:
        body = dict(body)
        brand_kit = body.pop("brandKitId")
    theme = None
    if brand_kit not in (None, ""):
        try:
            theme = theme_for(principal, brand_kit)
        except SpecError:
            error = {"type": "field", "value": brand_kit, "msg": "must be supported", "path": "brandKitId"}
            raise _Refusal(422, {"errors": [{**error, "location": location}]}) from None
    try:
        parsed: SnapshotRequest = parse_snapshot(
            body, default_symbol=svc.settings.finance_default_symbol, location=location
        )
        with svc.sessions() as session, get_engine(svc.settings.database_url).connect() as conn:
            spec = snapshot_spec(session, conn, parsed)
    except SnapshotFieldErrors as exc:
        raise _Refusal(422, {"errors": exc.errors}) from exc
    except InvalidSymbol as exc:
        raise _Refusal(422, {"message": "Invalid Symbol"}) from exc
    if theme is not None:
        spec = dataclasses.replace(spec, theme=theme)
    return RenderRequest(spec=spec, dialect="finance", principal=principal, mode=mode, **fields)


def job_request(payload: dict[str, Any]) -> RenderRequest:
    """``POST /api/v1/jobs`` with ``{"dialect": "finance", <snapshot fields>}``."""
    body = {k: v for k, v in payload.items() if k not in ("dialect", "webhookUrl")}
    key, request_hash = idempotency(payload)
    try:
        return snapshot_request(
            body, principal_for_request(), "async", idempotency_key=key, request_hash=request_hash
        )
    except _Refusal as exc:
        raise ApiError(exc.status, exc.body.get("message", "Invalid finance chart"), **exc.body) from exc


def template_request(body: dict[str, Any], principal: Principal, theme: Theme | None) -> RenderRequest:
    """A finance template's snapshot body in the brand kit ``theme``, rendered synchronously; a
    refused field is a 4xx naming it (the template route answers in the platform's error shape,
    not the document's)."""
    try:
        req = snapshot_request(body, principal, "sync")
    except _Refusal as exc:
        errors = exc.body.get("errors") or [{"path": "symbol", "msg": exc.body.get("message", "")}]
        first = errors[0]
        raise SpecError(first["path"], f"{first['msg']} (finance template)", status=exc.status) from exc
    return dataclasses.replace(req, spec=dataclasses.replace(req.spec, theme=theme))


def _iso(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _stored(req: RenderRequest) -> Response:
    job, _cache, _ = submit(req, wait=True)
    path = url_for("finance.stored_image", job_id=job.id, ext=FILE_EXTENSIONS[job.format])
    principal = g.get("principal")
    if principal is not None and principal.custom_domain:
        url = f"https://{principal.custom_domain}{path}"
    else:
        url = services().settings.public_url.rstrip("/") + path
    return jsonify(
        {
            "url": url,
            "size": job.size,
            "cors": "*",
            "etag": job.etag or job.cache_key,
            "expireAt": _iso(job.expires_at),
            "createdAt": _iso(job.finished_at or job.queued_at),
        }
    )


@bp.post(PATH)
@auth.public  # the key is checked in the view: the document answers 403, not 401
@doc(summary="Finance snapshot (CHART-IMG advanced chart)", tags=["Finance"], hidden=True)
def post_chart():
    started = time.perf_counter()
    principal = _principal()
    body = _body()
    return respond_with_image(
        snapshot_request(body, principal, "sync"), started, return_url=flag(body.get("returnUrl", False))
    )


@bp.get(PATH)
@auth.public
@doc(summary="Finance snapshot from query parameters", tags=["Finance"], hidden=True)
def get_chart():
    started = time.perf_counter()
    principal = _principal()
    return respond_with_image(
        snapshot_request(
            query_to_body(request.args), principal, "sync", "query", brand_kit=request.args.get("brandKitId")
        ),
        started,
        return_url=flag(request.args.get("returnUrl", False)),
    )


@bp.post(f"{PATH}/storage")
@auth.public
@doc(summary="Finance snapshot saved to public storage", tags=["Finance"], hidden=True)
def post_storage():
    principal = _principal()
    return _stored(snapshot_request(_body(), principal, "sync"))


@bp.get(f"{PATH}/storage")
@auth.public
@doc(summary="Finance snapshot saved to public storage, from query parameters", tags=["Finance"], hidden=True)
def get_storage():
    principal = _principal()
    return _stored(
        snapshot_request(
            query_to_body(request.args), principal, "sync", "query", brand_kit=request.args.get("brandKitId")
        )
    )


@bp.get(f"{PATH}/storage/<uuid:job_id>.<ext>")
@auth.public  # public by design: the URL is the capability, until expireAt
@doc(summary="A stored finance snapshot (public, CORS *)", tags=["Finance"], hidden=True)
def stored_image(job_id: uuid.UUID, ext: str):
    with services().sessions() as session:
        job = session.get(RenderJob, job_id)
    if (
        job is None
        or job.dialect != "finance"
        or job.status != JobStatus.SUCCEEDED.value
        or FILE_EXTENSIONS.get(job.format) != ext
        or (job.expires_at is not None and job.expires_at <= utcnow())
    ):
        raise _Refusal(404, {"message": "Not Found"})
    response = Response(read_image(job), mimetype=job.content_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["ETag"] = quoted_etag(job.cache_key)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/api/v1/finance/studies")
@auth.public
@doc(
    summary="Studies of the finance dialect",
    description="Each study's TradingView name, aliases, placement, default inputs and plots.",
    tags=["Finance"],
    responses={200: "The catalogue: a JSON object with `studies`."},
)
def studies():
    return jsonify({"studies": catalog_document()})


# Metric series for the metric studies: the platform's own error shape, so a blueprint of its own.
metrics_bp = Blueprint("finance_metrics", __name__, url_prefix="/api/v1")


@metrics_bp.post("/metrics")
@doc(
    summary="Push values of metric series (open interest, funding rates, ...)",
    description='`{"metrics": [{"symbol", "metric", "time", "value"} or {..., "open", "high", "low", '
    '"close"}]}`. Idempotent: a symbol, metric and time holds one value (a repeat overwrites it). Bad '
    "rows are reported by index and the good ones kept. For accounts in CHARTFLEET_MARKET_WRITERS. "
    "Finance snapshots draw them as studies (GET /api/v1/finance/studies names each study's metric).",
    tags=["Finance"],
    responses={
        200: "Counts: received, stored, changed, rejected, and the errors by index.",
        400: "No valid row, or not a JSON batch.",
        401: "No valid API key.",
        403: "This account may not write market data.",
    },
)
def post_metrics():
    from api.routes.market import writer_rows  # the market writers' rules, shared
    from core.services.market.metrics import store_metrics, validate_metrics

    rows, symbols = writer_rows("metrics")
    good, errors = validate_metrics(rows, symbols)
    if not good:
        raise ApiError(400, "No valid metric values in the request", rejected=len(errors), errors=errors)
    with get_engine(services().settings.database_url).begin() as conn:
        changed = store_metrics(conn, good)
    return jsonify(received=len(rows), stored=len(good), changed=changed, rejected=len(errors), errors=errors)
