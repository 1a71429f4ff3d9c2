"""Small request helpers shared by the route modules."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from flask import Response, g, jsonify, request
from marshmallow import Schema

from api.auth import api_principal
from api.errors import ApiError
from api.extensions import services
from api.jsonbody import parse_json
from api.ratelimit import check_rate_limit
from core.services.jobs import MAX_IDEMPOTENCY_KEY, RenderRequest
from core.services.keys import Principal
from core.specs.chartjs import parse_chart

IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_IDEMPOTENCY_KEY}}}$")
MAX_WARNINGS_HEADER = 2000
CREDENTIAL_PARAMS = ("key", "apiKey")


def principal_for_request() -> Principal:
    """The caller, authenticated and rate-limited by ``api.auth``'s before-request hook (once per
    request; the rate-limit headers are added to the response later)."""
    principal = g.get("principal")
    if principal is None:  # a view marked @public that still wants to know who calls
        svc = services()
        principal = api_principal(svc)
        g.rate_limit_headers = check_rate_limit(principal)
        g.principal = principal
    return principal


def query_args() -> Any:
    """The query string without the API key parameters (``key``/``apiKey``, read by
    ``api.auth.presented_key``), for the schemas that refuse unknown fields."""
    args = request.args.copy()
    for name in CREDENTIAL_PARAMS:
        args.poplist(name)
    return args


def chartjs_request(mode: str) -> tuple[RenderRequest, Any]:
    """Authenticate, read and validate a Chart.js-style JSON body; returns the request and the raw
    payload (for request-level keys such as ``returnUrl`` or ``webhookUrl``)."""
    principal = principal_for_request()
    payload = json_body()
    parsed = parse_chart(payload)
    key, request_hash = idempotency(payload)
    req = RenderRequest(
        spec=parsed.spec,
        dialect="chartjs",
        principal=principal,
        mode=mode,
        warnings=parsed.warnings,
        idempotency_key=key,
        request_hash=request_hash,
    )
    return req, payload


def json_body() -> Any:
    """The request's JSON body, parsed once per request (``POST /api/v1/jobs`` reads it to pick the
    dialect, then the dialect reads it again: a 5,000-point body is not decoded twice). Callers
    must not modify it."""
    if "json_body" in g:
        return g.json_body
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "Request body is empty; send a JSON chart specification", field="body")
    g.json_body = parse_json(raw)
    return g.json_body


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def idempotency(payload: Any) -> tuple[str | None, str | None]:
    """The Idempotency-Key header (validated) and the canonical hash of the request it guards."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None, None
    if not IDEMPOTENCY_KEY.match(key):
        raise ApiError(400, "Idempotency-Key must be 1-255 visible ASCII characters", field="Idempotency-Key")
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return key, hashlib.sha256(canonical.encode()).hexdigest()


def quoted_etag(cache_key: str) -> str:
    return f'"{cache_key}"'


def etag_matches(cache_key: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return quoted_etag(cache_key) in tags


def warnings_header(response: Response, warnings: list[str] | tuple[str, ...]) -> None:
    """Ignored keys, comma-separated and percent-encoded so user text can't break the header."""
    if not warnings:
        return
    parts, size = [], 0
    for i, w in enumerate(warnings):
        item = quote(w, safe="[]._-/$@:")
        if size + len(item) > MAX_WARNINGS_HEADER:
            parts.append(f"...(+{len(warnings) - i} more)")
            break
        parts.append(item)
        size += len(item) + 2
    response.headers["X-Chart-Warnings"] = ", ".join(parts)


def object_body(*, optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object (``{}`` for an empty body when ``optional``)."""
    if optional and not request.get_data(cache=True).strip():
        return {}
    payload = json_body()
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object", field="body")
    return payload


def dumped(schema: type[Schema], body: Any, status: int = 200, *, secret: bool = False) -> Response:
    """``body`` serialized by ``schema``; ``secret`` responses (keys, signing secrets, shown once)
    are never stored by caches."""
    response = jsonify(schema().dump(body))
    response.status_code = status
    if secret:
        response.headers["Cache-Control"] = "no-store"
    return response
