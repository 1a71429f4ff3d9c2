"""The OpenAPI 3.1 document, generated from the route table and the marshmallow schemas.

Every rule in ``app.url_map`` becomes an operation. A view describes itself with ``@doc`` placed
*under* its route decorator; everything the code already knows is filled in here: path parameters
(from the URL converters), security and the 401/403/429 answers (from ``api.auth``'s access
declaration), the X-Request-Id and X-RateLimit-* headers, 400/413 for requests with a body.

    @bp.get("/<uuid:key_id>")
    @auth.account("manage")
    @doc(summary="One API key", tags=["API keys"], responses={200: ApiKeySchema, 404: "No such key"})
    def get_key(key_id): ...

``body``: a marshmallow schema (a JSON body), ``{"<media type>": {"schema": ...}}``, or a whole
requestBody object. ``responses`` values: a marshmallow schema (JSON body), a string (the
description; error statuses get the error schema), or a full OpenAPI response object. A view
without ``@doc`` is still listed, marked ``x-undocumented``, and the test suite fails until it is
described. Browser pages outside
/api/ may use ``@doc(hidden=True)`` to stay out of the API reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from api import auth
from api.schemas.common import (
    ErrorSchema,
    PdfRequiresProSchema,
    QuotaExceededSchema,
    RateLimitedSchema,
    TrialExpiredSchema,
)

DOC_ATTR = "__openapi__"
EXTENSION = "chartfleet.openapi"
VERSION = "0.1.0"
F = TypeVar("F", bound=Callable[..., Any])
IGNORED_METHODS = {"HEAD", "OPTIONS"}
_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_CONVERTER_SCHEMAS = {
    "UUIDConverter": {"type": "string", "format": "uuid"},
    "IntegerConverter": {"type": "integer"},
    "FloatConverter": {"type": "number"},
}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/webp", "image/gif", "application/pdf")
BINARY = {"type": "string", "format": "binary"}

PAYMENT_REQUIRED = {
    "description": "Payment required: the monthly quota is used up, the trial has expired, or PDF "
    "output needs the Pro plan. `plan` and `error` say which.",
    "content": {
        "application/json": {
            "schema": {"oneOf": [QuotaExceededSchema, TrialExpiredSchema, PdfRequiresProSchema]}
        }
    },
}


def doc(
    *,
    summary: str,
    description: str | None = None,
    tags: list[str] | tuple[str, ...] = (),
    query: type[Schema] | Schema | None = None,
    headers: type[Schema] | Schema | None = None,
    body: type[Schema] | Schema | dict[str, Any] | None = None,
    body_required: bool = True,
    responses: dict[int, Any] | None = None,
    method: str | None = None,
    hidden: bool = False,
    **extra: Any,
) -> Callable[[F], F]:
    """Describe a view for the API reference (``method`` when one view serves several)."""

    def mark(view: F) -> F:
        docs = dict(getattr(view, DOC_ATTR, {}))
        docs[(method or "*").upper()] = {
            "summary": summary,
            "description": description,
            "tags": list(tags),
            "query": query,
            "headers": headers,
            "body": body,
            "body_required": body_required,
            "responses": responses or {},
            "hidden": hidden,
            "extra": extra,
        }
        setattr(view, DOC_ATTR, docs)
        return view

    return mark


def image_response(
    description: str, *, json_schema: Any = None, headers: dict[str, Any] | None = None
) -> dict:
    """A response whose body is an image (or JSON with its URL when ``json_schema`` is given)."""
    content: dict[str, Any] = {media: {"schema": BINARY} for media in IMAGE_TYPES}
    if json_schema is not None:
        content["application/json"] = {"schema": json_schema}
    response: dict[str, Any] = {"description": description, "content": content}
    if headers:
        response["headers"] = headers
    return response


def openapi_path(rule_text: str) -> str:
    return _RULE_ARG.sub(lambda m: "{" + m.group(1) + "}", rule_text)


def _operation_docs(view: Callable[..., Any], method: str) -> dict[str, Any] | None:
    docs = getattr(view, DOC_ATTR, {})
    return docs.get(method) or docs.get("*")


def iter_operations(app: Flask):
    """``(rule, method, view, docs or None)`` for every route and method, static files excluded."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            yield rule, method, view, _operation_docs(view, method)


def undocumented(app: Flask) -> list[str]:
    """Routes without ``@doc``, and hidden routes under /api/ (which must be documented)."""
    missing = []
    for rule, method, _view, docs in iter_operations(app):
        if docs is None or (docs["hidden"] and rule.rule.startswith("/api/")):
            missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    return missing


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (built once per process; the route table does not change)."""
    cached = app.extensions.get(EXTENSION)
    if cached is None:
        cached = build(app)
        app.extensions[EXTENSION] = cached
    return cached


def build(app: Flask, server_url: str | None = None) -> dict[str, Any]:
    settings = app.extensions["chartfleet"].settings
    spec = APISpec(
        title="Chartfleet API",
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Chart images from Chart.js specs, rendered synchronously or as jobs, plus the "
            "management API of an account. Anonymous renders are allowed at the anonymous plan's limits.",
        },
        servers=[{"url": (server_url or settings.public_url).rstrip("/")}],
    )
    _components(spec)
    paths: dict[str, dict[str, Any]] = {}
    seen_ids: set[str] = set()
    for rule, method, view, docs in iter_operations(app):
        if docs is not None and docs["hidden"] and not rule.rule.startswith("/api/"):
            continue
        operation = _operation(rule, method, view, docs)
        if operation["operationId"] in seen_ids:  # one view under several URLs
            operation["operationId"] += "_" + re.sub(r"\W+", "_", rule.rule).strip("_")
        seen_ids.add(operation["operationId"])
        paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _components(spec: APISpec) -> None:
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("RateLimited", schema=RateLimitedSchema)
    spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer pk_live_...`"},
    )
    spec.components.security_scheme("apiKeyHeader", {"type": "apiKey", "in": "header", "name": "x-api-key"})
    spec.components.security_scheme(
        "apiKeyQuery", {"type": "apiKey", "in": "query", "name": "key", "description": "Also `apiKey`."}
    )
    spec.components.security_scheme(
        "sessionCookie",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "cf_session",
            "description": "A dashboard log-in; POST/PUT/DELETE also need the X-CSRF-Token header.",
        },
    )
    spec.components.header(
        "X-Request-Id",
        {"description": "Request id; quote it when reporting problems.", "schema": {"type": "string"}},
    )
    spec.components.header(
        "X-RateLimit-Limit", {"description": "Requests allowed per window.", "schema": {"type": "integer"}}
    )
    spec.components.header(
        "X-RateLimit-Remaining",
        {"description": "Requests left in the current window.", "schema": {"type": "integer"}},
    )
    spec.components.header(
        "X-RateLimit-Reset",
        {
            "description": "When the window resets (ISO 8601, UTC).",
            "schema": {"type": "string", "format": "date-time"},
        },
    )
    spec.components.header(
        "Retry-After", {"description": "Seconds until the window resets.", "schema": {"type": "integer"}}
    )


def _operation(rule, method: str, view: Callable[..., Any], docs: dict[str, Any] | None) -> dict[str, Any]:
    access = auth.access_of(view)
    docs = docs or {
        "summary": f"Undocumented: {rule.endpoint}",
        "description": None,
        "tags": ["Undocumented"],
        "query": None,
        "headers": None,
        "body": None,
        "body_required": True,
        "responses": {200: "Undocumented"},
        "hidden": False,
        "extra": {"x-undocumented": True},
    }
    op: dict[str, Any] = {
        "operationId": _operation_id(rule, method),
        "summary": docs["summary"],
        "tags": docs["tags"] or ["Other"],
    }
    if docs["description"]:
        op["description"] = docs["description"]
    parameters: list[Any] = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": dict(_CONVERTER_SCHEMAS.get(type(rule._converters[name]).__name__, {"type": "string"})),
        }
        for name in _RULE_ARG.findall(rule.rule)
    ]
    if docs["query"] is not None:
        parameters.append({"in": "query", "schema": docs["query"]})
    if docs["headers"] is not None:
        parameters.append({"in": "header", "schema": docs["headers"]})
    if parameters:
        op["parameters"] = parameters
    responses = {str(status): _response(status, value) for status, value in docs["responses"].items()}
    body = docs["body"]
    if body is not None:
        if isinstance(body, dict) and "content" in body:  # a whole requestBody object
            op["requestBody"] = {"required": docs["body_required"], **body}
        elif isinstance(body, dict) and body and all("/" in str(k) for k in body):  # media type -> {schema}
            op["requestBody"] = {"required": docs["body_required"], "content": body}
        else:  # a schema: a JSON body
            op["requestBody"] = {
                "required": docs["body_required"],
                "content": {"application/json": {"schema": body}},
            }
        responses.setdefault("400", _response(400, "Malformed JSON or invalid input (`field` names it)."))
        responses.setdefault("413", _response(413, "Body over 4 MB."))
    elif docs["query"] is not None:
        responses.setdefault("400", _response(400, "Invalid query parameters (`field` names the first)."))
    _access_responses(access, responses)
    responses.setdefault("500", _response(500, "Unexpected error; quote the X-Request-Id."))
    limited = access.kind not in ("public", "page")  # pages are outside the API's request budget
    for response in responses.values():
        headers = response.setdefault("headers", {})
        headers.setdefault("X-Request-Id", {"$ref": "#/components/headers/X-Request-Id"})
        if limited:
            for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
    op["responses"] = responses
    op["security"] = _security(access)
    op.update(docs["extra"])
    return op


def _access_responses(access: auth.Access, responses: dict[str, Any]) -> None:
    if access.kind in ("public", "page"):
        return
    rate_limited = _response(429, "Rate limit exceeded.")
    rate_limited["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/RateLimited"}}}
    rate_limited["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    responses.setdefault("429", rate_limited)
    if access.kind == "api":
        responses.setdefault(
            "401", _response(401, "A key was sent but is malformed, unknown, revoked or expired.")
        )
    elif access.kind == "account":
        responses.setdefault("401", _response(401, "No valid API key and no dashboard session."))
        responses.setdefault(
            "403",
            _response(
                403, f"The key lacks the `{access.scope}` scope, or a session request lacks its CSRF token."
            ),
        )


def _security(access: auth.Access) -> list[dict[str, list[str]]]:
    keys = [{"bearerAuth": []}, {"apiKeyHeader": []}, {"apiKeyQuery": []}]
    if access.kind == "api":
        return [{}, *keys]
    if access.kind == "account":
        return [*keys, {"sessionCookie": []}]
    if access.kind == "page":
        return [{}, {"sessionCookie": []}]
    return []


def _response(status: int, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in value.items()}
    if isinstance(value, str):
        response: dict[str, Any] = {"description": value}
        if status >= 400:
            response["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        return response
    if value is None:
        return {"description": HTTPStatus(status).phrase}
    return {"description": HTTPStatus(status).phrase, "content": {"application/json": {"schema": value}}}


def _operation_id(rule, method: str) -> str:
    base = rule.endpoint.replace(".", "_")
    methods = (rule.methods or set()) - IGNORED_METHODS
    return base if len(methods) == 1 else f"{base}_{method.lower()}"


__all__ = ["PAYMENT_REQUIRED", "doc", "document", "image_response", "undocumented"]
