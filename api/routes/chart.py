"""The Image-Charts compatible route: ``GET /chart`` and ``POST /chart`` (a form), rendered
synchronously through the shared pipeline (cache, job row, worker), plus the helper that turns the
same parameters into an asynchronous ``imagecharts`` job for ``POST /api/v1/jobs``.

Errors keep Image-Charts' shape: the status (400 for a bad parameter, 403 for a bad signature,
413/415 for a body that is too big or not a form), a JSON body naming the parameter, the same
message in ``X-Ic-Error-Validation`` (a JSON list of ``{"message", "parameter"}``, what Image-Charts'
client libraries read) and a stable code in ``X-Ic-Error-Code``.

Who renders: a valid signature (``icac`` + ``ichm``) attributes the render to that account; without
one, an API key if given, else the anonymous client. A bad signature is refused before anything
is parsed or rendered.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request

from api import auth
from api.errors import ApiError, error_response
from api.extensions import services
from api.openapi import PAYMENT_REQUIRED, doc
from api.ratelimit import check_rate_limit, count_auth_failure
from api.rendering import respond_with_image
from api.routes import quickchart
from api.routes.common import flag, idempotency, principal_for_request
from api.schemas.imagecharts import ChartQuerySchema
from api.schemas.quickchart import ChartRouteQuerySchema, QuickChartBodySchema
from api.theming import decorate
from core.services import signing
from core.services.jobs import RenderRequest
from core.services.keys import Principal
from core.services.plans import account_terms
from core.specs.chartjs import ParseResult
from core.specs.errors import SpecError
from core.specs.imagecharts import codes, parse_imagecharts
from core.specs.imagecharts.style import WATERMARK_KEY
from core.specs.quickchart import is_quickchart

bp = Blueprint("chart", __name__)
MAX_POST_BYTES = 100 * 1024
MAX_FIELDS = 1000
FORM_TYPES = ("", "application/x-www-form-urlencoded")


@bp.route("/chart", methods=["GET", "POST"])
@auth.public  # authenticated below: a signed URL names its own account
@doc(
    summary="Render an Image-Charts (Google Image Charts) URL or a QuickChart request",
    description="Image-Charts parameters as a query string (GET) or an "
    "application/x-www-form-urlencoded body of at most 100 KB (POST). Returns a PNG, a GIF when "
    "`chan` asks for an animation, or an SVG for a QR code with `chof=.svg`. What cannot be drawn is "
    "ignored and listed in X-Chart-Warnings. Sign with `icac` + `ichm` to render for an account. "
    "A request that names a chart with `c`/`chart` (and no `cht`), or a JSON body, is QuickChart's: "
    "see the QuickChart parameters (errors then carry X-quickchart-error).",
    tags=["Image-Charts", "QuickChart"],
    query=ChartRouteQuerySchema,
    body={
        "application/x-www-form-urlencoded": {"schema": ChartQuerySchema},
        "application/json": {"schema": QuickChartBodySchema},
    },
    body_required=False,
    responses={
        200: quickchart.image_or_data_uri(
            "The chart (image/png, image/gif when animated, image/svg+xml for a QR code with chof=.svg; "
            "QuickChart: the requested format, or a data URI as text/plain for f=base64)."
        ),
        304: "Not modified (If-None-Match matched the ETag).",
        400: "A parameter is missing or invalid (X-Ic-Error-Code, X-Ic-Error-Validation).",
        401: "QuickChart form: the API key is malformed, unknown, revoked or expired.",
        402: PAYMENT_REQUIRED,
        403: "The signature (icac/ichm) does not verify.",
        413: "POST body over 100 KB.",
        415: "POST body is not a form.",
        422: "The chart could not be rendered.",
        504: "The render took longer than the sync timeout.",
    },
)
def chart():
    if quickchart.is_json_post():
        return quickchart.chart_from_body()
    started = time.perf_counter()
    try:
        raw = _raw_parameters()
        params = parse_form(raw)
        if is_quickchart(params):  # c/chart rather than cht: QuickChart's form of the route
            if request.method == "POST":
                return quickchart.chart_from_form(params)
            return quickchart.chart_from_query(raw)
        principal, signed = _caller(raw)
        parsed = parse_imagecharts(params)
        req = render_request(parsed, principal, "sync", signed=signed)
        req = decorate(req, params, with_card=False)  # brandKitId
        return respond_with_image(req, started, return_url=flag(params.get("returnUrl", False)))
    except SpecError as exc:
        return ic_error(exc.status, exc.code, str(exc), exc.field)
    except signing.SigningError as exc:
        return ic_error(403, exc.code, exc.message, exc.parameter)
    except ApiError as exc:
        code = (
            codes.PIPELINE_CODES[500]  # the chart could not be drawn (a 422)
            if exc.detail.get("code") == "render_failed"
            else codes.PIPELINE_CODES.get(exc.status, codes.INVALID_REQUEST)
        )
        exc.headers = {**exc.headers, **_ic_headers(code, exc.message, str(exc.detail.get("field", "")))}
        raise


def ic_error(status: int, code: str, message: str, parameter: str) -> Response:
    """An Image-Charts style error: JSON body, X-Ic-Error-Code and X-Ic-Error-Validation."""
    return error_response(status, message, _ic_headers(code, message, parameter), field=parameter, code=code)


def _ic_headers(code: str, message: str, parameter: str) -> dict[str, str]:
    # JSON with ensure_ascii: user text can never break (or smuggle) a header
    validation = json.dumps([{"message": message, "parameter": parameter}], ensure_ascii=True)
    return {"X-Ic-Error-Code": code, "X-Ic-Error-Validation": validation}


def parse_form(raw: bytes) -> dict[str, str]:
    """``name=value&...`` (percent-encoded, ``+`` for spaces) into a dict; the first value wins."""
    try:
        pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise SpecError("", f"more than {MAX_FIELDS} parameters", code=codes.LIMIT_EXCEEDED) from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def _raw_parameters() -> bytes:
    if request.method != "POST":
        return request.query_string
    if request.mimetype not in FORM_TYPES:
        raise SpecError(
            "body",
            f"must be application/x-www-form-urlencoded, got {request.mimetype}",
            code=codes.UNSUPPORTED_MEDIA_TYPE,
            status=415,
        )
    too_big = SpecError(
        "body", f"is larger than {MAX_POST_BYTES // 1024} KB", code=codes.BODY_TOO_LARGE, status=413
    )
    length = request.content_length
    if length is not None and length > MAX_POST_BYTES:
        _drain(length)
        raise too_big
    body = request.stream.read(MAX_POST_BYTES + 1)
    if len(body) > MAX_POST_BYTES:
        _drain(None)
        raise too_big
    return body


def _drain(length: int | None) -> None:
    """Read (and drop) the rest of a refused body, up to the app's body limit, so the client gets
    its 413 instead of a connection closed while it was still sending."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if length is not None and length > limit:
        return
    while request.stream.read(64 * 1024):
        pass


def _caller(raw: bytes) -> tuple[Principal, bool]:
    """The principal of the request and whether it was signed."""
    signed = signing.split_signed_query(raw)
    if signed is None:
        return principal_for_request(), False
    svc = services()
    ip = auth.client_ip(request, svc.settings.trusted_proxies)
    try:
        with svc.sessions() as session, session.begin():
            account = signing.verify(session, signed, svc.settings.secret_key)
            principal = Principal(
                client_ip=ip,
                account_id=account.id,
                plan=account_terms(session, account.id),
                label=account.name,
            )
    except signing.SigningError as exc:
        # Failed signatures count against the address's failed-authentication limit, like wrong keys.
        over = count_auth_failure(ip)
        if over is not None:
            raise over from exc
        raise
    g.principal = principal
    g.rate_limit_headers = check_rate_limit(principal)
    return principal, True


def render_request(
    parsed: ParseResult, principal: Principal, mode: str, *, signed: bool, **fields: Any
) -> RenderRequest:
    """A render request for parsed Image-Charts parameters; renders that are neither signed nor
    made with an API key carry the watermark when the server asks for one."""
    spec = parsed.spec
    settings = services().settings
    if settings.watermark_unsigned and not signed and principal.anonymous:
        spec = dataclasses.replace(spec, extras=(*spec.extras, (WATERMARK_KEY, settings.watermark_text)))
    return RenderRequest(
        spec=spec, dialect="imagecharts", principal=principal, mode=mode, warnings=parsed.warnings, **fields
    )


def job_request(payload: dict[str, Any]) -> RenderRequest:
    """``POST /api/v1/jobs`` with ``{"dialect": "imagecharts", "params": ...}``: ``params`` is an
    object of strings or the query string itself (signed requests must use the string form, the
    one their signature covers)."""
    value = payload.get("params")
    if isinstance(value, str):
        raw = value.removeprefix("?").encode("utf-8")
        params = parse_form(raw)
        try:
            signed = signing.split_signed_query(raw)
        except signing.SigningError as exc:
            raise ApiError(403, exc.message, field=f"params.{exc.parameter}", code=exc.code) from exc
    elif isinstance(value, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ApiError(
                400, "params values must all be strings", field="params", code=codes.INVALID_REQUEST
            )
        if "icac" in value or "ichm" in value:
            raise ApiError(
                400,
                "send signed parameters (icac/ichm) as the query string, the text the signature covers",
                field="params",
                code=codes.INVALID_REQUEST,
            )
        params, signed = dict(value), None
    else:
        raise ApiError(
            400,
            "params must be the /chart parameters: an object of strings or a query string",
            field="params",
            code=codes.INVALID_REQUEST,
        )
    principal = principal_for_request()
    if signed is not None:
        svc = services()
        with svc.sessions() as session, session.begin():
            try:
                account = signing.verify(session, signed, svc.settings.secret_key)
            except signing.SigningError as exc:
                raise ApiError(403, exc.message, field=f"params.{exc.parameter}", code=exc.code) from exc
            if principal.account_id not in (None, account.id):
                raise ApiError(403, "icac names another account than the API key's", field="params.icac")
            if principal.account_id is None:
                principal = Principal(
                    client_ip=principal.client_ip,
                    account_id=account.id,
                    plan=account_terms(session, account.id),
                    label=account.name,
                )
    parsed = parse_imagecharts(params)
    key, request_hash = idempotency(payload)
    return render_request(
        parsed, principal, "async", signed=signed is not None, idempotency_key=key, request_hash=request_hash
    )
